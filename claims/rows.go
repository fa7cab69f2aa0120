package claims

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/aclements/go-moremath/stats"
	"gonum.org/v1/gonum/stat"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// figure is what a claim reads off a row, with its column's name; a row where it is 0
// did not measure it.
type figure struct {
	name string
	of   func(metrics.SummaryRow) float64
}

var (
	rps     = figure{"rps", func(r metrics.SummaryRow) float64 { return r.RPS }}
	p99     = figure{"p99_us", func(r metrics.SummaryRow) float64 { return r.P99us }}
	memKB   = figure{"pss_peak_kb", func(r metrics.SummaryRow) float64 { return float64(r.MemoryKB()) }} // PSS where read, else RSS
	threads = figure{"threads_peak", func(r metrics.SummaryRow) float64 { return float64(r.ThreadsPeak) }}
	cpuReq  = figure{"cpu_us_per_req", func(r metrics.SummaryRow) float64 { return r.CPUUsPerReq }}
)

// series is every row of one server in one scenario, those that measured nothing too: a
// claim that reads such a row says so (UNRELIABLE) instead of moving to another level.
type series []metrics.SummaryRow

func rowsOf(rows []metrics.SummaryRow, server, scenario string) series {
	var out series
	for _, r := range rows {
		if r.Server == server && r.Scenario == scenario {
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

// top is the highest level of s.
func (s series) top() float64 { return s.levels()[len(s.levels())-1] }

// at is the median of f over the rows at level (its repeats), NaN when there are none.
func (s series) at(level float64, f figure) float64 {
	var xs []float64
	for _, r := range s {
		if r.Level() == level {
			xs = append(xs, f.of(r))
		}
	}
	return stats.Sample{Xs: xs}.Quantile(0.5)
}

// span is the lowest and the highest of f over the rows of s (its repeats).
func (s series) span(f figure) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, r := range s {
		lo, hi = math.Min(lo, f.of(r)), math.Max(hi, f.of(r))
	}
	return lo, hi
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

// levelAt is the level a claim about several servers reads: the highest level every one
// of them has a row at; note says so when that is not the highest level any of them ran
// (the level the claim names), and which server lacks it.
func levelAt(ss ...series) (level float64, note string, ok bool) {
	var top float64
	var all []float64
	for i, s := range ss {
		lv := s.levels()
		top = max(top, lv[len(lv)-1])
		if i == 0 {
			all = lv
			continue
		}
		all = slices.DeleteFunc(all, func(l float64) bool { return !slices.Contains(lv, l) })
	}
	if len(all) == 0 {
		return 0, "", false
	}
	level = all[len(all)-1]
	if level != top {
		var lacking string
		var topText string
		for _, s := range ss {
			if !slices.Contains(s.levels(), top) && lacking == "" {
				lacking = s[0].Server
			} else if slices.Contains(s.levels(), top) {
				topText = s.levelText(top)
			}
		}
		note = fmt.Sprintf("; read at %s, not at the top level %s: %s has no row there", ss[0].levelText(level), topText, lacking)
	}
	return level, note, true
}

// levelText is how the level reads in a claim line: "c = 20", "2000 req/s offered".
func (s series) levelText(level float64) string {
	if at := s.only(level); len(at) > 0 {
		return at[0].LevelText()
	}
	return strconv.FormatFloat(level, 'f', -1, 64)
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

// perConn is the least-squares slope of memory against the level (connections) over
// every row of s: the memory each connection costs. ok is false under 2 levels.
func perConn(s series) (float64, bool) {
	if len(s.levels()) < 2 {
		return 0, false
	}
	xs, ys := make([]float64, len(s)), make([]float64, len(s))
	for i, r := range s {
		xs[i], ys[i] = r.Level(), memKB.of(r)
	}
	return slope(xs, ys), true
}
