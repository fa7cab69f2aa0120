package plots

import (
	"fmt"
	"math"
	"sort"
	"strconv"

	"gonum.org/v1/plot"
)

// pickHists chooses the histograms of one scenario and level to compare: the hello
// scenario when present, at the level most servers have (ties: the highest level), one
// per server (its first repeat).
func pickHists(hs []Hist) []Hist {
	present := map[string]bool{}
	for _, h := range hs {
		present[h.Scenario] = true
	}
	scenario := pickScenario(present)
	type key struct {
		server string
		level  float64
	}
	first := map[key]Hist{}
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
	best, bestN := 0.0, 0
	for l, n := range count {
		if n > bestN || n == bestN && l > best {
			best, bestN = l, n
		}
	}
	var out []Hist
	for k, h := range first {
		if k.level == best {
			out = append(out, h)
		}
	}
	sort.Slice(out, func(i, j int) bool { return serverLess(out[i].Server, out[j].Server) })
	return out
}

func serverLess(a, b string) bool {
	o := orderServers([]string{a, b})
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
	hs := pickHists(ctx.data.Hists)
	if len(hs) == 0 {
		return nil, ErrNoData
	}
	title := fmt.Sprintf("%s (%s scenario, %s)", ctx.title, hs[0].Scenario, levelText(hs[0].Scenario, hs[0].Level))
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
			pt := point{X: nines(hp.Percentile), Y: hp.ValueUs / 1000}
			pts = append(pts, pt)
			if pt.X >= next {
				marks = append(marks, pt)
				next = math.Floor(pt.X) + 1
			}
			xr.add(pt.X)
			yr.add(pt.Y)
		}
		p.Add(lineOnly(h.Server, pts), markersOnly(h.Server, marks))
		fig.legend.Add(h.Server, newSeries(h.Server, nil, false))
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
