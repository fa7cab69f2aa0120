package orchestrator

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/benchsuite/threads-vs-loop/internal/affinity"
	"github.com/benchsuite/threads-vs-loop/loadgen"
	"github.com/benchsuite/threads-vs-loop/metrics"
	"github.com/benchsuite/threads-vs-loop/sampler"
)

const tinySuite = `{
  "duration": "300ms", "warmup": "50ms",
  "servers": [
    {"label": "goroutine", "model": "goroutine"},
    {"label": "evented", "model": "evented"},
    {"label": "evented-offload", "model": "evented", "args": ["--offload"]}
  ],
  "scenarios": [
    {"name": "hello", "kind": "closed", "path": "/hello", "servers": ["goroutine", "evented"], "levels": [2, 5]},
    {"name": "idle", "kind": "idle", "path": "/hello", "active": 3, "servers": ["goroutine"], "levels": [0, 50]},
    {"name": "hol", "kind": "open", "path": "/hello", "restart": "scenario", "servers": ["evented-offload"],
     "background": {"path": "/cpu?us=100", "rate": 50, "concurrency": 2}, "levels": [300]},
    {"name": "rate", "kind": "open", "path": "/cpu?us=100", "restart": "scenario", "servers": ["goroutine"],
     "capacity": {"concurrency": 4, "duration": "100ms"}, "levels": [0.5, 1.5]}
  ]
}`

func skipUnlessLinux(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("samples /proc and pins CPUs")
	}
}

func plan(t *testing.T, suite string) []Step {
	t.Helper()
	s, err := ParseSuite([]byte(suite))
	if err != nil {
		t.Fatal(err)
	}
	steps, _ := Plan(s, PlanOptions{FDLimit: 20000})
	return steps
}

// servers records the servers a run starts.
type startedServers struct {
	mu   sync.Mutex
	pids []int
}

func (s *startedServers) add(_ string, pid int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pids = append(s.pids, pid)
}

func (s *startedServers) list() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.pids)
}

func readSummary(t *testing.T, dir string) []metrics.SummaryRow {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "summary.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := metrics.ReadSummary(f)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func assertAllStopped(t *testing.T, pids []int) {
	t.Helper()
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("server %d still running after the run", pid)
		}
	}
}

func TestRunRecordsEveryStep(t *testing.T) {
	skipUnlessLinux(t)
	steps := plan(t, tinySuite)
	eng := &fakeEngine{}
	cfg := testConfig(t, steps, eng)
	allowed, _ := affinity.Allowed()
	cfg.ServerCPUs = allowed[len(allowed)-1:]
	var started startedServers
	var pinErr error
	cfg.OnServer = func(label string, pid int) {
		started.add(label, pid)
		if cpus, err := pinnedTo(pid); err != nil || !slices.Equal(cpus, cfg.ServerCPUs) {
			pinErr = errors.New(label + " is not pinned to the server CPU")
		}
	}
	rep, err := Run(context.Background(), cfg)
	if err != nil || rep.Steps != 9 || rep.Failed != 0 {
		t.Fatalf("Run = %+v, %v; want 9 measured steps", rep, err)
	}
	if pinErr != nil {
		t.Error(pinErr)
	}
	if n := len(started.list()); n != 8 { // a fresh server per hello and idle step, one per hol and rate
		t.Errorf("%d servers started, want 8", n)
	}
	assertAllStopped(t, started.list())
	rows := readSummary(t, cfg.Out)
	if len(rows) != 9 {
		t.Fatalf("%d rows, want 9", len(rows))
	}
	for _, r := range rows {
		checkRow(t, r, cfg)
		if _, err := os.Stat(filepath.Join(cfg.Out, "hgrm", metrics.HgrmName(r))); err != nil {
			t.Errorf("%s %s %v: no hgrm file: %v", r.Server, r.Scenario, r.Level(), err)
		}
	}
	checkScenarios(t, rows, eng)
	checkTimeseries(t, cfg.Out, len(rows))
}

// checkRow checks what every row must hold.
func checkRow(t *testing.T, r metrics.SummaryRow, cfg Config) {
	t.Helper()
	want := map[string]int{"goroutine": 1, "evented": 5, "evented-offload": 5} // pinned to one CPU
	switch {
	case r.RunID != filepath.Base(cfg.Out) || r.HostCPUs != 2 || r.StartedAt.IsZero():
		t.Errorf("row identity: %+v", r)
	case r.Requests != 901 || r.P50us < 549 || r.P50us > 551 || r.P99us < 990 || r.P99us > 992 || r.MaxUs < 1000:
		t.Errorf("%s %s: figures not the engine's: %+v", r.Server, r.Scenario, r)
	case r.RSSPeakKB <= 0 || r.RSSMeanKB > r.RSSPeakKB || r.ThreadsPeak < 1 || r.FDsPeak < 3:
		t.Errorf("%s %s: server samples missing: rss %d/%d threads %d fds %d", r.Server, r.Scenario,
			r.RSSPeakKB, r.RSSMeanKB, r.ThreadsPeak, r.FDsPeak)
	case r.ServerCPUs != CPUList(cfg.ServerCPUs) || r.GoMaxProcs != want[r.Server]:
		t.Errorf("%s: server_cpus %q gomaxprocs %d", r.Server, r.ServerCPUs, r.GoMaxProcs)
	case r.DurationS != 0.3 || r.ClientBound:
		t.Errorf("%s %s: duration %v, client_bound %v", r.Server, r.Scenario, r.DurationS, r.ClientBound)
	}
}

// checkScenarios checks what each scenario adds to its rows and asks of the engine.
func checkScenarios(t *testing.T, rows []metrics.SummaryRow, eng *fakeEngine) {
	t.Helper()
	idle, hol, rate := rows[5], rows[6], rows[7:]
	if idle.IdleConns != 45 || idle.Concurrency != 3 || !strings.Contains(idle.Note, "only 45 of 50 idle connections up") {
		t.Errorf("idle row: %d idle, %d active, note %q", idle.IdleConns, idle.Concurrency, idle.Note)
	}
	if rows[4].Note != "" || rows[4].IdleConns != 0 {
		t.Errorf("idle=0 row: %+v", rows[4])
	}
	// hol: the foreground offered at its level (no capacity probe), the background at its rate.
	if hol.Engine != "open" || hol.OfferedRPS != 300 || hol.BgOfferedRPS != 50 || hol.BgRPS <= 0 ||
		!strings.Contains(hol.Note, "beside 50 req/s offered on /cpu?us=100") {
		t.Errorf("hol row: engine %s, offered %v, background offered %v served %v, note %q", hol.Engine, hol.OfferedRPS, hol.BgOfferedRPS, hol.BgRPS, hol.Note)
	}
	// The probe: 901 requests in 100 ms is 9010 req/s; the rows offer 0.5 and 1.5 of it.
	if rate[0].Engine != "open" || rate[0].OfferedRPS != 4505 || rate[1].OfferedRPS != 13515 ||
		!strings.Contains(rate[1].Note, "capacity 9010 req/s") {
		t.Errorf("rate rows: %+v", rate)
	}
	var probes, background int
	for _, c := range eng.calls {
		if c.Concurrency == 4 && c.Duration == 100*time.Millisecond {
			probes++
		}
		if strings.HasSuffix(c.URL, "/cpu?us=100") && c.Concurrency == 2 && c.Rate == 50 {
			background++
		}
		if strings.HasSuffix(c.URL, "/hello") && c.Rate == 0 && !c.Ramp {
			t.Errorf("a closed /hello load of %d connections without a ramp", c.Concurrency)
		}
		if strings.HasSuffix(c.URL, "/hello") && c.Rate != 0 && c.Rate != 300 {
			t.Errorf("a /hello load offered %v req/s, want 300 (hol) or closed", c.Rate)
		}
	}
	if probes != 1 || background != 1 || !slices.Equal(eng.idle, []int{50}) {
		t.Errorf("engine calls: %d capacity probes, %d background loads, idle %v", probes, background, eng.idle)
	}
}

// checkTimeseries: ticks inside each window, matched to the engine's windows by time.
func checkTimeseries(t *testing.T, dir string, steps int) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "timeseries.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ts, err := metrics.ReadTimeseries(f)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, r := range ts {
		keys[r.Server+r.Scenario+string(rune(r.Level))] = true
		if r.TMs < 0 || r.TMs > 300 || r.RSSKB <= 0 {
			t.Fatalf("tick %+v outside its window or without RSS", r)
		}
		first := r.TMs < 150
		if (first && (r.RPS < 3333 || r.RPS > 3334 || r.P99us != 990)) || (!first && r.TMs < 299 && r.P99us != 995) {
			t.Fatalf("tick at %d ms matched to the wrong engine window: %+v", r.TMs, r)
		}
	}
	if len(keys) != steps {
		t.Errorf("timeseries covers %d steps, want %d", len(keys), steps)
	}
}

const oneServerSuite = `{
  "duration": "400ms", "warmup": "50ms",
  "servers": [{"label": "goroutine", "model": "goroutine"}],
  "scenarios": [{"name": "hello", "kind": "closed", "path": "/hello", "restart": "scenario",
                 "servers": ["goroutine"], "levels": [2, 3, 4]}]
}`

// TestServerKilledMidStep SIGKILLs the server during the second step: that row says what
// happened, a fresh server (though the scenario restarts only per scenario) runs the
// third, and the run finishes.
func TestServerKilledMidStep(t *testing.T) {
	skipUnlessLinux(t)
	var started startedServers
	eng := &fakeEngine{}
	eng.before = func(call int, _ loadgen.Config) {
		if call == 2 {
			// Mid-window: the fake load has connected and is counting. A kill here, before
			// it dials, would test a server that is dead at the start instead.
			pid := started.list()[0]
			time.AfterFunc(100*time.Millisecond, func() { syscall.Kill(pid, syscall.SIGKILL) })
		}
	}
	cfg := testConfig(t, plan(t, oneServerSuite), eng)
	cfg.OnServer = started.add
	rep, err := Run(context.Background(), cfg)
	if err != nil || rep.Steps != 3 {
		t.Fatalf("Run = %+v, %v; want all 3 steps", rep, err)
	}
	rows := readSummary(t, cfg.Out)
	if len(rows) != 3 {
		t.Fatalf("%d rows", len(rows))
	}
	if !strings.Contains(rows[1].Note, "server died mid-step (signal: killed)") || rows[1].Requests != 450 {
		t.Errorf("killed step: requests %d, note %q", rows[1].Requests, rows[1].Note)
	}
	if rows[0].Note != "" || rows[2].Note != "" || rows[2].Requests != 901 || rows[2].Concurrency != 4 {
		t.Errorf("steps around the kill: %+v / %+v", rows[0], rows[2])
	}
	if pids := started.list(); len(pids) != 2 {
		t.Errorf("servers started: %v, want the first and its replacement", pids)
	}
	assertAllStopped(t, started.list())
}

// TestInterruptStopsEveryServer cancels the run (what SIGINT does in bench run) during
// the second step: Run returns ErrInterrupted, the server is gone, the CSV holds the
// first row only.
func TestInterruptStopsEveryServer(t *testing.T) {
	skipUnlessLinux(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	eng := &fakeEngine{before: func(call int, _ loadgen.Config) {
		if call == 2 {
			cancel() // as SIGINT during the second step's load
		}
	}}
	var started startedServers
	cfg := testConfig(t, plan(t, oneServerSuite), eng)
	cfg.OnServer = started.add
	rep, err := Run(ctx, cfg)
	if !errors.Is(err, ErrInterrupted) || rep.Steps != 1 {
		t.Fatalf("Run = %+v, %v; want ErrInterrupted after 1 step", rep, err)
	}
	if rows := readSummary(t, cfg.Out); len(rows) != 1 || rows[0].Concurrency != 2 {
		t.Fatalf("rows after the interrupt: %+v", rows)
	}
	assertAllStopped(t, started.list())
}

// TestServerThatCannotStart: every step still gets a row, saying why it was not measured.
func TestServerThatCannotStart(t *testing.T) {
	skipUnlessLinux(t)
	cfg := testConfig(t, plan(t, oneServerSuite), &fakeEngine{})
	cfg.Bench = filepath.Join(t.TempDir(), "no-such-bench")
	cfg.Note = "shared note"
	rep, err := Run(context.Background(), cfg)
	if err != nil || rep.Steps != 3 || rep.Failed != 3 {
		t.Fatalf("Run = %+v, %v", rep, err)
	}
	for _, r := range readSummary(t, cfg.Out) {
		if !strings.HasPrefix(r.Note, "shared note; orchestrator: server did not start") || r.Requests != 0 {
			t.Errorf("row %+v", r)
		}
	}
}

// TestServerFromItsOwnBench: a model whose suite line names a bench binary (as
// scripts/gate.sh names the baseline revision's) is served by that binary, not the run's,
// which here does not exist: every step is measured.
func TestServerFromItsOwnBench(t *testing.T) {
	skipUnlessLinux(t)
	suite := strings.Replace(oneServerSuite, `"model": "goroutine"}`, `"model": "goroutine", "bench": "`+os.Args[0]+`"}`, 1)
	cfg := testConfig(t, plan(t, suite), &fakeEngine{})
	cfg.Bench = filepath.Join(t.TempDir(), "no-such-bench")
	rep, err := Run(context.Background(), cfg)
	if err != nil || rep.Steps != 3 || rep.Failed != 0 {
		t.Fatalf("Run = %+v, %v; want 3 steps measured", rep, err)
	}
	for _, r := range readSummary(t, cfg.Out) {
		if r.Note != "" || r.Requests == 0 {
			t.Errorf("row %+v", r)
		}
	}
}

func TestWindowAt(t *testing.T) {
	ws := []loadgen.Window{{Start: 0, Requests: 1}, {Start: time.Second, Requests: 2}, {Start: 2 * time.Second, Requests: 3}}
	for _, c := range []struct {
		t      time.Duration
		want   int64
		length time.Duration
	}{{500 * time.Millisecond, 1, time.Second}, {time.Second, 2, time.Second}, {2200 * time.Millisecond, 3, 500 * time.Millisecond}, {3 * time.Second, 0, 0}} {
		w, length, ok := windowAt(ws, c.t, 2500*time.Millisecond)
		if w.Requests != c.want || length != c.length || ok != (c.want > 0) {
			t.Errorf("windowAt(%v) = %+v, %v, %v", c.t, w, length, ok)
		}
	}
}

// TestExternalServerTree runs one step against nginx (scripts/peers/nginx.sh): the row
// sums the master and its worker, and stopping it leaves neither behind.
func TestExternalServerTree(t *testing.T) {
	skipUnlessLinux(t)
	if _, err := exec.LookPath("nginx"); err != nil {
		t.Skip("nginx is not installed")
	}
	suite := `{"duration": "300ms", "warmup": "50ms",
	  "servers": [{"label": "nginx", "external": "../scripts/peers/nginx.sh"}],
	  "scenarios": [{"name": "hello", "kind": "closed", "path": "/hello", "servers": ["nginx"], "levels": [2]}]}`
	var started startedServers
	var tree []int
	eng := &fakeEngine{before: func(int, loadgen.Config) { tree, _ = sampler.ProcessTree(started.list()[0]) }}
	cfg := testConfig(t, plan(t, suite), eng)
	cfg.OnServer = started.add
	if rep, err := Run(context.Background(), cfg); err != nil || rep.Failed != 0 {
		t.Fatalf("Run = %+v, %v", rep, err)
	}
	if len(tree) < 2 {
		t.Fatalf("nginx tree %v: want the master and a worker", tree)
	}
	rows := readSummary(t, cfg.Out)
	if len(rows) != 1 || rows[0].ThreadsPeak < 2 || rows[0].GoMaxProcs != 0 || rows[0].RSSPeakKB <= 0 {
		t.Fatalf("nginx row %+v: want the tree's threads summed and gomaxprocs 0", rows)
	}
	assertAllStopped(t, tree)
}

// An open row's offered rate is written to the hundredth: a window that completed every
// request due must not read above its offered rate (1980.25 of 1980.5, once written 1980).
func TestOpenRowKeepsOfferedRateUnrounded(t *testing.T) {
	r := &runner{}
	var out stepResult
	r.fill(&out, Step{Scenario: Scenario{Kind: metrics.KindOpen}}, measurement{offered: 1980.5, capacity: 3961.3})
	if out.row.OfferedRPS != 1980.5 {
		t.Errorf("offered_rps %v, want 1980.5", out.row.OfferedRPS)
	}
}
