package plots

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"

	"gonum.org/v1/plot"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// seed2008 is the seed's published figures (the file says where they come from).
//
//go:embed seed/webfaction2008.csv
var seed2008 string

// seedPoint is one point read off the 2008 charts.
type seedPoint struct {
	server        string
	conns         float64
	rps, memoryMB float64
}

// seedPoints parses seed2008.
func seedPoints() ([]seedPoint, error) {
	var lines []string
	for _, l := range strings.Split(seed2008, "\n") {
		if !strings.HasPrefix(l, "#") && strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	recs, err := csv.NewReader(strings.NewReader(strings.Join(lines, "\n"))).ReadAll()
	if err != nil || len(recs) < 2 {
		return nil, fmt.Errorf("plots: seed figures: %v", err)
	}
	var out []seedPoint
	for _, r := range recs[1:] {
		c, err1 := strconv.ParseFloat(r[1], 64)
		rps, err2 := strconv.ParseFloat(r[2], 64)
		mb, err3 := strconv.ParseFloat(r[3], 64)
		if err1 != nil || err2 != nil || err3 != nil {
			return nil, fmt.Errorf("plots: seed figures: bad line %q", r)
		}
		out = append(out, seedPoint{r[0], c, rps, mb})
	}
	return out, nil
}

// seedStyle draws each 2008 server in the colour of its counterpart in this run.
var seedStyle = map[string]string{"apache": "apache-worker", "nginx": "nginx"}

// seedMax is the seed charts' x range: 0–4000 concurrent connections, linear.
const seedMax = 4000

// seedServer reports whether a server of this run is drawn beside the 2008 figures:
// Apache (any MPM), nginx and Node.js.
func seedServer(name string) bool {
	return name == "nginx" || strings.HasPrefix(name, "apache") || strings.HasPrefix(name, "node")
}

func seedThroughputChart(ctx *chartContext) (*figure, error) {
	return ctx.seedChart("requests/s", func(p seedPoint) float64 { return p.rps }, func(a Agg) float64 { return a.RPS })
}

func seedMemoryChart(ctx *chartContext) (*figure, error) {
	return ctx.seedChart("memory (MB)", func(p seedPoint) float64 { return p.memoryMB }, func(a Agg) float64 { return a.MemoryKB / 1024 })
}

// seedChart draws the seed's graph on its original axes (linear, 0–4000 connections): the
// published 2008 figures in the top panel, this run's real servers on the first closed
// sweep of /hello in the bottom one. Different hardware: the shapes compare, not the
// heights.
func (ctx *chartContext) seedChart(what string, old func(seedPoint) float64, now func(Agg) float64) (*figure, error) {
	pts, err := seedPoints()
	if err != nil {
		return nil, err
	}
	fig := newFigure(ctx.title, ctx.caption+" · top: the published 2008 figures (other hardware)")
	top := newPanel("", "WebFaction, Dec 2008: "+what)
	bottom := newPanel("concurrent connections (linear, as in the 2008 charts)", "this run: "+what)
	topMax := 0.0
	for _, name := range []string{"nginx", "apache"} {
		var line []point
		for _, p := range pts {
			if p.server == name {
				line = append(line, point{X: p.conns, Y: old(p)})
				topMax = max(topMax, old(p))
			}
		}
		s := newSeries(StyleFor(seedStyle[name]), line, false)
		s.real = true
		top.Add(s)
		fig.legend.Add(name+" (2008)", s)
	}
	bottomMax := ctx.seedNow(bottom, fig, now)
	if bottomMax <= 0 {
		return nil, ErrNoData
	}
	for _, p := range []*plot.Plot{top, bottom} {
		p.X.Min, p.X.Max = 0, seedMax
		p.X.Tick.Marker = linearTicks{si}
	}
	setZeroAxis(&top.Y, topMax, si)
	setZeroAxis(&bottom.Y, bottomMax, si)
	fig.panels = append(fig.panels, top, bottom)
	return fig, nil
}

// seedNow draws this run's Apache, nginx and Node.js on the first closed sweep of /hello,
// at levels up to seedMax, into p; it returns the largest value drawn (0: nothing).
func (ctx *chartContext) seedNow(p *plot.Plot, fig *figure, now func(Agg) float64) float64 {
	sweep := firstSweep(ctx.scenarios, func(name string) bool {
		for _, s := range ctx.scenarios {
			if s.Name == name && s.sweep() && metrics.Request(s.Path) == "GET /hello" {
				return true
			}
		}
		return false
	})
	servers, pts := bySeries(ctx.pal, ctx.aggs, sweep, false, now)
	top := 0.0
	for _, srv := range servers {
		if !seedServer(srv) {
			continue
		}
		var line []point
		for _, pt := range pts[srv] {
			if pt.X <= seedMax {
				line = append(line, pt)
				top = max(top, pt.Y)
			}
		}
		s := newSeries(ctx.pal.style(srv), line, false)
		s.real = true
		p.Add(s)
		fig.legend.Add(srv+" (this run)", s)
	}
	return top
}
