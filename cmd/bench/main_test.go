package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/benchsuite/threads-vs-loop/internal/rlimit"
)

// The test binary doubles as the bench binary: with BENCH_AS_MAIN set, or started with a
// subcommand as its first argument (as bench run starts its served copy's bench keep), it
// runs main, so tests can start `bench serve` as a real process without building it first.
func TestMain(m *testing.M) {
	if os.Getenv("BENCH_AS_MAIN") == "1" || len(os.Args) > 1 && subcommands[os.Args[1]] != nil {
		main()
		return
	}
	os.Exit(m.Run())
}

// benchProcess is a running `bench` child.
type benchProcess struct {
	cmd    *exec.Cmd
	addr   string
	stderr *bytes.Buffer
}

// startServe runs `bench serve args...` and waits for its "listening on" line.
func startServe(t *testing.T, args ...string) *benchProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"serve"}, args...)...)
	cmd.Env = append(os.Environ(), "BENCH_AS_MAIN=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &benchProcess{cmd: cmd, stderr: &bytes.Buffer{}}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("no listening line: %v (stderr: %s)", err, p.stderr)
	}
	if !strings.HasPrefix(line, "listening on ") {
		t.Fatalf("first stdout line = %q, want \"listening on HOST:PORT\"", line)
	}
	p.addr = strings.TrimSpace(strings.TrimPrefix(line, "listening on "))
	return p
}

func TestServeFirstLineAndCleanStopOnSignal(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		p := startServe(t, "--model", "goroutine")
		if !strings.HasPrefix(p.addr, "127.0.0.1:") || strings.HasSuffix(p.addr, ":0") {
			t.Fatalf("addr %q: want a loopback address with the bound port", p.addr)
		}
		if got := get(t, p.addr, "/hello"); got != "Hello, World!\n" {
			t.Fatalf("GET /hello = %q", got)
		}
		p.cmd.Process.Signal(sig)
		if err := p.cmd.Wait(); err != nil {
			t.Fatalf("after %v: %v (stderr: %s)", sig, err, p.stderr)
		}
	}
}

func TestBadFlagsExitTwoWithOneLine(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--bogus"},
		{"serve"},
		{"serve", "--model", "nosuch"},
		{"serve", "--model", "threaded", "--pool", "5", "--max-threads", "2"},
		{"serve", "--model", "threaded", "--wait", "spin"},
		{"nosuchcommand"},
		{},
	} {
		var stdout, stderr bytes.Buffer
		code := exitCode(run(args, noStdin{}, &stdout, &stderr), &stderr)
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		if code != 2 || len(lines) != 1 || lines[0] == "" || stdout.Len() != 0 {
			t.Errorf("bench %v: exit %d, stderr %q, stdout %q; want exit 2 and one line", args, code, stderr.String(), stdout.String())
		}
	}
}

func TestHelpExitsZero(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"serve", "-h"}} {
		var stdout, stderr bytes.Buffer
		if code := exitCode(run(args, noStdin{}, &stdout, &stderr), &stderr); code != 0 || !strings.Contains(stdout.String(), "usage") {
			t.Errorf("bench %v: exit %d, stdout %q", args, code, stdout.String())
		}
	}
}

// TestThreadsFollowIdleConnections opens 1000 idle keep-alive connections: the threaded
// model must own an OS thread for each, the goroutine model must not.
func TestThreadsFollowIdleConnections(t *testing.T) {
	if testing.Short() {
		t.Skip("opens 1000 connections")
	}
	if _, err := rlimit.RaiseNoFile(); err != nil {
		t.Fatal(err)
	}
	const conns = 1000
	for _, tc := range []struct {
		model    string
		min, max int
	}{
		{"threaded", conns, conns + 200},
		{"goroutine", 1, 19},
	} {
		p := startServe(t, "--model", tc.model)
		held := openIdle(t, p.addr, conns)
		threads := procThreads(t, p.cmd.Process.Pid)
		t.Logf("%s: %d threads with %d idle connections", tc.model, threads, len(held))
		if threads < tc.min || threads > tc.max {
			t.Errorf("%s: %d threads with %d idle connections, want %d..%d", tc.model, threads, conns, tc.min, tc.max)
		}
		for _, c := range held {
			c.Close()
		}
	}
}

// openIdle opens n connections, each completing one keep-alive request, and leaves them
// open. A completed response proves the server has taken the connection on.
func openIdle(t *testing.T, addr string, n int) []net.Conn {
	t.Helper()
	conns := make([]net.Conn, 0, n)
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	req := []byte("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
	for range n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.Write(req); err != nil {
			t.Fatal(err)
		}
		if err := readResponse(c); err != nil {
			t.Fatal(err)
		}
	}
	return conns
}

// readResponse reads one hello response (head and its 14-byte body).
func readResponse(c net.Conn) error {
	buf := make([]byte, 0, 256)
	tmp := make([]byte, 256)
	for !bytes.HasSuffix(buf, []byte("Hello, World!\n")) {
		n, err := c.Read(tmp)
		if err != nil {
			return fmt.Errorf("read response: %w (got %q)", err, buf)
		}
		buf = append(buf, tmp[:n]...)
	}
	return nil
}

func get(t *testing.T, addr, path string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", path)
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	_, body, _ := strings.Cut(string(b), "\r\n\r\n")
	return body
}

// noStdin is a command's standard input when a test gives it none: end of file at once.
type noStdin struct{}

func (noStdin) Read([]byte) (int, error) { return 0, io.EOF }

// TestAtEOFClosesWhenTheSessionEnds: the channel a command started over ssh waits on stays
// open while its standard input is open, and closes when the other end closes it.
func TestAtEOFClosesWhenTheSessionEnds(t *testing.T) {
	r, w := io.Pipe()
	eof := atEOF(r)
	if _, err := w.Write([]byte("still here\n")); err != nil { // read through: no EOF yet
		t.Fatal(err)
	}
	select {
	case <-eof:
		t.Fatal("closed while standard input was open")
	default:
	}
	w.Close()
	<-eof // the test's timeout fails it if this never comes
}
