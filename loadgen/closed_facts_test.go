//go:build linux

package loadgen

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/benchsuite/threads-vs-loop/internal/epoll"
	"golang.org/x/sys/unix"
)

// TestClosedStampsEachRead: a response handled late in a batch of events (the loop busy
// 2 ms on the events before it since the wake-up) is stamped when it is read, and the
// request sent for it when it is written, not at the wake-up: its latency holds the 2 ms,
// and the next request's send time is not earlier than the read.
func TestClosedStampsEachRead(t *testing.T) {
	const busy = 2 * time.Millisecond
	r := newPathRig(t, helloResponse)
	if n, e := epoll.Read(r.peer, r.req); e != 0 || n != len(r.l.batch) {
		t.Fatalf("peer read %d, %v; want one request", n, e)
	}
	if _, e := epoll.Write(r.peer, r.resp); e != 0 {
		t.Fatal(e)
	}
	r.l.now = r.l.clock() // the wake-up that reported the response
	wake := r.l.now
	for r.l.clock() < wake+int64(busy) { // the loop's work on the batch's earlier events
	}
	before := r.l.clock()
	r.l.readable(0, false)
	if got := time.Duration(r.l.t.hist.Max()) * time.Microsecond; got < busy {
		t.Errorf("latency %v recorded for a response read %v after the wake-up: stamped at the wake-up", got, busy)
	}
	c := &r.l.conns[0]
	if c.inflight != 1 {
		t.Fatalf("%d requests in flight after the response, want 1", c.inflight)
	}
	if sent := r.l.sent[c.head]; sent < before {
		t.Errorf("next request stamped %v before it was written", time.Duration(before-sent))
	}
}

// tinyBacklog is a listener with a backlog of 0 that never accepts: the kernel completes
// the handshake of the one connection its accept queue holds, and drops the SYNs of the
// rest, which stay connecting.
func tinyBacklog(t *testing.T) string {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	return (&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: sa.(*unix.SockaddrInet4).Port}).String()
}

// TestClosedConnsUp: of 8 connections to a server that never accepts (the kernel completes
// the ones its backlog holds), none has been answered when the window begins, and ConnsUp
// says so: connected is not served.
func TestClosedConnsUp(t *testing.T) {
	cfg := closedConfig("http://"+tinyBacklog(t)+"/", 8)
	cfg.Loops, cfg.Warmup, cfg.Duration, cfg.Timeout = 1, 150*time.Millisecond, 200*time.Millisecond, time.Second
	res, err := RunClosed(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.ConnsUp != 0 || res.Requests != 0 {
		t.Errorf("%d of %d connections up, %d requests: want none answered, none up", res.ConnsUp, cfg.Concurrency, res.Requests)
	}
	s := startServer(t, countingHello)
	cfg.URL = s.url("/")
	res, err = RunClosed(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.ConnsUp != cfg.Concurrency {
		t.Errorf("a server that accepts: %d of %d connections up", res.ConnsUp, cfg.Concurrency)
	}
}

// TestClosedRetriesAreReconnects: with nothing listening, every connect attempt in the
// window after a warm-up is a connection's retry: a reconnect (and a connect error),
// never a request; no connection is up.
func TestClosedRetriesAreReconnects(t *testing.T) {
	cfg := closedConfig("http://"+closedPort(t)+"/", 2)
	cfg.Warmup, cfg.Duration = 150*time.Millisecond, 300*time.Millisecond
	res, err := RunClosed(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	e := res.Errors.Connect
	if res.Reconnects == 0 || res.Reconnects < e-int64(cfg.Concurrency) || res.Reconnects > e+int64(cfg.Concurrency) {
		t.Errorf("%d reconnects for %d failed connects in the window: want one per retry", res.Reconnects, e)
	}
	if res.Requests != 0 || res.ConnsUp != 0 {
		t.Errorf("%d requests, %d connections up with nothing listening", res.Requests, res.ConnsUp)
	}
}

// TestEnginesSideBySide: the hol scenario's shape: an open load on a slow path and a
// closed load on a fast one, at once in one process against one server. Each counts
// exactly what the server read for its path, and each knows its CPU figure is shared.
func TestEnginesSideBySide(t *testing.T) {
	s := startSlowServer(t, countingHello, "/cpu", 2*time.Millisecond)
	var open, closed *Result
	var openErr, closedErr error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		open, openErr = RunOpen(context.Background(), Config{URL: s.url("/cpu"), Rate: 100, Concurrency: 20,
			Warmup: 100 * time.Millisecond, Duration: 500 * time.Millisecond, Timeout: 2 * time.Second, Grace: time.Second})
	}()
	go func() {
		defer wg.Done()
		closed, closedErr = RunClosed(context.Background(), Config{URL: s.url("/hello"), Concurrency: 4, Loops: 1,
			Warmup: 100 * time.Millisecond, Duration: 500 * time.Millisecond, Timeout: 2 * time.Second})
	}()
	wg.Wait()
	if openErr != nil || closedErr != nil {
		t.Fatal(openErr, closedErr)
	}
	checkTotals(t, open)
	checkTotals(t, closed)
	for _, c := range []struct {
		res  *Result
		path string
	}{{open, "/cpu"}, {closed, "/hello"}} {
		if got, want := c.res.Requests+c.res.WarmupRequests, s.read(c.path); got != want || got == 0 || c.res.Errors.Total() != 0 {
			t.Errorf("%s on %s: counted %d (+%d errors), the server read %d", c.res.Engine, c.path, got, c.res.Errors.Total(), want)
		}
		if !c.res.CPUShared {
			t.Errorf("%s: CPUShared false beside another engine", c.res.Engine)
		}
	}
}

// rampWatch answers each connection's first request after a delay that grows with the
// connections seen (the k-th after k ms), the rest at once, and counts second requests
// that came while some connection was still unanswered.
type rampWatch struct {
	mu           sync.Mutex
	seen         map[net.Conn]int // requests read per connection
	firsts       int              // first requests answered
	conns, early int
}

func (w *rampWatch) respond(s *testServer, c net.Conn, _ int64) bool {
	w.mu.Lock()
	w.seen[c]++
	n, k := w.seen[c], len(w.seen)
	if n == 2 && w.firsts < w.conns {
		w.early++
	}
	w.mu.Unlock()
	if n == 1 {
		time.Sleep(time.Duration(k) * time.Millisecond) // the server's latency under test, not a synchronisation
		w.mu.Lock()
		w.firsts++
		w.mu.Unlock()
	}
	return s.answer(c, helloResponse)
}

// TestClosedRamp: with Ramp, no connection sends its second request before every
// connection, of every loop, has had its first answered; without it, the early-answered
// ones go on at once (what a thread server that accepts slowly under load would face).
func TestClosedRamp(t *testing.T) {
	for _, tc := range []struct {
		ramp  bool
		loops int
	}{{true, 1}, {true, 2}, {false, 1}} {
		ramp := tc.ramp
		w := &rampWatch{seen: map[net.Conn]int{}, conns: 20}
		s := startServer(t, w.respond)
		cfg := closedConfig(s.url("/"), w.conns)
		cfg.Loops, cfg.Warmup, cfg.Duration, cfg.Ramp = tc.loops, time.Second, 100*time.Millisecond, ramp
		res, err := RunClosed(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		w.mu.Lock()
		early := w.early
		w.mu.Unlock()
		switch {
		case ramp && (early != 0 || res.ConnsUp != w.conns || res.Requests == 0):
			t.Errorf("ramp, %d loops: %d second requests before every first was answered, %d of %d up, %d requests", tc.loops, early, res.ConnsUp, w.conns, res.Requests)
		case !ramp && early == 0:
			t.Errorf("no ramp: no second request came early; the test cannot tell a ramp")
		}
	}
}

// TestClosedRampOutlastsWarmup: with RampMax, the warm-up begins once every connection has
// been answered, however long past the warm-up that took, and OnWindow is told the
// window's start; a connection never answered ends the ramp at RampMax. With RampMax 0 the
// window begins Warmup after the start, the late connection not yet answered.
func TestClosedRampOutlastsWarmup(t *testing.T) {
	const conns, warmup, hold = 8, 100 * time.Millisecond, 700 * time.Millisecond
	late := func(s *testServer, c net.Conn, n int64) bool { // one connection's first answer waits
		if n == 0 {
			time.Sleep(hold) // the server's latency under test, not a synchronisation
		}
		return s.answer(c, helloResponse)
	}
	for _, tc := range []struct {
		name      string
		respond   func(*testServer, net.Conn, int64) bool
		rampMax   time.Duration
		up        int
		minWindow time.Duration // the window's start after Began, at least
		maxWindow time.Duration // and before
	}{
		{"answered late", late, 10 * time.Second, conns, hold + warmup, 10 * time.Second},
		{"never answered", stallFirst, 400 * time.Millisecond, conns - 1, 400*time.Millisecond + warmup, 10 * time.Second},
		{"bounded by the warm-up", late, 0, conns - 1, warmup, hold},
	} {
		s := startServer(t, tc.respond)
		cfg := closedConfig(s.url("/"), conns)
		cfg.Loops, cfg.Warmup, cfg.Duration, cfg.Ramp, cfg.RampMax = 2, warmup, 200*time.Millisecond, true, tc.rampMax
		cfg.Timeout = time.Second
		var told []time.Time
		cfg.OnWindow = func(at time.Time) { told = append(told, at) }
		res, err := RunClosed(context.Background(), cfg)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		after := res.WindowStart.Sub(res.Began)
		switch {
		case res.ConnsUp != tc.up:
			t.Errorf("%s: %d of %d connections up as the window began, want %d", tc.name, res.ConnsUp, conns, tc.up)
		case after < tc.minWindow || after >= tc.maxWindow:
			t.Errorf("%s: the window began %v after the start, want [%v, %v)", tc.name, after, tc.minWindow, tc.maxWindow)
		case len(told) != 1 || !told[0].Equal(res.WindowStart):
			t.Errorf("%s: OnWindow told %v, want once %v", tc.name, told, res.WindowStart)
		case res.Requests == 0:
			t.Errorf("%s: no request in the window", tc.name)
		}
	}
}

// stallFirst never answers the first request it reads, and answers every other.
func stallFirst(s *testServer, c net.Conn, n int64) bool {
	if n == 0 {
		return true
	}
	return s.answer(c, helloResponse)
}

// TestRampEndsOnceAnotherLoopFixedTheWindow: a loop whose ramp waits on a connection of the
// run (here, one not yet answered) ends it as soon as another loop has fixed the window,
// and takes that loop's window: a connection closed after the run's ramp ended must not
// keep one loop idle, ramping, through the window.
func TestRampEndsOnceAnotherLoopFixedTheWindow(t *testing.T) {
	cfg := &Config{Duration: time.Second, Warmup: 100 * time.Millisecond, Timeout: time.Second, Ramp: true, RampMax: time.Hour}
	window := newWindowClock(cfg, true)
	unserved := new(atomic.Int64)
	unserved.Store(1)
	var stop atomic.Bool
	tgt := &target{addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}, request: []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")}
	l, err := newLoop(tgt, 1, 1, cfg, time.Now(), &stop, unserved, window)
	if err != nil {
		t.Fatal(err)
	}
	defer l.p.Close()
	l.now = int64(time.Second)
	if l.rampOver() {
		t.Fatal("the ramp ended with a connection unanswered, its bound an hour away and no window fixed")
	}
	other := window.fix(int64(500 * time.Millisecond)) // another loop saw every connection answered
	if !l.rampOver() {
		t.Fatal("the ramp went on after another loop fixed the window")
	}
	l.endRamp()
	if l.ws != other || l.we != other+int64(cfg.Duration) || other != int64(600*time.Millisecond) {
		t.Errorf("window [%d, %d), want the other loop's [%d, %d)", l.ws, l.we, other, other+int64(cfg.Duration))
	}
}
