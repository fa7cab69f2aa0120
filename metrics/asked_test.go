package metrics

import "testing"

// TestAskedLevelOfAnOpenRow: the share an open row was offered reads as the suite wrote
// it, however the whole-req/s rounding of the offered rate, or the requests due in its
// window, moved the quotient (1624 of 162349 over 3 s: a CI run's hol rows).
func TestAskedLevelOfAnOpenRow(t *testing.T) {
	for _, tc := range []struct {
		offered, probe, window, want float64
	}{{150, 15050, 0, 0.01}, {2784, 278402, 0, 0.01}, {1250, 10000, 0, 0.125}, {4242, 8484, 0, 0.5}, {10181, 8484, 0, 1.2}, {333, 1000, 0, 0.333},
		{1624, 162349, 3, 0.01}, {1624, 162349, 0, 0.010003}} {
		r := SummaryRow{Kind: KindOpen, OfferedRPS: tc.offered, ReferenceRPS: tc.probe, DurationS: tc.window}
		if got := r.AskedLevel(); got != tc.want {
			t.Errorf("%v of %v: %v, want %v", tc.offered, tc.probe, got, tc.want)
		}
	}
}
