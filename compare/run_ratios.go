package compare

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// RunRatio is one server's median of one metric over its reference's, at one scenario
// and level of one run: a figure `bench compare --mode ratios` compares between runs.
type RunRatio struct {
	Key                  // Server is "SERVER/REF"
	Metric       string  // the metric's column
	Num, Den     float64 // the server's median and the reference's
	NumN, DenN   int     // their repeats
	Ratio        float64 // Num / Den
	ClientBounds [2]bool // some repeat of the server, of the reference, was client-bound
}

// RunRatios is every within-run ratio of one run: each server's median over the median
// of the first of opt.References with rows at its scenario and level, closed and idle
// rows only (open rows' offered rates are not the same load), in the report's order.
func RunRatios(rows []metrics.SummaryRow, opt Options) []RunRatio {
	return runRatios(groupRows(rows), opt)
}

func runRatios(g group, opt Options) []RunRatio {
	var keys []Key
	for k := range g.rows {
		if k.Kind != metrics.KindOpen {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, keyOrder(g.rank))
	var out []RunRatio
	for _, k := range keys {
		refName, ref, ok := g.reference(k, opt.References())
		if !ok || refName == k.Server {
			continue
		}
		for _, m := range opt.Metrics {
			num, den := median(values(g.rows[k], m)), median(values(ref, m))
			if m.Absolute > 0 || den == 0 {
				continue // a share has no meaningful ratio
			}
			out = append(out, RunRatio{Key: Key{k.Server + "/" + refName, k.Scenario, k.Level, k.Kind}, Metric: m.Name,
				Num: num, Den: den, NumN: len(g.rows[k]), DenN: len(ref), Ratio: num / den,
				ClientBounds: [2]bool{anyClientBound(g.rows[k]), anyClientBound(ref)}})
		}
	}
	return out
}

func anyClientBound(rows []metrics.SummaryRow) bool {
	return slices.ContainsFunc(rows, func(r metrics.SummaryRow) bool { return r.ClientBound })
}

// WriteRunRatios writes one run's ratios as Markdown: one line per server, scenario,
// level and metric, with the two medians divided and their repeats.
func WriteRunRatios(w io.Writer, name string, ratios []RunRatio, reference string) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# bench compare: ratios within %s\n\n", name)
	fmt.Fprintf(bw, "Each server's median over the median of the first of %s with rows at the same scenario and level;"+
		" n is the repeats behind each median. † marks a side with a client-bound repeat: its req/s is the load generator's limit.\n\n", reference)
	if len(ratios) == 0 {
		fmt.Fprintln(bw, "(no server beside a reference)")
		return bw.Flush()
	}
	fmt.Fprintln(bw, "| server/reference | scenario | level | metric | ratio | server | reference | n |")
	fmt.Fprintln(bw, "|---|---|---|---|--:|--:|--:|--:|")
	for _, r := range ratios {
		fmt.Fprintf(bw, "| %s | %s | %s | %s | %s | %s%s | %s%s | %d/%d |\n", r.Server, r.Scenario, r.LevelLabel(), r.Metric,
			strconv.FormatFloat(r.Ratio, 'g', 3, 64), strconv.FormatFloat(r.Num, 'g', 6, 64), dagger(r.ClientBounds[0]),
			strconv.FormatFloat(r.Den, 'g', 6, 64), dagger(r.ClientBounds[1]), r.NumN, r.DenN)
	}
	return bw.Flush()
}

func dagger(b bool) string {
	if b {
		return " †"
	}
	return ""
}
