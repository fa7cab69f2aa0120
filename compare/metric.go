package compare

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// Metric is one summary.csv column that can be compared, with the direction in which it
// gets better.
type Metric struct {
	Name           string // the CSV column, e.g. "rps"
	HigherIsBetter bool   // rps: true; latency, memory, threads: false
	Value          func(metrics.SummaryRow) float64
	// Absolute, when set, makes the metric a share (0..1) compared by difference, not
	// ratio: a rise of more than Absolute is a regression (errors: 0 → 2 % is one, though
	// no ratio of 0 exists). Such a metric has no within-run ratio.
	Absolute float64
}

// DefaultMetrics is what compare looks at unless told otherwise.
const DefaultMetrics = "rps,p99_us,rss_peak_kb,errors"

// DefaultThreshold is the relative change, in the worse direction, that is a regression.
const DefaultThreshold = 0.10

// DefaultAlpha is the significance level of the U test on repeated rows.
const DefaultAlpha = 0.05

// DefaultReference is the denominator of the within-run ratios: nginx, a server the
// suite's code does not touch, so a regression every Go model shares (in the HTTP core,
// the connection loop, the workload) shows in every ratio.
const DefaultReference = "nginx,cthreads"

// ErrorsAbsolute is the rise in the share of failed requests that is a regression.
const ErrorsAbsolute = 0.01

var (
	// ErrMetric is an unknown metric name.
	ErrMetric = errors.New("compare: unknown metric")
	// ErrThreshold is a threshold that is neither "N%" nor a fraction in [0, 1].
	ErrThreshold = errors.New("compare: bad threshold")
	// ErrMode is an unknown comparison mode.
	ErrMode = errors.New("compare: unknown mode")
)

var known = []Metric{
	{Name: "rps", HigherIsBetter: true, Value: func(r metrics.SummaryRow) float64 { return r.RPS }},
	{Name: "p50_us", HigherIsBetter: false, Value: func(r metrics.SummaryRow) float64 { return r.P50us }},
	{Name: "p90_us", HigherIsBetter: false, Value: func(r metrics.SummaryRow) float64 { return r.P90us }},
	{Name: "p99_us", HigherIsBetter: false, Value: func(r metrics.SummaryRow) float64 { return r.P99us }},
	{Name: "p999_us", HigherIsBetter: false, Value: func(r metrics.SummaryRow) float64 { return r.P999us }},
	{Name: "max_us", HigherIsBetter: false, Value: func(r metrics.SummaryRow) float64 { return r.MaxUs }},
	{Name: "rss_peak_kb", HigherIsBetter: false, Value: func(r metrics.SummaryRow) float64 { return float64(r.RSSPeakKB) }},
	{Name: "rss_mean_kb", HigherIsBetter: false, Value: func(r metrics.SummaryRow) float64 { return float64(r.RSSMeanKB) }},
	{Name: "threads_peak", HigherIsBetter: false, Value: func(r metrics.SummaryRow) float64 { return float64(r.ThreadsPeak) }},
	{Name: "fds_peak", HigherIsBetter: false, Value: func(r metrics.SummaryRow) float64 { return float64(r.FDsPeak) }},
	{Name: "server_cpu_pct", HigherIsBetter: false, Value: func(r metrics.SummaryRow) float64 { return r.ServerCPUPct }},
	{Name: "cpu_us_per_req", HigherIsBetter: false, Value: func(r metrics.SummaryRow) float64 { return r.CPUUsPerReq }},
	{Name: "kernel_kb", HigherIsBetter: false, Value: func(r metrics.SummaryRow) float64 { return float64(r.KernelKB) }},
	{Name: "errors", Value: errorShare, Absolute: ErrorsAbsolute},
}

// errorShare is the share of a row's requests that failed.
func errorShare(r metrics.SummaryRow) float64 {
	if total := r.Requests + r.Errors; total > 0 {
		return float64(r.Errors) / float64(total)
	}
	return 0
}

// MetricNames lists the metrics compare knows, in a stable order.
func MetricNames() []string {
	names := make([]string, len(known))
	for i, m := range known {
		names[i] = m.Name
	}
	return names
}

// ParseMetrics parses a comma-separated list of metric names.
func ParseMetrics(list string) ([]Metric, error) {
	var out []Metric
	seen := map[string]bool{}
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" || seen[name] {
			continue
		}
		m, ok := lookup(name)
		if !ok {
			return nil, fmt.Errorf("%w %q (have %s)", ErrMetric, name, strings.Join(MetricNames(), ", "))
		}
		seen[name] = true
		out = append(out, m)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no metric named", ErrMetric)
	}
	return out, nil
}

func lookup(name string) (Metric, bool) {
	for _, m := range known {
		if m.Name == name {
			return m, true
		}
	}
	return Metric{}, false
}

// ParseThreshold reads "10%" or "0.1" as 0.1. It must be above 0, and a bare number must be
// a fraction at most 1, so "10" is refused rather than guessed.
func ParseThreshold(s string) (float64, error) {
	t := strings.TrimSpace(s)
	pct := strings.HasSuffix(t, "%")
	x, err := strconv.ParseFloat(strings.TrimSuffix(t, "%"), 64)
	if err != nil {
		return 0, fmt.Errorf("%w %q: want a percentage (10%%) or a fraction (0.1)", ErrThreshold, s)
	}
	if pct {
		x /= 100
	}
	if x <= 0 || x > 1 && !pct || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, fmt.Errorf("%w %q: want a percentage above 0 (10%%) or a fraction in (0, 1] (0.1)", ErrThreshold, s)
	}
	return x, nil
}

// Mode says which comparisons to make.
type Mode int

const (
	// Both compares the absolute figures and the within-run ratios.
	Both Mode = iota
	// Absolute compares only the figures themselves (same machine, same conditions).
	Absolute
	// Ratios compares only the within-run ratios, which travel between machines.
	Ratios
)

var modeNames = map[Mode]string{Both: "both", Absolute: "abs", Ratios: "ratios"}

func (m Mode) String() string { return modeNames[m] }

// ParseMode reads "both", "abs" or "ratios".
func ParseMode(s string) (Mode, error) {
	for m, name := range modeNames {
		if s == name {
			return m, nil
		}
	}
	return 0, fmt.Errorf("%w %q (want both, abs or ratios)", ErrMode, s)
}

func (m Mode) absolute() bool { return m != Ratios }
func (m Mode) ratios() bool   { return m != Absolute }
