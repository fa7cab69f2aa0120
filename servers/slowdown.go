//go:build slowdown

package servers

// A build for the CI gate's own test only (go build -tags slowdown): a real regression of
// a known size, measured rather than doctored. With BENCH_SLOWDOWN=0.15 in its
// environment, the models named in BENCH_SLOWDOWN_MODELS (comma-separated; "all" for
// every one) spin after each response for 15 % of the CPU the process spent since the
// last one, so each model is 15 % costlier per request at every level, whatever its own
// cost there. Real servers and the load generator are untouched.

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

var (
	slowShare float64      // the share of its own CPU a response adds (0: off)
	slowMark  atomic.Int64 // process CPU time (ns) when the last spin ended
)

func init() {
	share, _ := strconv.ParseFloat(os.Getenv("BENCH_SLOWDOWN"), 64)
	models := strings.Split(os.Getenv("BENCH_SLOWDOWN_MODELS"), ",")
	if share <= 0 || len(os.Args) < 2 || os.Args[1] != "serve" {
		return
	}
	if slices.Contains(models, "all") || slices.Contains(models, modelArg(os.Args[2:])) {
		slowShare = share
		slowMark.Store(processCPU())
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

func processCPU() int64 {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts) != nil {
		return 0
	}
	return ts.Nano()
}

// slowdown spins for slowShare of the CPU spent since the last spin ended.
func slowdown() {
	if slowShare == 0 {
		return
	}
	now := processCPU()
	until := now + int64(float64(now-slowMark.Load())*slowShare)
	for processCPU() < until {
	}
	slowMark.Store(processCPU())
}
