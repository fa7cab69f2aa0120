package claims

import (
	"strings"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// selector picks the scenarios a claim is about from what the rows say of them (kind,
// path, background), never from their names. what describes them for a SKIP line.
type selector struct {
	what string
	ok   func(metrics.SummaryRow) bool
}

var (
	// idleSweeps: memory against idle keep-alive connections (C10K).
	idleSweeps = selector{"idle (kind idle)", func(r metrics.SummaryRow) bool { return r.Kind == metrics.KindIdle }}
	// cheapSweeps: closed sweeps over concurrency on a request that costs nothing (/hello, /).
	cheapSweeps = selector{"closed sweep on /hello", func(r metrics.SummaryRow) bool {
		return r.Kind == metrics.KindClosed && !r.HasBackground() && (pathOnly(r.Path) == "/hello" || pathOnly(r.Path) == "/")
	}}
	// ioSweeps: closed sweeps on /io, where each request waits as for a database.
	ioSweeps = selector{"closed sweep on /io", func(r metrics.SummaryRow) bool {
		return r.Kind == metrics.KindClosed && !r.HasBackground() && pathOnly(r.Path) == "/io"
	}}
	// holScenarios: an open load beside a background of burns (head-of-line blocking).
	// Open, because the claims' formula is of requests arriving at random times: a closed
	// foreground stalls with the loop and sends nothing meanwhile (coordinated omission).
	holScenarios = selector{"open load beside a background of CPU burns (head-of-line blocking)", func(r metrics.SummaryRow) bool {
		return r.Kind == metrics.KindOpen && r.HasBackground() && burnUs(r) > 0
	}}
)

func pathOnly(p string) string {
	p, _, _ = strings.Cut(p, "?")
	return p
}

// scenarios lists, in run order, the scenarios of rows that sel picks.
func (sel selector) scenarios(rows []metrics.SummaryRow) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range rows {
		if !seen[r.Scenario] && sel.ok(r) {
			out = append(out, r.Scenario)
		}
		seen[r.Scenario] = seen[r.Scenario] || sel.ok(r)
	}
	return out
}

// each runs one check per scenario sel picks, or gives one SKIP naming what is missing.
func (sel selector) each(run Run, claim string, check func(scenario string) Result) []Result {
	return sel.eachN(run, claim, func(scenario string) []Result { return []Result{check(scenario)} })
}

// eachN is each for a check that gives several results for one scenario.
func (sel selector) eachN(run Run, claim string, check func(scenario string) []Result) []Result {
	names := sel.scenarios(run.Rows)
	if len(names) == 0 {
		return []Result{skip(claim, "no %s scenario in the run", sel.what)}
	}
	var out []Result
	for _, n := range names {
		out = append(out, check(n)...)
	}
	return out
}
