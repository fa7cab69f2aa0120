package plots

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/benchsuite/threads-vs-loop/metrics"
	"gonum.org/v1/plot"
)

// window is one measured window of timeseries samples.
type window struct {
	level float64
	rows  []metrics.TimeseriesRow
}

// windows splits one server's samples of a scenario, in file order, into measured
// windows: a new window starts when the level changes or t_ms goes back. Windows are
// returned sorted by level (stable, so repeats stay in the order they were run).
func windows(rows []metrics.TimeseriesRow, server, scenario string) []window {
	var ws []window
	for _, r := range rows {
		if r.Server != server || r.Scenario != scenario {
			continue
		}
		n := len(ws)
		if n == 0 || ws[n-1].level != r.Level || r.TMs < ws[n-1].rows[len(ws[n-1].rows)-1].TMs {
			ws = append(ws, window{level: r.Level})
			n++
		}
		ws[n-1].rows = append(ws[n-1].rows, r)
	}
	sort.SliceStable(ws, func(i, j int) bool { return ws[i].level < ws[j].level })
	return ws
}

// backToBack lays windows end to end on one time axis (seconds). It returns the RSS (MB)
// and req/s series and the points where each window starts.
func backToBack(ws []window) (rss, rps, rssStarts, rpsStarts []point) {
	offset := 0.0
	for _, w := range ws {
		t0 := w.rows[0].TMs
		step := 0.1
		if n := len(w.rows); n > 1 {
			step = float64(w.rows[n-1].TMs-w.rows[n-2].TMs) / 1000
		}
		for i, r := range w.rows {
			t := offset + float64(r.TMs-t0)/1000
			rss = append(rss, point{X: t, Y: float64(r.RSSKB) / 1024})
			rps = append(rps, point{X: t, Y: r.RPS})
			if i == 0 {
				rssStarts = append(rssStarts, rss[len(rss)-1])
				rpsStarts = append(rpsStarts, rps[len(rps)-1])
			}
		}
		offset += float64(w.rows[len(w.rows)-1].TMs-t0)/1000 + step
	}
	return rss, rps, rssStarts, rpsStarts
}

func timeseriesChart(ctx *chartContext) (*figure, error) {
	present, servers := map[string]bool{}, map[string]bool{}
	var kind metrics.Kind
	for _, r := range ctx.data.Timeseries {
		present[r.Scenario] = true
	}
	scenario := firstSweep(ctx.scenarios, func(name string) bool { return present[name] })
	if scenario == "" {
		return nil, ErrNoData
	}
	var names []string
	levels := map[float64]bool{}
	for _, r := range ctx.data.Timeseries {
		if r.Scenario == scenario && !servers[r.Server] {
			servers[r.Server] = true
			names = append(names, r.Server)
		}
		if r.Scenario == scenario {
			levels[r.Level] = true
			kind = r.Kind
		}
	}
	fig := newFigure(fmt.Sprintf("%s (%s scenario, every sample)", ctx.title, scenario), ctx.caption)
	top := newPanel("", "server RSS (MB)")
	bottom := newPanel("time (s): "+levelsText(kind, levels), "throughput (requests/s)")
	tmax, rssMax, rpsMax := 0.0, 0.0, 0.0
	for _, srv := range ctx.pal.order(names) {
		rss, rps, rssStarts, rpsStarts := backToBack(windows(ctx.data.Timeseries, srv, scenario))
		st := ctx.pal.style(srv)
		top.Add(lineOnly(st, rss), markersOnly(st, rssStarts))
		bottom.Add(lineOnly(st, rps), markersOnly(st, rpsStarts))
		fig.legend.Add(srv, newSeries(st, nil, false))
		_, x, _, y := lineOnly(st, rss).DataRange()
		_, _, _, y2 := lineOnly(st, rps).DataRange()
		tmax, rssMax, rpsMax = math.Max(tmax, x), math.Max(rssMax, y), math.Max(rpsMax, y2)
	}
	fig.legend.Add("")
	fig.legend.Add("marker: window start", keyThumb{marker: true})
	for _, p := range []*plot.Plot{top, bottom} {
		p.X.Tick.Marker = linearTicks{plain}
		p.X.Min, p.X.Max = 0, math.Max(tmax, 1)
	}
	setZeroAxis(&top.Y, rssMax, plain)
	setZeroAxis(&bottom.Y, rpsMax, si)
	fig.panels = append(fig.panels, top, bottom)
	return fig, nil
}

func lineOnly(st Style, pts []point) *series {
	s := newSeries(st, pts, false)
	s.markers = false
	s.width = 1.3
	return s
}

func markersOnly(st Style, pts []point) *series {
	s := newSeries(st, pts, false)
	s.noLine = true
	return s
}

// levelsText lists a scenario's levels for an axis label, eliding long lists.
func levelsText(kind metrics.Kind, set map[float64]bool) string {
	var ls []float64
	for l := range set {
		ls = append(ls, l)
	}
	sort.Float64s(ls)
	var parts []string
	for _, l := range ls {
		parts = append(parts, plain(l))
	}
	if len(parts) > 8 {
		parts = []string{parts[0], parts[1], "…", parts[len(parts)-1]}
	}
	return "one window per level, back to back (" + kind.LevelName() + " = " + strings.Join(parts, ", ") + ")"
}
