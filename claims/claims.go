package claims

import (
	"fmt"
	"strconv"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// Status is a claim's verdict.
type Status int

const (
	Pass       Status = iota // the run shows the claim
	Fail                     // the run contradicts the claim
	Skip                     // the run lacks the rows the claim needs
	Unreliable               // a row the claim reads cannot carry it (failed requests, connections not up, a short background)
	NA                       // the claim's server was left out of the run with a reason: printed, not counted
)

func (s Status) String() string { return [...]string{"PASS", "FAIL", "SKIP", "UNRELIABLE", "N/A"}[s] }

// Result is one claim's verdict with its figure (or, for a SKIP, its reason).
type Result struct {
	Status Status
	Claim  string // what was checked, with the rows it was checked on
	Detail string // the figure against its bound, or why it was skipped
}

// String is the report line, e.g.
// "PASS  cthreads memory per connection (idle, 0..10000): 12.3 KB ≥ 4 KB".
func (r Result) String() string { return fmt.Sprintf("%s  %s: %s", r.Status, r.Claim, r.Detail) }

// The thresholds of the claims, each from the principle doc.go states beside it.
const (
	PageKB                  = 4.0  // a page: a thread touches at least one of its stack, a loop spends less per connection
	SwitchMinCPURatio       = 1.0  // the thread reference's cheapest round over the loop's dearest, CPU per request at the top /hello level: above it
	StallTolerance          = 0.10 // of a burn: how far a loop's p99 may fall under B(1 − 0.01/ρ)
	OffloadMaxBurnShare     = 0.25 // an offloading loop's p99, as a share of one burn, at most
	ThreadsPerConnMin       = 1.0  // a thread server's threads over its connections up, at /io
	LoopIOThreadsGrowth     = 2    // threads a loop's /io levels may add to its lowest's (a runtime thread for a blocking call)
	Seed2008Level           = 4000 // the 2008 graphs' top level (connections)
	Seed2008CPURatio        = 9.0 / 2.8
	Seed2008ApacheKBPerConn = (40.0 - 9.0) * 1000 / 4000   // KB per connection (MB read as 1000 KB: the lower floor)
	MaxFailedShare          = 0.01                         // failed requests a row may have
	BackgroundMinShare      = metrics.BackgroundShortShare // of its due requests a background must complete
	ForegroundMinShare      = metrics.RateShortShare       // of its due requests (and sent) a head-of-line foreground must complete
)

// Run is what a claim reads: the rows, the servers the run left out with a reason
// (run.json), which make a claim about them N/A rather than SKIP, and what the suite
// declared of each server: the roles the claims hold them in.
type Run struct {
	Rows    []metrics.SummaryRow
	LeftOut map[string]string // server → why
	Servers []metrics.ServerIdentity
}

// NewRun is rows with their run's run.json (the zero manifest when the run has none: the
// default suite's roles, metrics.LegacyIdentities, and nothing left out).
func NewRun(rows []metrics.SummaryRow, m metrics.RunManifest) Run {
	return Run{Rows: rows, LeftOut: metrics.LeftOutByServer(m.LeftOut), Servers: m.Identities()}
}

// A Claim checks one thing about a run: once for every scenario it applies to (chosen by
// kind, path and background, never by name) and for the servers that hold its roles.
type Claim func(run Run) []Result

// All is every claim, in the order bench check prints them.
func All() []Claim {
	return []Claim{
		threadMemory,
		loopMemory(loopContender, idleSweeps),
		loopMemory(loopContender, cheapSweeps),
		loopMemory(nginx2008, idleSweeps),
		topCPUPerRequest,
		stallsBehindBurn,
		sparedByBurns(burnsOffloaded),
		sparedByBurns(burnsTimeSliced),
		loopIOThreads,
		threadIOThreads,
		seed2008CPU,
		seed2008Memory,
		virtualMemory,
		virtualThreadsIdle,
	}
}

// Check runs every claim on run.
func Check(run Run) []Result {
	var out []Result
	for _, c := range All() {
		out = append(out, c(run)...)
	}
	return out
}

// Counts tallies results by status: an unreliable result counts with the skipped (it
// proves nothing either way); N/A is not counted with either.
type Counts struct{ Pass, Fail, Skip, NA int }

// Count tallies results.
func Count(results []Result) Counts {
	var c Counts
	for _, r := range results {
		switch r.Status {
		case Pass:
			c.Pass++
		case Fail:
			c.Fail++
		case Skip, Unreliable:
			c.Skip++
		case NA:
			c.NA++
		}
	}
	return c
}

// bound is a comparison against a claim's limit.
type bound struct {
	sym string
	ok  func(x, limit float64) bool
}

var (
	atLeast = bound{"≥", func(x, l float64) bool { return x >= l }}
	below   = bound{"<", func(x, l float64) bool { return x < l }}
	above   = bound{">", func(x, l float64) bool { return x > l }}
	atMost  = bound{"≤", func(x, l float64) bool { return x <= l }}
)

// verdict states figure x against limit, each with its unit: "12.3 KB ≥ 4 KB" on a pass,
// "3.1 KB, want ≤ 2 KB" on a fail; extra follows the figure.
func verdict(claim string, b bound, x, limit float64, unit string, prec int, extra string) Result {
	fx := strconv.FormatFloat(x, 'f', prec, 64) + unit
	fl := strconv.FormatFloat(limit, 'f', -1, 64) + unit
	if limit != float64(int64(limit)) {
		fl = strconv.FormatFloat(limit, 'g', 3, 64) + unit // 3.21 for 9.0/2.8, 7.75
	}
	if b.ok(x, limit) {
		return Result{Pass, claim, fmt.Sprintf("%s %s %s%s", fx, b.sym, fl, extra)}
	}
	return Result{Fail, claim, fmt.Sprintf("%s, want %s %s%s", fx, b.sym, fl, extra)}
}

func skip(claim, format string, args ...any) Result {
	return Result{Skip, claim, fmt.Sprintf(format, args...)}
}
