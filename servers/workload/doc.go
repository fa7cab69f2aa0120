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
//	/cpu?us=N      burn about N µs of CPU (0–1000000), then the hello body
//	/file?kb=N     read N KiB (1–10240) from a file created at start: a blocking disk read
//	/bytes?kb=N    an N KiB (1–10240) body from memory: large writes, back-pressure
//
// A missing or out-of-range parameter is 400, an unknown path 404.
//
// Concurrency model: a Workload is immutable after New and safe for concurrent use; Burn
// and ReadFile run on the caller's thread.
package workload
