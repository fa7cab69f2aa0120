package plots

import (
	"strconv"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// scenario is what the rows say of one scenario: its name (an identifier, never read for
// meaning), its kind and its load. Every chart, title and report line is chosen from
// these values.
type scenario struct {
	Name          string
	Kind          metrics.Kind
	Path          string
	Active        int // idle: the connections under load beside the idle ones
	BgPath        string
	BgConcurrency int
	BgOfferedRPS  float64
	OfferedRPS    float64 // open: the most common offered rate
}

// foreground describes the measured load beside a background: "GET /hello at 2000 req/s"
// (open) or "GET /hello on 20 connections" (closed).
func (s scenario) foreground() string {
	if s.Kind == metrics.KindOpen {
		return metrics.Request(s.Path) + " at " + strconv.FormatFloat(s.OfferedRPS, 'f', -1, 64) + " req/s"
	}
	return metrics.Request(s.Path) + " on " + strconv.Itoa(s.Active) + " connections"
}

// background describes the background load: "GET /cpu?us=5000 at 100 req/s" (open) or
// "GET /cpu?us=5000 on 20 connections" (closed).
func (s scenario) background() string {
	if s.BgOfferedRPS > 0 {
		return metrics.Request(s.BgPath) + " at " + strconv.FormatFloat(s.BgOfferedRPS, 'f', -1, 64) + " req/s"
	}
	return metrics.Request(s.BgPath) + " on " + strconv.Itoa(s.BgConcurrency) + " connections"
}

// scenariosOf lists the scenarios of rows in run order (first appearance in summary.csv),
// each with the most common of its values.
func scenariosOf(rows []metrics.SummaryRow) []scenario {
	groups := map[string][]metrics.SummaryRow{}
	var names []string
	for _, r := range rows {
		if _, ok := groups[r.Scenario]; !ok {
			names = append(names, r.Scenario)
		}
		groups[r.Scenario] = append(groups[r.Scenario], r)
	}
	out := make([]scenario, len(names))
	for i, n := range names {
		g := groups[n]
		out[i] = scenario{
			Name:          n,
			Kind:          metrics.Kind(mostCommon(g, func(r metrics.SummaryRow) string { return string(r.Kind) })),
			Path:          mostCommon(g, func(r metrics.SummaryRow) string { return r.Path }),
			BgPath:        mostCommon(g, func(r metrics.SummaryRow) string { return r.BgPath }),
			Active:        atoi(mostCommon(g, func(r metrics.SummaryRow) string { return strconv.Itoa(r.Concurrency) })),
			BgConcurrency: atoi(mostCommon(g, func(r metrics.SummaryRow) string { return strconv.Itoa(r.BgConcurrency) })),
			BgOfferedRPS:  atof(mostCommon(g, func(r metrics.SummaryRow) string { return strconv.FormatFloat(r.BgOfferedRPS, 'f', -1, 64) })),
			OfferedRPS:    atof(mostCommon(g, func(r metrics.SummaryRow) string { return strconv.FormatFloat(r.OfferedRPS, 'f', -1, 64) })),
		}
	}
	return out
}

func atof(s string) float64 {
	x, _ := strconv.ParseFloat(s, 64)
	return x
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// sweep reports whether the scenario is a closed sweep over concurrency (no background
// load): the seed's two graphs are drawn for it.
func (s scenario) sweep() bool { return s.Kind == metrics.KindClosed && s.BgPath == "" }

// what says what the scenario's load is, for report.md.
func (s scenario) what() string {
	req := metrics.Request(s.Path)
	switch {
	case s.Kind == metrics.KindIdle:
		return "idle keep-alive connections held open while " + strconv.Itoa(s.Active) + " connections load " + req
	case s.BgPath != "":
		return s.foreground() + " beside " + s.background() + " (head-of-line blocking)"
	case s.Kind == metrics.KindOpen:
		return req + " at a constant offered rate (open model, vegeta)"
	}
	return req + ", closed loop: c connections, one request in flight each"
}

// scenarioRanks maps each scenario name to its place in run order.
func scenarioRanks(rows []metrics.SummaryRow) map[string]int {
	rank := map[string]int{}
	for _, r := range rows {
		if _, ok := rank[r.Scenario]; !ok {
			rank[r.Scenario] = len(rank)
		}
	}
	return rank
}

// firstSweep is the first scenario, in run order, that is a closed sweep and for which
// has reports data; else the first for which it does; "" when none.
func firstSweep(scs []scenario, has func(name string) bool) string {
	for _, s := range scs {
		if s.sweep() && has(s.Name) {
			return s.Name
		}
	}
	for _, s := range scs {
		if has(s.Name) {
			return s.Name
		}
	}
	return ""
}

// realServers are the servers whose rows say they are not the suite's Go models: their
// usual GOMAXPROCS is 0 (nginx, Apache, Node.js, the C thread server).
func realServers(rows []metrics.SummaryRow) map[string]bool {
	by := map[string][]metrics.SummaryRow{}
	for _, r := range rows {
		by[r.Server] = append(by[r.Server], r)
	}
	out := map[string]bool{}
	for s, g := range by {
		out[s] = mostCommon(g, func(r metrics.SummaryRow) string { return strconv.Itoa(r.GoMaxProcs) }) == "0"
	}
	return out
}
