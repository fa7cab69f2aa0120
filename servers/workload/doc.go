// Package workload is what every server model serves: the endpoints, their parameters and
// their bodies. A model parses a request with internal/http1, asks Route what it names, and
// then does the waiting its own way (a blocked thread, a sleeping goroutine, a loop timer,
// a worker pool); the bytes it sends come from here, so every model's bodies are
// byte-identical.
//
// Endpoints (GET, HEAD or POST; any other method is 405):
//
//	/ and /hello   "Hello, World!\n"
//	/io?ms=N       wait N ms (0–10000) as if for a database, then the hello body
//	/cpu?us=N      burn about N µs of the thread's CPU time (0–1000000), then the hello body
//	/file?kb=N     read N KiB (1–10240) from a file created at start: a blocking disk read
//	/bytes?kb=N    an N KiB (1–10240) body from memory: large writes, back-pressure
//
// A missing or out-of-range parameter is 400, an unknown path 404.
//
// /cpu is the same CPU work on an idle or a shared CPU: New calibrates the loop on the
// calibrating thread's CPU clock (CLOCK_THREAD_CPUTIME_ID, best of 7 runs; the wall clock
// on a system without it), so that beside a busy thread a burn takes longer in wall time
// but not fewer rounds. The peers in scripts/peers calibrate the same way.
//
// Concurrency model: a Workload is immutable after New and safe for concurrent use; Burn
// and ReadFile run on the caller's thread.
package workload
