package claims

import (
	"math"
	"strings"
	"testing"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// scenarioRows are the default suite's scenarios as rows describe them: the claims pick
// scenarios by these values, so the names here are only labels.
var scenarioRows = map[string]metrics.SummaryRow{
	"hello": {Kind: metrics.KindClosed, Path: "/hello"},
	"idle":  {Kind: metrics.KindIdle, Path: "/hello"},
	"io":    {Kind: metrics.KindClosed, Path: "/io?ms=20"},
	"hol":   {Kind: metrics.KindOpen, Path: "/hello", OfferedRPS: 2000, BgPath: "/cpu?us=100000", BgOfferedRPS: 5},
}

func row(server, scenario string, level int) metrics.SummaryRow {
	r := scenarioRows[scenario]
	r.Server, r.Scenario, r.Concurrency, r.Repeat, r.Requests = server, scenario, level, 1, 1000
	r.Design = map[string]string{"threaded": "threads", "cthreads": "threads", "evented": "events", "evented-offload": "events"}[server]
	switch r.Kind {
	case metrics.KindIdle:
		r.Concurrency, r.IdleConns = 10, level
	case metrics.KindOpen:
		r.Concurrency, r.OfferedRPS = 1000, float64(level)
	}
	return r
}

// one is the single result of a claim on a run with one scenario it applies to.
func one(t *testing.T, results []Result) Result {
	t.Helper()
	if len(results) != 1 {
		t.Fatalf("%d results %v, want 1", len(results), results)
	}
	return results[0]
}

// memory gives server's rows in scenario an RSS of base + perConn × level.
func memory(server, scenario string, base, perConn float64, levels ...int) []metrics.SummaryRow {
	var out []metrics.SummaryRow
	for _, l := range levels {
		r := row(server, scenario, l)
		r.RSSPeakKB = int64(base + perConn*float64(l))
		out = append(out, r)
	}
	return out
}

func TestRSSPerConnection(t *testing.T) {
	threadedClaim := threadsRSSPerConn(idleSweeps, ThreadedMinKBPerConn)
	eventedClaim := rssPerConn("evented", idleSweeps, atMost, EventedMaxKBPerConn)
	for _, tc := range []struct {
		name  string
		claim Claim
		rows  []metrics.SummaryRow
		want  string
	}{
		{"thread per connection", threadedClaim, memory("threaded", "idle", 9800, 27.3, 0, 1000, 5000, 10000),
			"PASS  threaded RSS per connection (idle, 0..10000): 27.3 KB ≥ 10 KB"},
		{"threaded with flat memory", threadedClaim, memory("threaded", "idle", 9800, 0.2, 0, 1000, 5000, 10000),
			"FAIL  threaded RSS per connection (idle, 0..10000): 0.2 KB, want ≥ 10 KB"},
		{"event loop", eventedClaim, memory("evented", "idle", 7200, 0.4, 0, 2500, 10000),
			"PASS  evented RSS per connection (idle, 0..10000): 0.4 KB ≤ 2 KB"},
		{"event loop that grows", eventedClaim, memory("evented", "idle", 7200, 3.1, 0, 2500, 10000),
			"FAIL  evented RSS per connection (idle, 0..10000): 3.1 KB, want ≤ 2 KB"},
		{"one level", threadedClaim, memory("threaded", "idle", 9800, 27, 5000),
			"SKIP  thread-per-connection RSS per connection (idle): needs idle rows of a thread-per-connection server with rss_peak_kb at 2 or more levels"},
		{"other servers only", threadedClaim, memory("goroutine", "idle", 8000, 7.6, 0, 10000),
			"SKIP  thread-per-connection RSS per connection (idle): needs idle rows of a thread-per-connection server with rss_peak_kb at 2 or more levels"},
	} {
		if got := one(t, tc.claim(tc.rows)).String(); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
}

func TestSlopeIsLeastSquares(t *testing.T) {
	// y = 1, 3, 2 at x = 0, 1, 2: the least-squares line is y = 1.5 + 0.5x.
	if got := slope([]float64{0, 1, 2}, []float64{1, 3, 2}); math.Abs(got-0.5) > 1e-12 {
		t.Errorf("slope = %v, want 0.5", got)
	}
	// Repeats at the same level all count, and a row with no RSS sample is left out.
	rows := memory("threaded", "hello", 10000, 20, 100, 100, 1100, 1100)
	rows[1].RSSPeakKB += 1000 // one repeat at c=100 measured 1 MB more
	rows = append(rows, row("threaded", "hello", 5000))
	got := one(t, threadsRSSPerConn(cheapSweeps, 5)(rows))
	if got.Status != Pass || !strings.HasPrefix(got.Detail, "19.5 KB") || !strings.Contains(got.Claim, "100..1100") {
		t.Errorf("got %s; want 19.5 KB over 100..1100 (unsampled c=5000 row left out)", got)
	}
}

func helloRPS(server string, rps map[int]float64) []metrics.SummaryRow {
	var out []metrics.SummaryRow
	for c, x := range rps {
		r := row(server, "hello", c)
		r.RPS = x
		out = append(out, r)
	}
	return out
}

func TestTopHelloThroughput(t *testing.T) {
	ev := helloRPS("evented", map[int]float64{10: 120000, 4000: 95000, 8000: 82000})
	th := helloRPS("threaded", map[int]float64{10: 60000, 4000: 28000})
	got := one(t, topThroughput(append(ev, th...)))
	want := "PASS  evented/threads req/s at the top hello level (c=4000): 3.39× ≥ 1.2× (95000 vs 28000 req/s, threaded)"
	if got.String() != want {
		t.Errorf("highest common level:\n got %s\nwant %s", got, want)
	}
	th = helloRPS("threaded", map[int]float64{10: 60000, 4000: 90000})
	for i := range ev { // helloRPS ranges over a map: find c=4000 by its level
		ev[i].ClientBound = ev[i].Level() == 4000
	}
	got = one(t, topThroughput(append(ev, th...)))
	if got.Status != Fail || !strings.Contains(got.Detail, "1.06×, want ≥ 1.2×") || !strings.Contains(got.Detail, "client-bound") {
		t.Errorf("threaded as fast as evented: %s", got)
	}
	if got := one(t, topThroughput(ev)); got.Status != Skip {
		t.Errorf("no threaded rows: %s, want SKIP", got)
	}
}

func holRows(p99 map[string]float64) []metrics.SummaryRow {
	var out []metrics.SummaryRow
	for s, p := range p99 {
		r := row(s, "hol", 2000)
		r.P99us = p
		out = append(out, r)
	}
	return out
}

// TestHeadOfLineClaims: beside a /cpu?us=100000 background at one rate for every server,
// the single loop's p99 is about one burn.
func TestHeadOfLineClaims(t *testing.T) {
	rows := holRows(map[string]float64{"evented": 102000, "threaded": 4600, "cthreads": 3600, "node": 101000})
	if got := one(t, stallsBehindBurn("evented")(rows)); got.String() != "PASS  evented p99 behind a whole burn (hol, 2000 req/s offered): 1.02× the burn ≥ 0.8× the burn (102000 µs, the burn 100000 µs)" {
		t.Errorf("evented: %s", got)
	}
	// A loop that offloads its CPU work (or a background with no CPU) does not stall.
	quick := holRows(map[string]float64{"evented": 4900})
	if got := one(t, stallsBehindBurn("evented")(quick)); got.Status != Fail {
		t.Errorf("a loop that never waits a burn: %s", got)
	}
	if got := one(t, stallsBehindBurn("node")(holRows(map[string]float64{"evented": 1}))); got.Status != Skip {
		t.Errorf("no node rows: %s, want SKIP", got)
	}
}

// TestOffloadSpares: node's p99 beside the burns over node-offload's, at the same level.
func TestOffloadSpares(t *testing.T) {
	claim := offloadSpares("node", "node-offload")
	got := one(t, claim(holRows(map[string]float64{"node": 101800, "node-offload": 4600})))
	if got.String() != "PASS  node/node-offload p99 beside a CPU background (hol, 2000 req/s offered): 22.1× ≥ 10× (101.8 ms vs 4.6 ms, the burn 100 ms)" {
		t.Errorf("22×: %s", got)
	}
	if got := one(t, claim(holRows(map[string]float64{"node": 6000, "node-offload": 5900}))); got.Status != Fail {
		t.Errorf("offload no better: %s, want FAIL", got)
	}
	if got := one(t, claim(holRows(map[string]float64{"node": 101800}))); got.Status != Skip {
		t.Errorf("no node-offload rows: %s, want SKIP", got)
	}
	other := holRows(map[string]float64{"node": 101800})
	off := row("node-offload", "hol", 1000)
	off.P99us = 4600
	if got := one(t, claim(append(other, off))); got.Status != Skip {
		t.Errorf("node-offload at another rate only: %s, want SKIP", got)
	}
}

func TestTopCPUPerRequest(t *testing.T) {
	rows := append(helloRPS("evented", map[int]float64{10: 1, 4000: 1}), helloRPS("cthreads", map[int]float64{10: 1, 4000: 1})...)
	for i := range rows {
		rows[i].CPUUsPerReq = map[string]float64{"evented": 9.7, "cthreads": 16.8}[rows[i].Server]
	}
	if got := one(t, topCPUPerRequest(rows)); got.Status != Pass || !strings.HasPrefix(got.Detail, "1.73× ≥ 1.3×") {
		t.Errorf("cthreads against evented: %s", got)
	}
}

func ioThreads(server string, threads map[int]int) []metrics.SummaryRow {
	var out []metrics.SummaryRow
	for c, n := range threads {
		r := row(server, "io", c)
		r.ThreadsPeak, r.FDsPeak = n, c+8 // every connection accepted
		out = append(out, r)
	}
	return out
}

func TestIOThreads(t *testing.T) {
	for _, tc := range []struct {
		claim Claim
		rows  []metrics.SummaryRow
		want  string
	}{
		{eventedIOThreads, ioThreads("evented", map[int]int{10: 7, 100: 8, 4000: 7}),
			"PASS  evented threads at /io (io, c=10..4000): 8 threads ≤ 10 threads (the most, at c=100)"},
		{eventedIOThreads, ioThreads("evented", map[int]int{10: 7, 4000: 40}),
			"FAIL  evented threads at /io (io, c=10..4000): 40 threads, want ≤ 10 threads (the most, at c=4000)"},
		{threadedIOThreads, ioThreads("threaded", map[int]int{10: 18, 1000: 1008, 4000: 4008}),
			"PASS  threaded: a thread per accepted connection at /io (io, c=10..4000): 1.00 threads per descriptor ≥ 0.85 threads per descriptor (4008 threads, 4008 descriptors at the tightest level, c=4000)"},
		{threadedIOThreads, ioThreads("threaded", map[int]int{10: 18, 1000: 264, 4000: 264}), // a pool of 256
			"FAIL  threaded: a thread per accepted connection at /io (io, c=10..4000): 0.07 threads per descriptor, want ≥ 0.85 threads per descriptor (264 threads, 4008 descriptors at the tightest level, c=4000)"},
		{threadedIOThreads, ioThreads("evented", map[int]int{10: 7}),
			"SKIP  a thread per accepted connection at /io (io): no io rows of a thread-per-connection server with threads_peak"},
	} {
		if got := one(t, tc.claim(tc.rows)).String(); got != tc.want {
			t.Errorf("\n got %s\nwant %s", got, tc.want)
		}
	}
}

func TestRepeatsUseTheMedian(t *testing.T) {
	rows := ioThreads("threaded", map[int]int{4000: 4008})
	for _, n := range []int{3, 4010} { // one repeat's sampler missed the peak
		r := rows[0]
		r.ThreadsPeak, r.Repeat = n, r.Repeat+1
		rows = append(rows, r)
	}
	if got := one(t, threadedIOThreads(rows)); got.Status != Pass || !strings.Contains(got.Detail, "(4008 threads") {
		t.Errorf("median of 4008, 3, 4010: %s", got)
	}
}

func TestCheckRunsEveryClaim(t *testing.T) {
	results := Check(nil)
	pass, fail, skip := Count(results)
	if len(results) != len(All()) || skip != len(results) || pass+fail != 0 {
		t.Fatalf("empty run: %d results, %d PASS, %d FAIL, %d SKIP; want every claim SKIP", len(results), pass, fail, skip)
	}
}

// TestClaimsFollowKindsNotNames: the default suite's scenarios renamed give the same
// verdicts, named after the new scenarios; two idle scenarios give two idle claims.
func TestClaimsFollowKindsNotNames(t *testing.T) {
	rows := append(memory("threaded", "idle", 9800, 27.3, 0, 1000, 5000), memory("threaded", "hello", 9000, 30, 10, 1000)...)
	renamed := map[string]string{"idle": "c10k", "hello": "sweep"}
	var other []metrics.SummaryRow
	for _, r := range rows {
		r.Scenario = renamed[r.Scenario]
		other = append(other, r)
	}
	second := memory("threaded", "idle", 5000, 31, 0, 2000)
	for i := range second {
		second[i].Scenario = "c10k-again"
	}
	got := threadsRSSPerConn(idleSweeps, ThreadedMinKBPerConn)(append(other, second...))
	if len(got) != 2 || !strings.Contains(got[0].Claim, "(c10k, ") || !strings.Contains(got[1].Claim, "(c10k-again, ") || got[0].Status != Pass {
		t.Errorf("idle claims on renamed scenarios: %v", got)
	}
	if got := one(t, threadsRSSPerConn(cheapSweeps, 5)(other)); got.Status != Pass || !strings.Contains(got.Claim, "sweep") {
		t.Errorf("hello claim on sweep: %s", got)
	}
	// An idle scenario named "hello" is still an idle scenario.
	idleNamedHello := memory("threaded", "idle", 9800, 27.3, 0, 1000)
	for i := range idleNamedHello {
		idleNamedHello[i].Scenario = "hello"
	}
	if got := one(t, threadsRSSPerConn(cheapSweeps, 5)(idleNamedHello)); got.Status != Skip {
		t.Errorf("an idle scenario named hello taken for a closed sweep: %s", got)
	}
}

// TestClaimsHoldAgainstTheBestThreadServer: with a slow stand-in and a fast real thread
// server in the run, the throughput claim is decided against the fast one, and the memory
// claim against the leanest.
func TestClaimsHoldAgainstTheBestThreadServer(t *testing.T) {
	rows := helloRPS("evented", map[int]float64{10: 120000, 8000: 82000})
	rows = append(rows, helloRPS("threaded", map[int]float64{10: 60000, 8000: 18000})...)
	rows = append(rows, helloRPS("cthreads", map[int]float64{10: 98000, 8000: 75000})...)
	got := one(t, topThroughput(rows))
	if got.Status != Fail || !strings.Contains(got.Detail, "1.09×, want ≥ 1.2×") || !strings.Contains(got.Detail, "cthreads, the fastest of") {
		t.Errorf("against the fastest thread server: %s", got)
	}
	mem := append(memory("threaded", "idle", 9800, 30, 0, 1000, 5000), memory("cthreads", "idle", 2000, 12, 0, 1000, 5000)...)
	if got := one(t, threadsRSSPerConn(idleSweeps, ThreadedMinKBPerConn)(mem)); got.Status != Pass || !strings.HasPrefix(got.Detail, "12.0 KB") {
		t.Errorf("against the leanest thread server: %s", got)
	}
}

// TestUnreliableFigures: a claim read from rows where requests failed proves nothing.
func TestUnreliableFigures(t *testing.T) {
	rows := ioThreads("evented", map[int]int{10: 7, 4000: 7})
	rows[1].Errors = 50 // 5 % of 1000
	got := one(t, eventedIOThreads(rows))
	if got.Status != Unreliable || !strings.Contains(got.Detail, "4.8 % of requests failed") {
		t.Errorf("with 5 %% errors: %s", got)
	}
	if _, _, skip := Count([]Result{got}); skip != 1 {
		t.Error("an unreliable result must count with the skipped")
	}
}

func TestRealServerClaims(t *testing.T) {
	mem := append(memory("apache-worker", "idle", 9000, 110, 0, 1000, 5000), memory("nginx", "idle", 3000, 0.5, 0, 1000, 5000)...)
	if got := one(t, memoryRatio("apache-worker", "nginx", 10)(mem)); got.Status != Pass || !strings.Contains(got.Detail, "(110.0 KB vs 0.50 KB per connection)") {
		t.Errorf("Apache worker against nginx: %s", got)
	}
	flat := append(memory("apache-worker", "idle", 9000, 2, 0, 1000, 5000), memory("nginx", "idle", 3000, 0.5, 0, 1000, 5000)...)
	if got := one(t, memoryRatio("apache-worker", "nginx", 10)(flat)); got.Status != Fail {
		t.Errorf("an Apache that costs 2 KB per connection: %s", got)
	}
}
