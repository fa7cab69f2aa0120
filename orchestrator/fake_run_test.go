package orchestrator

import (
	"context"
	"fmt"
	"slices"
	"testing"
)

// A suite of two servers, one closed scenario and one open scenario kept across its
// levels, with the number of rounds, the servers refused a start and the server whose
// load sees it die.
const fakeSuite = `{
  "duration": "200ms", "warmup": "20ms", "repeats": %d,
  "servers": [{"label": "a", "model": "goroutine"}, {"label": "b", "external": "scripts/peers/b.sh"}],
  "scenarios": [
    {"name": "hello", "kind": "closed", "path": "/hello", "servers": ["a", "b"], "levels": [2, 5]},
    {"name": "rate", "kind": "open", "path": "/hello", "restart": "scenario", "servers": ["a"], "levels": [100, 200]}
  ]
}`

// TestRunOnAFakeHost runs the orchestrator's planning and recording with no server
// process: every planned point gives one row, in the plan's order; a server is started
// afresh for each closed step, once for the open scenario's levels, again after one
// died and after a start that failed; a refused start and a death are rows with notes and
// the run goes on.
func TestRunOnAFakeHost(t *testing.T) {
	cases := []struct {
		name    string
		repeats int
		refuse  string
		dieAt   []int // engine calls whose server dies half-way
		starts  int   // StartServer calls
		failed  int   // rows without a measurement
		noteOf  string
		note    []string // in that server's first row's note
	}{
		{name: "one round", repeats: 1, starts: 5, failed: 0},
		{name: "three rounds", repeats: 3, starts: 15, failed: 0},
		{name: "b refused", repeats: 1, refuse: "b", starts: 5, failed: 2, noteOf: "b", note: []string{"did not start", "refused by the test"}},
		{name: "a dies in its first step", repeats: 1, dieAt: []int{1}, starts: 5, failed: 0, noteOf: "a",
			note: []string{"server died mid-step", "killed by the test"}},
		{name: "a dies at its first rate level", repeats: 1, dieAt: []int{5}, starts: 6, failed: 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := &fakeHost{refuse: map[string]bool{tc.refuse: true}}
			cfg := fakeConfig(t, fmt.Sprintf(fakeSuite, tc.repeats), h, dyingEngine(h, tc.dieAt...))
			rep, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			rows := readSummary(t, cfg.Out)
			var got, notes []string
			for _, r := range rows {
				got = append(got, fmt.Sprintf("%s/%s/%v/%d", r.Server, r.Scenario, r.Level(), r.Repeat))
				notes = append(notes, r.Note)
			}
			if want := labelsOf(cfg); !slices.Equal(got, want) {
				t.Errorf("rows\n%q\nwant the plan's\n%q", got, want)
			}
			if len(h.starts) != tc.starts || rep.Failed != tc.failed {
				t.Errorf("%d starts, %d failed rows; want %d, %d", len(h.starts), rep.Failed, tc.starts, tc.failed)
			}
			if tc.noteOf != "" && !hasAll(noteOf(cfg, notes, tc.noteOf), tc.note...) {
				t.Errorf("%s's note %q, want %q", tc.noteOf, noteOf(cfg, notes, tc.noteOf), tc.note)
			}
			for _, p := range h.running {
				select {
				case <-p.done:
				default:
					t.Error("a server was left running")
				}
			}
		})
	}
}

// TestFakeHostRowsCarryWhatTheHostSaw: each row's server figures are its own server's
// samples (a later start reports more memory), CPU per request follows from the
// sampled CPU and the engine's count, and each start is told the run's environment, the
// server CPUs and the step's load.
func TestFakeHostRowsCarryWhatTheHostSaw(t *testing.T) {
	h := &fakeHost{}
	cfg := fakeConfig(t, fmt.Sprintf(fakeSuite, 1), h, &fakeEngine{})
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	rows := readSummary(t, cfg.Out)
	for i, r := range rows[:4] { // the closed steps, one start each
		if want := h.running[i].rssKB; r.RSSPeakKB != want {
			t.Errorf("row %d (%s c=%v): RSS peak %d KB, want its own server's %d", i, r.Server, r.Level(), r.RSSPeakKB, want)
		}
		if !closeTo(r.ServerCPUPct, 50) || !closeTo(r.CPUUsPerReq, 0.5*r.DurationS*1e6/901) {
			t.Errorf("row %d: server CPU %.1f %%, %.1f µs/req; want 50 %% over 901 requests", i, r.ServerCPUPct, r.CPUUsPerReq)
		}
		if r.Server == "a" && (r.Design != "fake" || r.GoMaxProcs != 1) {
			t.Errorf("row %d: design %q, GOMAXPROCS %d; want what bench serve reported", i, r.Design, r.GoMaxProcs)
		}
		if r.Server == "b" && (r.Design == "fake" || r.GoMaxProcs != 0) {
			t.Errorf("row %d: a peer's design %q, GOMAXPROCS %d; want the suite's, not its settings line's", i, r.Design, r.GoMaxProcs)
		}
	}
	for i, s := range h.starts {
		st := cfg.Steps[slices.IndexFunc(cfg.Steps, func(st Step) bool { return st.Server.Label == s.Spec.Label })]
		if !slices.Equal(s.Env, cfg.Env) || !slices.Equal(s.CPUs, []int{0}) || max(s.Load.Conns, s.Load.Active) < 2 {
			t.Errorf("start %d of %s: env %q, CPUs %v, load %+v", i, s.Spec.Label, s.Env, s.CPUs, s.Load)
		}
		if s.Spec.External != st.Server.External {
			t.Errorf("start %d: spec %+v, want the suite's", i, s.Spec)
		}
	}
}
