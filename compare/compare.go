package compare

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// ErrNoOverlap is two runs with nothing in common to compare: no row, or in Ratios mode no
// ratio.
var ErrNoOverlap = errors.New("compare: nothing in common to compare")

// Options configure Compare; the zero value means the defaults.
type Options struct {
	Threshold float64  // relative change in the worse direction that is a regression (0: DefaultThreshold)
	Metrics   []Metric // nil: DefaultMetrics
	Mode      Mode     // Both, Absolute or Ratios
	Reference string   // denominator of the ratios, or a comma-separated list: at each scenario and level the first present ("": DefaultReference)
	Alpha     float64  // significance level of the U test (0: DefaultAlpha)
	// Kinds, when set, compares only rows of these kinds (CI compares failed requests
	// outside open-model rows, whose steps past capacity fail by design).
	Kinds []metrics.Kind
	// LeftOut is the servers the new run left out and why (its run.json): a server with
	// rows only in the base run is reported as left out, with the reason, or as missing.
	LeftOut map[string]string
	// Planned is the servers the new run planned (its run.json; nil when it has none): a
	// server with rows only in the base run that the new run did not plan was not asked
	// for (its suite or --models), which is not the same as missing.
	Planned map[string]bool
}

func (o Options) withDefaults() Options {
	if o.Threshold == 0 {
		o.Threshold = DefaultThreshold
	}
	if o.Metrics == nil {
		o.Metrics, _ = ParseMetrics(DefaultMetrics)
	}
	if o.Reference == "" {
		o.Reference = DefaultReference
	}
	if o.Alpha == 0 {
		o.Alpha = DefaultAlpha
	}
	return o
}

// Cell is one metric of one matched row.
type Cell struct {
	Metric     string
	Base, New  float64 // medians over repeats
	N1, N2     int     // repeats on each side
	Delta      float64 // (New-Base)/Base; NaN when Base is 0
	P          float64 // U-test p-value when Tested
	Tested     bool    // a U test decided significance (enough repeats on both sides)
	Alpha      float64 // the level it was tested at
	Regression bool    // worse by more than the threshold (and significant, when Tested)
	Vanished   bool    // a lower-is-better figure fell to 0: nothing was measured, a failure
}

// Row is one matched key with a cell per metric.
type Row struct {
	Key
	ClientBound bool // a row on either side was client-bound: its rps is the client's limit
	Cells       []Cell
}

// Report is the outcome of Compare.
type Report struct {
	Options
	Rows              []Row    // absolute figures, one per matched key (Mode Both or Absolute)
	Ratios            []Row    // within-run ratios against Options.Reference (Mode Both or Ratios)
	Matched           int      // keys present in both runs
	OnlyBase, OnlyNew int      // keys present in one run only
	RateUnmatched     []string // servers whose rate rows were left unmatched: step counts differ
	Warnings          []string // how the two runs were made differently (window, warm-up, CPUs, GOMAXPROCS)
	// Absent is each server with rows in the base run and none in the new one: "left out
	// of the new run: REASON" (its run.json) or "missing from the new run".
	Absent []string
}

// Regression is one worse-than-threshold cell, named by its row.
type Regression struct {
	Key
	Ratio bool // a within-run ratio rather than an absolute figure
	Cell
}

func (r Regression) String() string {
	what := r.Metric
	if r.Ratio {
		what += " ratio"
	}
	if r.Vanished {
		return fmt.Sprintf("%s: %s %s → 0: nothing measured", r.Key, what, format(r.Base, r.Ratio))
	}
	if r.Metric == "errors" {
		return fmt.Sprintf("%s: failed requests %.2f%% → %.2f%%", r.Key, 100*r.Base, 100*r.New)
	}
	return fmt.Sprintf("%s: %s %s → %s (%s)", r.Key, what, format(r.Base, r.Ratio), format(r.New, r.Ratio), pct(r.Delta))
}

// Regressions lists every regression, absolute figures first.
func (r *Report) Regressions() []Regression {
	var out []Regression
	for i, rows := range [][]Row{r.Rows, r.Ratios} {
		for _, row := range rows {
			for _, c := range row.Cells {
				if c.Regression {
					out = append(out, Regression{Key: row.Key, Ratio: i == 1, Cell: c})
				}
			}
		}
	}
	return out
}

// Compare matches base and cur (the new run) on server × scenario × level and compares
// each metric. It returns ErrNoOverlap when nothing could be compared.
func Compare(base, cur []metrics.SummaryRow, opt Options) (*Report, error) {
	opt = opt.withDefaults()
	bg, cg := groupRows(opt.keep(base)), groupRows(opt.keep(cur))
	m := match(bg, cg)
	rep := &Report{Options: opt, Matched: len(m.both), OnlyBase: m.onlyBase, OnlyNew: m.onlyNew,
		RateUnmatched: m.rateUnmatchedSteps, Warnings: setupWarnings(base, cur), Absent: absent(base, cur, opt.LeftOut, opt.Planned)}
	if opt.Mode.absolute() {
		for _, k := range m.both {
			rep.Rows = append(rep.Rows, opt.compareRow(k, bg.rows[k], cg.rows[k]))
		}
	}
	if opt.Mode.ratios() {
		rep.Ratios = opt.compareRatios(ratios(bg, opt), ratios(cg, opt), bg.rank)
	}
	switch {
	case len(rep.Rows) > 0 || len(rep.Ratios) > 0:
	case rep.Matched > 0:
		return rep, fmt.Errorf("%w: %d rows matched but no ratio against %s", ErrNoOverlap, rep.Matched, opt.Reference)
	default:
		return rep, fmt.Errorf("%w: no row matched (%d only in base, %d only in new)", ErrNoOverlap, m.onlyBase, m.onlyNew)
	}
	return rep, nil
}

func (o Options) compareRow(k Key, base, cur []metrics.SummaryRow) Row {
	row := Row{Key: k}
	for _, r := range append(slices.Clone(base), cur...) {
		row.ClientBound = row.ClientBound || r.ClientBound
	}
	for _, m := range o.Metrics {
		row.Cells = append(row.Cells, o.compareCell(m, values(base, m), values(cur, m)))
	}
	return row
}

func values(rows []metrics.SummaryRow, m Metric) []float64 {
	out := make([]float64, len(rows))
	for i, r := range rows {
		out[i] = m.Value(r)
	}
	return out
}

// FewRepeatsAlpha is the U test's level where Alpha is out of its reach: with 3 repeats
// against 3 (the suite's), two fully separated samples give p = 0.1 and nothing less.
const FewRepeatsAlpha = 0.1

// compareCell compares one metric's samples. A change beyond the threshold is a
// regression when the U test finds it significant, at Alpha, or at FewRepeatsAlpha when
// Alpha is out of its reach (3 against 3); with fewer repeats still (2, or 1) the bare
// delta of the medians decides. A change the test cannot tell from the repeats' spread
// is within the noise and said so.
func (o Options) compareCell(m Metric, base, cur []float64) Cell {
	c := Cell{Metric: m.Name, N1: len(base), N2: len(cur), P: 1,
		Base: median(base), New: median(cur)}
	c.Delta = math.NaN()
	if c.Base != 0 {
		c.Delta = (c.New - c.Base) / c.Base
	}
	worse := c.Delta > o.Threshold
	switch {
	case m.Absolute > 0:
		worse = c.New-c.Base > m.Absolute
	case m.HigherIsBetter:
		worse = -c.Delta > o.Threshold
	case c.Base > 0 && c.New == 0: // a latency or memory of 0 is a step that measured nothing
		c.Vanished, c.Regression = true, true
		return c
	}
	c.Alpha = o.Alpha
	if !canReach(c.N1, c.N2, c.Alpha) && canReach(c.N1, c.N2, FewRepeatsAlpha) {
		c.Alpha = FewRepeatsAlpha // 3 against 3: the smallest p the test can give is 0.1
	}
	if c.N1 >= 2 && c.N2 >= 2 && m.Absolute == 0 && canReach(c.N1, c.N2, c.Alpha) {
		c.Tested, c.P = true, uTest(base, cur)
	}
	c.Regression = worse && (!c.Tested || c.P <= c.Alpha)
	return c
}

// keep is the rows of the kinds o compares.
func (o Options) keep(rows []metrics.SummaryRow) []metrics.SummaryRow {
	if len(o.Kinds) == 0 {
		return rows
	}
	return slices.DeleteFunc(slices.Clone(rows), func(r metrics.SummaryRow) bool { return !slices.Contains(o.Kinds, r.Kind) })
}

// References is Reference as a list.
func (o Options) References() []string {
	var out []string
	for _, r := range strings.Split(o.Reference, ",") {
		if r = strings.TrimSpace(r); r != "" {
			out = append(out, r)
		}
	}
	return out
}

// absent says, for each server with rows in base and none in cur, whether cur's run left
// it out with a reason, did not plan it, or planned it and has no row (missing).
func absent(base, cur []metrics.SummaryRow, leftOut map[string]string, planned map[string]bool) []string {
	have := map[string]bool{}
	for _, r := range cur {
		have[r.Server] = true
	}
	var out []string
	for _, r := range base {
		if have[r.Server] {
			continue
		}
		have[r.Server] = true
		why, out1 := leftOut[r.Server]
		switch {
		case out1:
			out = append(out, r.Server+" (left out of the new run: "+why+")")
		case planned != nil && !planned[r.Server]:
			out = append(out, r.Server+" (not planned in the new run: its suite or --models did not ask for it)")
		default:
			out = append(out, r.Server+" (missing from the new run: planned, or no run.json to say, and no row)")
		}
	}
	return out
}
