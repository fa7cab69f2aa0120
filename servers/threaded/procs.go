package threaded

import (
	"os"
	"runtime"
	"runtime/debug"
)

// procHeadroom is how many Ps the server keeps beyond its threads: for the runtime's own
// goroutines, lingering refusals and the thread that runs timers.
const procHeadroom = 16

// growProcs keeps GOMAXPROCS at least threads + procHeadroom (it never lowers it), so a
// thread back from read(2) finds an idle P at once, as a C thread finds nothing between it
// and the CPU but the kernel: with fewer Ps than runnable threads, a thread back from the
// kernel queues for a P and gets it through a futex hand-off. GOMAXPROCS stops the world,
// so it grows in steps of an eighth; a thread blocked in read(2) is in a system call,
// which the stop does not wait for.
func growProcs(threads int) {
	want := threads + procHeadroom
	if cur := runtime.GOMAXPROCS(0); want > cur {
		runtime.GOMAXPROCS(max(want+want/8, cur+procHeadroom))
	}
}

// MemoryLimitPerThread is what KeepGCOff allows the runtime per connection thread before
// a collection runs: a P, the thread's stacks and the connection's buffers with room for
// the garbage of connections that came and went.
const MemoryLimitPerThread = 96 << 10

// KeepGCOff turns the garbage collector off for a process that serves the threaded model
// in the read mode, with a memory limit of 256 MiB + MemoryLimitPerThread × maxThreads as
// the backstop (the collector runs only near it). The request path allocates nothing, so
// only accepting and closing connections makes garbage; and a collection with one P per
// thread is costly: the runtime sizes its mark workers by GOMAXPROCS (a quarter of the Ps
// as dedicated workers, the idle Ps as idle workers, each on a thread of its own), so one
// GC at 2,000 connections started hundreds of threads and marked for two seconds.
// GOGC or GOMEMLIMIT in the environment win: KeepGCOff leaves the runtime as they set it.
func KeepGCOff(maxThreads int) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(256<<20 + int64(maxThreads)*MemoryLimitPerThread)
	debug.SetGCPercent(-1)
}
