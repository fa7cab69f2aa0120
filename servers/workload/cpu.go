package workload

import (
	"math"
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

// calibrate measures spin's rounds per microsecond: the best of several short runs, so a
// preemption during one of them does not make every later burn too long.
func calibrate() float64 {
	const rounds = 1 << 20
	best := time.Duration(math.MaxInt64)
	for range 7 {
		start := time.Now()
		keep(spin(rounds))
		if d := time.Since(start); d < best && d > 0 {
			best = d
		}
	}
	return rounds / (float64(best) / float64(time.Microsecond))
}

// Burn keeps the calling thread busy for about us microseconds of CPU.
func (w *Workload) Burn(us int) {
	keep(spin(int(float64(us) * w.itersPerUS)))
}
