package compare

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// WriteMarkdown writes the report as Markdown: what was matched, a table of the absolute
// figures, a table of the ratios, and the list of regressions. baseName and newName label
// the two runs (file names, say).
func (r *Report) WriteMarkdown(w io.Writer, baseName, newName string) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# bench compare: %s → %s\n\n", baseName, newName)
	fmt.Fprintf(bw, "Rows matched on server × scenario × level: %d matched, %d only in base, %d only in new.",
		r.Matched, r.OnlyBase, r.OnlyNew)
	fmt.Fprint(bw, " Rate rows are matched by step index, not offered rate")
	if len(r.RateUnmatched) > 0 {
		fmt.Fprintf(bw, "; unmatched where the step counts differ: %s", strings.Join(r.RateUnmatched, ", "))
	}
	fmt.Fprint(bw, ".\n")
	if len(r.Absent) > 0 {
		fmt.Fprintf(bw, "\nServers only in the base run: %s.\n", strings.Join(r.Absent, "; "))
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(bw, "\n**Warning:** %s.\n", w)
	}
	fmt.Fprintf(bw, "\nA regression is a change for the worse beyond %s (req/s down; latency, memory, threads up).", threshold(r.Threshold))
	fmt.Fprintf(bw, " Cells are medians over repeats; with at least 4 repeats a side a change must also pass a"+
		" Mann–Whitney U test at p ≤ %g, with 3 against 3 at p ≤ %g (the least p it can give), with fewer the bare"+
		" delta decides; a change the test does not find is within the noise of the repeats.\n", r.Alpha, FewRepeatsAlpha)
	if r.Mode.absolute() {
		fmt.Fprint(bw, "\n## Absolute figures\n\n")
		r.table(bw, r.Rows, false, "server", "a row marked † was client-bound on one side: its req/s is the load generator's limit")
	}
	if r.Mode.ratios() {
		fmt.Fprintf(bw, "\n## Ratios within each run: each server over %s at the same scenario and level\n\n", r.Reference)
		fmt.Fprintf(bw, "A ratio regresses when the server loses ground against %s: it got worse, or %s got better."+
			" Rate rows have no ratio: their offered rates differ per server.\n\n", r.Reference, r.Reference)
		r.table(bw, r.Ratios, true, "ratio", "")
	}
	regs := r.Regressions()
	if len(regs) == 0 {
		fmt.Fprintf(bw, "\nNo regressions beyond %s.\n", threshold(r.Threshold))
	} else {
		fmt.Fprintf(bw, "\n## Regressions: %d\n\n", len(regs))
		for _, g := range regs {
			fmt.Fprintf(bw, "- %s\n", g)
		}
	}
	return bw.Flush()
}

func (r *Report) table(w io.Writer, rows []Row, ratio bool, first, footnote string) {
	if len(rows) == 0 {
		fmt.Fprintln(w, "(nothing in common)")
		return
	}
	head := []string{first, "scenario", "level"}
	for _, m := range r.Metrics {
		head = append(head, m.Name)
	}
	fmt.Fprintf(w, "| %s |\n|%s\n", strings.Join(head, " | "), strings.Repeat("---|", len(head)))
	bound := false
	for _, row := range rows {
		level := row.LevelLabel()
		if row.ClientBound {
			level += " †"
			bound = true
		}
		cells := []string{row.Server, row.Scenario, level}
		for _, m := range r.Metrics {
			cells = append(cells, cellText(row, m.Name, ratio))
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
	}
	if bound && footnote != "" {
		fmt.Fprintf(w, "\n† %s.\n", footnote)
	}
}

func cellText(row Row, metric string, ratio bool) string {
	for _, c := range row.Cells {
		if c.Metric != metric {
			continue
		}
		s := fmt.Sprintf("%s → %s (%s", format(c.Base, ratio), format(c.New, ratio), pct(c.Delta))
		switch {
		case c.Tested && c.P > c.Alpha:
			s += fmt.Sprintf(", p=%.2g, within the noise", c.P)
		case c.Tested:
			s += fmt.Sprintf(", p=%.2g", c.P)
		case c.N1 > 1 || c.N2 > 1:
			s += fmt.Sprintf(", n=%d+%d, untested", c.N1, c.N2)
		}
		s += ")"
		if c.Regression {
			s += " **REGRESSION**"
		}
		return s
	}
	return "–"
}

func format(x float64, ratio bool) string {
	if ratio {
		return ratioNum(x)
	}
	return num(x)
}

// ratioNum prints a ratio with three significant digits, trailing zeros kept: 1.00, 0.255.
func ratioNum(x float64) string {
	if math.IsNaN(x) || math.Abs(x) >= 100 {
		return num(x)
	}
	return fmt.Sprintf("%#.3g", x)
}

// num prints a figure with about three significant digits and no exponent.
func num(x float64) string {
	a := math.Abs(x)
	switch {
	case math.IsNaN(x):
		return "n/a"
	case a >= 100 || x == math.Trunc(x):
		return strconv.FormatFloat(x, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(x, 'f', 1, 64)
	case a >= 1:
		return strconv.FormatFloat(x, 'f', 2, 64)
	}
	return strconv.FormatFloat(x, 'g', 3, 64)
}

// pct prints a relative change with its sign, e.g. +12.5% or −3.0%.
func pct(x float64) string {
	switch {
	case math.IsNaN(x):
		return "n/a"
	case x < 0:
		return "−" + strconv.FormatFloat(-100*x, 'f', 1, 64) + "%"
	}
	return "+" + strconv.FormatFloat(100*x, 'f', 1, 64) + "%"
}

func threshold(t float64) string { return strconv.FormatFloat(100*t, 'g', 4, 64) + "%" }
