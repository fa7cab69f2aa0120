package compare

import (
	"math"
	"strconv"

	"github.com/aclements/go-moremath/stats"
)

// The significance test on repeated rows is benchstat's Mann–Whitney U test, which assumes
// no distribution, only that the runs are independent: go-moremath's, the one
// golang.org/x/perf/benchmath.AssumeNothing runs.
//
// benchmath asks it for the two-sided p directly, which doubles CDF(min(U1, U2)) under the
// distribution of U1. With ties and unequal repeat counts U1 and U2 are not distributed
// alike, and that p is wrong: [7 7 7 7 7 7 7 3] against [3 3] gives 0 where the exact p is
// 0.133. So the two-sided p here is twice the smaller of the two one-sided ones, each the
// lower tail of its own sample's U; it equals benchmath's whenever the counts are equal or
// nothing ties.

// uTest returns the two-sided p-value that a and b come from the same distribution; 1 when
// the test cannot tell them apart at all (every value equal, or a sample empty).
func uTest(a, b []float64) float64 {
	lo, err := stats.MannWhitneyUTest(a, b, stats.LocationLess) // a tends lower
	if err != nil {
		return 1
	}
	hi, err := stats.MannWhitneyUTest(b, a, stats.LocationLess) // b tends lower
	if err != nil {
		return 1
	}
	return roundP(math.Min(1, 2*math.Min(lo.P, hi.P)))
}

// roundP rounds p to 12 significant digits. The exact p is a ratio of counts worked out in
// floating point (2/20 can come back as 0.10000000000000002): rounded, a p that equals
// alpha compares equal to it, so "p ≤ alpha" holds at the boundary.
func roundP(p float64) float64 {
	r, err := strconv.ParseFloat(strconv.FormatFloat(p, 'g', 12, 64), 64)
	if err != nil {
		return p
	}
	return r
}

// canReach reports whether the U test can find a difference at alpha with n1 and n2 values
// at all: whether the most extreme outcome, two fully separated samples, gives p ≤ alpha.
func canReach(n1, n2 int, alpha float64) bool {
	if n1 < 1 || n2 < 1 {
		return false
	}
	a, b := make([]float64, n1), make([]float64, n2)
	for i := range a {
		a[i] = float64(i)
	}
	for i := range b {
		b[i] = float64(n1 + i)
	}
	return uTest(a, b) <= alpha
}

// median is the median of xs (NaN for none): every median the package takes.
func median(xs []float64) float64 { return stats.Sample{Xs: xs}.Quantile(0.5) }
