package compare

import (
	"slices"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// ratioSet is one run's within-run ratios: for each key "SERVER/REF" × scenario × level, the
// ratio of the medians of each metric (NaN-free: a metric whose reference is 0 is absent).
type ratioSet map[Key]map[string]float64

// ratios is one run's within-run ratios (runRatios) as a set, by key and metric.
func ratios(g group, opt Options) ratioSet {
	out := ratioSet{}
	for _, r := range runRatios(g, opt) {
		if out[r.Key] == nil {
			out[r.Key] = map[string]float64{}
		}
		out[r.Key][r.Metric] = r.Ratio
	}
	return out
}

// reference finds the first of refs with rows at k's scenario and level.
func (g group) reference(k Key, refs []string) (string, []metrics.SummaryRow, bool) {
	for _, name := range refs {
		if rows, ok := g.rows[Key{name, k.Scenario, k.Level, k.Kind}]; ok {
			return name, rows, true
		}
	}
	return "", nil, false
}

// compareRatios compares the ratios present in both runs, each as a single sample: the
// ratio is already a within-run figure, so its delta is taken as it is.
func (o Options) compareRatios(base, cur ratioSet, rank map[string]int) []Row {
	var keys []Key
	for k := range base {
		if _, ok := cur[k]; ok {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, keyOrder(rank))
	var rows []Row
	for _, k := range keys {
		row := Row{Key: k}
		for _, m := range o.Metrics {
			b, okb := base[k][m.Name]
			c, okc := cur[k][m.Name]
			if okb && okc {
				row.Cells = append(row.Cells, o.compareCell(m, []float64{b}, []float64{c}))
			}
		}
		if len(row.Cells) > 0 {
			rows = append(rows, row)
		}
	}
	return rows
}
