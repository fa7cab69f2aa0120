package servertest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/benchsuite/threads-vs-loop/servers/servertest"
)

// peers is every reference peer of scripts/peers, by script name.
var peers = []string{"nginx", "apache-worker", "apache-prefork", "apache-event", "node", "node-offload", "cthreads", "java-platform", "java-virtual"}

// apaches is the three Apache MPMs, excused from the same cases.
var apaches = []string{"apache-worker", "apache-prefork", "apache-event"}

// excused is the one table of the cases a peer answers otherwise than the Go models,
// legitimately: the peers it applies to, the case (a subtest path), and why.
var excused = []struct {
	peers []string
	path  string
	why   string
}{
	{[]string{"nginx"}, "Malformed", "nginx refuses with its own HTML pages, and accepts bare LF, chunked bodies and some heads over 8 KiB"},
	{[]string{"nginx"}, "Limits/head over limit", "nginx limits each header line (large_client_header_buffers), not the whole head, to 8 KiB"},
	{[]string{"node", "node-offload"}, "Limits/head over limit", "node's maxHeaderSize (8 KiB) counts the header fields, not the request line before them"},
	{apaches, "PeerRouteErrors/400", "Apache closes the connection after a 400 (ap_status_drops_connection)"},
	{apaches, "RouteErrors", "its 400s close the connection (Apache's ap_status_drops_connection)"},
	{apaches, "Head", "its last case is a 400, after which Apache closes the connection"},
	{apaches, "Malformed/CL and TE", "Apache serves a request with both headers (RFC 9112 section 6.1 lets Transfer-Encoding win) with a 200"},
	{apaches, "Malformed/HTTP/2.0", "Apache serves an HTTP/2.0 request line as HTTP/1.1, with a 200"},
	{apaches, "Malformed/unsupported transfer coding", "Apache reads `gzip, chunked` as a chunked body and waits for the body the case never sends, where the Go models answer 501"},
	{apaches, "Malformed/head too large", "Apache limits each header line (LimitRequestFieldSize 8190), not the head; it waits for the line's end"},
	{apaches, "Limits/head over limit", "Apache limits header lines and their count, not the head, to 8 KiB"},
	{[]string{"nginx"}, "Limits/body over limit", "nginx's 413 (client_max_body_size 1m) carries its own HTML page"},
}

// peerLoad is the contract's description of the load the conformance suite puts on a
// peer, as the orchestrator gives it (ParallelConns holds 200 connections, each busy).
var peerLoad = []string{"PEER_CONNECTIONS=256", "PEER_ACTIVE=256"}

// peerStartTimeout bounds a peer script's run (it builds cthreads, writes Apache's file).
const peerStartTimeout = 2 * time.Minute

// peerStopGrace bounds how long a peer may take to stop after SIGTERM: a bound that ends a
// hung test, not a speed figure. Apache's parent escalates to SIGKILL for a child that
// lingers after about 3 s, yet once, on a 2-core machine busy with the other packages'
// tests (make test runs them in parallel), apache-worker with 256 threads took over 10 s.
const peerStopGrace = 30 * time.Second

func TestPeer(t *testing.T) {
	for _, name := range peers {
		t.Run(name, func(t *testing.T) {
			script, err := filepath.Abs(filepath.Join("..", "..", "scripts", "peers", name+".sh"))
			if err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(script, "--check").CombinedOutput(); err != nil {
				t.Skipf("%s cannot run here: %s", name, bytes.TrimSpace(out))
			}
			out, err := exec.Command(script, "--endpoints").Output()
			if err != nil {
				t.Fatalf("%s --endpoints: %v", name, err)
			}
			p := servertest.Peer{Endpoints: strings.Fields(string(out)), Skip: map[string]string{}}
			for _, x := range excused {
				for _, who := range x.peers {
					if who == name {
						p.Skip[x.path] = x.why
					}
				}
			}
			servertest.RunPeer(t, startPeer(t, script, ""), p)
			t.Run("PEER_BIND", func(t *testing.T) { checkBind(t, script) })
		})
	}
}

// checkBind starts the peer with PEER_BIND=127.0.0.2: it answers GET /hello there, and
// nothing listens on 127.0.0.1 at its port.
func checkBind(t *testing.T, script string) {
	addr := startPeer(t, script, "127.0.0.2")
	resp, err := http.Get("http://" + addr + "/hello")
	if err != nil {
		t.Fatalf("GET /hello on %s: %v", addr, err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || string(body) != "Hello, World!\n" {
		t.Errorf("GET /hello on %s: %d %q (%v), want 200 \"Hello, World!\\n\"", addr, resp.StatusCode, body, err)
	}
	_, port, _ := net.SplitHostPort(addr)
	if c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", port), time.Second); err == nil {
		c.Close()
		t.Errorf("127.0.0.1:%s accepts a connection: the peer ignores PEER_BIND=127.0.0.2", port)
	}
}

// startPeer runs SCRIPT PORT CPULIST as the suite does, in a process group of its own,
// with PEER_BIND=bind when bind is set, and returns the server's address. The cleanup stops the server with SIGTERM to the PID
// the script printed, checks that the whole group is gone with it, then kills the group.
func startPeer(t *testing.T, script, bind string) string {
	t.Helper()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), peerStartTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, script, strconv.Itoa(port), fmt.Sprintf("0-%d", runtime.NumCPU()-1))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	host := "127.0.0.1"
	cmd.Env = append(os.Environ(), peerLoad...)
	if bind != "" {
		cmd.Env, host = append(cmd.Env, "PEER_BIND="+bind), bind
	}
	// A script that hangs, or leaves the server holding its output, is killed with its group.
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	pgid := cmd.Process.Pid
	if err != nil {
		syscall.Kill(-pgid, syscall.SIGKILL)
		t.Fatalf("%s: %v\n%s", script, err, stderr.Bytes())
	}
	first, rest, _ := strings.Cut(string(out), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil || pid <= 0 {
		syscall.Kill(-pgid, syscall.SIGKILL)
		t.Fatalf("%s printed %q, want a PID", script, first)
	}
	// Then its effective settings: one JSON object, for run.json and report.md.
	second, _, _ := strings.Cut(rest, "\n")
	var settings map[string]any
	if js, ok := strings.CutPrefix(second, "settings "); !ok || json.Unmarshal([]byte(js), &settings) != nil || len(settings) == 0 {
		t.Errorf("%s: second line %q, want \"settings {JSON}\" with its effective settings", script, second)
	}
	t.Cleanup(func() {
		defer syscall.Kill(-pgid, syscall.SIGKILL)
		if err := stopPeer(pid, pgid); err != nil {
			t.Error(err)
		}
	})
	return net.JoinHostPort(host, strconv.Itoa(port))
}

// stopPeer sends SIGTERM to pid alone and waits for it to exit, then for its process group
// to empty: the contract says killing the printed PID leaves no process behind.
func stopPeer(pid, pgid int) error {
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return fmt.Errorf("server %d gone before the end of the test: %w", pid, os.NewSyscallError("pidfd_open", err))
	}
	defer unix.Close(fd)
	if err := unix.Kill(pid, unix.SIGTERM); err != nil {
		return fmt.Errorf("SIGTERM %d: %w", pid, os.NewSyscallError("kill", err))
	}
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	for {
		n, err := unix.Poll(fds, int(peerStopGrace.Milliseconds()))
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return os.NewSyscallError("poll", err)
		}
		if n == 0 {
			return fmt.Errorf("server %d still runs %v after SIGTERM", pid, peerStopGrace)
		}
		break
	}
	// The server's helpers (nginx's worker, Apache's children) may exit a moment after it:
	// the group must empty within the grace period, with no signal sent to it.
	deadline := time.Now().Add(peerStopGrace)
	for {
		left, err := groupMembers(pgid)
		if err != nil || len(left) == 0 {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("processes %v of the peer's group %d outlive its server %d", left, pgid, pid)
		}
		time.Sleep(20 * time.Millisecond) // polling: nothing notifies us of another process's exit
	}
}

// groupMembers lists, with pgrep, the live processes of a process group (zombies, which
// the container's init may never reap, are dead and do not count).
func groupMembers(pgid int) ([]int, error) {
	out, err := exec.Command("pgrep", "-g", strconv.Itoa(pgid)).Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 1 {
		return nil, nil // none
	}
	if err != nil {
		return nil, fmt.Errorf("pgrep -g %d: %w", pgid, err)
	}
	var live []int
	for _, f := range strings.Fields(string(out)) {
		pid, _ := strconv.Atoi(f)
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue // exited meanwhile
		}
		if i := bytes.LastIndexByte(stat, ')'); i > 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
			continue
		}
		live = append(live, pid)
	}
	return live, nil
}

// freePort asks the kernel for a free loopback port, for a server that is told its port.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// TestPeerGroupMembers checks the check stopPeer relies on: a live process of a group is
// found, and none once it has exited.
func TestPeerGroupMembers(t *testing.T) {
	cmd := exec.Command("sleep", "30")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Skipf("sleep: %v", err)
	}
	pgid := cmd.Process.Pid
	left, err := groupMembers(pgid)
	if err != nil || len(left) != 1 || left[0] != pgid {
		t.Errorf("groupMembers(%d) = %v, %v; want [%d]", pgid, left, err, pgid)
	}
	cmd.Process.Kill()
	cmd.Wait()
	if left, err := groupMembers(pgid); err != nil || len(left) != 0 {
		t.Errorf("groupMembers(%d) after exit = %v, %v; want none", pgid, left, err)
	}
}

// TestNginxStubStatus: NGINX_STUB_STATUS=1 gives the nginx peer the page
// scripts/loadgen-vs-wrk.py counts requests with, and the page's own request is in the
// count it shows (the first one on a fresh nginx reads 1; the script takes one off each
// window); without it, as in bench runs, the path is nginx's ordinary 404.
func TestNginxStubStatus(t *testing.T) {
	script, err := filepath.Abs(filepath.Join("..", "..", "scripts", "peers", "nginx.sh"))
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(script, "--check").CombinedOutput(); err != nil {
		t.Skipf("nginx cannot run here: %s", bytes.TrimSpace(out))
	}
	t.Setenv("NGINX_STUB_STATUS", "")
	if code, body := getStatus(t, startPeer(t, script, "")); code != http.StatusNotFound {
		t.Errorf("without NGINX_STUB_STATUS: /nginx_status answered %d %q, want 404", code, body)
	}
	t.Setenv("NGINX_STUB_STATUS", "1")
	addr := startPeer(t, script, "")
	first, second := requestsTaken(t, addr), requestsTaken(t, addr)
	if first != 1 {
		t.Errorf("the first status request on a fresh nginx read %d requests taken, want 1: itself", first)
	}
	if second != first+1 {
		t.Errorf("two status requests in a row read %d then %d requests taken, want one more", first, second)
	}
}

// getStatus GETs addr's /nginx_status.
func getStatus(t *testing.T, addr string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/nginx_status")
	if err != nil {
		t.Fatalf("GET /nginx_status on %s: %v", addr, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET /nginx_status on %s: %v", addr, err)
	}
	return resp.StatusCode, string(body)
}

// requestsTaken is the requests count of nginx's stub_status page (its third figure, under
// "server accepts handled requests").
func requestsTaken(t *testing.T, addr string) int {
	t.Helper()
	code, body := getStatus(t, addr)
	_, counts, ok := strings.Cut(body, "server accepts handled requests\n")
	fields := strings.Fields(counts)
	if code != http.StatusOK || !ok || len(fields) < 3 {
		t.Fatalf("/nginx_status answered %d %q, want 200 and nginx's stub_status page", code, body)
	}
	n, err := strconv.Atoi(fields[2])
	if err != nil {
		t.Fatalf("/nginx_status: requests %q: %v", fields[2], err)
	}
	return n
}
