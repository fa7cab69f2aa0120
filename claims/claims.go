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
	Unreliable               // the figure was read from rows with failed requests or no measurement
)

func (s Status) String() string { return [...]string{"PASS", "FAIL", "SKIP", "UNRELIABLE"}[s] }

// Result is one claim's verdict with its figure (or, for a SKIP, its reason).
type Result struct {
	Status Status
	Claim  string // what was checked, with the rows it was checked on
	Detail string // the figure against its bound, or why it was skipped
}

// String is the report line, e.g.
// "PASS  threaded RSS per connection (idle, 0..10000): 27.3 KB ≥ 10 KB".
func (r Result) String() string { return fmt.Sprintf("%s  %s: %s", r.Status, r.Claim, r.Detail) }

// The bounds of the claims.
const (
	ThreadedMinKBPerConn = 10.0 // a thread per connection costs at least this much RSS per connection
	EventedMaxKBPerConn  = 2.0  // an event loop costs at most this much
	TopHelloMinRatio     = 1.2  // evented req/s over the fastest thread server's at the top /hello level
	CPUPerReqMinRatio    = 1.3  // the thriftiest thread server's CPU per request over evented's there
	StallMinShare        = 0.8  // a single loop's p99 beside CPU work, as a share of one burn
	OffloadMinRatio      = 10.0 // a single loop's p99 beside CPU work over the same server's with the work offloaded
	EventedMaxIOThreads  = 10   // evented threads at /io, at every level
	ThreadsPerFDMin      = 0.85 // a thread server's threads over its connections' descriptors at /io
	OwnFDs               = 16   // descriptors a server holds besides its connections

	ApacheOverNginxMinMemory = 10.0 // Apache worker's memory per connection over nginx's (the seed's memory graph)
)

// A Claim checks one thing about a run: once for every scenario it applies to (chosen by
// kind, path and background, never by name), or one SKIP when none is in the run.
type Claim func(rows []metrics.SummaryRow) []Result

// All is every claim, in the order bench check prints them.
func All() []Claim {
	return []Claim{
		threadsRSSPerConn(idleSweeps, ThreadedMinKBPerConn), // not on sweeps: there the load connects faster than a thread server on one CPU accepts, so memory per swept connection is not memory per thread
		rssPerConn("evented", idleSweeps, atMost, EventedMaxKBPerConn),
		rssPerConn("evented", cheapSweeps, atMost, EventedMaxKBPerConn),
		topThroughput,
		topCPUPerRequest,
		stallsBehindBurn("evented"),
		stallsBehindBurn("node"),
		offloadSpares("node", "node-offload"),
		eventedIOThreads,
		threadedIOThreads,
		memoryRatio("apache-worker", "nginx", ApacheOverNginxMinMemory),
	}
}

// Check runs every claim on rows.
func Check(rows []metrics.SummaryRow) []Result {
	var out []Result
	for _, c := range All() {
		out = append(out, c(rows)...)
	}
	return out
}

// Count tallies results by status; an unreliable result counts with the skipped (it
// proves nothing either way).
func Count(results []Result) (pass, fail, skip int) {
	for _, r := range results {
		switch r.Status {
		case Pass:
			pass++
		case Fail:
			fail++
		case Skip, Unreliable:
			skip++
		}
	}
	return pass, fail, skip
}

// bound is a comparison against a claim's limit.
type bound struct {
	sym string
	ok  func(x, limit float64) bool
}

var (
	atLeast = bound{"≥", func(x, l float64) bool { return x >= l }}
	atMost  = bound{"≤", func(x, l float64) bool { return x <= l }}
)

// verdict states figure x against limit, each with its unit: "27.3 KB ≥ 10 KB" on a pass,
// "3.1 KB, want ≤ 2 KB" on a fail; extra follows the figure.
func verdict(claim string, b bound, x, limit float64, unit string, prec int, extra string) Result {
	fx := strconv.FormatFloat(x, 'f', prec, 64) + unit
	fl := strconv.FormatFloat(limit, 'f', -1, 64) + unit
	if b.ok(x, limit) {
		return Result{Pass, claim, fmt.Sprintf("%s %s %s%s", fx, b.sym, fl, extra)}
	}
	return Result{Fail, claim, fmt.Sprintf("%s, want %s %s%s", fx, b.sym, fl, extra)}
}

func skip(claim, format string, args ...any) Result {
	return Result{Skip, claim, fmt.Sprintf(format, args...)}
}
