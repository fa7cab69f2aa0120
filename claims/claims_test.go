package claims

import (
	"math"
	"slices"
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
	"hol": {Kind: metrics.KindOpen, Path: "/hello", OfferedRPS: 2000, BgPath: "/cpu?us=50000", BgOfferedRPS: 5,
		BgBurnUs: 50000, BgRPS: 5, BgDue: 15, BgP50us: 52000, Due: 6000, Sent: 6000, DurationS: 3},
}

func row(server, scenario string, level int) metrics.SummaryRow {
	r := scenarioRows[scenario]
	r.Server, r.Scenario, r.Concurrency, r.Repeat, r.Requests = server, scenario, level, 1, 1000
	r.Design = map[string]string{"threaded": "threads", "cthreads": "threads", "apache-worker": "threads", "evented": "events"}[server]
	switch r.Kind {
	case metrics.KindIdle:
		r.Concurrency, r.IdleConns = 10, level
	case metrics.KindOpen:
		r.Concurrency, r.OfferedRPS, r.Requests = 1000, float64(level), int64(level)*3
	}
	return r
}

func run(rows ...[]metrics.SummaryRow) Run {
	var all []metrics.SummaryRow
	for _, r := range rows {
		all = append(all, r...)
	}
	return NewRun(all, metrics.RunManifest{})
}

// holding is r with only the named servers' identities: the claims hold those alone.
func holding(r Run, servers ...string) Run {
	var ids []metrics.ServerIdentity
	for _, id := range r.Servers {
		if slices.Contains(servers, id.Server) {
			ids = append(ids, id)
		}
	}
	r.Servers = ids
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

// memory gives server's rows in scenario a memory of base + perConn × level.
func memory(server, scenario string, base, perConn float64, levels ...int) []metrics.SummaryRow {
	var out []metrics.SummaryRow
	for _, l := range levels {
		r := row(server, scenario, l)
		r.RSSPeakKB = int64(base + perConn*float64(l))
		out = append(out, r)
	}
	return out
}

func TestMemoryPerConnection(t *testing.T) {
	for _, tc := range []struct {
		name  string
		claim Claim
		rows  []metrics.SummaryRow
		want  string
	}{
		{"thread per connection", threadMemory, memory("cthreads", "idle", 9800, 12.3, 0, 1000, 5000, 10000),
			"PASS  cthreads memory per connection (idle, 0..10000): 12.3 KB ≥ 4 KB (a thread touches at least a page of its stack)"},
		{"threads with flat memory", threadMemory, memory("cthreads", "idle", 9800, 0.2, 0, 1000, 5000, 10000),
			"FAIL  cthreads memory per connection (idle, 0..10000): 0.2 KB, want ≥ 4 KB (a thread touches at least a page of its stack)"},
		{"event loop", loopMemory(loopContender, idleSweeps), memory("evented", "idle", 7200, 0.4, 0, 2500, 10000),
			"PASS  evented memory per connection (idle, 0..10000): 0.4 KB < 4 KB (no stack per connection)"},
		{"event loop that grows a page", loopMemory(loopContender, idleSweeps), memory("evented", "idle", 7200, 4, 0, 2500, 10000),
			"FAIL  evented memory per connection (idle, 0..10000): 4.0 KB, want < 4 KB (no stack per connection)"},
		{"one level", threadMemory, memory("cthreads", "idle", 9800, 27, 5000),
			"SKIP  cthreads memory per connection (idle): needs idle rows of cthreads at 2 or more levels, found 1"},
		{"Apache under the 2008 floor", seed2008Memory, memory("apache-worker", "idle", 9000, 7, 0, 1000, 5000),
			"FAIL  apache-worker memory per connection (idle, 0..5000): 7.0 KB, want ≥ 7.75 KB (the 2008 graph: 9 to 40 MB over 4000 connections)"},
	} {
		if got := one(t, tc.claim(run(tc.rows))).String(); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
}

func TestSlopeIsLeastSquares(t *testing.T) {
	// y = 1, 3, 2 at x = 0, 1, 2: the least-squares line is y = 1.5 + 0.5x.
	if got := slope([]float64{0, 1, 2}, []float64{1, 3, 2}); math.Abs(got-0.5) > 1e-12 {
		t.Errorf("slope = %v, want 0.5", got)
	}
	rows := memory("cthreads", "idle", 10000, 20, 100, 100, 1100, 1100)
	rows[1].RSSPeakKB += 1000 // one repeat at 100 measured 1 MB more: every row counts
	if got := one(t, threadMemory(run(rows))); got.Status != Pass || !strings.HasPrefix(got.Detail, "19.5 KB") {
		t.Errorf("got %s; want 19.5 KB", got)
	}
}

// TestRolesNeverFallBack: a claim about the thread reference is not decided by a Go
// stand-in when cthreads is missing (SKIP), and stays SKIP when the run left it out with a
// reason (the verdict rests on it); a claim about an optional server left out with a
// reason is N/A, counted with neither.
func TestRolesNeverFallBack(t *testing.T) {
	rows := memory("threaded", "idle", 9800, 27, 0, 1000, 5000)
	got := one(t, threadMemory(run(rows)))
	if got.Status != Skip || !strings.Contains(got.Detail, "no idle rows of cthreads, the thread reference") {
		t.Errorf("stand-in only: %s, want SKIP naming the role", got)
	}
	gone := []metrics.LeftOut{{Server: "cthreads", Why: "gcc is not installed"}, {Server: "apache-worker", Why: "apache2 is not installed"}}
	left := one(t, threadMemory(NewRun(rows, metrics.RunManifest{LeftOut: gone})))
	if left.Status != Skip || !strings.Contains(left.Detail, "left out of the run (gcc is not installed): the claim rests on it") {
		t.Errorf("thread reference left out: %s, want SKIP with the reason", left)
	}
	na := one(t, seed2008Memory(NewRun(rows, metrics.RunManifest{LeftOut: gone})))
	if na.Status != NA || !strings.Contains(na.Detail, "left out of the run: apache2 is not installed") {
		t.Errorf("Apache left out: %s, want N/A with the reason", na)
	}
	if c := Count([]Result{got, left, na}); c.Skip != 2 || c.NA != 1 || c.Pass+c.Fail != 0 {
		t.Errorf("counts %+v", c)
	}
}

func cpuRows(server string, us map[int]float64) []metrics.SummaryRow {
	var out []metrics.SummaryRow
	for c, x := range us {
		r := row(server, "hello", c)
		r.CPUUsPerReq, r.RPS, r.CtxVol, r.CtxInvol = x, 1e6/x, 900, 100
		out = append(out, r)
	}
	return out
}

// TestCPUPerRequestNamesItsLevel: the claim reads the top level, and says so when it must
// read another because a server has no row there; a top row that measured nothing is
// UNRELIABLE, not a reason to move down.
func TestCPUPerRequestNamesItsLevel(t *testing.T) {
	ev := cpuRows("evented", map[int]float64{10: 3.8, 4000: 4.8, 8000: 6.5})
	th := cpuRows("cthreads", map[int]float64{10: 5.7, 4000: 17.5, 8000: 18.7})
	got := one(t, topCPUPerRequest(run(ev, th)))
	if got.String() != "PASS  threads/loop CPU per request at the top hello level (c = 8000): 2.88× > 1× in every round (cthreads 18.7 µs vs evented 6.5 µs; the medians' ratio 2.88×: 53k vs 154k req/s per CPU; cthreads 1.00 context switches per request)" {
		t.Errorf("top level: %s", got)
	}
	short := th[:0:0]
	for _, r := range th {
		if r.Concurrency != 8000 {
			short = append(short, r)
		}
	}
	got = one(t, topCPUPerRequest(run(ev, short)))
	if !strings.Contains(got.Claim, "(c = 4000)") || !strings.Contains(got.Detail, "read at c = 4000, not at the top level c = 8000: cthreads has no row there") {
		t.Errorf("cthreads without its top row: %s", got)
	}
	for i := range ev {
		if ev[i].Concurrency == 8000 {
			ev[i].Requests, ev[i].RPS, ev[i].CPUUsPerReq = 0, 0, 0
		}
	}
	if got = one(t, topCPUPerRequest(run(ev, th))); got.Status != Unreliable || !strings.Contains(got.Detail, "evented c = 8000: measured no request") {
		t.Errorf("a top row with 0 req/s: %s, want UNRELIABLE", got)
	}
}

func TestRowProblems(t *testing.T) {
	ok := row("cthreads", "hello", 4000)
	ok.ConnsUp, ok.HelloBytes = 4000, 134
	for _, tc := range []struct {
		name string
		edit func(r *metrics.SummaryRow)
		want string
	}{
		{"sound", func(*metrics.SummaryRow) {}, ""},
		{"nothing measured", func(r *metrics.SummaryRow) { r.Requests = 0 }, "measured no request"},
		{"failed requests", func(r *metrics.SummaryRow) { r.Errors = 20 }, "2.0 % of requests failed"},
		{"connections not up", func(r *metrics.SummaryRow) { r.ConnsUp = 7 }, "7 of 4000 connections answered when the window began"},
		{"no connection up", func(r *metrics.SummaryRow) { r.ConnsUp = 0 }, "0 of 4000 connections answered when the window began"},
		{"a row from before conns_up", func(r *metrics.SummaryRow) { r.ConnsUp, r.HelloBytes = 0, 0 }, ""},
		{"background errors", func(r *metrics.SummaryRow) { *r = row("node", "hol", 2000); r.BgErrors = 2 }, "its background had 2 errors"},
		{"background short", func(r *metrics.SummaryRow) { *r = row("node", "hol", 2000); r.BgRPS = 4 }, "its background completed 12 of 15 requests due (80 %)"},
		{"background at 14 of 15", func(r *metrics.SummaryRow) { *r = row("node", "hol", 2000); r.BgRPS = 14.0 / 3 }, ""},
	} {
		r := ok
		tc.edit(&r)
		if got := rowProblem(r); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func holRowsWith(p99 map[string]float64) []metrics.SummaryRow {
	var out []metrics.SummaryRow
	for s, p := range p99 {
		r := row(s, "hol", 2000)
		r.P99us = p
		out = append(out, r)
	}
	return out
}

// TestStallFollowsTheFormula: 50 ms burns at 5 a second take ρ = 0.25 of the time: the
// threshold is B(1 − 0.01/0.25) less 10 % of B, 0.86 B = 43 ms.
func TestStallFollowsTheFormula(t *testing.T) {
	claim := func(r Run) []Result { return stallsBehindBurn(holding(r, "node")) }
	got := one(t, claim(run(holRowsWith(map[string]float64{"node": 44000}))))
	if got.String() != "PASS  node p99 behind the burns on its loop (hol, 2000 req/s offered): 0.88× the burn ≥ 0.86× the burn (44.0 ms; the burn 50 ms taking ρ = 0.25 of the time: B(1 − 0.01/ρ) less 10 % of B = 43.0 ms)" {
		t.Errorf("44 ms: %s", got)
	}
	if got := one(t, claim(run(holRowsWith(map[string]float64{"node": 42000})))); got.Status != Fail {
		t.Errorf("42 ms: %s, want FAIL", got)
	}
	behind := holRowsWith(map[string]float64{"node": 900000})
	behind[0].Requests = 5000 // of 6000 due: the loop was overloaded, not merely busy
	if got := one(t, claim(run(behind))); got.Status != Unreliable || !strings.Contains(got.Detail, "the server fell behind: 5000 of 6000") {
		t.Errorf("an overloaded loop: %s, want UNRELIABLE", got)
	}
	if got := one(t, claim(run(holRowsWith(map[string]float64{"evented": 1})))); got.Status != Skip {
		t.Errorf("no node rows: %s, want SKIP", got)
	}
	short := holRowsWith(map[string]float64{"node": 44000})
	short[0].BgP50us = 20000 // 50 ms of CPU in 20 ms of wall time: the burns ran short
	if got := one(t, claim(run(short))); got.Status != Unreliable || !strings.Contains(got.Detail, "its burns ran short") {
		t.Errorf("short burns: %s, want UNRELIABLE", got)
	}
	late := holRowsWith(map[string]float64{"node": 44000})
	late[0].Sent = 4000 // the client fell behind its schedule
	if got := one(t, claim(run(late))); got.Status != Unreliable || !strings.Contains(got.Detail, "the client sent 4000 of 6000") {
		t.Errorf("a late client: %s, want UNRELIABLE", got)
	}
}

func TestOffloadStaysUnderAFractionOfTheBurn(t *testing.T) {
	claim := func(r Run) []Result { return sparedByBurns(burnsOffloaded)(holding(r, "node", "node-offload")) }
	got := one(t, claim(run(holRowsWith(map[string]float64{"node": 52000, "node-offload": 6000}))))
	if got.String() != "PASS  node-offload p99 with its burns offloaded (hol, 2000 req/s offered): 0.12× the burn ≤ 0.25× the burn (6.0 ms, the burn 50 ms; node, the burns on its loop: 52.0 ms)" {
		t.Errorf("6 ms: %s", got)
	}
	if got := one(t, claim(run(holRowsWith(map[string]float64{"node-offload": 30000})))); got.Status != Fail {
		t.Errorf("30 ms, more than a quarter of the burn: %s, want FAIL", got)
	}
}

func ioRows(server string, threads map[int]int) []metrics.SummaryRow {
	var out []metrics.SummaryRow
	for c, n := range threads {
		r := row(server, "io", c)
		r.ThreadsPeak, r.FDsPeak, r.ConnsUp = n, c+8, c
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
		{loopIOThreads, ioRows("evented", map[int]int{10: 7, 100: 8, 4000: 7}),
			"PASS  evented threads at /io (io, c=10..4000): 8 threads ≤ 9 threads (the most, at c=100; 7 at c=10)"},
		{loopIOThreads, ioRows("evented", map[int]int{10: 7, 4000: 40}),
			"FAIL  evented threads at /io (io, c=10..4000): 40 threads, want ≤ 9 threads (the most, at c=4000; 7 at c=10)"},
	} {
		if got := one(t, tc.claim(run(tc.rows))).String(); got != tc.want {
			t.Errorf("\n got %s\nwant %s", got, tc.want)
		}
	}
	pool := run(ioRows("cthreads", map[int]int{10: 11, 4000: 4002}), ioRows("threaded", map[int]int{10: 18, 1000: 264, 4000: 264}))
	got := threadIOThreads(pool)
	if len(got) != 2 || got[0].Status != Pass || got[1].String() != "FAIL  threaded: a thread per connection at /io (io, c=10..4000): 0.07 threads per connection, want ≥ 1 threads per connection (264 threads for 4000 connections up at the tightest level, c=4000)" {
		t.Errorf("a pool of 256 threads: %v", got)
	}
}

func TestRepeatsUseTheMedian(t *testing.T) {
	rows := ioRows("cthreads", map[int]int{4000: 4008})
	for _, n := range []int{3, 4010} { // one repeat's sampler missed the peak
		r := rows[0]
		r.ThreadsPeak, r.Repeat = n, r.Repeat+1
		rows = append(rows, r)
	}
	if got := one(t, threadIOThreads(run(rows))); got.Status != Pass || !strings.Contains(got.Detail, "(4008 threads") {
		t.Errorf("median of 4008, 3, 4010: %s", got)
	}
}

// TestCheckRunsEveryClaim: a run without rows gives every claim a result and none a
// verdict: SKIP, or N/A for a role no server of the suite holds (the default suite before
// Java had no virtual threads).
func TestCheckRunsEveryClaim(t *testing.T) {
	for _, claim := range All() {
		if len(claim(NewRun(nil, metrics.RunManifest{}))) == 0 {
			t.Errorf("a claim gave no result on an empty run")
		}
	}
	results := Check(NewRun(nil, metrics.RunManifest{}))
	c := Count(results)
	if c.Pass+c.Fail != 0 || c.Skip+c.NA != len(results) || c.NA != 2 {
		t.Fatalf("empty run: %d results, %+v; want SKIP but for the 2 claims on virtual threads, a role nobody holds in the default suite before Java (N/A)", len(results), c)
	}
	c = Count(Check(Run{}))
	if c.Pass+c.Fail != 0 || c.Skip < 5 {
		t.Errorf("a run whose suite gives no roles: %+v; want the required roles' claims SKIP", c)
	}
}

// TestClaimsFollowKindsNotNames: the default suite's scenarios renamed give the same
// verdicts, named after the new scenarios; an idle scenario named "hello" is still idle.
func TestClaimsFollowKindsNotNames(t *testing.T) {
	rows := memory("cthreads", "idle", 9800, 12, 0, 1000, 5000)
	second := memory("cthreads", "idle", 5000, 13, 0, 2000)
	for i := range rows {
		rows[i].Scenario = "c10k"
	}
	for i := range second {
		second[i].Scenario = "hello"
	}
	got := threadMemory(run(rows, second))
	if len(got) != 2 || !strings.Contains(got[0].Claim, "(c10k, ") || !strings.Contains(got[1].Claim, "(hello, ") || got[1].Status != Pass {
		t.Errorf("idle claims on renamed scenarios: %v", got)
	}
}

// TestCPUPerRequestHoldsInEveryRound: the thread reference must cost more than the loop in
// every round, its cheapest repeat above the loop's dearest; medians 1.27× apart whose
// rounds overlap fail, the same medians with rounds apart pass.
func TestCPUPerRequestHoldsInEveryRound(t *testing.T) {
	rounds := func(server string, us ...float64) []metrics.SummaryRow {
		var out []metrics.SummaryRow
		for i, x := range us {
			r := cpuRows(server, map[int]float64{8000: x})[0]
			r.Repeat = i + 1
			out = append(out, r)
		}
		return out
	}
	overlap := one(t, topCPUPerRequest(run(rounds("evented", 9, 11, 12), rounds("cthreads", 10, 14, 15))))
	if overlap.Status != Fail || !strings.Contains(overlap.Detail, "0.83×, want > 1×") ||
		!strings.Contains(overlap.Detail, "cthreads 10.0–15.0 µs vs evented 9.0–12.0 µs; the medians' ratio 1.27×") {
		t.Errorf("overlapping rounds: %s", overlap)
	}
	apart := one(t, topCPUPerRequest(run(rounds("evented", 10.5, 11, 11.5), rounds("cthreads", 13.5, 14, 14.5))))
	if apart.Status != Pass || !strings.Contains(apart.Detail, "1.17× > 1× in every round") {
		t.Errorf("rounds apart: %s", apart)
	}
}

// javaIDs are the Java peers as the default suite declares them.
var javaIDs = []metrics.ServerIdentity{
	{Server: "java-platform", Design: "threads", Family: "java", Roles: []string{metrics.RolePlatformThreads, metrics.RoleBurnsTimeSliced}},
	{Server: "java-virtual", Design: "virtual-threads", Family: "java", Roles: []string{metrics.RoleVirtualThreads, metrics.RoleBurnsOnLoop}},
}

// TestVirtualThreadsClaims: virtual threads hold an idle connection for under a page and
// no OS thread each, beside the same code on platform threads (a page or more each); a
// virtual thread with a stack of its own per connection fails; and the stall and
// time-slice claims are asked of the Java peers by their roles, with no Go change.
func TestVirtualThreadsClaims(t *testing.T) {
	idle := func(server string, kb float64, threads func(l int) int) []metrics.SummaryRow {
		rows := memory(server, "idle", 30000, kb, 0, 2000, 10000)
		for i := range rows {
			rows[i].ThreadsPeak = threads(int(rows[i].Level()))
		}
		return rows
	}
	platform := idle("java-platform", 54, func(l int) int { return 20 + l })
	r := run(idle("java-virtual", 2.5, func(int) int { return 21 }), platform)
	r.Servers = javaIDs
	mem := virtualMemory(r)
	if len(mem) != 2 || mem[0].String() != "PASS  java-virtual memory per connection (idle, 0..10000): 2.5 KB ≤ 50 KB (java-platform's 54.0 KB less a page: the stack a virtual thread does not have; 5 % of it)" ||
		mem[1].String() != "PASS  java-platform memory per connection (idle, 0..10000): 54.0 KB ≥ 4 KB (a thread touches at least a page of its stack)" {
		t.Errorf("memory: %v", mem)
	}
	if got := one(t, virtualThreadsIdle(r)); got.String() != "PASS  java-virtual OS threads grown from 0 to 10000 idle connections (idle): 0 threads ≤ 2 threads (21 threads at 10000 idle, 21 at 0; java-platform: 10020)" {
		t.Errorf("threads: %s", got)
	}
	pinned := run(idle("java-virtual", 51, func(l int) int { return 21 + l }), platform)
	pinned.Servers = javaIDs
	if got := virtualMemory(pinned); got[0].Status != Fail {
		t.Errorf("a stack per virtual thread: %s, want FAIL", got[0])
	}
	if got := one(t, virtualThreadsIdle(pinned)); got.Status != Fail {
		t.Errorf("an OS thread per virtual thread: %s, want FAIL", got)
	}
	hol := run(holRowsWith(map[string]float64{"java-virtual": 49000, "java-platform": 5000}))
	hol.Servers = javaIDs
	if got := one(t, stallsBehindBurn(hol)); got.Status != Pass || !strings.HasPrefix(got.Claim, "java-virtual p99 behind the burns on its loop") {
		t.Errorf("stall: %s", got)
	}
	if got := one(t, sparedByBurns(burnsTimeSliced)(hol)); got.String() != "PASS  java-platform p99 with its burns time-sliced (hol, 2000 req/s offered): 0.10× the burn ≤ 0.25× the burn (5.0 ms, the burn 50 ms; java-virtual, the burns on its loop: 49.0 ms)" {
		t.Errorf("time-sliced: %s", got)
	}
	left := NewRun(nil, metrics.RunManifest{Servers: javaIDs, LeftOut: []metrics.LeftOut{{Server: "java-virtual", Why: "missing a JDK 21 or later"}}})
	if got := virtualMemory(left); len(got) != 1 || got[0].Status != Skip || !strings.Contains(got[0].Detail, "no idle (kind idle) scenario") {
		t.Errorf("no idle scenario: %v", got)
	}
}

// TestAUsersServerTakesARole: a server of the user's own, declared in the suite with a
// role, is held to that role's claim by its own label.
func TestAUsersServerTakesARole(t *testing.T) {
	r := run(holRowsWith(map[string]float64{"my-loop": 51000}))
	r.Servers = []metrics.ServerIdentity{{Server: "my-loop", Design: "events", Roles: []string{metrics.RoleBurnsOnLoop}}}
	if got := one(t, stallsBehindBurn(r)); got.Status != Pass || !strings.HasPrefix(got.Claim, "my-loop p99 behind the burns on its loop (hol") {
		t.Errorf("my-loop: %s", got)
	}
	if got := one(t, threadMemory(r)); got.Status != Skip || !strings.Contains(got.Detail, "no server of the run's suite holds the role thread-reference") {
		t.Errorf("no thread reference declared: %s, want SKIP (a required role)", got)
	}
}
