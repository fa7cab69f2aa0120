package plots

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/aclements/go-moremath/stats"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// Sentinel errors.
var (
	// ErrNoRows is returned by Load for a summary.csv with a header and no rows.
	ErrNoRows = errors.New("plots: summary.csv has no rows")
	// ErrNoData is returned by WriteChart when the run has no rows for the chart.
	ErrNoData = errors.New("plots: no data for this chart")
	// ErrUnknownChart is returned by WriteChart for a file name that is not a chart.
	ErrUnknownChart = errors.New("plots: unknown chart")
)

// Data is everything a run folder holds for its charts.
type Data struct {
	Summary    []metrics.SummaryRow    // summary.csv, required
	Timeseries []metrics.TimeseriesRow // timeseries.csv; nil when the file is absent
	Hists      []metrics.Hist          // hgrm/*.hgrm, sorted by server, scenario, level, repeat
	Manifest   *metrics.RunManifest    // run.json; nil when the run has none
	Warnings   []string                // files that were skipped, and why
}

// Load reads a run folder: summary.csv (an error when missing, invalid or empty),
// timeseries.csv (optional), hgrm/*.hgrm (optional; a file that cannot be read is
// skipped with a warning) and run.json (optional; likewise).
func Load(dir string) (*Data, error) {
	d := &Data{}
	var err error
	if d.Summary, err = readCSV(filepath.Join(dir, "summary.csv"), metrics.ReadSummary); err != nil {
		return nil, err
	}
	if len(d.Summary) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNoRows, filepath.Join(dir, "summary.csv"))
	}
	ts := filepath.Join(dir, "timeseries.csv")
	if d.Timeseries, err = readCSV(ts, metrics.ReadTimeseries); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err := d.loadHists(filepath.Join(dir, "hgrm")); err != nil {
		return nil, err
	}
	switch m, err := metrics.ReadManifest(dir); {
	case err == nil:
		d.Manifest = &m
	case !errors.Is(err, fs.ErrNotExist):
		d.Warnings = append(d.Warnings, err.Error())
	}
	return d, nil
}

func readCSV[T any](path string, read func(io.Reader) ([]T, error)) ([]T, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("plots: %w", err)
	}
	defer f.Close()
	rows, err := read(f)
	if err != nil {
		return nil, fmt.Errorf("plots: %s: %w", path, err)
	}
	return rows, nil
}

func (d *Data) loadHists(dir string) error {
	names, err := filepath.Glob(filepath.Join(dir, "*.hgrm"))
	if err != nil {
		return fmt.Errorf("plots: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		h, err := metrics.ReadHgrmFile(name)
		if err != nil {
			d.Warnings = append(d.Warnings, err.Error())
			continue
		}
		d.Hists = append(d.Hists, h)
	}
	sort.SliceStable(d.Hists, func(i, j int) bool {
		a, b := d.Hists[i], d.Hists[j]
		if a.Server != b.Server {
			return a.Server < b.Server
		}
		if a.Scenario != b.Scenario {
			return a.Scenario < b.Scenario
		}
		if a.Level != b.Level {
			return a.Level < b.Level
		}
		return a.Repeat < b.Repeat
	})
	return nil
}

// measured is the rows that measured something: a row without requests (the server died
// or never started; its note says why) has no figure to draw, and its zeros would be
// drawn as real points. The charts are drawn from these; report.md's table and notes
// keep every row.
func measured(rows []metrics.SummaryRow) []metrics.SummaryRow {
	out := make([]metrics.SummaryRow, 0, len(rows))
	for _, r := range rows {
		if r.Requests != 0 {
			out = append(out, r)
		}
	}
	return out
}

// Agg is the median over the repeats of one server × scenario × level.
type Agg struct {
	Server, Scenario string
	Level            float64
	Repeats          int
	Bound            metrics.Bound // who limited the point (a side that limited any repeat)
	ClientBound      bool          // the client limited a repeat (Bound is client or both)
	RPS              float64
	P50us, P99us     float64
	RSSPeakKB        float64
	MemoryKB         float64 // PSS where read, else RSS (metrics.SummaryRow.MemoryKB)
	PSS              bool    // MemoryKB is PSS
	ThreadsPeak      float64
	ServerCPUPct     float64
	ClientCPUPct     float64
	Errors           float64
	CPUUsPerReq      float64 // server CPU per request served
	KernelKB         float64 // kernel memory estimate (page tables, kernel stacks, socket buffers)
	BgRPS            float64 // the background load, if any
	BgP50us, BgP99us float64
	// Each is every repeat of the point as an Agg of its own, for the spread of any figure
	// (Spread); nil for an Agg made from a single row.
	Each []Agg
}

// Spread is the lowest and highest of f over a's repeats (f(a) twice when it has one).
func (a Agg) Spread(f func(Agg) float64) (lo, hi float64) {
	lo, hi = f(a), f(a)
	for _, e := range a.Each {
		lo, hi = math.Min(lo, f(e)), math.Max(hi, f(e))
	}
	return lo, hi
}

// aggregateIn is Aggregate with the servers in pal's order (families together).
func aggregateIn(pal palette, rows []metrics.SummaryRow) []Agg {
	aggs := Aggregate(rows)
	sortAggs(aggs, scenarioRanks(rows), pal.order)
	return aggs
}

// Aggregate groups rows by server, scenario and level and takes the median of each
// figure over the repeats. The result is sorted by scenario (in run order), then server
// (known models first), then level.
func Aggregate(rows []metrics.SummaryRow) []Agg {
	type key struct {
		server, scenario string
		level            float64
	}
	groups := map[key][]metrics.SummaryRow{}
	for _, r := range rows {
		k := key{r.Server, r.Scenario, r.Level()}
		groups[k] = append(groups[k], r)
	}
	out := make([]Agg, 0, len(groups))
	for k, g := range groups {
		a := Agg{Server: k.server, Scenario: k.scenario, Level: k.level, Repeats: len(g)}
		bounds := make([]metrics.Bound, len(g))
		for i, r := range g {
			bounds[i] = r.Bound
		}
		a.Bound = metrics.Combine(bounds...)
		a.ClientBound = a.Bound.ClientLimited()
		med := func(f func(metrics.SummaryRow) float64) float64 { return median(g, f) }
		a.RPS = med(func(r metrics.SummaryRow) float64 { return r.RPS })
		a.P50us = med(func(r metrics.SummaryRow) float64 { return r.P50us })
		a.P99us = med(func(r metrics.SummaryRow) float64 { return r.P99us })
		a.RSSPeakKB = med(func(r metrics.SummaryRow) float64 { return float64(r.RSSPeakKB) })
		a.MemoryKB = med(func(r metrics.SummaryRow) float64 { return float64(r.MemoryKB()) })
		a.PSS = g[0].PSSPeakKB > 0
		a.ThreadsPeak = med(func(r metrics.SummaryRow) float64 { return float64(r.ThreadsPeak) })
		a.ServerCPUPct = med(func(r metrics.SummaryRow) float64 { return r.ServerCPUPct })
		a.ClientCPUPct = med(func(r metrics.SummaryRow) float64 { return r.ClientCPUPct })
		a.Errors = med(func(r metrics.SummaryRow) float64 { return float64(r.Errors) })
		a.CPUUsPerReq = med(func(r metrics.SummaryRow) float64 { return r.CPUUsPerReq })
		a.KernelKB = med(func(r metrics.SummaryRow) float64 { return float64(r.KernelKB) })
		a.BgRPS = med(func(r metrics.SummaryRow) float64 { return r.BgRPS })
		a.BgP50us = med(func(r metrics.SummaryRow) float64 { return r.BgP50us })
		a.BgP99us = med(func(r metrics.SummaryRow) float64 { return r.BgP99us })
		if len(g) > 1 {
			for _, r := range g {
				a.Each = append(a.Each, Aggregate([]metrics.SummaryRow{r})[0])
			}
		}
		out = append(out, a)
	}
	sortAggs(out, scenarioRanks(rows), orderServers)
	return out
}

// sortAggs orders aggs by scenario (in run order, rank), server (legend order), level.
func sortAggs(aggs []Agg, scenarioRank map[string]int, order func([]string) []string) {
	rank := map[string]int{}
	var servers []string
	for _, a := range aggs {
		if _, ok := rank[a.Server]; !ok {
			rank[a.Server] = 0
			servers = append(servers, a.Server)
		}
	}
	for i, s := range order(servers) {
		rank[s] = i
	}
	sort.Slice(aggs, func(i, j int) bool {
		a, b := aggs[i], aggs[j]
		if a.Scenario != b.Scenario {
			return scenarioRank[a.Scenario] < scenarioRank[b.Scenario]
		}
		if a.Server != b.Server {
			return rank[a.Server] < rank[b.Server]
		}
		return a.Level < b.Level
	})
}

// median of f over rows (0 for none): the middle value, or the mean of the two middle
// values, as go-moremath computes it.
func median[T any](rows []T, f func(T) float64) float64 {
	if len(rows) == 0 {
		return 0
	}
	v := make([]float64, len(rows))
	for i, r := range rows {
		v[i] = f(r)
	}
	return stats.Sample{Xs: v}.Quantile(0.5)
}

// bySeries splits the aggregates of one scenario into one series per server, each
// point's Y given by f. Points where f is not positive are dropped when positive is
// set (a log axis cannot show them). Servers come in legend order.
func bySeries(pal palette, aggs []Agg, scenario string, positive bool, f func(Agg) float64) (servers []string, pts map[string][]point) {
	pts = map[string][]point{}
	for _, a := range aggs {
		if a.Scenario != scenario {
			continue
		}
		y := f(a)
		if positive && (y <= 0 || a.Level <= 0) {
			continue
		}
		if _, ok := pts[a.Server]; !ok {
			servers = append(servers, a.Server)
		}
		lo, hi := a.Spread(f)
		pts[a.Server] = append(pts[a.Server], point{X: a.Level, Y: y, Mark: markOf(a.Bound), Lo: lo, Hi: hi})
	}
	return pal.order(servers), pts
}

// Caption is the line under every chart: host CPUs, CPU pinning, date and run id, e.g.
// "2 CPUs · server on CPU 0, client on CPU 1 · 2026-11-25 · run 20261125T101500Z".
func Caption(rows []metrics.SummaryRow) string {
	if len(rows) == 0 {
		return ""
	}
	first := rows[0]
	for _, r := range rows {
		if r.StartedAt.Before(first.StartedAt) {
			first = r
		}
	}
	parts := []string{plural(first.HostCPUs, "CPU")}
	srv := mostCommon(rows, func(r metrics.SummaryRow) string { return r.ServerCPUs })
	cli := mostCommon(rows, func(r metrics.SummaryRow) string { return r.ClientCPUs })
	switch {
	case srv != "" && cli != "":
		parts = append(parts, "server on "+cpuList(srv)+", client on "+cpuList(cli))
	case srv != "":
		parts = append(parts, "server on "+cpuList(srv))
	default:
		parts = append(parts, "no CPU pinning")
	}
	if !first.StartedAt.IsZero() {
		parts = append(parts, first.StartedAt.UTC().Format("2006-01-02"))
	}
	if first.RunID != "" {
		parts = append(parts, "run "+first.RunID)
	}
	return strings.Join(parts, " · ")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

func cpuList(list string) string {
	if strings.ContainsAny(list, ",-") {
		return "CPUs " + list
	}
	return "CPU " + list
}

// mostCommon is the most frequent non-empty value of f over rows (ties: the smallest).
func mostCommon(rows []metrics.SummaryRow, f func(metrics.SummaryRow) string) string {
	count := map[string]int{}
	best := ""
	for _, r := range rows {
		v := f(r)
		if v == "" {
			continue
		}
		count[v]++
		if c := count[v]; best == "" || c > count[best] || c == count[best] && v < best {
			best = v
		}
	}
	return best
}
