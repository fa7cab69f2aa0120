package compare

import (
	"fmt"
	"slices"
	"sort"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// GateThreshold is the gate's limit on a Go model's cost, aggregated over levels and
// repeats: a figure 10 % costlier than the baseline's, as a ratio to the references of
// the same run, fails. It sits between what unchanged code does and the 15 % regression
// the gate must catch, measured with each model beside its twin at the baseline's
// revision in one run (scripts/gate.sh): a 1 s window of CPU per request moves about 10 %
// on the 2-core machine, so one run's 3 rounds give the cost a spread (sd) of 4 %, and
// the 6 rounds the gate reads before failing one (ScreenThreshold) 2.6 %: 10 % is nearly
// 4 sd above unchanged code and 2 sd under 15 %. Memory with idle connections moved at
// most 2.8 % between quiet runs.
const GateThreshold = 0.10

// ScreenThreshold is the cost per request above which one run's figure is not enough to
// decide: the gate measures the model again and judges every round together against
// GateThreshold (scripts/gate.sh: 3 more rounds of the model and its twin at its closed
// levels). From the spread measured beside the twins: a 1 s window of CPU per request
// moves about 10 % (sd of its log over 3 repeats, 36 points in three twin runs), 37 % of
// it shared by the twin measured next to it, and one window in twenty lands far off; the
// gate's median over 3 rounds then moves sd 4 % on unchanged code, so a 15 % regression
// reads under 10 % one run in eight, too often to let one run pass it. Over 6 rounds the
// sd is 2.6 %. Simulated with that spread (4000 runs a case): unchanged code goes to a
// second measurement in 10 % of figures and fails in none; a 15 % regression goes to it
// in 99 % and fails in 94 %, 10 % in 49 %. Half the limit: the screen lets through only
// what 6 rounds would read more than 2 sd under the limit.
const ScreenThreshold = GateThreshold / 2

// CapacityThreshold is the limit on the open model's capacity, a ratio to the
// references' capacity. The rate scenario's request is 100 µs of CPU that each server
// calibrates as it starts, so the capacity is mostly that calibration: between four
// quiet quick runs a model's ratio moved up to 14.2 % (one start each side). A model's own
// cost per request is a tenth of that request, so a 15 % regression in it moves the
// capacity by about 1.5 % (CPU per request is the figure that catches it); what the
// capacity catches is a change in how a server runs its burns (an offload pool that no
// longer takes them, a core lost), which moves it by a quarter or more.
const CapacityThreshold = 0.25

// HolMaxRise is the most hol's p99 may rise, in burns (the background's CPU time per
// request), before the gate fails: what hol shows is whether a request waited behind a
// burn, and a rise under a quarter of one is not that (the same quarter as the offload
// claim's B/4). A p99 that is a burn because the loop stalls stays a burn on any machine;
// an offloaded one is the server's own few milliseconds, which a machine twice as slow
// doubles without reaching a quarter burn.
const HolMaxRise = 0.25

// GateOptions configure Gate.
type GateOptions struct {
	Threshold  float64  // 0: GateThreshold
	References []string // servers the suite's code does not touch (nil: DefaultReference)
	// BasePlan and NewPlan are the points each run's suite planned (run.json); nil: the
	// points its rows name.
	BasePlan, NewPlan []metrics.PlannedPoint
	LeftOut           map[string]string // servers the new run left out, and why
}

// GateFigure is one Go model's figure, aggregated over the levels both runs measured.
type GateFigure struct {
	Model, Figure string
	Points        int     // levels aggregated
	Base, New     float64 // geometric means of the figure (a ratio to the references, or its own)
	Cost          float64 // the median of new/base over the pairs of repeats at every level, oriented so > 1 is worse
	Rise          bool    // judged by the rise new − base (Cost holds it), not the ratio
	Limit         float64 // Cost fails above 1+Limit, or above Limit for a rise
	Worst         string  // the level that moved most, for the report
	Fail          bool
	// Screened: a cost per request above 1+ScreenThreshold, to be measured again before
	// the gate decides (GateReport.ToConfirm).
	Screened bool
}

// GateReport is the outcome of Gate.
type GateReport struct {
	Threshold float64
	Figures   []GateFigure
	Missing   []string // points both runs planned that the new run did not measure, or held fewer idle connections at
	Warnings  []string // how the two runs were made differently (window, warm-up, CPUs, GOMAXPROCS)
	Failures  []string // points of a Go model or a reference whose share of failed requests rose by over ErrorsAbsolute
	// Unjudged is the Go models measured in the new run that no figure judged (the base
	// run failed to measure them, or left them out): they fail it, never pass unjudged.
	Unjudged []string
}

// Failed reports whether the gate fails.
func (g *GateReport) Failed() bool {
	if len(g.Missing) > 0 || len(g.Failures) > 0 || len(g.Unjudged) > 0 {
		return true
	}
	for _, f := range g.Figures {
		if f.Fail {
			return true
		}
	}
	return false
}

// ToConfirm is the Go models whose cost per request is above the screen: their next
// rounds are to be measured and judged with these (ScreenThreshold).
func (g *GateReport) ToConfirm() []string {
	var out []string
	for _, f := range g.Figures {
		if f.Screened && !slices.Contains(out, f.Model) {
			out = append(out, f.Model)
		}
	}
	return out
}

// gateFigure is what the gate reads off a model's rows at one point: its value (higher
// better or not) and whether it is taken as a ratio to the references.
type gateFigure struct {
	name      string
	applies   func(metrics.SummaryRow) bool
	value     func(metrics.SummaryRow) float64
	higher    bool    // higher is better
	relative  bool    // divided by the references' value at the same point
	perServer bool    // one value per server and scenario (not per level): a capacity
	threshold float64 // this figure's limit instead of GateOptions.Threshold
	// maxRise, when set, judges the figure by its rise (new − base, averaged over the
	// levels) instead of the ratio: a figure whose scale is fixed by the load itself.
	maxRise float64
	screen  bool // the figure goes to a second measurement above ScreenThreshold
	usable  func(model []metrics.SummaryRow) bool
	// also is read into the same aggregate: req/s where the server was the limit is the
	// server's CPU share over its CPU per request, so it enters beside it, as a cost
	// (its inverse), and the two cannot disagree on a model because one has fewer levels.
	also []gateFigure
}

var gateFigures = []gateFigure{
	{name: "cost per request (CPU per request; 1/req/s where the server was the limit)", applies: closedForeground,
		value: func(r metrics.SummaryRow) float64 { return r.CPUUsPerReq }, relative: true, screen: true,
		also: []gateFigure{{name: "req/s where the server was the limit", applies: closedForeground,
			value: func(r metrics.SummaryRow) float64 { return r.RPS }, higher: true, relative: true, usable: serverBound}}},
	{name: "memory with idle connections", applies: func(r metrics.SummaryRow) bool { return r.Kind == metrics.KindIdle },
		value: func(r metrics.SummaryRow) float64 { return float64(r.MemoryKB()) }, relative: true},
	{name: "p99 beside the burns, in burns", applies: func(r metrics.SummaryRow) bool {
		return r.Kind == metrics.KindOpen && r.HasBackground() && r.BgBurnUs > 0
	},
		value: func(r metrics.SummaryRow) float64 { return r.P99us / r.BgBurnUs }, maxRise: HolMaxRise},
	{name: "capacity (open model)", applies: func(r metrics.SummaryRow) bool { return r.Kind == metrics.KindOpen && !r.HasBackground() },
		value: metrics.SummaryRow.CapacityRPS, higher: true, relative: true, perServer: true, threshold: CapacityThreshold},
}

func closedForeground(r metrics.SummaryRow) bool {
	return r.Kind == metrics.KindClosed && !r.HasBackground()
}

// serverBound: every repeat of the point was limited by the server alone, so its req/s
// is the server's, not the load generator's.
func serverBound(rows []metrics.SummaryRow) bool {
	for _, r := range rows {
		if r.Bound != metrics.BoundServer {
			return false
		}
	}
	return len(rows) > 0
}

// gatePoint names a point across runs: what was asked, not what came out (an idle
// level not held is the level asked).
type gatePoint struct {
	Server, Path string
	Kind         metrics.Kind
	Level        float64
}

func pointOf(r metrics.SummaryRow) gatePoint {
	return gatePoint{r.Server, r.Path, r.Kind, r.AskedLevel()}
}

func (p gatePoint) String() string {
	return fmt.Sprintf("%s %s %s %s", p.Server, p.Kind, p.Path, levelText(p.Kind, p.Level))
}

func levelText(k metrics.Kind, level float64) string {
	n := fmt.Sprint(level)
	switch k {
	case metrics.KindIdle:
		return "idle=" + n
	case metrics.KindOpen:
		return n + "×"
	}
	return "c=" + n
}

// Gate compares the Go models (gomaxprocs > 0) of cur against base on what their code
// costs, each figure as a ratio to the references measured in the same run where it
// has one, aggregated over levels and repeats by a median (gateOne) so that no single
// noisy level or window decides: a run on a machine 2x slower moves no ratio, a model
// 15 % slower moves its own. Points both runs planned that cur did not measure, or where it held fewer idle
// connections than asked, fail it too.
func Gate(base, cur []metrics.SummaryRow, opt GateOptions) *GateReport {
	if opt.Threshold == 0 {
		opt.Threshold = GateThreshold
	}
	if opt.References == nil {
		opt.References = Options{}.withDefaults().References()
	}
	rep := &GateReport{Threshold: opt.Threshold, Missing: missingPoints(base, cur, opt), Warnings: setupWarnings(base, cur)}
	bp, cp := byPoint(base), byPoint(cur)
	rep.Failures = failedMore(bp, cp, opt.References)
	for _, model := range goModels(base, cur) {
		for _, f := range gateFigures {
			if g, ok := gateOne(model, f, bp, cp, opt); ok {
				rep.Figures = append(rep.Figures, g)
			}
		}
	}
	rep.Unjudged = unjudged(rep.Figures, cur)
	return rep
}

// unjudged is every Go model with a measured row in cur that figures do not judge.
func unjudged(figures []GateFigure, cur []metrics.SummaryRow) []string {
	judged := map[string]bool{}
	for _, f := range figures {
		judged[f.Model] = true
	}
	var out []string
	for _, r := range cur {
		if r.GoMaxProcs > 0 && r.Requests > 0 && !judged[r.Server] && !slices.Contains(out, r.Server) {
			out = append(out, r.Server)
		}
	}
	return out
}

// byPoint groups a run's measured rows by point.
func byPoint(rows []metrics.SummaryRow) map[gatePoint][]metrics.SummaryRow {
	out := map[gatePoint][]metrics.SummaryRow{}
	for _, r := range rows {
		if r.Requests > 0 {
			out[pointOf(r)] = append(out[pointOf(r)], r)
		}
	}
	return out
}

// goModels is the Go models with rows in both runs, sorted.
func goModels(base, cur []metrics.SummaryRow) []string {
	in := func(rows []metrics.SummaryRow) map[string]bool {
		m := map[string]bool{}
		for _, r := range rows {
			if r.GoMaxProcs > 0 {
				m[r.Server] = true
			}
		}
		return m
	}
	b, c := in(base), in(cur)
	var out []string
	for s := range b {
		if c[s] {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// missingPoints is every point both runs planned (their run.json, else their rows) that
// the new run did not measure, or where it held fewer idle connections than asked,
// each with its reason. A server the new run left out (with a reason) is not missing.
func missingPoints(base, cur []metrics.SummaryRow, opt GateOptions) []string {
	bp, cp := plannedPoints(opt.BasePlan, base), plannedPoints(opt.NewPlan, cur)
	measured, held := map[gatePoint]bool{}, map[gatePoint]string{}
	for _, r := range cur {
		p := pointOf(r)
		if r.Requests > 0 || r.Due > 0 {
			measured[p] = true
		}
		if r.Kind == metrics.KindIdle && float64(r.IdleConns) < p.Level {
			held[p] = fmt.Sprintf("held %d of %v idle connections", r.IdleConns, p.Level)
		}
	}
	var out []string
	for p := range bp {
		if !cp[p] {
			continue
		}
		if _, left := opt.LeftOut[p.Server]; left {
			continue
		}
		switch {
		case !measured[p]:
			out = append(out, p.String()+": planned by both runs, not measured by the new one")
		case held[p] != "":
			out = append(out, p.String()+": "+held[p])
		}
	}
	sort.Strings(out)
	return out
}

// failedMore is every closed or idle point of a Go model or a reference whose share of
// failed requests (median over repeats) rose by more than ErrorsAbsolute. Open points
// past the capacity fail by design.
func failedMore(bp, cp map[gatePoint][]metrics.SummaryRow, refs []string) []string {
	errs, _ := lookup("errors")
	share := func(rows []metrics.SummaryRow) float64 { return median(values(rows, errs)) }
	var out []string
	for p, rows := range cp {
		if p.Kind == metrics.KindOpen || bp[p] == nil || rows[0].GoMaxProcs == 0 && !slices.Contains(refs, p.Server) {
			continue
		}
		if b, c := share(bp[p]), share(rows); c-b > errs.Absolute {
			out = append(out, fmt.Sprintf("%s: failed requests %.2f%% → %.2f%%", p, 100*b, 100*c))
		}
	}
	sort.Strings(out)
	return out
}

// plannedPoints is the points of plan that were to be measured (not skipped), or, with
// no plan, the points rows name.
func plannedPoints(plan []metrics.PlannedPoint, rows []metrics.SummaryRow) map[gatePoint]bool {
	out := map[gatePoint]bool{}
	if plan == nil {
		for _, r := range rows {
			out[pointOf(r)] = true
		}
		return out
	}
	for _, p := range plan {
		if p.Skip == "" {
			out[gatePoint{p.Server, p.Path, p.Kind, p.Level}] = true
		}
	}
	return out
}
