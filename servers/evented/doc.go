// Package evented is the event-loop model, nginx's and Node's (libuv's) design in Go:
// Config.Loops reactors (default 1, as Node; N like nginx workers), each an epoll instance
// on its own OS thread (runtime.LockOSThread) with its own SO_REUSEPORT listening socket,
// non-blocking sockets, level-triggered readiness, and one 64 KiB read buffer shared by all
// its connections. A connection keeps bytes of its own only when a request arrives in
// pieces or the socket does not take a whole response, so an idle keep-alive connection
// costs a small struct. Responses to pipelined requests are batched into one write; a
// large body is written from where it lies with writev, and what the socket refuses waits
// for EPOLLOUT while the connection reads nothing more (back-pressure).
//
// Waiting without threads: /io?ms=N is a timer on the loop's heap; the idle keep-alive
// timeout is a once-a-second sweep. Blocking work goes to a worker pool (Config.Workers,
// default 4 like UV_THREADPOOL_SIZE): /file always, /cpu with Config.Offload. Workers post
// completions to the owning loop and wake it through an eventfd. Without Offload, /cpu
// burns on the loop and every connection of that loop waits: the head-of-line blocking the
// suite exists to show. Out of descriptors, a loop stops watching its listening socket for
// a while (or until one of its connections closes) instead of spinning on EMFILE.
//
// Concurrency model and how it differs from a C server of the same design: all connection
// state belongs to one loop thread and takes no lock; only the completion queue is shared
// (a mutex and an eventfd). Workers are goroutines, not dedicated threads: a worker blocked
// in pread holds an OS thread as a libuv worker does, but a worker burning CPU needs a P.
// A locked loop thread also needs a P to run Go code, so GOMAXPROCS is a CPU token here:
// `bench serve` sets it to loops + workers for this model, letting the kernel time-slice
// loop and workers as it does libuv's threads, rather than Go's scheduler making them take
// turns at its 10 ms preemption. epoll_wait goes through the runtime's syscall path, a few
// tens of nanoseconds more than a C loop pays; read and write, which never block here, go
// straight to the kernel through internal/epoll's RawSyscall wrappers.
package evented
