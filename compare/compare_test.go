package compare

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// hello is a hello row of server at concurrency c.
func hello(server string, c int, rps, p99 float64, rss int64) metrics.SummaryRow {
	return metrics.SummaryRow{Server: server, Scenario: "hello", Kind: metrics.KindClosed, Engine: "closed", Concurrency: c, Repeat: 1,
		RPS: rps, P99us: p99, RSSPeakKB: rss}
}

func twoServers() []metrics.SummaryRow {
	return []metrics.SummaryRow{
		hello("threaded", 10, 60000, 400, 9700),
		hello("threaded", 1000, 40000, 60000, 36000),
		hello("evented", 10, 120000, 200, 7200),
		hello("evented", 1000, 110000, 23000, 7500),
	}
}

func TestIdenticalRunsHaveNoRegression(t *testing.T) {
	rows := twoServers()
	rep, err := Compare(rows, rows, Options{Reference: "threaded"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Matched != 4 || rep.OnlyBase != 0 || rep.OnlyNew != 0 {
		t.Errorf("matched %d, only base %d, only new %d; want 4, 0, 0", rep.Matched, rep.OnlyBase, rep.OnlyNew)
	}
	if len(rep.Rows) != 4 || len(rep.Ratios) != 2 {
		t.Errorf("%d rows, %d ratios; want 4 and 2 (evented/threaded at 2 levels)", len(rep.Rows), len(rep.Ratios))
	}
	if regs := rep.Regressions(); len(regs) != 0 {
		t.Errorf("regressions in identical runs: %v", regs)
	}
}

// TestDirection: req/s down is worse, latency and memory up are worse, and only a change
// beyond the threshold counts.
func TestDirection(t *testing.T) {
	for _, tc := range []struct {
		name            string
		rps, p99, rss   float64 // factors applied to the new run
		wantRegressions []string
	}{
		{"rps down 20%", 0.8, 1, 1, []string{"rps"}},
		{"rps up 20%", 1.2, 1, 1, nil},
		{"p99 up 20%", 1, 1.2, 1, []string{"p99_us"}},
		{"p99 down 50%", 1, 0.5, 1, nil},
		{"rss up 9%", 1, 1, 1.09, nil},
		{"rss up 11%", 1, 1, 1.11, []string{"rss_peak_kb"}},
		{"all worse", 0.5, 2, 2, []string{"rps", "p99_us", "rss_peak_kb"}},
	} {
		base := []metrics.SummaryRow{hello("goroutine", 100, 100000, 2000, 10000)}
		cur := []metrics.SummaryRow{hello("goroutine", 100, 100000*tc.rps, 2000*tc.p99, int64(10000*tc.rss))}
		rep, err := Compare(base, cur, Options{Mode: Absolute})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rep.Regressions() {
			got = append(got, r.Metric)
		}
		if strings.Join(got, ",") != strings.Join(tc.wantRegressions, ",") {
			t.Errorf("%s: regressions %v, want %v", tc.name, got, tc.wantRegressions)
		}
	}
}

func TestThresholdIsAnOption(t *testing.T) {
	base := []metrics.SummaryRow{hello("evented", 100, 100000, 2000, 10000)}
	cur := []metrics.SummaryRow{hello("evented", 100, 93000, 2000, 10000)} // −7%
	for _, tc := range []struct {
		threshold float64
		want      int
	}{{0.05, 1}, {0.10, 0}} {
		rep, err := Compare(base, cur, Options{Threshold: tc.threshold, Mode: Absolute})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(rep.Regressions()); n != tc.want {
			t.Errorf("threshold %v: %d regressions, want %d", tc.threshold, n, tc.want)
		}
	}
}

// TestQuickRunAgainstFullBaseline: only levels present in both are compared, and the
// report counts the rest.
func TestQuickRunAgainstFullBaseline(t *testing.T) {
	base := []metrics.SummaryRow{hello("evented", 1, 1, 1, 1), hello("evented", 10, 1, 1, 1), hello("evented", 100, 1, 1, 1)}
	cur := []metrics.SummaryRow{hello("evented", 10, 1, 1, 1), hello("evented", 1000, 1, 1, 1)}
	rep, err := Compare(base, cur, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Matched != 1 || rep.OnlyBase != 2 || rep.OnlyNew != 1 {
		t.Fatalf("matched %d, only base %d, only new %d; want 1, 2, 1", rep.Matched, rep.OnlyBase, rep.OnlyNew)
	}
	if rep.Rows[0].Key != (Key{"evented", "hello", 10, metrics.KindClosed}) {
		t.Errorf("compared %v, want evented hello c=10", rep.Rows[0].Key)
	}
}

func TestNothingInCommon(t *testing.T) {
	_, err := Compare([]metrics.SummaryRow{hello("evented", 1, 1, 1, 1)},
		[]metrics.SummaryRow{hello("evented", 2, 1, 1, 1)}, Options{})
	if !errors.Is(err, ErrNoOverlap) {
		t.Fatalf("err = %v, want ErrNoOverlap", err)
	}
}

func rate(server string, offered, p99 float64) metrics.SummaryRow {
	return metrics.SummaryRow{Server: server, Scenario: "rate", Kind: metrics.KindOpen, Engine: "open", OfferedRPS: offered, Repeat: 1,
		RPS: offered, P99us: p99, RSSPeakKB: 8000}
}

// TestRateRowsMatchByStep: offered rates differ between runs (a share of each run's
// capacity), so step k of one run is compared with step k of the other.
func TestRateRowsMatchByStep(t *testing.T) {
	base := []metrics.SummaryRow{rate("evented", 3000, 900), rate("evented", 1000, 300), rate("evented", 2000, 400)}
	cur := []metrics.SummaryRow{rate("evented", 1100, 300), rate("evented", 2200, 800), rate("evented", 3300, 900)}
	rep, err := Compare(base, cur, Options{Metrics: mustMetrics(t, "p99_us")})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Matched != 3 || len(rep.Ratios) != 0 {
		t.Fatalf("matched %d, %d ratios; want 3 by step and no rate ratios", rep.Matched, len(rep.Ratios))
	}
	regs := rep.Regressions()
	if len(regs) != 1 || regs[0].Key != (Key{"evented", "rate", 2, metrics.KindOpen}) || regs[0].Base != 400 || regs[0].New != 800 {
		t.Fatalf("regressions %v, want step 2 p99 400 → 800", regs)
	}
	// A run with another number of steps cannot be matched step by step.
	rep, err = Compare(base, cur[:2], Options{Metrics: mustMetrics(t, "p99_us")})
	if !errors.Is(err, ErrNoOverlap) || rep.OnlyBase != 3 || rep.OnlyNew != 2 || len(rep.RateUnmatched) != 1 {
		t.Fatalf("err %v, only base %d, only new %d, unmatched %v; want ErrNoOverlap, 3, 2, [evented]",
			err, rep.OnlyBase, rep.OnlyNew, rep.RateUnmatched)
	}
}

func mustMetrics(t *testing.T, list string) []Metric {
	t.Helper()
	m, err := ParseMetrics(list)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func repeats(server string, rps ...float64) []metrics.SummaryRow {
	var out []metrics.SummaryRow
	for i, x := range rps {
		r := hello(server, 100, x, 1000, 9000)
		r.Repeat = i + 1
		out = append(out, r)
	}
	return out
}

// TestRepeatsNeedSignificance: with 5 repeats a side, a median drop beyond the threshold
// counts only when the U test finds it significant; with 3, at 0.10 (the least p the test
// gives there); with 2, the median's delta decides.
func TestRepeatsNeedSignificance(t *testing.T) {
	for _, tc := range []struct {
		name       string
		base, cur  []float64
		tested     bool
		regression bool
	}{
		{"separated", []float64{100, 101, 102, 103, 104}, []float64{80, 81, 82, 83, 84}, true, true},
		{"overlapping", []float64{80, 90, 100, 110, 120}, []float64{60, 70, 84, 125, 130}, true, false},
		{"3 against 3, separated: tested at 0.10", []float64{100, 101, 102}, []float64{80, 81, 82}, true, true},
		{"3 against 3, overlapping: within the noise", []float64{80, 100, 102}, []float64{70, 81, 101}, true, false},
		{"too few to test", []float64{100, 101}, []float64{80, 81}, false, true},
	} {
		rep, err := Compare(repeats("evented", tc.base...), repeats("evented", tc.cur...),
			Options{Metrics: mustMetrics(t, "rps"), Mode: Absolute})
		if err != nil {
			t.Fatal(err)
		}
		c := rep.Rows[0].Cells[0]
		if c.Tested != tc.tested || c.Regression != tc.regression || c.N1 != len(tc.base) {
			t.Errorf("%s: tested %v (p=%.3f), regression %v, n1 %d; want tested %v, regression %v",
				tc.name, c.Tested, c.P, c.Regression, c.N1, tc.tested, tc.regression)
		}
		if -c.Delta <= 0.10 {
			t.Errorf("%s: median delta %.3f: the case needs a drop beyond the threshold", tc.name, c.Delta)
		}
	}
}

// TestRatiosTravelBetweenMachines: a run on a machine half as fast halves every absolute
// figure but keeps the within-run ratios; a real loss of evented's edge shows in both.
func TestRatiosTravelBetweenMachines(t *testing.T) {
	base := twoServers()
	slower := twoServers()
	for i := range slower {
		slower[i].RPS /= 2
	}
	abs, err := Compare(base, slower, Options{Metrics: mustMetrics(t, "rps"), Mode: Absolute})
	if err != nil {
		t.Fatal(err)
	}
	rat, err := Compare(base, slower, Options{Metrics: mustMetrics(t, "rps"), Mode: Ratios, Reference: "threaded"})
	if err != nil {
		t.Fatal(err)
	}
	if len(abs.Regressions()) != 4 || len(rat.Regressions()) != 0 || len(rat.Rows) != 0 {
		t.Fatalf("slower machine: %d absolute and %d ratio regressions (%d absolute rows in ratios mode); want 4, 0, 0",
			len(abs.Regressions()), len(rat.Regressions()), len(rat.Rows))
	}
	slower[3].RPS *= 0.7 // evented at c=1000 loses 30% of its edge over threaded
	rat, err = Compare(base, slower, Options{Metrics: mustMetrics(t, "rps"), Mode: Ratios, Reference: "threaded"})
	if err != nil {
		t.Fatal(err)
	}
	regs := rat.Regressions()
	if len(regs) != 1 || regs[0].Key != (Key{"evented/threaded", "hello", 1000, metrics.KindClosed}) || !regs[0].Ratio ||
		math.Abs(regs[0].Base-2.75) > 1e-9 || math.Abs(regs[0].New-1.925) > 1e-9 {
		t.Fatalf("ratio regressions %v, want evented/threaded hello c=1000 2.75 → 1.925", regs)
	}
}

func TestMarkdownNamesRegressions(t *testing.T) {
	base := twoServers()
	cur := twoServers()
	cur[1].RPS = 30000 // threaded c=1000: −25%
	cur[2].ClientBound = true
	rep, err := Compare(base, cur, Options{Mode: Absolute})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := rep.WriteMarkdown(&b, "base.csv", "new.csv"); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"4 matched, 0 only in base, 0 only in new",
		"| server | scenario | level | rps | p99_us | rss_peak_kb |",
		"| threaded | hello | c=1000 | 40000 → 30000 (−25.0%) **REGRESSION** |",
		"| evented | hello | c=10 † |",
		"## Regressions: 1\n\n- threaded hello c=1000: rps 40000 → 30000 (−25.0%)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "## Ratios") {
		t.Error("Absolute mode wrote a ratio table")
	}
}

func TestParseThreshold(t *testing.T) {
	for in, want := range map[string]float64{"10%": 0.10, "0.1": 0.10, "2.5%": 0.025, "1": 1, "150%": 1.5} {
		if got, err := ParseThreshold(in); err != nil || math.Abs(got-want) > 1e-12 {
			t.Errorf("ParseThreshold(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"10", "-5%", "0", "0%", "abc", "", "NaN", "Inf%"} {
		if _, err := ParseThreshold(in); !errors.Is(err, ErrThreshold) {
			t.Errorf("ParseThreshold(%q): err %v, want ErrThreshold", in, err)
		}
	}
}

func TestParseMetricsAndMode(t *testing.T) {
	ms, err := ParseMetrics("rps, p99_us,rps")
	if err != nil || len(ms) != 2 || !ms[0].HigherIsBetter || ms[1].HigherIsBetter {
		t.Errorf("ParseMetrics: %v, %v; want rps (higher better) and p99_us", ms, err)
	}
	if _, err := ParseMetrics("rps,bogus"); !errors.Is(err, ErrMetric) {
		t.Errorf("unknown metric: err %v, want ErrMetric", err)
	}
	if m, err := ParseMode("ratios"); err != nil || m != Ratios {
		t.Errorf("ParseMode(ratios) = %v, %v", m, err)
	}
	if _, err := ParseMode("relative"); !errors.Is(err, ErrMode) {
		t.Errorf("unknown mode: err %v, want ErrMode", err)
	}
}

func TestRatiosNeedTheReference(t *testing.T) {
	rows := []metrics.SummaryRow{hello("evented", 10, 1, 1, 1), hello("goroutine", 10, 1, 1, 1)}
	rep, err := Compare(rows, rows, Options{Mode: Ratios})
	if !errors.Is(err, ErrNoOverlap) || rep.Matched != 2 || !strings.Contains(err.Error(), "no ratio against nginx") {
		t.Fatalf("err %v, matched %d; want ErrNoOverlap naming the missing reference", err, rep.Matched)
	}
	if _, err := Compare(rows, rows, Options{Mode: Ratios, Reference: "evented"}); err != nil {
		t.Fatalf("reference evented: %v", err)
	}
}

// TestNothingMeasuredIsAFailure: a latency or memory that falls to 0 is a step that measured
// nothing, not an improvement; errors are compared by their share of the requests.
func TestNothingMeasuredIsAFailure(t *testing.T) {
	base := []metrics.SummaryRow{hello("evented", 10, 1000, 400, 9000)}
	cur := []metrics.SummaryRow{hello("evented", 10, 1000, 0, 0)}
	rep, err := Compare(base, cur, Options{Mode: Absolute, Metrics: mustMetrics(t, "p99_us,rss_peak_kb")})
	if err != nil {
		t.Fatal(err)
	}
	regs := rep.Regressions()
	if len(regs) != 2 || !regs[0].Vanished || !strings.Contains(regs[0].String(), "nothing measured") {
		t.Errorf("regressions %v: want p99 and RSS that fell to 0 named as failures", regs)
	}
	failing := hello("evented", 10, 1000, 400, 9000)
	failing.Requests, failing.Errors = 9700, 300
	rep, _ = Compare(base, []metrics.SummaryRow{failing}, Options{Mode: Absolute, Metrics: mustMetrics(t, "errors")})
	if regs := rep.Regressions(); len(regs) != 1 || !strings.Contains(regs[0].String(), "failed requests 0.00% → 3.00%") {
		t.Errorf("errors 0 → 3%%: %v", regs)
	}
	failing.Errors = 50 // 0.5 %: within ErrorsAbsolute
	rep, _ = Compare(base, []metrics.SummaryRow{failing}, Options{Mode: Absolute, Metrics: mustMetrics(t, "errors")})
	if regs := rep.Regressions(); len(regs) != 0 {
		t.Errorf("errors 0 → 0.5%%: %v, want none", regs)
	}
}

// TestAbsentServersToldApart: a server the new run left out with a reason (its run.json)
// is said to be left out, with the reason; one with no row and no reason is missing.
func TestAbsentServersToldApart(t *testing.T) {
	base := append(twoServers(), hello("cthreads", 10, 90000, 300, 5000), hello("nginx", 10, 150000, 200, 3000),
		hello("node", 10, 50000, 300, 9000))
	rep, err := Compare(base, twoServers(), Options{Reference: "threaded", LeftOut: map[string]string{"cthreads": "gcc is not installed"},
		Planned: map[string]bool{"threaded": true, "evented": true, "nginx": true}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"cthreads (left out of the new run: gcc is not installed)",
		"nginx (missing from the new run: planned, or no run.json to say, and no row)",
		"node (not planned in the new run: its suite or --models did not ask for it)"}
	if strings.Join(rep.Absent, "|") != strings.Join(want, "|") {
		t.Errorf("absent %q, want %q", rep.Absent, want)
	}
	var b bytes.Buffer
	if err := rep.WriteMarkdown(&b, "a", "b"); err != nil || !strings.Contains(b.String(), "Servers only in the base run: cthreads (left out") {
		t.Errorf("markdown: %v\n%s", err, b.String())
	}
}
