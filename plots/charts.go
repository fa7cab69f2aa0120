package plots

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"sort"

	"gonum.org/v1/plot"
)

// Chart is one PNG the package draws. Needs says which rows it is drawn from.
type Chart struct {
	File  string
	Title string
	Needs string
	build func(*chartContext) (*figure, error)
}

// chartContext is what every chart is drawn from.
type chartContext struct {
	data    *Data
	aggs    []Agg
	caption string
	title   string // the chart being drawn
}

// charts is every chart, in report order.
var charts = []Chart{
	{"throughput_vs_concurrency.png", "Throughput vs concurrent connections (GET /hello)", "hello rows in summary.csv", throughputChart},
	{"memory_vs_concurrency.png", "Server memory vs concurrent connections (GET /hello)", "hello rows in summary.csv", memoryChart},
	{"latency_vs_concurrency.png", "Latency vs concurrent connections (GET /hello)", "hello rows in summary.csv", latencyChart},
	{"threads_vs_concurrency.png", "OS threads vs concurrent connections (GET /hello)", "hello rows in summary.csv", threadsChart},
	{"memory_vs_idle.png", "Server memory vs idle keep-alive connections (C10K)", "idle rows in summary.csv", idleChart},
	{"io_throughput.png", "Throughput when each request waits 20 ms (GET /io?ms=20)", "io rows in summary.csv", ioChart},
	{"hol_blocking.png", "Head-of-line blocking: GET /hello while other clients burn 5 ms of CPU", "hol rows in summary.csv", holChart},
	{"latency_vs_rate.png", "Latency vs offered rate (open model, GET /cpu?us=100)", "rate rows in summary.csv", rateChart},
	{"latency_percentiles.png", "Latency by percentile", ".hgrm files in hgrm/", percentileChart},
	{"timeseries.png", "Memory and throughput during the sweep", "rows in timeseries.csv", timeseriesChart},
}

// Charts lists every chart the package draws, in report order.
func Charts() []Chart {
	out := make([]Chart, len(charts))
	copy(out, charts)
	return out
}

// WriteChart draws the chart named file (e.g. "throughput_vs_concurrency.png") as PNG to
// w. It returns ErrNoData, writing nothing, when the run has no rows for it.
func (d *Data) WriteChart(file string, w io.Writer) error {
	for _, c := range charts {
		if c.File == file {
			return d.writeChart(d.context(), c, w)
		}
	}
	return fmt.Errorf("%w: %q", ErrUnknownChart, file)
}

func (d *Data) context() *chartContext {
	return &chartContext{data: d, aggs: Aggregate(measured(d.Summary)), caption: Caption(d.Summary)}
}

func (d *Data) writeChart(ctx *chartContext, c Chart, w io.Writer) error {
	ctx.title = c.Title
	fig, err := c.build(ctx)
	if err != nil {
		return err
	}
	var buf bytes.Buffer // nothing reaches w unless the whole PNG was drawn
	if err := fig.writePNG(&buf); err != nil {
		return err
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// line is one figure drawn per server in a line chart.
type line struct {
	name   string // legend key; "" when the chart has one line per server
	y      func(Agg) float64
	dashed bool
}

// lineSpec describes a chart with one line (or several) per server against the level.
type lineSpec struct {
	title, scenario, xLabel, yLabel string
	logX, logY                      bool
	xFormat, yFormat                formatter
	lines                           []line
}

const concurrencyLabel = "concurrent connections (log scale)"

func (ctx *chartContext) lineChart(s lineSpec) (*figure, error) {
	fig := newFigure(s.title, ctx.caption)
	p := newPanel(s.xLabel, s.yLabel)
	xr, yr, hollow := newRange(), newRange(), false
	seen, levelSet := map[string]bool{}, map[float64]bool{}
	for _, ln := range s.lines {
		servers, pts := bySeries(ctx.aggs, s.scenario, s.logX || s.logY, ln.y)
		for _, srv := range servers {
			ser := newSeries(srv, pts[srv], ln.dashed)
			p.Add(ser)
			for _, pt := range pts[srv] {
				xr.add(pt.X)
				yr.add(pt.Y)
				hollow = hollow || pt.Hollow
				levelSet[pt.X] = true
			}
			if !seen[srv] && !ln.dashed {
				fig.legend.Add(srv, ser)
				seen[srv] = true
			}
		}
	}
	if xr.empty() {
		return nil, ErrNoData
	}
	levels := sortedKeys(levelSet)
	setXAxis(p, s, xr, levels)
	if s.logY {
		setLogAxis(&p.Y, yr.lo, yr.hi, s.yFormat)
	} else {
		setZeroAxis(&p.Y, yr.hi, s.yFormat)
	}
	addKeys(fig, s.lines, hollow)
	fig.panels = append(fig.panels, p)
	return fig, nil
}

// setXAxis sets the level axis; when there are few levels, they are the labelled ticks.
func setXAxis(p *plot.Plot, s lineSpec, xr valueRange, levels []float64) {
	var base plot.Ticker = linearTicks{s.xFormat}
	if s.logX {
		p.X.Scale = plot.LogScale{}
		base = logTicks{s.xFormat}
		p.X.Min, p.X.Max = xr.lo/1.15, xr.hi*1.15
	} else {
		span := xr.hi - xr.lo
		if span == 0 { // one level: centre it
			span = math.Max(math.Abs(xr.hi), 1) * 25
		}
		p.X.Min, p.X.Max = xr.lo-span*0.02, xr.hi+span*0.02
	}
	p.X.Tick.Marker = base
	if len(levels) <= maxLevelTicks {
		p.X.Tick.Marker = levelTicks{levels: levels, base: base, format: s.xFormat}
	}
}

const maxLevelTicks = 12

func sortedKeys(set map[float64]bool) []float64 {
	out := make([]float64, 0, len(set))
	for v := range set {
		out = append(out, v)
	}
	sort.Float64s(out)
	return out
}

// addKeys adds the legend entries that are not servers: the line styles when a chart
// has several lines per server, and the hollow marker when a point is client-bound.
func addKeys(fig *figure, lines []line, hollow bool) {
	if len(lines) > 1 || hollow {
		fig.legend.Add("") // a blank line between servers and keys
	}
	if len(lines) > 1 {
		for _, ln := range lines {
			fig.legend.Add(ln.name, keyThumb{dashed: ln.dashed})
		}
	}
	if hollow {
		fig.legend.Add("hollow: client-bound", keyThumb{hollow: true})
	}
}

// valueRange tracks the smallest and largest of some values.
type valueRange struct{ lo, hi float64 }

func newRange() valueRange { return valueRange{math.Inf(1), math.Inf(-1)} }

func (r *valueRange) add(v float64) {
	r.lo, r.hi = math.Min(r.lo, v), math.Max(r.hi, v)
}

func (r valueRange) empty() bool { return r.lo > r.hi }

func ms(us float64) float64 { return us / 1000 }

func throughputChart(ctx *chartContext) (*figure, error) {
	return ctx.lineChart(lineSpec{
		title: ctx.title, scenario: "hello", logX: true,
		xLabel: concurrencyLabel, yLabel: "throughput (requests/s)", xFormat: si, yFormat: si,
		lines: []line{{y: func(a Agg) float64 { return a.RPS }}},
	})
}

func memoryChart(ctx *chartContext) (*figure, error) {
	return ctx.lineChart(lineSpec{
		title: ctx.title, scenario: "hello", logX: true,
		xLabel: concurrencyLabel, yLabel: "server RSS, peak (MB)", xFormat: si, yFormat: plain,
		lines: []line{{y: func(a Agg) float64 { return a.RSSPeakKB / 1024 }}},
	})
}

func latencyChart(ctx *chartContext) (*figure, error) {
	return ctx.lineChart(lineSpec{
		title: ctx.title, scenario: "hello", logX: true, logY: true,
		xLabel: concurrencyLabel, yLabel: "latency (ms, log scale)", xFormat: si, yFormat: plain,
		lines: latencyLines,
	})
}

var latencyLines = []line{
	{name: "p99 (solid)", y: func(a Agg) float64 { return ms(a.P99us) }},
	{name: "p50 (dashed)", y: func(a Agg) float64 { return ms(a.P50us) }, dashed: true},
}

func threadsChart(ctx *chartContext) (*figure, error) {
	return ctx.lineChart(lineSpec{
		title: ctx.title, scenario: "hello", logX: true, logY: true,
		xLabel: concurrencyLabel, yLabel: "OS threads, peak (log scale)", xFormat: si, yFormat: si,
		lines: []line{{y: func(a Agg) float64 { return a.ThreadsPeak }}},
	})
}

func idleChart(ctx *chartContext) (*figure, error) {
	return ctx.lineChart(lineSpec{
		title: ctx.title, scenario: "idle",
		xLabel: "idle keep-alive connections (plus 10 active on /hello)", yLabel: "server RSS, peak (MB)",
		xFormat: si, yFormat: plain,
		lines: []line{{y: func(a Agg) float64 { return a.RSSPeakKB / 1024 }}},
	})
}

func ioChart(ctx *chartContext) (*figure, error) {
	return ctx.lineChart(lineSpec{
		title: ctx.title, scenario: "io", logX: true,
		xLabel: concurrencyLabel, yLabel: "throughput (requests/s)", xFormat: si, yFormat: si,
		lines: []line{{y: func(a Agg) float64 { return a.RPS }}},
	})
}

func rateChart(ctx *chartContext) (*figure, error) {
	return ctx.lineChart(lineSpec{
		title: ctx.title, scenario: "rate", logY: true,
		xLabel: "offered rate (requests/s)", yLabel: "latency from scheduled send (ms, log scale)",
		xFormat: si, yFormat: plain, lines: latencyLines,
	})
}
