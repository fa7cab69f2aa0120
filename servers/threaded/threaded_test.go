package threaded

import (
	"bufio"
	"net"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/benchsuite/threads-vs-loop/servers"
	"github.com/benchsuite/threads-vs-loop/servers/workload"
)

// start runs the model with cfg on 127.0.0.1:0 until the test ends, and puts GOMAXPROCS
// back afterwards (the read mode grows it).
func start(t *testing.T, cfg servers.Config) string {
	t.Helper()
	addr, _ := startServer(t, cfg)
	return addr
}

// startServer is start, with the server for the tests that look inside it.
func startServer(t *testing.T, cfg servers.Config) (string, *server) {
	t.Helper()
	procs := runtime.GOMAXPROCS(0)
	wl, err := workload.New()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Addr, cfg.Workload = "127.0.0.1:0", wl
	srv, err := servers.New("threaded", cfg)
	if err != nil {
		wl.Close()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve() }()
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		wl.Close()
		runtime.GOMAXPROCS(procs)
	})
	return srv.Addr().String(), srv.(*server)
}

// open dials addr and sends target; the caller reads the answer with statusOf.
func open(t *testing.T, addr, target string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write([]byte("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	return c, bufio.NewReader(c)
}

// statusOf reads one response head and body and returns its status code.
func statusOf(t *testing.T, r *bufio.Reader) int {
	t.Helper()
	status, length := 0, 0
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("reading a response: %v", err)
		}
		line = strings.TrimRight(line, "\r\n")
		if status == 0 {
			status, _ = strconv.Atoi(strings.Fields(line + " 0 0")[1])
			continue
		}
		if v, ok := strings.CutPrefix(strings.ToLower(line), "content-length: "); ok {
			length, _ = strconv.Atoi(v)
		}
		if line == "" {
			break
		}
	}
	if _, err := r.Discard(length); err != nil {
		t.Fatalf("reading a body: %v", err)
	}
	return status
}

func threadCount(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Threads:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	t.Fatal("no Threads: line")
	return 0
}

// TestThreadedReadModeThreadAndPPerConnection: every open connection holds a thread of its own,
// and GOMAXPROCS has grown past the threads so each finds a P when read(2) returns.
func TestThreadedReadModeThreadAndPPerConnection(t *testing.T) {
	const conns = 60
	addr := start(t, servers.Config{})
	for range conns {
		if _, r := open(t, addr, "/hello"); statusOf(t, r) != 200 {
			t.Fatal("/hello did not answer 200")
		}
	}
	// The process's threads, not a difference: threads of an earlier test may still be
	// exiting. Threads shared between connections would leave a handful.
	if got := threadCount(t); got < conns+SpareThreads {
		t.Errorf("%d connections open, the process has %d threads, want ≥ %d (+ %d spares)", conns, got, conns, SpareThreads)
	}
	if got := runtime.GOMAXPROCS(0); got < conns+procHeadroom {
		t.Errorf("GOMAXPROCS %d with %d connection threads, want ≥ %d", got, conns, conns+procHeadroom)
	}
}

// TestThreadedRefusesBeyondMaxThreads: the cap is the server's 503, and the connections
// within the cap are still served.
func TestThreadedRefusesBeyondMaxThreads(t *testing.T) {
	addr := start(t, servers.Config{MaxThreads: 2})
	_, r1 := open(t, addr, "/hello")
	_, r2 := open(t, addr, "/hello")
	if statusOf(t, r1) != 200 || statusOf(t, r2) != 200 {
		t.Fatal("connections within the cap were not served")
	}
	if _, r3 := open(t, addr, "/hello"); statusOf(t, r3) != 503 {
		t.Error("a connection beyond MaxThreads was not refused with 503")
	}
}

// TestThreadedIOBlocksOnlyItsThread: a thread asleep in /io serves no one else, and holds up no
// other connection: /hello on a second connection answers while the first still sleeps.
func TestThreadedIOBlocksOnlyItsThread(t *testing.T) {
	for _, wait := range []servers.WaitMode{WaitRead, WaitNetpoll} {
		t.Run(string(wait), func(t *testing.T) {
			addr := start(t, servers.Config{Wait: wait})
			slow, rs := open(t, addr, "/io?ms=3000")
			_, rh := open(t, addr, "/hello")
			if statusOf(t, rh) != 200 {
				t.Fatal("/hello did not answer 200")
			}
			// The sleeper has not answered yet: nothing is buffered on its connection.
			slow.SetReadDeadline(time.Now())
			if _, err := rs.Peek(1); err == nil {
				t.Fatal("/io?ms=3000 answered before /hello on another connection")
			}
			slow.SetReadDeadline(time.Now().Add(10 * time.Second))
			if statusOf(t, rs) != 200 {
				t.Error("/io did not answer 200")
			}
		})
	}
}

func TestThreadedGrowProcs(t *testing.T) {
	procs := runtime.GOMAXPROCS(2)
	defer runtime.GOMAXPROCS(procs)
	growProcs(100)
	got := runtime.GOMAXPROCS(0)
	if want := 100 + procHeadroom; got < want || got > want+want/8 {
		t.Errorf("growProcs(100): GOMAXPROCS %d, want %d..%d", got, want, want+want/8)
	}
	growProcs(10)
	if again := runtime.GOMAXPROCS(0); again != got {
		t.Errorf("growProcs(10) after growProcs(100): GOMAXPROCS %d, want it left at %d", again, got)
	}
}

func TestThreadedKeepGCOff(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	gc, limit := debug.SetGCPercent(100), debug.SetMemoryLimit(-1)
	defer func() { debug.SetGCPercent(gc); debug.SetMemoryLimit(limit) }()
	KeepGCOff(1000)
	if got := debug.SetGCPercent(100); got != -1 {
		t.Errorf("GC percent %d, want -1 (off)", got)
	}
	if got, want := debug.SetMemoryLimit(-1), int64(256<<20+1000*MemoryLimitPerThread); got != want {
		t.Errorf("memory limit %d, want %d", got, want)
	}
	t.Setenv("GOGC", "200") // the environment wins
	debug.SetGCPercent(200)
	KeepGCOff(1000)
	if got := debug.SetGCPercent(100); got != 200 {
		t.Errorf("with GOGC=200 set, GC percent %d, want 200 kept", got)
	}
}

// TestThreadedCloseBeforeServe: Serve after Close starts no spare on the released listener
// and returns nil at once, in every mode.
func TestThreadedCloseBeforeServe(t *testing.T) {
	for _, cfg := range []servers.Config{{}, {Wait: WaitNetpoll}, {Pool: 4}} {
		wl, err := workload.New()
		if err != nil {
			t.Fatal(err)
		}
		cfg.Addr, cfg.Workload = "127.0.0.1:0", wl
		srv, err := servers.New("threaded", cfg)
		if err != nil {
			t.Fatal(err)
		}
		srv.Close()
		if err := srv.Serve(); err != nil {
			t.Errorf("%+v: Serve after Close = %v, want nil", cfg, err)
		}
		wl.Close()
	}
}

// TestThreadedKeepsThreadsAsSpares: a thread whose connection ended waits in accept(2) for
// the next one instead of exiting, and the next connections reuse it.
func TestThreadedKeepsThreadsAsSpares(t *testing.T) {
	const conns = 30
	addr, srv := startServer(t, servers.Config{})
	var held []net.Conn
	for range conns {
		c, r := open(t, addr, "/hello")
		if statusOf(t, r) != 200 {
			t.Fatal("/hello did not answer 200")
		}
		held = append(held, c)
	}
	for _, c := range held {
		c.Close()
	}
	// Polled, not slept on: each thread sees EOF and goes back to accept(2) on its own.
	want := int64(conns + SpareThreads)
	for deadline := time.Now().Add(10 * time.Second); srv.idle.Load() < want && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if got := srv.idle.Load(); got < want {
		t.Fatalf("%d threads in accept(2) after %d connections closed, want %d (kept as spares)", got, conns, want)
	}
	before := threadCount(t)
	for range conns {
		if _, r := open(t, addr, "/hello"); statusOf(t, r) != 200 {
			t.Fatal("/hello did not answer 200 on a reused thread")
		}
	}
	// A runtime thread or two may come and go; a thread per new connection would be 30.
	if got := threadCount(t); got > before+conns/5 {
		t.Errorf("%d threads serving %d new connections, %d before: want the spares reused", got, conns, before)
	}
}
