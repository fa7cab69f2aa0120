// Package metrics measures a server and records what was measured: the CSV schema of
// summary.csv and timeseries.csv (declared once, in schema.go), a writer that flushes
// every row as it is written, and the process-tree sampler.
//
// Concurrency model: a Sampler runs one goroutine that reads /proc through gopsutil at
// its interval and keeps its samples behind a mutex; readers take a snapshot. CSV files
// are written by one goroutine (the orchestrator); they are not safe for concurrent use.
package metrics
