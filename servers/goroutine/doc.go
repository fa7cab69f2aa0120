// Package goroutine is Go's own answer to the debate: net.Listener and one goroutine per
// connection. Goroutines park in the runtime's netpoller (epoll underneath) and a few OS
// threads, GOMAXPROCS of them running Go code, serve every connection: an event loop the
// programmer never sees, with blocking-style code on top.
//
// Concurrency model: one goroutine per connection, sharing only the immutable Workload;
// /io parks the goroutine in time.Sleep, /cpu and /file run on it (a /file read blocks
// its thread in pread, and the runtime hands the P to another thread meanwhile).
// Compared with a C server of the same design (an epoll loop per core), the scheduler
// adds a goroutine switch per wake-up, and each connection carries its goroutine's stack
// (from 8 KiB) and its own read buffer.
package goroutine
