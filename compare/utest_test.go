package compare

import (
	"slices"
	"testing"
)

// TestCanReach pins when the U test is used at all: only with enough repeats a side for
// fully separated samples to reach alpha (4 a side at 0.05, 3 a side at 0.10); with fewer
// the bare delta decides.
func TestCanReach(t *testing.T) {
	for _, tc := range []struct {
		n1, n2 int
		alpha  float64
		want   bool
	}{
		{0, 5, 0.05, false},
		{1, 20, 0.05, false},
		{2, 2, 0.05, false},
		{3, 3, 0.05, false},
		{3, 4, 0.05, false}, // best p 2/35 ≈ 0.057
		{4, 3, 0.05, false},
		{3, 5, 0.05, true}, // best p 2/56 ≈ 0.036
		{4, 4, 0.05, true},
		{2, 7, 0.05, false}, // best p 2/36 ≈ 0.056
		{2, 8, 0.05, true},  // best p 2/45 ≈ 0.044
		{3, 3, 0.10, true},  // best p 2/20 = 0.10, reached exactly
		{4, 4, 0.01, false}, // best p 2/70 ≈ 0.029
		{5, 5, 0.01, true},  // best p 2/252 ≈ 0.008
	} {
		if got := canReach(tc.n1, tc.n2, tc.alpha); got != tc.want {
			t.Errorf("canReach(%d, %d, %v) = %v, want %v", tc.n1, tc.n2, tc.alpha, got, tc.want)
		}
	}
}

// TestUTestInputs: the caller's slices keep their order; samples the test cannot tell apart
// (all equal) give p 1; and p does not depend on which run is first, ties and unequal
// counts included (where benchmath's own two-sided p gives 0 for the pair below).
func TestUTestInputs(t *testing.T) {
	a, b := []float64{3, 1, 2, 5}, []float64{9, 7, 8, 6}
	ac, bc := slices.Clone(a), slices.Clone(b)
	if p := uTest(a, b); p > DefaultAlpha {
		t.Errorf("separated samples: p %v, want ≤ %v", p, DefaultAlpha)
	}
	if !slices.Equal(a, ac) || !slices.Equal(b, bc) {
		t.Errorf("uTest reordered its inputs: %v %v, were %v %v", a, b, ac, bc)
	}
	if p := uTest([]float64{5, 5, 5, 5}, []float64{5, 5, 5, 5}); p != 1 {
		t.Errorf("all-equal samples: p %v, want 1", p)
	}
	eight, two := []float64{7, 7, 7, 7, 7, 7, 7, 3}, []float64{3, 3}
	p, q := uTest(eight, two), uTest(two, eight)
	if p != q || p <= DefaultAlpha {
		t.Errorf("%v vs %v: p %v, swapped %v; want equal and above %v", eight, two, p, q, DefaultAlpha)
	}
}

// TestCellDecisions: how compareCell turns medians and the test into a verdict, in each
// metric's direction.
func TestCellDecisions(t *testing.T) {
	rps, p99 := Metric{Name: "rps", HigherIsBetter: true}, Metric{Name: "p99_us"}
	for _, tc := range []struct {
		name            string
		m               Metric
		alpha           float64
		base, cur       []float64
		tested, regress bool
	}{
		{"rps drop, separated, 4+4", rps, 0.05, []float64{100, 101, 102, 103}, []float64{80, 81, 82, 83}, true, true},
		{"rps rise, separated, 4+4", rps, 0.05, []float64{80, 81, 82, 83}, []float64{100, 101, 102, 103}, true, false},
		{"p99 rise, separated, 4+4", p99, 0.05, []float64{80, 81, 82, 83}, []float64{100, 101, 102, 103}, true, true},
		{"p99 rise, overlapping, 5+5", p99, 0.05, []float64{80, 90, 100, 110, 120}, []float64{60, 70, 115, 125, 130}, true, false},
		{"rps drop, 3+4: tested at 0.10", rps, 0.05, []float64{100, 101, 102}, []float64{80, 81, 82, 83}, true, true},
		{"rps drop, 3+5: tested", rps, 0.05, []float64{100, 101, 102}, []float64{80, 81, 82, 83, 84}, true, true},
		{"rps drop, 3+3 at alpha 0.10: tested", rps, 0.10, []float64{100, 101, 102}, []float64{80, 81, 82}, true, true},
		{"rps drop, 3+3 at alpha 0.05: tested at 0.10", rps, 0.05, []float64{100, 101, 102}, []float64{80, 81, 82}, true, true},
		{"rps drop, 3+3 overlapping: within the noise", rps, 0.05, []float64{80, 100, 102}, []float64{70, 81, 101}, true, false},
		{"rps drop, 2+2: delta decides", rps, 0.05, []float64{100, 101}, []float64{80, 81}, false, true},
		{"rps drop within threshold, separated", rps, 0.05, []float64{100, 101, 102, 103}, []float64{95, 96, 97, 98}, true, false},
		{"single rows: delta decides", rps, 0.05, []float64{100}, []float64{80}, false, true},
		// 2 vs 8 repeats can reach 0.05 (best p 2/45), but a 3 → 7 jump seen in only 7 of
		// 8 tied values is not significant (exact p 2/15).
		{"p99 rise, tied, 2+8", p99, 0.05, []float64{3, 3}, []float64{7, 7, 7, 7, 7, 7, 7, 3}, true, false},
		{"all equal", p99, 0.05, []float64{5, 5, 5, 5}, []float64{5, 5, 5, 5}, true, false},
	} {
		o := Options{Alpha: tc.alpha}.withDefaults()
		c := o.compareCell(tc.m, tc.base, tc.cur)
		if c.Tested != tc.tested || c.Regression != tc.regress {
			t.Errorf("%s: tested %v (p=%.3g), regression %v; want tested %v, regression %v",
				tc.name, c.Tested, c.P, c.Regression, tc.tested, tc.regress)
		}
		if !c.Tested && c.P != 1 {
			t.Errorf("%s: untested cell has p %v, want 1", tc.name, c.P)
		}
	}
}
