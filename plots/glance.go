package plots

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"gonum.org/v1/gonum/stat"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// writeGlance writes the run at a glance: for every server, its req/s at each level of
// the first closed sweep of /hello, and the memory each idle connection costs it (the
// least-squares slope of its memory over the first idle scenario's idle connections).
// A figure the client limited is marked * (client) or ** (both), as in the table below.
func writeGlance(w io.Writer, pal palette, scs []scenario, aggs []Agg) {
	sweep, idle := "", ""
	for _, s := range scs {
		if sweep == "" && s.sweep() && metrics.Request(s.Path) == "GET /hello" {
			sweep = s.Name
		}
		if idle == "" && s.Kind == metrics.KindIdle {
			idle = s.Name
		}
	}
	if sweep == "" && idle == "" {
		return
	}
	var levels []float64
	var servers []string
	for _, a := range aggs {
		if a.Scenario == sweep && !slices.Contains(levels, a.Level) {
			levels = append(levels, a.Level)
		}
		if (a.Scenario == sweep || a.Scenario == idle) && !slices.Contains(servers, a.Server) {
			servers = append(servers, a.Server)
		}
	}
	slices.Sort(levels)
	fmt.Fprintf(w, "## At a glance\n\nreq/s on %s by concurrent connections, and memory per idle connection on %s "+
		"(slope of PSS, or RSS where PSS was not read, over the idle connections)\n\n| server |", md(orDash(sweep)), md(orDash(idle)))
	for _, l := range levels {
		fmt.Fprintf(w, " c=%s |", plain(l))
	}
	fmt.Fprintf(w, " KB per idle connection |\n|---|%s--:|\n", strings.Repeat("--:|", len(levels)))
	for _, srv := range pal.order(servers) {
		fmt.Fprintf(w, "| %s |", md(srv))
		for _, l := range levels {
			fmt.Fprintf(w, " %s |", glanceRPS(aggs, srv, sweep, l))
		}
		fmt.Fprintf(w, " %s |\n", perIdleConn(aggs, srv, idle))
	}
	fmt.Fprintln(w)
}

func glanceRPS(aggs []Agg, server, scenario string, level float64) string {
	for _, a := range aggs {
		if a.Server == server && a.Scenario == scenario && a.Level == level {
			mark := map[metrics.Bound]string{metrics.BoundClient: " *", metrics.BoundBoth: " **"}[a.Bound]
			if a.RPS >= 1000 {
				return fmt.Sprintf("%.1fk%s", a.RPS/1000, mark)
			}
			return fmt.Sprintf("%.0f%s", a.RPS, mark)
		}
	}
	return "–"
}

// perIdleConn is the least-squares slope of the server's memory over the idle scenario's
// levels, in KB per connection; "–" under two levels.
func perIdleConn(aggs []Agg, server, scenario string) string {
	var xs, ys []float64
	for _, a := range aggs {
		if a.Server == server && a.Scenario == scenario && a.MemoryKB > 0 {
			xs, ys = append(xs, a.Level), append(ys, a.MemoryKB)
		}
	}
	if len(xs) < 2 {
		return "–"
	}
	_, beta := stat.LinearRegression(xs, ys, nil, false)
	return fmt.Sprintf("%.1f", beta)
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}
