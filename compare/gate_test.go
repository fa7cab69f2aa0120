package compare

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// gateRun is a run of two Go models and nginx on /hello at four levels, each point 3
// times, and a hol row per model: cpu is each server's CPU per request, the same at
// every level unless at says otherwise.
func gateRun(cpu map[string]float64, at map[int]float64, holP99 float64) []metrics.SummaryRow {
	var rows []metrics.SummaryRow
	for _, c := range []int{10, 100, 1000, 4000} {
		for rep := 1; rep <= 3; rep++ {
			for _, s := range []string{"evented", "threaded", "nginx"} {
				procs := 1
				if s == "nginx" {
					procs = 0
				}
				v := cpu[s]
				if f, ok := at[c]; ok && s == "evented" {
					v *= f
				}
				rows = append(rows, metrics.SummaryRow{Server: s, Scenario: "hello", Kind: metrics.KindClosed, Path: "/hello",
					Concurrency: c, Repeat: rep, GoMaxProcs: procs, Requests: 1000, RPS: 1e6 / v, CPUUsPerReq: v, Bound: metrics.BoundServer})
			}
		}
	}
	for _, s := range []string{"evented", "threaded"} {
		rows = append(rows, metrics.SummaryRow{Server: s, Scenario: "hol", Kind: metrics.KindOpen, Path: "/hello", GoMaxProcs: 1,
			Requests: 100, OfferedRPS: 20, ReferenceRPS: 2000, BgPath: "/cpu?us=50000", BgBurnUs: 50000, P99us: holP99})
	}
	return rows
}

func figure(rep *GateReport, model, name string) GateFigure {
	for _, f := range rep.Figures {
		if f.Model == model && strings.HasPrefix(f.Figure, name) {
			return f
		}
	}
	return GateFigure{}
}

// TestGateAggregatesOverLevels: a model 15 % costlier at every level fails (its CPU per
// request and its req/s, read as one cost); one level 40 % off among four does not move
// the median of the ratios and passes; a machine
// twice as slow (the reference too) passes; a hol p99 that rises by half a burn fails,
// one that doubles from a tenth of a burn passes.
func TestGateAggregatesOverLevels(t *testing.T) {
	cpu := map[string]float64{"evented": 4, "threaded": 10, "nginx": 5}
	base := gateRun(cpu, nil, 5000)
	scaled := func(f map[string]float64) map[string]float64 {
		out := map[string]float64{}
		for s, v := range cpu {
			out[s] = v * f[s]
		}
		return out
	}
	for _, tc := range []struct {
		name       string
		cur        []metrics.SummaryRow
		cost       float64 // evented's CPU per request
		fail, hold bool    // the gate fails; the hol figure fails
	}{
		{"the same", gateRun(cpu, nil, 5000), 1, false, false},
		{"evented 15 % costlier", gateRun(scaled(map[string]float64{"evented": 1.15, "threaded": 1, "nginx": 1}), nil, 5000), 1.15, true, false},
		{"one level 40 % off", gateRun(cpu, map[int]float64{100: 1.4}, 5000), 1, false, false},
		{"a machine twice as slow", gateRun(scaled(map[string]float64{"evented": 2, "threaded": 2, "nginx": 2}), nil, 10000), 1, false, false},
		{"hol half a burn later", gateRun(cpu, nil, 30000), 1, true, true},
	} {
		rep := Gate(base, tc.cur, GateOptions{})
		f := figure(rep, "evented", "cost per request")
		if f.Points != 8 || f.Cost < tc.cost-0.001 || f.Cost > tc.cost+0.001 || rep.Failed() != tc.fail {
			t.Errorf("%s: evented cost per request %+v, gate failed %v; want cost %.4f over 4 levels read twice, failed %v", tc.name, f, rep.Failed(), tc.cost, tc.fail)
		}
		if h := figure(rep, "threaded", "p99 beside"); h.Points != 1 || h.Fail != tc.hold {
			t.Errorf("%s: threaded hol %+v, want fail %v", tc.name, h, tc.hold)
		}
	}
}

// TestGateReqPerSecondOnlyWhereTheServerLimits: a point the client limited in any repeat
// of either run is not read for req/s (its figure is the load generator's), while its
// CPU per request still is: the cost per request reads 4 levels of CPU and 3 of req/s.
func TestGateReqPerSecondOnlyWhereTheServerLimits(t *testing.T) {
	cpu := map[string]float64{"evented": 4, "threaded": 10, "nginx": 5}
	base, cur := gateRun(cpu, nil, 5000), gateRun(cpu, nil, 5000)
	for i := range cur {
		if cur[i].Server == "evented" && cur[i].Concurrency == 10 && cur[i].Repeat == 2 {
			cur[i].Bound = metrics.BoundClient
			cur[i].RPS /= 2 // the client's figure: not read
		}
	}
	rep := Gate(base, cur, GateOptions{})
	if f := figure(rep, "evented", "cost per request"); f.Points != 4+3 || f.Cost != 1 {
		t.Errorf("evented %+v: want 7 points (c=10's req/s left out) and no change", f)
	}
}

// TestGateCostIsTheMedianOverRepeats: the cost is the median of new/base over every pair
// of repeats at every level, not over the levels' medians: at c=10 two repeats read as
// the base and one 50 % more, at c=100 all three 20 % more; the levels' medians would say
// 1.0 and 1.2 (1.095 between them), the 18 ratios say 1.2 (9 of them, in the middle).
func TestGateCostIsTheMedianOverRepeats(t *testing.T) {
	run := func(cpu map[int][]float64) []metrics.SummaryRow {
		var rows []metrics.SummaryRow
		for _, c := range []int{10, 100} {
			for rep := 1; rep <= 3; rep++ {
				for _, s := range []string{"evented", "nginx"} {
					v, procs := 5.0, 0
					if s == "evented" {
						v, procs = cpu[c][rep-1], 1
					}
					rows = append(rows, metrics.SummaryRow{Server: s, Scenario: "hello", Kind: metrics.KindClosed, Path: "/hello",
						Concurrency: c, Repeat: rep, GoMaxProcs: procs, Requests: 1000, RPS: 1e6 / v, CPUUsPerReq: v, Bound: metrics.BoundBoth})
				}
			}
		}
		return rows
	}
	base := run(map[int][]float64{10: {4, 4, 4}, 100: {4, 4, 4}})
	cur := run(map[int][]float64{10: {4, 6, 4}, 100: {4.8, 4.8, 4.8}})
	f := figure(Gate(base, cur, GateOptions{}), "evented", "cost per request")
	if f.Points != 2 || math.Abs(f.Cost-1.2) > 1e-9 || !f.Fail {
		t.Errorf("evented %+v: want cost 1.2 over 2 levels, failed", f)
	}
}

// TestGateScreensWhatOneRunCannotDecide: a cost per request between the screen and the
// limit passes but is named for a second measurement; one under the screen is not; one
// over the limit fails and is named too (more rounds may still clear it).
func TestGateScreensWhatOneRunCannotDecide(t *testing.T) {
	cpu := map[string]float64{"evented": 4, "threaded": 10, "nginx": 5}
	base := gateRun(cpu, nil, 5000)
	for _, tc := range []struct {
		by     float64
		fail   bool
		screen []string
	}{{1.03, false, nil}, {1.07, false, []string{"evented"}}, {1.15, true, []string{"evented"}}} {
		cur := gateRun(map[string]float64{"evented": 4 * tc.by, "threaded": 10, "nginx": 5}, nil, 5000)
		rep := Gate(base, cur, GateOptions{})
		if rep.Failed() != tc.fail || !slices.Equal(rep.ToConfirm(), tc.screen) {
			t.Errorf("evented %.2fx: failed %v, to confirm %v; want %v, %v", tc.by, rep.Failed(), rep.ToConfirm(), tc.fail, tc.screen)
		}
	}
}

// TestPairMovesWithinARun: a model and its twin measured in two runs are paired within
// each run (3×3 + 3×3, not 6×6), so what the machine did between the runs never enters
// a pair; two runs that share none pair everything.
func TestPairMovesWithinARun(t *testing.T) {
	id := func(x float64) float64 { return x }
	side := func(a, b float64) []sample {
		return []sample{{a, "r1"}, {a, "r1"}, {a, "r1"}, {b, "r2"}, {b, "r2"}, {b, "r2"}}
	}
	moves := pairMoves(side(4, 6), side(4, 6), id)
	if len(moves) != 18 || slices.ContainsFunc(moves, func(d float64) bool { return d != 0 }) {
		t.Errorf("twins in two runs: %v, want 18 pairs, none across the runs", moves)
	}
	apart := []sample{{4, "base"}, {5, "base"}}
	if moves := pairMoves([]sample{{6, "new"}}, apart, id); !slices.Equal(moves, []float64{2, 1}) {
		t.Errorf("two runs gated one against the other: %v, want every pair", moves)
	}
}
