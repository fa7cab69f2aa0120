package workload

import (
	"math"
	"runtime"
	"sync/atomic"
	"time"
)

// sink keeps the burn loop's result alive so the compiler cannot remove the loop (xorshift
// never reaches 0, so the store never happens and concurrent burns share no cache line).
var sink atomic.Uint64

func keep(x uint64) {
	if x == 0 {
		sink.Add(1)
	}
}

// spin runs n rounds of integer work that cannot be folded away.
func spin(n int) uint64 {
	x := uint64(88172645463325252)
	for range n {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

// calibrate measures spin's rounds per microsecond of the calibrating thread's CPU time
// (threadClock; the wall clock where the system has no thread clock), so that a burn is
// the same CPU work whether the CPU is shared or not: beside a busy thread a burn takes
// longer, not fewer rounds. The goroutine stays on its OS thread while it measures. The
// best of several short runs: a run the scheduler disturbed (a migration, cold caches, a
// context switch's cost charged to the thread) does not make every later burn too short.
func calibrate() float64 {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	now, _ := threadClock()
	const rounds = 1 << 20
	best := int64(math.MaxInt64)
	for range 7 {
		start := now()
		keep(spin(rounds))
		if d := now() - start; d < best && d > 0 {
			best = d
		}
	}
	return rounds / (float64(best) / 1e3)
}

// wallClock is the fallback of threadClock: monotonic wall time in nanoseconds, "wall".
func wallClock() (now func() int64, kind string) {
	start := time.Now()
	return func() int64 { return int64(time.Since(start)) }, "wall"
}

// Burn keeps the calling thread busy for about us microseconds of its CPU time.
func (w *Workload) Burn(us int) {
	keep(spin(int(float64(us) * w.itersPerUS)))
}
