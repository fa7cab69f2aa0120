// Package threaded is the thread-per-connection model, Apache's worker MPM in Go: each
// connection is served by a goroutine that calls runtime.LockOSThread and never unlocks,
// so every connection owns an OS thread that runs nothing else while it lasts. In the
// read mode the thread then waits in accept(2) for the next connection, as Apache's
// threads do (spare.go: a Go thread's exit is dear); in the netpoll mode it exits with its
// connection (Go ends a locked thread whose goroutine returns). With Config.Pool, N
// threads are spawned up front and take connections from a queue, like MaxRequestWorkers;
// without it, Config.MaxThreads caps the connection threads and a connection beyond the
// cap gets 503 and is closed. debug.SetMaxThreads is raised well above the cap, so the
// runtime's fatal "thread exhaustion" never stands in for the server's own limit.
//
// # Waiting for bytes (Config.Wait)
//
// "read", the default, is the C server's way (scripts/peers/cthreads.c): the socket is in
// blocking mode and the thread sleeps in read(2) until bytes come, then parses and answers
// with write(2), through the same HTTP core (servers.ConnLoop) as every model. Sixteen
// spare threads (SpareThreads) sleep in accept(2); the kernel wakes one per new
// connection, that thread serves it and starts a spare in its place, so accepting costs
// one wake-up; the thread goes back to accept(2) when its connection ends. (Go's own
// Accept parks on the netpoller, which nobody polls when every thread is locked and asleep
// in read(2) but sysmon, every 10 ms: threads lagged connections by thousands.) Creating
// threads is where Go is slowest: the runtime starts
// one thread at a time for new goroutines, so the spare yields its P to a new thread at
// once (spare.go); and a thread's exit walks the list of all threads under the
// scheduler's lock: 8,000 connections closing at once took over 10 s to exit, stalling the
// rest, hence threads kept as spares (MaxSpareThreads). A server therefore holds as many
// threads as its busiest moment until it closes, where the C server's threads exit.
//
// "netpoll" reads through net.Conn: the locked thread sleeps on a futex until the runtime's
// netpoller readies its goroutine, and each request pays two P hand-offs between threads
// (futex wake-ups, 42 % of a CPU profile at c=4000) on top of the kernel's context switch.
//
// # Where Go differs from a C server: a P per thread, and the GC
//
// A locked thread must hold a P to run Go code. A thread blocked in read(2) is in a system
// call, which keeps its P until sysmon retakes it; back from the kernel, exitsyscall takes
// its P again or any idle one, which costs two atomic operations, a lock at worst. Only
// when no P is idle does the thread queue for one and get it through a futex hand-off. So
// the read mode keeps GOMAXPROCS at least threads + 16 (growProcs, in steps of an eighth,
// never lowered; `bench serve --procs` is the floor it starts from): every thread back
// from the kernel finds a P, as every C thread finds nothing between it and the CPU but
// the kernel's scheduler. What is left of the runtime per request is exitsyscall and its
// bookkeeping (about 9 % of a perf profile at c=1000) and sysmon: a thread never goes
// through the scheduler, so sysmon finds its P in a system call on every round and takes
// it back, and while it finds some it polls every 20 µs, on the server's CPU (13 % of the
// profile at c=10, where the C server has nothing alike). At c=10 the cause was the
// schedtick: a locked thread that never reschedules keeps its P's schedtick, which sysmon
// takes as 10 ms of running and retakes; so a busy thread now passes through the
// scheduler every 64 reads (conns.go, yieldEvery), and sysmon backs off (threaded/C at
// c=10 from 0.75 to 0.87). Handing the P off before each read (the runtime's
// entersyscallblock, through go:linkname) spared sysmon but woke a thread to poll the
// network whenever all threads slept, and cost as much: not kept.
// A P is not free: ~46 KB of RSS each
// (run queue, write-barrier buffer, mcache and the spans it holds), which is most of the
// difference in memory per connection: 57–64 KB per idle connection in the read mode, 30 KB
// in the netpoll mode (one P per CPU), about 11 KB for the C server's threads (pthread
// stacks are mapped 8 MiB but only touched pages count).
//
// With a P per thread a collection is costly: the runtime sizes its mark workers by
// GOMAXPROCS (a quarter of the Ps as dedicated workers, idle Ps as idle workers, each on a
// thread of its own); one GC at 2,000 connections marked for two seconds and added
// hundreds of threads. The request path allocates nothing, so `bench serve` turns the
// collector off for this mode (KeepGCOff: GOGC=off with a memory limit of 256 MiB + 96 KB
// per MaxThreads as the backstop; GOGC or GOMEMLIMIT in the environment win). Garbage
// comes only from connections that come and go (their buffers), and stays until the limit.
// Threads exiting are dearer in Go too: the runtime unlinks an exiting thread from a list
// of all threads, a walk that grows with the thread count (8 % of a profile at c=4000 when
// wrk reconnected timed-out connections).
//
// Changing GOMAXPROCS stops the world; threads in read(2) or accept(2) are in system calls,
// which the stop does not wait for, so a step costs under 1 ms at a few hundred threads and
// ~20 ms at 4,000 threads that are busy.
//
// # /io and /cpu stay thread behaviour
//
// /io blocks the connection's thread until the wait is over: the thread is busy waiting,
// as a worker waiting on a database is, and serves no one else meanwhile. The goroutine
// is locked, so time.Sleep parks the thread itself (in futex(2)) and gives its P away at
// once; a blocking nanosleep(2) kept the P until sysmon took it back, and cut /io?ms=50 at
// c=1000 from 13k to 3k req/s (see sleep.go). /cpu and /file run on the thread too.
//
// Threads burning CPU (/cpu) each hold a P of their own in the read mode, so the kernel
// time-slices them, as it does Apache's threads; Go's sysmon still preempts a goroutine
// that runs 10 ms, which sends a locked one through the scheduler and back to its thread.
// In the netpoll mode, with a P per CPU, Go's scheduler time-slices them instead (a 10 ms
// preemption, a FIFO run queue), which is why the suite's hol scenario runs threaded with
// --procs 64.
package threaded
