//go:build slowdown

package servers

// A build for the CI gate's own test only (go build -tags slowdown): a real regression of
// a known size, measured rather than doctored. With BENCH_SLOWDOWN=0.15 in its
// environment, the models named in BENCH_SLOWDOWN_MODELS (comma-separated; "all" for
// every one) spin, every 64 responses, until they have spun 15 % of the CPU they spent on
// everything else, so each model is 15 % costlier per request at every level, whatever
// its own cost there. Real servers and the load generator are untouched. To measure it:
//
//	go build -tags slowdown -o bin/bench-slow ./cmd/bench
//	BENCH_SLOWDOWN=0.15 BENCH_SLOWDOWN_MODELS=goroutine bin/bench-slow run --quick --out DIR
//	bin/bench compare --gate results/baseline-quick DIR

import (
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

var (
	slowShare float64      // the share of its own CPU a response adds (0: off)
	slowCount atomic.Int64 // responses since start
	slowMu    sync.Mutex   // one accounting at a time
	slowStart int64        // process CPU time (ns) at start
	slowSpun  int64        // CPU time (ns) spun so far, over every thread
)

// slowEvery is how many responses share one accounting: reading the process's CPU clock
// is a system call, which per response would add a cost of its own beside the spin.
const slowEvery = 64

func init() {
	share, _ := strconv.ParseFloat(os.Getenv("BENCH_SLOWDOWN"), 64)
	models := strings.Split(os.Getenv("BENCH_SLOWDOWN_MODELS"), ",")
	if share <= 0 || len(os.Args) < 2 || os.Args[1] != "serve" {
		return
	}
	if slices.Contains(models, "all") || slices.Contains(models, modelArg(os.Args[2:])) {
		slowShare = share
		slowStart = cpuClock(unix.CLOCK_PROCESS_CPUTIME_ID)
	}
}

// modelArg is the --model of a bench serve command line.
func modelArg(args []string) string {
	for i, a := range args {
		if v, ok := strings.CutPrefix(strings.TrimLeft(a, "-"), "model="); ok {
			return v
		}
		if strings.TrimLeft(a, "-") == "model" && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

// cpuClock reads a CPU-time clock (the process's or the calling thread's), in ns.
func cpuClock(clock int32) int64 {
	var ts unix.Timespec
	if unix.ClockGettime(clock, &ts) != nil {
		return 0
	}
	return ts.Nano()
}

// slowdown spins, every slowEvery responses, until the process has spun slowShare of
// the CPU it spent on everything else since it started (a response whose turn comes
// while another accounts skips it; the next one charges its CPU). The spin is timed on
// the spinning thread's own CPU clock, on a locked thread: the process's clock also
// advances with the other threads' work during the spin (a thread per connection
// time-sliced beside it), which would end the spin early.
func slowdown() {
	if slowShare == 0 || slowCount.Add(1)%slowEvery != 0 || !slowMu.TryLock() {
		return
	}
	defer slowMu.Unlock()
	work := cpuClock(unix.CLOCK_PROCESS_CPUTIME_ID) - slowStart - slowSpun
	owed := int64(float64(work)*slowShare) - slowSpun
	if owed <= 0 {
		return
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	from := cpuClock(unix.CLOCK_THREAD_CPUTIME_ID)
	spun := int64(0)
	for spun < owed {
		spun = cpuClock(unix.CLOCK_THREAD_CPUTIME_ID) - from
	}
	slowSpun += spun
}
