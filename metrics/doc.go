// Package metrics is the results' schema, with no dependency on the operating system:
// the CSV schema of summary.csv and timeseries.csv (declared once, in schema.go), a
// writer that flushes every row as it is written (csvfile.go), the latency histograms'
// .hgrm files (hgrm.go), run.json (manifest.go), a row's kind and design (kind.go), the
// servers' order in tables and legends (order.go), the level a row was asked for
// (asked.go), and who limited a point (bound.go). plots, compare, claims and the suite
// parser read results through it; the process-tree sampler that measures a server is
// package sampler, which only the orchestrator and `bench sample` need.
//
// Who limited a point (bound.go): a side whose CPU share reached BoundCPUShare of its
// CPUs, or a starved server. On CPUs shared with other work (a noisy neighbour, or a busy
// loop pinned beside the server to emulate a slower machine) a saturated server gets only
// part of its CPUs and its own share stays low, so the sampler also reads the time the
// tree's threads waited runnable and the busy time of the server's CPUs. The server was
// starved, so the limit, when its CPUs were busy ≥ BoundCPUShare of the time and its
// threads waited runnable ≥ 1 − BoundCPUShare of its CPUs' time: it had work it could not
// run for want of CPU as often as a saturated server stands idle, and nothing left its
// CPUs free.
//
// Concurrency model: none of its own. CSV files are written by one goroutine (the
// orchestrator); they are not safe for concurrent use. Everything else is pure functions
// of their arguments.
package metrics
