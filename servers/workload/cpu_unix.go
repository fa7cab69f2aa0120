//go:build linux || darwin || freebsd

package workload

import "golang.org/x/sys/unix"

// threadClock returns a clock of the calling thread's CPU time in nanoseconds
// (CLOCK_THREAD_CPUTIME_ID; the caller keeps to one OS thread while it reads it) and
// "thread-cpu"; if the system refuses that clock, the wall clock and "wall".
func threadClock() (now func() int64, kind string) {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts) != nil {
		return wallClock()
	}
	return func() int64 {
		var ts unix.Timespec
		_ = unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts) // worked above: cannot fail now
		return ts.Nano()
	}, "thread-cpu"
}
