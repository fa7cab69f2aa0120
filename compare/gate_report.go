package compare

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// WriteMarkdown writes the gate's verdict: one line per Go model and figure (the
// geometric means of both runs, the cost: the median of the ratios over every pair of
// repeats at every level, the level that moved most), then the points the new run did not
// measure.
func (g *GateReport) WriteMarkdown(w io.Writer, baseName, newName string) error {
	verdict := "PASS"
	if g.Failed() {
		verdict = "FAIL"
	}
	fmt.Fprintf(w, "# Gate: %s against %s — %s\n\n", newName, baseName, verdict)
	fmt.Fprintf(w, "Each Go model's figures as ratios to the references measured in the same run "+
		"(req/s only where the server was the limit in every repeat of both runs; hol's p99 over one burn, "+
		"judged by its rise in burns); base and new are geometric means of each level's median over its repeats, "+
		"and cost is the median of new over base for every repeat of new against every repeat of base at every level "+
		"(one level or one window that moved alone cannot decide), oriented so that above 1 is worse; a figure fails "+
		"above its limit (compare.GateThreshold, CapacityThreshold and HolMaxRise say why each is what it is); a cost "+
		"per request above %.2f from one run is not enough to pass on, and scripts/gate.sh measures it again before "+
		"it decides (compare.ScreenThreshold).\n\n", 1+ScreenThreshold)
	fmt.Fprintf(w, "| model | figure | levels | base | new | cost | limit | most moved | verdict |\n|---|---|--:|--:|--:|--:|--:|---|---|\n")
	for _, f := range g.Figures {
		v := "ok"
		switch {
		case f.Fail:
			v = "**FAIL**"
		case f.Screened:
			v = "ok (above the screen)"
		}
		cost, limit := strconv.FormatFloat(f.Cost, 'f', 3, 64), strconv.FormatFloat(1+f.Limit, 'f', 2, 64)
		if f.Rise {
			cost, limit = strconv.FormatFloat(f.Cost, 'f', 3, 64)+" (rise)", "+"+sig(f.Limit)
		}
		fmt.Fprintf(w, "| %s | %s | %d | %s | %s | %s | %s | %s | %s |\n", f.Model, f.Figure, f.Points,
			sig(f.Base), sig(f.New), cost, limit, f.Worst, v)
	}
	if len(g.Missing) > 0 {
		fmt.Fprintf(w, "\nPlanned by both runs, not as planned in the new one (each fails the gate):\n\n")
		for _, m := range g.Missing {
			fmt.Fprintf(w, "- %s\n", m)
		}
	}
	if len(g.Unjudged) > 0 {
		fmt.Fprintf(w, "\nGo models of the new run no figure judged, the base run having no row of them (each fails the gate): %s\n",
			strings.Join(g.Unjudged, ", "))
	}
	if len(g.Failures) > 0 {
		fmt.Fprintf(w, "\nMore failed requests (each fails the gate):\n\n")
		for _, m := range g.Failures {
			fmt.Fprintf(w, "- %s\n", m)
		}
	}
	_, err := fmt.Fprintln(w)
	return err
}

func sig(x float64) string { return strconv.FormatFloat(x, 'g', 4, 64) }
