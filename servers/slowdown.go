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
	"sync/atomic"

	"golang.org/x/sys/unix"
)

var (
	slowShare   float64      // the share of its own CPU a response adds (0: off)
	slowCount   atomic.Int64 // responses since start
	slowStart   int64        // process CPU time (ns) at start
	slowClaimed atomic.Int64 // CPU time (ns) claimed by spins, begun or done
	slowSpun    atomic.Int64 // CPU time (ns) spun by spins that are done
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

// slowdown spins, every slowEvery responses, for what the process still owes: slowShare
// of the CPU it spent on everything else since it started, less what spins have already
// claimed. Each spin claims its part before it begins, so several threads spin at once
// and none waits for another: with one spin at a time, a thread per connection preempted
// mid-spin among a thousand runnable threads held the spin back for a whole scheduling
// period, and threaded at c = 1000 came out 2–4 % costlier instead of 15 %. The spin is
// timed on the spinning thread's own CPU clock, on a locked thread: the process's clock
// also advances with the other threads' work during the spin, which would end it early.
// CPU a spin in progress has burnt counts as work until it is done, so a claim can run
// ahead by a spin's worth; the next claims owe that much less.
func slowdown() {
	if slowShare == 0 || slowCount.Add(1)%slowEvery != 0 {
		return
	}
	work := cpuClock(unix.CLOCK_PROCESS_CPUTIME_ID) - slowStart - slowSpun.Load()
	claimed := slowClaimed.Load()
	owed := int64(float64(work)*slowShare) - claimed
	if owed <= 0 || !slowClaimed.CompareAndSwap(claimed, claimed+owed) {
		return // nothing owed, or another response claimed it first
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	from := cpuClock(unix.CLOCK_THREAD_CPUTIME_ID)
	spun := int64(0)
	for spun < owed {
		spun = cpuClock(unix.CLOCK_THREAD_CPUTIME_ID) - from
	}
	slowSpun.Add(spun)
}
