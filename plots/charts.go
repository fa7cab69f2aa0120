package plots

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"

	"github.com/benchsuite/threads-vs-loop/metrics"
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
	data      *Data
	aggs      []Agg
	scenarios []scenario      // in run order
	real      map[string]bool // servers that are not the suite's Go models (gomaxprocs 0)
	pal       palette         // how each server is drawn and listed
	caption   string
	title     string // the chart being drawn
}

// scenarioChart is a chart drawn for every scenario it applies to, as
// <scenario>_<suffix>.png: which charts a scenario gets follows from its kind and its
// load, never from its name.
type scenarioChart struct {
	suffix  string
	applies func(scenario) bool
	title   func(scenario) string
	build   func(*chartContext, scenario) (*figure, error)
}

var scenarioCharts = []scenarioChart{
	{"throughput", scenario.sweep, sweepTitle("Throughput"), throughputChart},
	{"memory", scenario.sweep, sweepTitle("Server memory"), memoryChart},
	{"latency", scenario.sweep, sweepTitle("Latency"), latencyChart},
	{"threads", scenario.sweep, sweepTitle("OS threads"), threadsChart},
	{"cpu", scenario.sweep, sweepTitle("Server CPU per request"), cpuChart},
	{"memory", func(s scenario) bool { return s.Kind == metrics.KindIdle }, func(s scenario) string {
		return "Server memory vs idle keep-alive connections (C10K; " + strconv.Itoa(s.Active) + " active on " + metrics.Request(s.Path) + ")"
	}, idleChart},
	{"latency", func(s scenario) bool { return s.BgPath != "" }, func(s scenario) string {
		return "Head-of-line blocking: " + s.foreground() + " beside " + s.background()
	}, holChart},
	{"latency", func(s scenario) bool { return s.Kind == metrics.KindOpen && s.BgPath == "" }, func(s scenario) string {
		return "Latency vs offered rate (open model, " + metrics.Request(s.Path) + ")"
	}, rateChart},
}

// sweepTitle is the title of a closed sweep's chart of what: "what vs concurrent
// connections (GET /path)".
func sweepTitle(what string) func(scenario) string {
	return func(s scenario) string { return what + " vs concurrent connections (" + metrics.Request(s.Path) + ")" }
}

// runCharts are drawn once per run.
var runCharts = []Chart{
	{"latency_percentiles.png", "Latency by percentile", ".hgrm files in hgrm/", percentileChart},
	{"timeseries.png", "Memory and throughput during the sweep", "rows in timeseries.csv", timeseriesChart},
	{"seed_throughput.png", "The seed's graph: requests/s vs concurrent connections, 2008 and now", "rows of nginx, Apache or Node.js on a /hello sweep", seedThroughputChart},
	{"seed_memory.png", "The seed's graph: memory vs concurrent connections, 2008 and now", "rows of nginx, Apache or Node.js on a /hello sweep", seedMemoryChart},
}

// Charts lists every chart of this run, in report order: each scenario's charts in run
// order, then the run's.
func (d *Data) Charts() []Chart {
	var out []Chart
	for _, s := range scenariosOf(d.Summary) {
		for _, c := range scenarioCharts {
			if !c.applies(s) {
				continue
			}
			build := c.build
			out = append(out, Chart{File: metrics.SafeName(s.Name) + "_" + c.suffix + ".png", Title: c.title(s),
				Needs: "measured rows of " + s.Name + " with this chart's figure", build: func(ctx *chartContext) (*figure, error) { return build(ctx, s) }})
		}
	}
	return append(out, runCharts...)
}

// chartSuffixes are the endings of the files the package draws, so that Render can
// remove a stale chart of an earlier render.
func isChartFile(name string) bool {
	for _, c := range runCharts {
		if name == c.File {
			return true
		}
	}
	for _, c := range scenarioCharts {
		if strings.HasSuffix(name, "_"+c.suffix+".png") {
			return true
		}
	}
	return false
}

// WriteChart draws the chart named file (e.g. "hello_throughput.png") as PNG to w. It
// returns ErrNoData, writing nothing, when the run has no rows for it.
func (d *Data) WriteChart(file string, w io.Writer) error {
	for _, c := range d.Charts() {
		if c.File == file {
			return d.writeChart(d.context(), c, w)
		}
	}
	return fmt.Errorf("%w: %q", ErrUnknownChart, file)
}

func (d *Data) context() *chartContext {
	return &chartContext{data: d, aggs: aggregateIn(paletteOf(d), measured(d.Summary)), scenarios: scenariosOf(d.Summary),
		caption: Caption(d.Summary), real: realServers(d.Summary), pal: paletteOf(d)}
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
	xr, yr, marks := newRange(), newRange(), map[mark]bool{}
	keys, levelSet := map[string]*series{}, map[float64]bool{}
	whiskers := false
	var keyOrder []string
	for _, ln := range s.lines {
		servers, pts := bySeries(ctx.pal, ctx.aggs, s.scenario, s.logX || s.logY, ln.y)
		for _, srv := range servers {
			ser := newSeries(ctx.pal.style(srv), pts[srv], ln.dashed)
			ser.real = ctx.real[srv]
			p.Add(ser)
			for _, pt := range pts[srv] {
				xr.add(pt.X)
				yr.add(pt.Y)
				if pt.Hi > pt.Lo && pt.Lo > 0 {
					yr.add(pt.Lo)
					yr.add(pt.Hi)
					whiskers = true
				}
				marks[pt.Mark] = true
				levelSet[pt.X] = true
			}
			if keys[srv] == nil && !ln.dashed {
				keys[srv] = ser
				keyOrder = append(keyOrder, srv)
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
	ctx.addServerKeys(fig, keyOrder, keys)
	addKeys(fig, s.lines, marks)
	if whiskers {
		fig.legend.Add("bars: lowest to highest")
		fig.legend.Add("of the repeats (median drawn)")
	}
	fig.panels = append(fig.panels, p)
	return fig, nil
}

// addServerKeys adds a legend entry per server: the Go models first, then the real
// servers (drawn dash-dotted), each group under a heading when both are in the chart.
func (ctx *chartContext) addServerKeys(fig *figure, order []string, keys map[string]*series) {
	var models, reals []string
	for _, srv := range order {
		if ctx.real[srv] {
			reals = append(reals, srv)
		} else {
			models = append(models, srv)
		}
	}
	both := len(models) > 0 && len(reals) > 0
	for i, group := range [][]string{models, reals} {
		if both && len(group) > 0 {
			fig.legend.Add([]string{"Go models:", "real servers:"}[i])
		}
		for _, srv := range group {
			fig.legend.Add(srv, keys[srv])
		}
	}
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
// has several lines per server, and the marks of the points the client limited.
func addKeys(fig *figure, lines []line, marks map[mark]bool) {
	if len(lines) > 1 || marks[markHollow] || marks[markTinted] {
		fig.legend.Add("") // a blank line between servers and keys
	}
	if len(lines) > 1 {
		for _, ln := range lines {
			fig.legend.Add(ln.name, keyThumb{dashed: ln.dashed})
		}
	}
	addMarkKeys(fig, marks)
}

// addMarkKeys adds a legend key for each mark but filled that the chart draws.
func addMarkKeys(fig *figure, marks map[mark]bool) {
	for _, m := range []mark{markHollow, markTinted} {
		if marks[m] {
			fig.legend.Add(markLegend[m], keyThumb{fill: m})
		}
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

func throughputChart(ctx *chartContext, s scenario) (*figure, error) {
	return ctx.lineChart(lineSpec{
		title: ctx.title, scenario: s.Name, logX: true,
		xLabel: concurrencyLabel, yLabel: "throughput (requests/s)", xFormat: si, yFormat: si,
		lines: []line{{y: func(a Agg) float64 { return a.RPS }}},
	})
}

func memoryChart(ctx *chartContext, s scenario) (*figure, error) {
	return ctx.lineChart(lineSpec{
		title: ctx.title, scenario: s.Name, logX: true,
		xLabel: concurrencyLabel, yLabel: "server memory (MB)", xFormat: si, yFormat: plain,
		lines: ctx.memoryLines(s),
	})
}

// memoryLines are the memory line (PSS where the sampler read it: a process tree's shared
// pages counted once; else RSS) and, when the run measured it, the kernel memory it does
// not show (page tables, kernel stacks, socket buffers) as a dashed line beside it.
func (ctx *chartContext) memoryLines(s scenario) []line {
	rss := line{name: "RSS, peak (solid)", y: func(a Agg) float64 { return a.MemoryKB / 1024 }}
	for _, a := range ctx.aggs {
		if a.Scenario == s.Name && a.PSS {
			rss.name = "PSS, peak (solid; shared pages once)"
			break
		}
	}
	for _, a := range ctx.aggs {
		if a.Scenario == s.Name && a.KernelKB > 0 {
			return []line{rss, {name: "kernel: page tables, stacks, sockets (dashed)",
				y: func(a Agg) float64 { return a.KernelKB / 1024 }, dashed: true}}
		}
	}
	rss.name = ""
	return []line{rss}
}

func cpuChart(ctx *chartContext, s scenario) (*figure, error) {
	return ctx.lineChart(lineSpec{
		title: ctx.title, scenario: s.Name, logX: true,
		xLabel: concurrencyLabel, yLabel: "server CPU per request (µs)", xFormat: si, yFormat: plain,
		lines: []line{{y: func(a Agg) float64 { return a.CPUUsPerReq }}},
	})
}

func latencyChart(ctx *chartContext, s scenario) (*figure, error) {
	return ctx.lineChart(lineSpec{
		title: ctx.title, scenario: s.Name, logX: true, logY: true,
		xLabel: concurrencyLabel, yLabel: "latency (ms, log scale)", xFormat: si, yFormat: plain,
		lines: latencyLines,
	})
}

var latencyLines = []line{
	{name: "p99 (solid)", y: func(a Agg) float64 { return ms(a.P99us) }},
	{name: "p50 (dashed)", y: func(a Agg) float64 { return ms(a.P50us) }, dashed: true},
}

func threadsChart(ctx *chartContext, s scenario) (*figure, error) {
	return ctx.lineChart(lineSpec{
		title: ctx.title, scenario: s.Name, logX: true, logY: true,
		xLabel: concurrencyLabel, yLabel: "OS threads, peak (log scale)", xFormat: si, yFormat: si,
		lines: []line{{y: func(a Agg) float64 { return a.ThreadsPeak }}},
	})
}

func idleChart(ctx *chartContext, s scenario) (*figure, error) {
	return ctx.lineChart(lineSpec{
		title: ctx.title, scenario: s.Name,
		xLabel:  "idle keep-alive connections (plus " + strconv.Itoa(s.Active) + " active on " + s.Path + ")",
		yLabel:  "server memory (MB)",
		xFormat: si, yFormat: plain,
		lines: ctx.memoryLines(s),
	})
}

func rateChart(ctx *chartContext, s scenario) (*figure, error) {
	return ctx.lineChart(lineSpec{
		title: ctx.title, scenario: s.Name, logY: true,
		xLabel: "offered rate (requests/s)", yLabel: "latency from scheduled send (ms, log scale)",
		xFormat: si, yFormat: plain, lines: latencyLines,
	})
}
