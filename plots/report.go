package plots

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// WriteReport writes report.md: how the run was made, every chart (or why it was not
// drawn) and the summary table of medians over repeats.
func WriteReport(w io.Writer, d *Data, outcomes []Outcome) error {
	bw := bufio.NewWriter(w)
	rows := d.Summary
	runID := mostCommon(rows, func(r metrics.SummaryRow) string { return r.RunID })
	if runID == "" {
		runID = "(no id)"
	}
	fmt.Fprintf(bw, "# Run %s: threads vs event loop\n\n%s\n\n", md(runID), md(Caption(rows)))
	writeHowRun(bw, paletteOf(d), rows, d.Manifest)
	writeSettings(bw, d.Manifest, rows)
	writeGlance(bw, paletteOf(d), scenariosOf(rows), aggregateIn(paletteOf(d), measured(rows)))
	fmt.Fprintf(bw, "## Charts\n\n")
	for _, o := range outcomes {
		fmt.Fprintf(bw, "### %s\n\n", md(o.Title))
		if o.Skipped != "" {
			fmt.Fprintf(bw, "_Not drawn: %s._\n\n", md(o.Skipped))
			continue
		}
		fmt.Fprintf(bw, "![%s](%s)\n\n", md(o.Title), o.File)
	}
	writeTable(bw, aggregateIn(paletteOf(d), rows))
	for _, warn := range d.Warnings {
		fmt.Fprintf(bw, "\nSkipped file: %s\n", md(warn))
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("plots: write report: %w", err)
	}
	return nil
}

func writeHowRun(w io.Writer, pal palette, rows []metrics.SummaryRow, m *metrics.RunManifest) {
	fmt.Fprintf(w, "## How it was run\n\n")
	start := rows[0].StartedAt
	for _, r := range rows {
		if r.StartedAt.Before(start) {
			start = r.StartedAt
		}
	}
	if !start.IsZero() {
		fmt.Fprintf(w, "- Started %s.\n", start.UTC().Format(time.DateTime+" MST"))
	}
	fmt.Fprintf(w, "- Host: %s. %s.\n", plural(rows[0].HostCPUs, "CPU"), pinningText(rows))
	fmt.Fprintf(w, "- Servers: %s.\n", serversText(pal, rows))
	fmt.Fprintf(w, "- Each value is the median over a point's repeats. Every point says who limited it "+
		"(bound): the server (its CPU at ≥ 90 %% of its CPUs, or, open model, the offered rate held back "+
		"because every worker of the load generator was waiting on it), the client (its CPU at ≥ 90 %% of "+
		"its CPUs), both, or neither. In every chart a point is filled when the server or neither was the "+
		"limit, hollow when the client was (its figure may be the load generator's, not the server's), "+
		"tinted when both were; the table marks them * (client) and ** (both).\n")
	fmt.Fprintf(w, "- Open-model latencies count every request from its scheduled send time, failed ones "+
		"included at the time they were given up (a timeout at ≥ the timeout), as wrk2 does.\n")
	writeCoverage(w, m, rows)
	if n := len(rows) - len(measured(rows)); n > 0 {
		fmt.Fprintf(w, "- %s measured no requests (the server died or never started; see the notes): "+
			"left out of the charts, kept in the summary table.\n", plural(n, "row"))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "| scenario | engine | load | levels | repeats | window |\n|---|---|---|---|---|---|\n")
	byScenario := map[string][]metrics.SummaryRow{}
	for _, r := range rows {
		byScenario[r.Scenario] = append(byScenario[r.Scenario], r)
	}
	for _, sc := range scenariosOf(rows) {
		g := byScenario[sc.Name]
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s s |\n", md(sc.Name),
			md(mostCommon(g, func(r metrics.SummaryRow) string { return r.Engine })),
			md(sc.what()), levelsList(sc, g),
			plain(maxRepeat(g)),
			plain(median(g, func(r metrics.SummaryRow) float64 { return r.DurationS })))
	}
	writeBounds(w, rows)
	writeNotes(w, rows)
	fmt.Fprintln(w)
}

// writeBounds says, per scenario, how many points the client (alone or with the server)
// limited: where the load generator, not the server, may have set the figure.
func writeBounds(w io.Writer, rows []metrics.SummaryRow) {
	fmt.Fprintf(w, "\n| scenario | points | server bound | client bound | both | neither |\n|---|--:|--:|--:|--:|--:|\n")
	aggs := Aggregate(measured(rows))
	for _, sc := range scenariosOf(rows) {
		count := map[metrics.Bound]int{}
		n := 0
		for _, a := range aggs {
			if a.Scenario == sc.Name {
				count[a.Bound]++
				n++
			}
		}
		fmt.Fprintf(w, "| %s | %d | %d | %d | %d | %d |\n", md(sc.Name), n, count[metrics.BoundServer],
			count[metrics.BoundClient], count[metrics.BoundBoth], count[metrics.BoundNeither]+count[""])
	}
}

func maxRepeat(rows []metrics.SummaryRow) float64 {
	n := 1
	for _, r := range rows {
		n = max(n, r.Repeat)
	}
	return float64(n)
}

func pinningText(rows []metrics.SummaryRow) string {
	srv := mostCommon(rows, func(r metrics.SummaryRow) string { return r.ServerCPUs })
	cli := mostCommon(rows, func(r metrics.SummaryRow) string { return r.ClientCPUs })
	if srv == "" {
		return "No CPU pinning recorded"
	}
	s := "Server pinned to " + cpuList(srv)
	if cli != "" {
		s += ", load generator to " + cpuList(cli)
	}
	return s
}

// serversText lists the servers with their design, GOMAXPROCS and the size of their
// answer to GET /hello, e.g. "threaded (threads, GOMAXPROCS 1, /hello answer 139 bytes)",
// so a reader sees that the contestants send comparable bytes.
func serversText(pal palette, rows []metrics.SummaryRow) string {
	by := map[string][]metrics.SummaryRow{}
	var names []string
	for _, r := range rows {
		if by[r.Server] == nil {
			names = append(names, r.Server)
		}
		by[r.Server] = append(by[r.Server], r)
	}
	var parts []string
	for _, s := range pal.order(names) {
		g := by[s]
		var what []string
		if d := mostCommon(g, func(r metrics.SummaryRow) string { return r.Design }); d != "" {
			what = append(what, d)
		}
		procs := mostCommon(g, func(r metrics.SummaryRow) string { return strconv.Itoa(r.GoMaxProcs) })
		if procs == "0" || procs == "" {
			what = append(what, "not a Go server")
		} else {
			what = append(what, "GOMAXPROCS "+procs)
		}
		if b := mostCommon(g, func(r metrics.SummaryRow) string { return strconv.Itoa(r.HelloBytes) }); b != "0" && b != "" {
			what = append(what, "/hello answer "+b+" bytes")
		}
		parts = append(parts, md(s)+" ("+strings.Join(what, ", ")+")")
	}
	return strings.Join(parts, ", ")
}

func levelsList(sc scenario, rows []metrics.SummaryRow) string {
	set := map[float64]bool{}
	for _, r := range rows {
		set[r.Level()] = true
	}
	var ls []float64
	for l := range set {
		ls = append(ls, l)
	}
	sort.Float64s(ls)
	parts := make([]string, len(ls))
	for i, l := range ls {
		parts[i] = plain(l)
	}
	return sc.Kind.LevelName() + " = " + strings.Join(parts, ", ")
}

// writeNotes lists the distinct notes the run recorded (clamped levels, warnings).
func writeNotes(w io.Writer, rows []metrics.SummaryRow) {
	seen := map[string]bool{}
	var notes []string
	for _, r := range rows {
		if r.Note == "" {
			continue
		}
		n := fmt.Sprintf("%s, %s %s: %s", r.Server, r.Scenario, r.LevelText(), r.Note)
		if !seen[n] {
			seen[n] = true
			notes = append(notes, n)
		}
	}
	if len(notes) == 0 {
		return
	}
	fmt.Fprintf(w, "\nNotes recorded by the run:\n\n")
	for _, n := range notes {
		fmt.Fprintf(w, "- %s\n", md(n))
	}
}

func writeTable(w io.Writer, aggs []Agg) {
	fmt.Fprintf(w, "## Summary (median over repeats)\n\n")
	fmt.Fprintf(w, "With repeats, ±x %% is half the range (lowest to highest repeat) over the median.\n\n")
	fmt.Fprintf(w, "| server | scenario | level | req/s | p50 ms | p99 ms | CPU µs/req | RSS peak MB | threads | server CPU %% | client CPU %% | errors | repeats |\n")
	fmt.Fprintf(w, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, a := range aggs {
		mark := map[metrics.Bound]string{metrics.BoundClient: " *", metrics.BoundBoth: " **"}[a.Bound]
		fmt.Fprintf(w, "| %s | %s | %s | %.0f%s%s | %s | %s%s | %s%s | %.1f | %.0f | %.0f | %.0f | %.0f | %d |\n",
			md(a.Server), md(a.Scenario), plain(a.Level), a.RPS, mark, spreadText(a, aggRPS),
			plain(roundSig(a.P50us/1000, 3)), plain(roundSig(a.P99us/1000, 3)), spreadText(a, aggP99),
			plain(roundSig(a.CPUUsPerReq, 3)), spreadText(a, aggCPUReq),
			a.RSSPeakKB/1024, a.ThreadsPeak, a.ServerCPUPct, a.ClientCPUPct, a.Errors, a.Repeats)
	}
}

var (
	aggRPS    = func(a Agg) float64 { return a.RPS }
	aggP99    = func(a Agg) float64 { return a.P99us }
	aggCPUReq = func(a Agg) float64 { return a.CPUUsPerReq }
)

// spreadText is " ±x%": half the range of f over a's repeats, over its median; empty
// for a point measured once or a figure that is 0.
func spreadText(a Agg, f func(Agg) float64) string {
	lo, hi := a.Spread(f)
	if len(a.Each) < 2 || f(a) <= 0 {
		return ""
	}
	return " ±" + plain(roundSig(50*(hi-lo)/f(a), 2)) + "%"
}

// md makes s safe inside a Markdown table cell or line.
func md(s string) string {
	s = strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ").Replace(s)
	return s
}
