// Package threaded is the thread-per-connection model, Apache's worker MPM in Go: each
// accepted connection gets a goroutine that calls runtime.LockOSThread and never unlocks,
// so every connection owns an OS thread that runs nothing else, and the thread exits with
// its connection (Go ends a locked thread whose goroutine returns). With Config.Pool, N
// threads are spawned up front and take connections from a queue, like MaxRequestWorkers;
// without it, Config.MaxThreads caps the threads and a connection beyond the cap gets 503
// and is closed. debug.SetMaxThreads is raised above the cap, so the runtime's fatal
// "thread exhaustion" never stands in for the server's own limit.
//
// /io blocks the connection's thread in nanosleep(2): the thread is busy waiting, as a
// worker waiting on a database is. /cpu and /file run on the thread too.
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
package threaded
