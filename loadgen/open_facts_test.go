package loadgen

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestOpenServerBoundIsNotClientBound: a server that takes 50 ms per response, 4 workers,
// 200 req/s offered: the workers can carry at most 80 req/s. Every worker is busy at
// once, the rate falls short, and the client, idle CPU-wise, is not marked bound.
func TestOpenServerBoundIsNotClientBound(t *testing.T) {
	s := startSlowServer(t, countingHello, "/slow", 50*time.Millisecond)
	cfg := Config{URL: s.url("/slow"), Rate: 200, Concurrency: 4, Duration: 600 * time.Millisecond, Timeout: 2 * time.Second}
	res, err := RunOpen(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	checkOpenTotals(t, res)
	t.Logf("sent %.0f of %.0f req/s, peak %d busy, client CPU %.0f%%; note %q",
		res.AchievedRPS, res.OfferedRPS, res.PeakBusy, res.ClientCPUPct, res.Note)
	if !res.WorkersExhausted || res.PeakBusy != cfg.Concurrency {
		t.Errorf("peak %d of %d workers busy, exhausted %v: want every worker busy", res.PeakBusy, cfg.Concurrency, res.WorkersExhausted)
	}
	if !res.RateShort || !strings.Contains(res.Note, "waiting on the server") {
		t.Errorf("rate short %v, note %q: want the shortfall put on the server", res.RateShort, res.Note)
	}
	if res.ClientBound {
		t.Errorf("client bound (%s) at %.0f%% CPU: a slow server is not the client's limit", res.BoundReason, res.ClientCPUPct)
	}
}

// connCounter is an HTTP server that counts the connections open on its side.
type connCounter struct {
	open, peak atomic.Int64
	srv        *http.Server
	url        string
}

func startConnCounter(t *testing.T) *connCounter {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cc := &connCounter{url: "http://" + ln.Addr().String() + "/"}
	cc.srv = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok")) }),
		ConnState: func(_ net.Conn, st http.ConnState) {
			switch st {
			case http.StateNew:
				n := cc.open.Add(1)
				for p := cc.peak.Load(); n > p && !cc.peak.CompareAndSwap(p, n); p = cc.peak.Load() {
				}
			case http.StateClosed, http.StateHijacked:
				cc.open.Add(-1)
			}
		},
	}
	go cc.srv.Serve(ln)
	t.Cleanup(func() { cc.srv.Close() })
	return cc
}

// waitClosed polls until the server holds no connection, or the deadline.
func (cc *connCounter) waitClosed(deadline time.Duration) int64 {
	end := time.Now().Add(deadline)
	for cc.open.Load() > 0 && time.Now().Before(end) {
		time.Sleep(5 * time.Millisecond)
	}
	return cc.open.Load()
}

// TestOpenClosesItsConnections: when RunOpen (and RunVegetaClosed) returns, the
// keep-alive connections it opened are closed from the client side, so none is left to
// the next step.
func TestOpenClosesItsConnections(t *testing.T) {
	for _, engine := range []string{"open", "vegeta-closed"} {
		cc := startConnCounter(t)
		cfg := Config{URL: cc.url, Rate: 300, Concurrency: 30, Warmup: 100 * time.Millisecond, Duration: 300 * time.Millisecond}
		run := RunOpen
		if engine == "vegeta-closed" {
			cfg.Concurrency = 8
			run = RunVegetaClosed
		}
		res, err := run(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if res.Requests == 0 || cc.peak.Load() == 0 || res.ConnsUp == 0 {
			t.Fatalf("%s: %d requests, %d connections at most, %d up: the run made none", engine, res.Requests, cc.peak.Load(), res.ConnsUp)
		}
		if left := cc.waitClosed(5 * time.Second); left != 0 {
			t.Errorf("%s: %d of up to %d connections still open on the server 5 s after the run returned", engine, left, cc.peak.Load())
		}
	}
}

// TestOpenTimeoutsInLatency: against a server that never answers, every request times
// out, and each is in the latency distribution at no less than the timeout (the success
// histogram stays empty).
func TestOpenTimeoutsInLatency(t *testing.T) {
	s := startServer(t, stall)
	cfg := openConfig(s.url("/"))
	cfg.Rate, cfg.Concurrency, cfg.Timeout = 100, 50, 200*time.Millisecond
	res, err := RunOpen(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	checkOpenTotals(t, res)
	if res.Errors.Timeout == 0 || res.Quantile(50) < cfg.Timeout || res.SuccessLatency.TotalCount() != 0 {
		t.Errorf("%d timeouts, p50 %v, %d successes recorded: want p50 ≥ the %v timeout",
			res.Errors.Timeout, res.Quantile(50), res.SuccessLatency.TotalCount(), cfg.Timeout)
	}
}

// TestOpenFreezeShortOfTimeouts: a server that freezes for 600 ms, longer than the 250 ms
// timeout, a fifth into a 1.5 s window at 200 req/s: the ~120 requests due during the
// freeze are given up, and the p99 shows them, at no less than the timeout, where the
// successes alone would hide them.
func TestOpenFreezeShortOfTimeouts(t *testing.T) {
	f := &freezer{armed: time.Now().Add(300 * time.Millisecond), hold: 600 * time.Millisecond}
	s := startServer(t, f.respond)
	cfg := Config{URL: s.url("/"), Rate: 200, Concurrency: 200, Duration: 1500 * time.Millisecond, Timeout: 250 * time.Millisecond}
	res, err := RunOpen(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	checkOpenTotals(t, res)
	t.Logf("p50 %v p99 %v; success-only p99 %v; errors %+v, reconnects %d", res.Quantile(50), res.Quantile(99),
		time.Duration(res.SuccessLatency.ValueAtQuantile(99))*time.Microsecond, res.Errors, res.Reconnects)
	if res.Errors.Timeout < 50 || res.Quantile(99) < cfg.Timeout {
		t.Errorf("%d timeouts, p99 %v: want the freeze in the p99, at ≥ the %v timeout", res.Errors.Timeout, res.Quantile(99), cfg.Timeout)
	}
	if res.Reconnects == 0 {
		t.Error("no reconnects: the connections of the timed-out requests were replaced in the window")
	}
}

// serialized answers one request at a time, each after d: a server whose capacity is
// 1/d requests per second, however many connections bring them.
func serialized(d time.Duration) func(*testServer, net.Conn, int64) bool {
	var mu sync.Mutex
	return func(s *testServer, c net.Conn, n int64) bool {
		mu.Lock()
		defer mu.Unlock()
		time.Sleep(d) // the server's service time, not the test's synchronisation
		return countingHello(s, c, n)
	}
}

// TestOpenOverCapacityCountsCompleted: 400 req/s offered to a server that answers one
// request at a time, 10 ms each (100 req/s). vegeta keeps sending what it is late with
// after the window and waits for the replies, but only what completed by the window's
// end counts: req/s stays under the offered rate, the rest are late (answered, their
// latency recorded: checkOpenTotals counts them in both histograms) or unsent, and every
// request due is one of the three.
func TestOpenOverCapacityCountsCompleted(t *testing.T) {
	s := startServer(t, serialized(10*time.Millisecond))
	cfg := Config{URL: s.url("/"), Rate: 400, Concurrency: 20, Duration: 500 * time.Millisecond, Timeout: 5 * time.Second}
	res, err := RunOpen(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	checkOpenTotals(t, res)
	t.Logf("%d due, %d sent, %d requests (%.0f req/s of %.0f offered), %d late, errors %+v",
		res.Due, res.Sent, res.Requests, res.RPS(), res.OfferedRPS, res.Late, res.Errors)
	if res.RPS() > res.OfferedRPS || res.Requests > res.Due || res.Sent > res.Due || res.Late == 0 {
		t.Errorf("%.1f req/s of %.1f offered; %d requests, %d sent of %d due, %d late: want req/s ≤ offered and some late",
			res.RPS(), res.OfferedRPS, res.Requests, res.Sent, res.Due, res.Late)
	}
	if got, want := res.Requests+res.Late, s.answered.Load(); got != want {
		t.Errorf("%d requests + %d late, the server answered %d", res.Requests, res.Late, want)
	}
}

// TestOpenGrace: a server that takes 50 ms per response (in parallel), 100 req/s for
// 500 ms. The requests due in the window's last 50 ms cannot complete by its end: with
// no grace they are late; with a grace longer than the response time every due request
// counts.
func TestOpenGrace(t *testing.T) {
	const d = 50 * time.Millisecond
	s := startSlowServer(t, countingHello, "/slow", d)
	for _, grace := range []time.Duration{0, 20 * d} {
		cfg := Config{URL: s.url("/slow"), Rate: 100, Concurrency: 50, Duration: 500 * time.Millisecond,
			Timeout: 5 * time.Second, Grace: grace}
		res, err := RunOpen(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		checkOpenTotals(t, res)
		if res.Errors.Total() != 0 || res.Due == 0 {
			t.Fatalf("grace %v: %d due, errors %+v", grace, res.Due, res.Errors)
		}
		if grace == 0 && (res.Late == 0 || res.Requests == res.Due) {
			t.Errorf("no grace: %d of %d due counted, %d late: want those due in the last %v late", res.Requests, res.Due, res.Late, d)
		}
		if grace > 0 && (res.Late != 0 || res.Requests != res.Due) {
			t.Errorf("grace %v: %d of %d due counted, %d late: want every one counted", grace, res.Requests, res.Due, res.Late)
		}
	}
}
