package plots

import (
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/benchsuite/threads-vs-loop/metrics"
	"gonum.org/v1/plot"
)

// histKey names one server × scenario × level × repeat.
type histKey struct {
	server, scenario string
	level            float64
	repeat           int
}

// boundOf gives, for a histogram, the bound of its summary.csv row (same server,
// scenario, level and repeat).
func boundOf(rows []metrics.SummaryRow) func(metrics.Hist) metrics.Bound {
	set := map[histKey]metrics.Bound{}
	for _, r := range rows {
		set[histKey{r.Server, r.Scenario, r.Level(), max(r.Repeat, 1)}] = r.Bound
	}
	return func(h metrics.Hist) metrics.Bound {
		return set[histKey{h.Server, h.Scenario, h.Level, max(h.Repeat, 1)}]
	}
}

// pickHists chooses the histograms of one scenario and level to compare, one per server
// (its first repeat): the first closed sweep in run order that has histograms (else the
// first scenario that has), at the highest level the most servers share (pickLevel).
func pickHists(pal palette, hs []metrics.Hist, scs []scenario) []metrics.Hist {
	present := map[string]bool{}
	for _, h := range hs {
		present[h.Scenario] = true
	}
	scenario := firstSweep(scs, func(name string) bool { return present[name] })
	type key struct {
		server string
		level  float64
	}
	first := map[key]metrics.Hist{}
	count := map[float64]int{}
	for _, h := range hs {
		if h.Scenario != scenario {
			continue
		}
		k := key{h.Server, h.Level}
		old, seen := first[k]
		if !seen {
			count[h.Level]++
		} else if old.Repeat <= h.Repeat {
			continue
		}
		first[k] = h
	}
	byLevel := map[float64][]metrics.Hist{}
	for k, h := range first {
		byLevel[k.level] = append(byLevel[k.level], h)
	}
	out := byLevel[pickLevel(count)]
	sort.Slice(out, func(i, j int) bool { return pal.less(out[i].Server, out[j].Server) })
	return out
}

// pickLevel is the highest of the levels with the most servers: where the models differ
// most. A server that was client-bound there is marked in the legend and drawn hollow
// (histLabel), rather than the chart falling back to a low level where nothing differs.
func pickLevel(count map[float64]int) float64 {
	most := 0
	for _, n := range count {
		most = max(most, n)
	}
	var shared []float64
	for l, n := range count {
		if n == most {
			shared = append(shared, l)
		}
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(shared)))
	if len(shared) == 0 {
		return 0
	}
	return shared[0]
}

// less says whether a is listed before b.
func (p palette) less(a, b string) bool {
	o := p.order([]string{a, b})
	return o[0] == a && a != b
}

// nines maps a percentile (0..1) to the "nines" axis: 0.9 → 1, 0.99 → 2, 0.999 → 3.
func nines(p float64) float64 { return -math.Log10(1 - p) }

// percentileTicks label 0%, 50%, 90%, 99%, … up to max nines.
func percentileTicks(max float64) plot.ConstantTicks {
	ticks := plot.ConstantTicks{{Value: 0, Label: "0%"}, {Value: nines(0.5), Label: "50%"}}
	for k := 1; float64(k) <= max+1e-9; k++ {
		pc := roundSig(100*(1-math.Pow10(-k)), k+2)
		ticks = append(ticks, plot.Tick{Value: float64(k), Label: strconv.FormatFloat(pc, 'f', -1, 64) + "%"})
	}
	return ticks
}

func percentileChart(ctx *chartContext) (*figure, error) {
	bound := boundOf(ctx.data.Summary)
	hs := pickHists(ctx.pal, ctx.data.Hists, ctx.scenarios)
	if len(hs) == 0 {
		return nil, ErrNoData
	}
	title := fmt.Sprintf("%s (%s scenario, %s)", ctx.title, hs[0].Scenario, histLevelText(ctx.data.Summary, hs[0]))
	fig := newFigure(title, ctx.caption)
	p := newPanel("percentile", "latency (ms, log scale)")
	xr, yr := newRange(), newRange()
	for _, h := range hs {
		var pts, marks []point
		next := 0.0 // the next whole number of nines to mark
		for _, hp := range h.Points {
			if hp.Percentile >= 1 || hp.ValueUs <= 0 {
				continue
			}
			pt := point{X: nines(hp.Percentile), Y: hp.ValueUs / 1000, Mark: markOf(bound(h))}
			pts = append(pts, pt)
			if pt.X >= next {
				marks = append(marks, pt)
				next = math.Floor(pt.X) + 1
			}
			xr.add(pt.X)
			yr.add(pt.Y)
		}
		p.Add(lineOnly(ctx.pal.style(h.Server), pts), markersOnly(ctx.pal.style(h.Server), marks))
		key := newSeries(ctx.pal.style(h.Server), nil, false)
		key.keyMark = markOf(bound(h))
		fig.legend.Add(histLabel(h, bound), key)
	}
	if xr.empty() {
		return nil, ErrNoData
	}
	maxN := math.Ceil(xr.hi - 1e-9)
	p.X.Tick.Marker = percentileTicks(maxN)
	p.X.Min, p.X.Max = 0, math.Max(maxN, 1)
	setLogAxis(&p.Y, yr.lo, yr.hi, plain)
	fig.panels = append(fig.panels, p)
	return fig, nil
}

// histLabel is a server's legend label; a client-bound one says so, since its curve may
// be the load generator's limit rather than the server's.
func histLabel(h metrics.Hist, bound func(metrics.Hist) metrics.Bound) string {
	switch bound(h) {
	case metrics.BoundClient:
		return h.Server + " (client-bound)"
	case metrics.BoundBoth:
		return h.Server + " (client and server bound)"
	}
	return h.Server
}

// histLevelText is the level of h in words, as the summary.csv rows of its scenario at
// that level give it.
func histLevelText(rows []metrics.SummaryRow, h metrics.Hist) string {
	for _, r := range rows {
		if r.Scenario == h.Scenario && r.Level() == h.Level {
			return r.LevelText()
		}
	}
	return "level " + plain(h.Level)
}
