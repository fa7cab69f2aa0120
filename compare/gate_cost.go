package compare

import (
	"math"
	"slices"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// gateOne aggregates figure f (with the figures it reads beside it) of model over every
// point both runs measured: each value oriented as a cost (a higher-is-better one
// inverted), the geometric means of both runs' medians, and the cost: the median, over
// every point, of new/base for every repeat of new against every repeat of base there
// (3 repeats a side at 4 levels: 36 ratios; within each run where the sides share runs,
// pairMoves); or, for a figure judged by its rise, the
// arithmetic means and the mean rise. A median, not a mean: a regression in a model's
// per-request code costs it at every level and in every repeat (goroutine spun 15 % more:
// 1.18, 1.15, 1.14 and 1.20 at its four closed levels, beside its twin), while one level
// can move alone by more than the limit on unchanged code (threaded beside its twin: 1.20
// at c = 4000 with 0.80–1.03 elsewhere in one run), and one window in twenty lands 30 % off.
// Over the repeats' ratios, not over each level's median: a 1 s window of CPU per request
// moves about 10 % on this machine, so the median of four levels' medians moved 5 % on
// unchanged code (0.95–1.12 in four twin runs), and pooling every ratio brings that to 4 %
// (ScreenThreshold says how the gate then decides). Idle memory is measured once a level
// and the capacity once a server, so pooling leaves their figures as they were.
func gateOne(model string, f gateFigure, bp, cp map[gatePoint][]metrics.SummaryRow, opt GateOptions) (GateFigure, bool) {
	g := GateFigure{Model: model, Figure: f.name, Rise: f.maxRise > 0, Limit: opt.Threshold}
	switch {
	case g.Rise:
		g.Limit = f.maxRise
	case f.threshold > 0:
		g.Limit = f.threshold
	}
	mean := func(x float64) float64 { return math.Log(x) } // averaged in this space
	back := math.Exp
	if g.Rise {
		mean, back = func(x float64) float64 { return x }, func(x float64) float64 { return x }
	}
	var sumB, sumN, worst float64
	var moves []float64 // mean(new) − mean(base) for each pair of repeats at each point
	for _, part := range append([]gateFigure{f}, f.also...) {
		for _, p := range gatePoints(model, part, bp, cp) {
			bs, okb := part.at(p, bp, cp, opt.References)
			cs, okc := part.at(p, cp, bp, opt.References)
			if !okb || !okc {
				continue
			}
			if part.higher {
				invert(bs)
				invert(cs)
			}
			b, c := medianOf(bs), medianOf(cs)
			g.Points++
			sumB, sumN = sumB+mean(b), sumN+mean(c)
			moves = append(moves, pairMoves(cs, bs, mean)...)
			if d := mean(c) - mean(b); math.Abs(d) > math.Abs(worst) {
				worst, g.Worst = d, levelText(p.Kind, p.Level)
				if len(f.also) > 0 {
					g.Worst += " (" + part.name + ")"
				}
			}
		}
	}
	if g.Points == 0 {
		return g, false
	}
	n := float64(g.Points)
	g.Base, g.New = back(sumB/n), back(sumN/n)
	if g.Rise {
		g.Cost = g.New - g.Base
		g.Fail = g.Cost > g.Limit
		return g, true
	}
	g.Cost = back(median(moves))
	g.Fail = g.Cost > 1+g.Limit
	g.Screened = f.screen && g.Cost > 1+ScreenThreshold
	return g, true
}

// sample is a figure read off one row, with the run that measured it.
type sample struct {
	v   float64
	run string
}

// pairMoves is mean(new) − mean(base) for every pair of a new and a base sample at one
// point, pairing only samples of the same run where the two sides share one: a model and
// its twin measured in one run, then again in a second (scripts/gate.sh), are compared
// within each run, since a pair across the two would carry what the machine did between
// them, which the second run measures no reference for. Runs that share none (two runs
// gated one against the other) pair every sample.
func pairMoves(cs, bs []sample, mean func(float64) float64) []float64 {
	shared := false
	for _, x := range cs {
		shared = shared || slices.ContainsFunc(bs, func(y sample) bool { return y.run == x.run })
	}
	var out []float64
	for _, x := range cs {
		for _, y := range bs {
			if !shared || x.run == y.run {
				out = append(out, mean(x.v)-mean(y.v))
			}
		}
	}
	return out
}

func medianOf(ss []sample) float64 {
	xs := make([]float64, len(ss))
	for i, s := range ss {
		xs[i] = s.v
	}
	return median(xs)
}

func invert(ss []sample) {
	for i := range ss {
		ss[i].v = 1 / ss[i].v
	}
}

// gatePoints is the points of model that f applies to, in both runs, sorted; a
// per-server figure keeps one point per path.
func gatePoints(model string, f gateFigure, bp, cp map[gatePoint][]metrics.SummaryRow) []gatePoint {
	seen := map[gatePoint]bool{}
	var out []gatePoint
	for p, rows := range bp {
		if p.Server != model || !f.applies(rows[0]) || cp[p] == nil {
			continue
		}
		if f.perServer {
			p.Level = 0
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b gatePoint) int {
		if a.Path != b.Path {
			return map[bool]int{true: -1, false: 1}[a.Path < b.Path]
		}
		return int(math.Copysign(1, a.Level-b.Level))
	})
	return out
}

// at is f at point p of run, one value per repeat, each over the geometric mean of the
// references' medians there when f is relative; false when it cannot be read. The
// references are those of the model's own design (its design column: a thread model
// against the C thread server, a loop against nginx), which share what the machine does
// to that design (the cost of a context switch, of an epoll wait) and so cancel it; all of
// them when none shares it. Only references measured at p in both runs count, so that
// both sides divide by the same servers.
func (f gateFigure) at(p gatePoint, run, other map[gatePoint][]metrics.SummaryRow, refs []string) ([]sample, bool) {
	rows := f.rowsAt(run, p)
	if len(rows) == 0 || f.usable != nil && (!f.usable(rows) || !f.usable(f.rowsAt(other, p))) {
		return nil, false
	}
	vs := f.values(rows)
	if len(vs) == 0 || !f.relative {
		return vs, len(vs) > 0
	}
	var logRef float64
	n := 0
	for _, sameDesign := range []bool{true, false} {
		for _, ref := range refs {
			q := p
			q.Server = ref
			here, there := f.rowsAt(run, q), f.rowsAt(other, q)
			a, b := f.median(here), f.median(there)
			if a > 0 && b > 0 && (!sameDesign || here[0].Design == rows[0].Design) {
				logRef += math.Log(a)
				n++
			}
		}
		if n > 0 {
			break
		}
	}
	if n == 0 {
		return nil, false
	}
	ref := math.Exp(logRef / float64(n))
	for i := range vs {
		vs[i].v /= ref
	}
	return vs, true
}

// rowsAt is run's rows at p: at its level, or at every level of its path for a
// per-server figure.
func (f gateFigure) rowsAt(run map[gatePoint][]metrics.SummaryRow, p gatePoint) []metrics.SummaryRow {
	if !f.perServer {
		return run[p]
	}
	var out []metrics.SummaryRow
	for q, rows := range run {
		if q.Server == p.Server && q.Path == p.Path && q.Kind == p.Kind {
			out = append(out, rows...)
		}
	}
	return out
}

// values is f over rows, each that can be read (a positive, finite value).
func (f gateFigure) values(rows []metrics.SummaryRow) []sample {
	out := make([]sample, 0, len(rows))
	for _, r := range rows {
		if v := f.value(r); v > 0 && !math.IsInf(v, 0) {
			out = append(out, sample{v, r.RunID})
		}
	}
	return out
}

// median is f's median over rows (0 for none).
func (f gateFigure) median(rows []metrics.SummaryRow) float64 {
	ss := f.values(rows)
	if len(ss) == 0 {
		return 0
	}
	return medianOf(ss)
}
