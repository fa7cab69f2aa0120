// Package epoll is the thin epoll(7) wrapper the event loops share: the evented server's
// reactors and the load generator's loops. A Poller is one epoll instance with its reused
// event slice; Read and Write are read(2) and write(2) on non-blocking sockets through the
// raw syscall path, returning the errno itself so that no error value is built per call.
// Everything is Linux-only; off Linux the package is empty and its users are stubbed.
//
// Concurrency model: a Poller belongs to one goroutine (in practice one loop on its locked
// OS thread). Wait and Poll return a slice into the Poller's own event buffer, valid until
// the next Wait or Poll; they must not run concurrently with each other. Add, Modify and
// Remove are plain epoll_ctl calls, which the kernel allows from any thread, but the users
// here call them from the owning loop only. Read and Write hold no state.
//
// Two ways to wait, for two loops. Wait blocks through the runtime's ordinary syscall path,
// which hands the thread's P to other goroutines while the kernel sleeps: the evented
// server, level-triggered, uses only that. Poll is a zero-timeout epoll_wait through
// RawSyscall, which keeps the P and skips the runtime's entersyscall/exitsyscall: a loop
// that almost always finds events ready (the load generator under load) polls first and
// calls Wait only when the poll came back empty.
package epoll
