package metrics

import "testing"

// TestAskedLevelOfAnOpenRow: the share an open row was offered reads as the suite wrote
// it, however the whole-req/s rounding of the offered rate moved the quotient.
func TestAskedLevelOfAnOpenRow(t *testing.T) {
	for _, tc := range []struct {
		offered, probe, want float64
	}{{150, 15050, 0.01}, {2784, 278402, 0.01}, {1250, 10000, 0.125}, {4242, 8484, 0.5}, {10181, 8484, 1.2}, {333, 1000, 0.333}} {
		r := SummaryRow{Kind: KindOpen, OfferedRPS: tc.offered, ReferenceRPS: tc.probe}
		if got := r.AskedLevel(); got != tc.want {
			t.Errorf("%v of %v: %v, want %v", tc.offered, tc.probe, got, tc.want)
		}
	}
}
