//go:build !(linux || darwin || freebsd)

package workload

// threadClock: this system's thread CPU clock is not wired up here, so calibrate times its
// runs with the wall clock ("wall"): beside a busy thread it may count time the thread
// waited, and burns come out short.
func threadClock() (now func() int64, kind string) { return wallClock() }
