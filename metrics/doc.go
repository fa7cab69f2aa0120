// Package metrics measures a server and records what was measured: the CSV schema of
// summary.csv and timeseries.csv (declared once, in schema.go), a writer that flushes
// every row as it is written, and the process-tree sampler (sampler.go): RSS, threads,
// descriptors and CPU of a process and all its descendants (nginx's master and workers),
// read at 10 Hz through gopsutil's process package, plus context switches summed over
// every thread on demand (switches.go). What gopsutil lacks or does too slowly (the tree
// scan, the descriptor count, the thread list) is read from /proc by hand (procfs.go).
//
// Concurrency model: a Sampler runs one goroutine that reads /proc at its interval and
// keeps its samples behind a mutex; readers take a snapshot. Switches and SwitchesSince
// may be called from another goroutine while it runs. CSV files are written by one
// goroutine (the orchestrator); they are not safe for concurrent use.
package metrics
