package servertest

import (
	"strconv"
	"testing"
	"time"

	"github.com/benchsuite/threads-vs-loop/servers/workload"
)

// RunIdleTimeout checks the idle keep-alive timeout of a model that start launches with
// Config.IdleTimeout set to idle (short: a few hundred milliseconds). Like Run, it never
// sleeps: it waits for the server to close an idle connection (reading until EOF, under
// the safety deadline), and lets time pass on a busy connection through the server's own
// /io waits.
func RunIdleTimeout(t *testing.T, idle time.Duration, start func(t *testing.T) (addr string)) {
	t.Helper()
	if idle < 50*time.Millisecond || 4*idle > safetyTimeout {
		t.Fatalf("idle timeout %v: want 50ms to %v", idle, safetyTimeout/4)
	}
	addr := start(t)
	if _, err := pattern(); err != nil {
		t.Fatalf("reference workload: %v", err)
	}
	runSubtest(t, "ClosesIdle", func(t *testing.T) { testClosesIdle(t, addr, idle) })
	runSubtest(t, "ActiveNotClosed", func(t *testing.T) { testActiveNotClosed(t, addr, idle) })
}

// testClosesIdle: a keep-alive connection left idle after a response is closed by the
// server, cleanly and without a response, about idle later.
func testClosesIdle(t *testing.T, addr string, idle time.Duration) {
	c := mustDial(t, addr)
	expectExchange(t, c, exchange{"/hello", 200, workload.HelloBody})
	since := time.Now()
	if err := c.expectClosed(false); err != nil {
		t.Fatalf("idle connection: %v", err)
	}
	elapsed := time.Since(since)
	// The server may start the clock at its last read, a little before our response.
	if elapsed < idle/2 || elapsed > 2*idle+time.Second {
		t.Fatalf("idle connection closed after %v; want about %v", elapsed, idle)
	}
}

// testActiveNotClosed: a connection that is never idle for long (back-to-back requests
// that each take idle/5 on the server) is served for 3×idle without being cut.
func testActiveNotClosed(t *testing.T, addr string, idle time.Duration) {
	c := mustDial(t, addr)
	target := "/io?ms=" + strconv.FormatInt(idle.Milliseconds()/5, 10)
	since := time.Now()
	for i := range 15 {
		r, err := c.roundTrip(get(target), "GET")
		if err == nil {
			err = check(r, 200, workload.HelloBody)
		}
		if err != nil {
			t.Fatalf("request %d (GET %s), %v after the first, on a busy connection: %v",
				i, target, time.Since(since).Round(time.Millisecond), err)
		}
	}
}
