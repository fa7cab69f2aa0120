package loadgen

import (
	"context"
	"math"
	"net"
	"sync"
	"testing"
	"time"
)

// TestScheduleMatchesVegetaPacer: the due time the open engine assumes for each request is
// the time vegeta's own pacer sends it, for a punctual attacker (closed form for a
// constant rate), and the schedule offers the asked rates.
func TestScheduleMatchesVegetaPacer(t *testing.T) {
	for _, cfg := range []Config{
		{Rate: 500, Duration: 2 * time.Second},
		{Rate: 333.3, Duration: 2 * time.Second},
		{Rate: 100, RateEnd: 900, Warmup: time.Second, Duration: 2 * time.Second},
		{Rate: 800, RateEnd: 50, Duration: 2 * time.Second},
	} {
		sch := newSchedule(cfg)
		total := cfg.Warmup + cfg.Duration
		elapsed := time.Duration(0)
		var hits uint64
		for ; elapsed <= total; hits++ {
			wait, stop := sch.pacer.Pace(elapsed, hits)
			if stop {
				t.Fatalf("%+v: pacer stopped at hit %d", cfg, hits)
			}
			elapsed += max(wait, 0)
			if d := sch.due(hits) - elapsed; d > time.Microsecond || d < -time.Microsecond {
				t.Fatalf("%+v: hit %d sent at %v, due at %v", cfg, hits, elapsed, sch.due(hits))
			}
		}
		// The offered rate over the whole run is the mean of the ramp.
		mean := (cfg.Rate + cfg.RateEnd) / 2
		if cfg.RateEnd == 0 {
			mean = cfg.Rate
		}
		if got := sch.offered(0, total); math.Abs(got-mean) > 1/total.Seconds() {
			t.Errorf("%+v: offered %.2f req/s over the run, want %.2f", cfg, got, mean)
		}
		// Over the first and the last second a ramp offers its rate at their middles.
		if cfg.RateEnd != 0 {
			slope := (cfg.RateEnd - cfg.Rate) / total.Seconds()
			first, last := sch.offered(0, time.Second), sch.offered(total-time.Second, total)
			if math.Abs(first-(cfg.Rate+slope/2)) > 2 || math.Abs(last-(cfg.RateEnd-slope/2)) > 2 {
				t.Errorf("%+v: offered %.1f then %.1f req/s in the first and last second", cfg, first, last)
			}
		}
	}
}

func openConfig(url string) Config {
	return Config{URL: url, Rate: 400, Duration: 500 * time.Millisecond, Timeout: 2 * time.Second, Concurrency: 20}
}

// checkOpenTotals is checkTotals for the open engine, whose late successes are in both
// histograms but not in Requests, and holds the result to the open engine's own
// invariants: every request due in the window is a request, late or an error; no more
// were counted or sent than were due, and so req/s is at most the offered rate.
func checkOpenTotals(t *testing.T, res *Result) {
	t.Helper()
	checkWindowsAddUp(t, res)
	if got, want := res.Latency.TotalCount(), res.Requests+res.Late+res.Errors.Total(); got != want {
		t.Errorf("histogram holds %d latencies for %d requests, %d late, %d errors", got, res.Requests, res.Late, res.Errors.Total())
	}
	if got := res.SuccessLatency.TotalCount(); got != res.Requests+res.Late {
		t.Errorf("success histogram holds %d latencies for %d requests, %d late", got, res.Requests, res.Late)
	}
	if res.Due != res.Requests+res.Late+res.Errors.Total() {
		t.Errorf("%d due in the window, but %d requests + %d late + %d errors", res.Due, res.Requests, res.Late, res.Errors.Total())
	}
	if res.Sent > res.Due || res.Requests > res.Due || res.RPS() > res.OfferedRPS {
		t.Errorf("%d due, %d sent, %d requests, %.1f req/s of %.1f offered: more than were due",
			res.Due, res.Sent, res.Requests, res.RPS(), res.OfferedRPS)
	}
}

// TestOpenCountsExactly: every response the server sent is counted once, by its
// scheduled time, in the warm-up or the window; the offered and achieved rates agree
// with the schedule. A healthy server, with a grace no response needs: none is late, and
// every request due in the window is one of its Requests.
func TestOpenCountsExactly(t *testing.T) {
	s := startServer(t, countingHello)
	cfg := openConfig(s.url("/"))
	cfg.Warmup, cfg.Grace = 200*time.Millisecond, time.Second
	res, err := RunOpen(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	checkOpenTotals(t, res)
	if got, want := res.Requests+res.WarmupRequests, s.answered.Load(); got != want || res.Errors.Total() != 0 || res.WarmupRequests == 0 {
		t.Errorf("client counted %d (%d in warm-up, %d errors), server answered %d", got, res.WarmupRequests, res.Errors.Total(), want)
	}
	if res.Late != 0 || res.Requests != res.Due || res.Sent == 0 {
		t.Errorf("%d due, %d sent, %d requests, %d late: want every due request counted", res.Due, res.Sent, res.Requests, res.Late)
	}
	if want := cfg.Rate * cfg.Duration.Seconds(); math.Abs(float64(res.Due)-want) > 1 {
		t.Errorf("%d requests scheduled in the window, want %.0f", res.Due, want)
	}
	if math.Abs(res.OfferedRPS-cfg.Rate) > 1/cfg.Duration.Seconds() {
		t.Errorf("offered %.1f req/s, want %.0f", res.OfferedRPS, cfg.Rate)
	}
}

// TestOpenErrorClasses: the open engine sorts net/http's failures into the same classes
// as the closed engine.
func TestOpenErrorClasses(t *testing.T) {
	for _, tc := range []struct {
		name    string
		respond func(*testServer, net.Conn, int64) bool
		class   func(e ErrorCounts) int64
	}{
		{"reset", resetEvery(1), func(e ErrorCounts) int64 { return e.Reset }},
		{"stall", stall, func(e ErrorCounts) int64 { return e.Timeout }},
		{"garbage", respondWith("garbage\r\n\r\n"), func(e ErrorCounts) int64 { return e.Parse }},
		{"status", respondWith(withBody(503, "no")), func(e ErrorCounts) int64 { return e.Status }},
	} {
		s := startServer(t, tc.respond)
		cfg := openConfig(s.url("/"))
		cfg.Rate, cfg.Timeout = 100, 100*time.Millisecond
		res, err := RunOpen(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		checkOpenTotals(t, res)
		if n := tc.class(res.Errors); n == 0 || n != res.Errors.Total() || res.Requests != 0 {
			t.Errorf("%s: errors %+v, %d requests: want every request in one class", tc.name, res.Errors, res.Requests)
		}
	}
	res, err := RunOpen(context.Background(), openConfig("http://"+closedPort(t)+"/"))
	if err != nil {
		t.Fatal(err)
	}
	if e := res.Errors; e.Connect == 0 || e.Connect != e.Total() {
		t.Errorf("nothing listening: errors %+v, want connect errors only", e)
	}
}

// TestOpenCountsUnsent: a stalled server ties up every vegeta worker, so the requests due
// later in the window are never sent. They still count, as unsent errors: every request
// the schedule offered in the window is either answered or an error. Each is in the
// latency distribution too: the timeouts at ≥ the timeout, the unsent at the end of the
// attack (≥ 1.5 s: the window, the grace, a second round of timeouts) less their due time.
func TestOpenCountsUnsent(t *testing.T) {
	s := startServer(t, stall)
	cfg := openConfig(s.url("/"))
	cfg.Rate, cfg.Concurrency, cfg.Timeout = 100, 5, time.Second // the window is 500 ms
	res, err := RunOpen(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	checkOpenTotals(t, res)
	least, floor := res.Latency.Min(), cfg.Timeout.Microseconds() // Min is its bucket's lowest value
	if least < floor && !res.Latency.ValuesAreEquivalent(least, floor) {
		t.Errorf("a failed request recorded at %d µs, below the %v timeout", least, cfg.Timeout)
	}
	if !res.WorkersExhausted || !res.RateShort {
		t.Errorf("exhausted %v, rate short %v: want both with every worker stalled", res.WorkersExhausted, res.RateShort)
	}
	due := int64(math.Round(res.OfferedRPS * cfg.Duration.Seconds())) // the schedule's count
	e := res.Errors
	if res.Due != due || res.Requests+res.Late+e.Total() != due || due < 45 || e.Unsent <= e.Timeout {
		t.Errorf("%d due in the window (Due %d); got %d answered, %d late, errors %+v: want all counted, most unsent",
			due, res.Due, res.Requests, res.Late, e)
	}
}

// freezer holds every response for hold (a second unless set), once, starting with the
// first request after it is armed: a server that stalls (a GC pause, a full disk).
type freezer struct {
	mu     sync.Mutex
	armed  time.Time
	hold   time.Duration
	until  time.Time
	frozen bool
}

func newFreezer(after time.Duration) *freezer {
	return &freezer{armed: time.Now().Add(after), hold: time.Second}
}

func (f *freezer) respond(s *testServer, c net.Conn, n int64) bool {
	f.mu.Lock()
	now := time.Now()
	if !f.frozen && now.After(f.armed) {
		f.frozen, f.until = true, now.Add(f.hold)
	}
	hold := f.until.Sub(now)
	f.mu.Unlock()
	if hold > 0 {
		time.Sleep(hold) // the server's stall, not the test's synchronisation
	}
	return countingHello(s, c, n)
}

// TestCoordinatedOmission: a server that freezes for 1 s once during a 10 s run at
// 500 req/s. The open engine counts each request from when it was due, so the ~500
// requests due during the freeze wait up to 1 s: the slowest 1% of all 5000 waited more
// than 0.9 s, and p99 ≥ 500 ms. The closed engine, like any closed-loop client, stops
// sending while it waits: only its 10 in-flight requests see the freeze, a fraction of a
// percent of what it sends, so its p99 stays far lower: it omits the stall.
func TestCoordinatedOmission(t *testing.T) {
	if testing.Short() {
		t.Skip("a 10 s open run")
	}
	f := newFreezer(3 * time.Second)
	s := startServer(t, f.respond)
	cfg := Config{URL: s.url("/"), Rate: 500, Duration: 10 * time.Second, Concurrency: 50, Timeout: 5 * time.Second}
	open, err := RunOpen(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	f = newFreezer(time.Second)
	s = startServer(t, f.respond)
	closed, err := RunClosed(context.Background(), Config{URL: s.url("/"), Concurrency: 10, Duration: 3 * time.Second, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("open: p50 %v p99 %v max %v (%d requests); closed: p50 %v p99 %v max %v (%d requests)",
		open.Quantile(50), open.Quantile(99), open.Max(), open.Requests,
		closed.Quantile(50), closed.Quantile(99), closed.Max(), closed.Requests)
	if open.Errors.Total() != 0 || closed.Errors.Total() != 0 {
		t.Fatalf("errors: open %+v, closed %+v", open.Errors, closed.Errors)
	}
	if p99 := open.Quantile(99); p99 < 500*time.Millisecond {
		t.Errorf("open engine p99 %v under a 1 s freeze: the stall was omitted", p99)
	}
	if closed.Max() < 900*time.Millisecond {
		t.Errorf("closed engine max %v: the freeze did not happen during its run", closed.Max())
	}
	if closed.Quantile(99)*5 > open.Quantile(99) {
		t.Errorf("closed engine p99 %v, open %v: want the closed one far lower", closed.Quantile(99), open.Quantile(99))
	}
}

// TestUntilEndSendsLateHits: an attacker running late at the window's end still sends
// every hit due before it, and none due at or after it.
func TestUntilEndSendsLateHits(t *testing.T) {
	sch := newSchedule(Config{Rate: 1000, Duration: time.Second})
	p := untilEnd{sch.pacer, sch.due, time.Second}
	if wait, stop := p.Pace(1100*time.Millisecond, 998); stop || wait > 0 { // hit 998 is due at 999 ms
		t.Errorf("late hit due before the end: wait %v, stop %v; want it sent at once", wait, stop)
	}
	if _, stop := p.Pace(900*time.Millisecond, 999); !stop { // hit 999 is due at 1 s
		t.Error("hit due at the end: want stop")
	}
}
