package claims

import (
	"slices"
	"strconv"

	"github.com/aclements/go-moremath/stats"
	"gonum.org/v1/gonum/stat"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// series is the rows of one server in one scenario that carry the figure a claim reads
// (a row whose sampler recorded nothing is left out rather than read as 0).
type series []metrics.SummaryRow

func rowsOf(rows []metrics.SummaryRow, server, scenario string, has func(metrics.SummaryRow) float64) series {
	var out series
	for _, r := range rows {
		if r.Server == server && r.Scenario == scenario && has(r) > 0 {
			out = append(out, r)
		}
	}
	return out
}

// levels is the distinct levels of s, ascending.
func (s series) levels() []float64 {
	var lv []float64
	for _, r := range s {
		if !slices.Contains(lv, r.Level()) {
			lv = append(lv, r.Level())
		}
	}
	slices.Sort(lv)
	return lv
}

// at is the median of f over the rows at level (its repeats), NaN when there are none.
func (s series) at(level float64, f func(metrics.SummaryRow) float64) float64 {
	var xs []float64
	for _, r := range s {
		if r.Level() == level {
			xs = append(xs, f(r))
		}
	}
	return stats.Sample{Xs: xs}.Quantile(0.5)
}

// only is the rows of s at level.
func (s series) only(level float64) series {
	var out series
	for _, r := range s {
		if r.Level() == level {
			out = append(out, r)
		}
	}
	return out
}

// clientBound reports whether a row at level was flagged client-bound.
func (s series) clientBound(level float64) bool {
	for _, r := range s {
		if r.Level() == level && r.ClientBound {
			return true
		}
	}
	return false
}

// topCommon is the highest level present in both a and b.
func topCommon(a, b series) (float64, bool) {
	bl := b.levels()
	al := a.levels()
	for i := len(al) - 1; i >= 0; i-- {
		if slices.Contains(bl, al[i]) {
			return al[i], true
		}
	}
	return 0, false
}

// span is "lo..hi" of the levels, or the one level.
func span(lv []float64) string {
	if len(lv) == 1 {
		return fmtNum(lv[0])
	}
	return fmtNum(lv[0]) + ".." + fmtNum(lv[len(lv)-1])
}

func fmtNum(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// slope is the least-squares slope of ys against xs.
func slope(xs, ys []float64) float64 {
	_, beta := stat.LinearRegression(xs, ys, nil, false)
	return beta
}

func rps(r metrics.SummaryRow) float64     { return r.RPS }
func p99(r metrics.SummaryRow) float64     { return r.P99us }
func rssKB(r metrics.SummaryRow) float64   { return float64(r.MemoryKB()) } // PSS where read
func threads(r metrics.SummaryRow) float64 { return float64(r.ThreadsPeak) }

// levelText is how the level reads in a claim line: "c = 20", "2000 req/s offered".
func (s series) levelText(level float64) string {
	if at := s.only(level); len(at) > 0 {
		return at[0].LevelText()
	}
	return strconv.FormatFloat(level, 'f', -1, 64)
}
