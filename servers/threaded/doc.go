// Package threaded is the thread-per-connection model, Apache's worker MPM in Go: each
// accepted connection gets a goroutine that calls runtime.LockOSThread and never unlocks,
// so every connection owns an OS thread that runs nothing else, and the thread exits with
// its connection (Go ends a locked thread whose goroutine returns). With Config.Pool, N
// threads are spawned up front and take connections from a queue, like MaxRequestWorkers;
// without it, Config.MaxThreads caps the threads and a connection beyond the cap gets 503
// and is closed. debug.SetMaxThreads is raised above the cap, so the runtime's fatal
// "thread exhaustion" never stands in for the server's own limit.
//
// /io blocks the connection's thread until the wait is over: the thread is busy waiting,
// as a worker waiting on a database is, and serves no one else meanwhile. The goroutine
// is locked, so time.Sleep parks the thread itself (in futex(2)) and gives its P away at
// once; a blocking nanosleep(2) kept the P until sysmon took it back, and cut /io?ms=50 at
// c=1000 from 13k to 3k req/s (see sleep.go). /cpu and /file run on the thread too.
//
// How a thread waits for bytes (Config.Wait) was chosen by measurement against the C
// reference server (one pthread per connection, blocking read(2)); see README.md for the
// figures. "netpoll", the default, reads through net.Conn: the locked thread sleeps on a
// futex until the runtime's netpoller readies its goroutine. "read" duplicates the
// descriptor in blocking mode and sleeps in read(2) as the C server does; but a thread
// blocked in a syscall keeps its P until sysmon takes it back, so under load the other
// threads starve and latency turns uneven.
//
// Concurrency model and how it differs from a C server of the same design: a locked
// thread must hold a P to run Go code. GOMAXPROCS (a CPU token, set from the CPUs the
// server is pinned to, or by `bench serve --procs`) therefore bounds how many connection
// threads run at once, and every request pays a P hand-off between threads on top of the
// kernel's context switch that the C server pays alone. Thread stacks are the runtime's
// (a small system stack per M) rather than pthread's default 8 MiB mapping.
//
// With as many Ps as CPUs, threads burning CPU (/cpu) are time-sliced by Go's scheduler
// (a 10 ms preemption, a FIFO run queue), not by the kernel as Apache's threads are: a
// cheap request waits behind every runnable CPU-burner. The suite's hol scenario therefore
// runs threaded with --procs 64, more Ps than its 40 connection threads, so each thread
// holds its own CPU token and the kernel's scheduler decides, as for a C server. It is not
// the default because idle Ps cost memory (~23 KB each) and, during a GC, idle mark
// workers on them add threads: with --procs 8192 a 100-connection server held 1,100
// threads and 200 MB. Measured with wrk at c=100 on one CPU: 53.7k req/s with 64 Ps
// against 56.7k with one.
package threaded
