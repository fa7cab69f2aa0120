// Package plots draws a run's charts and its report.md from the run folder's CSV files
// only (summary.csv, timeseries.csv and the hgrm/ percentile files), so a chart never
// needs the run to be repeated.
//
// Every chart gives each server the same colour and marker (known models have fixed
// ones; any other label gets a deterministic fallback), keeps its legend in a column
// beside the data, labels its axes with units, puts concurrency on a log axis, draws
// points flagged client_bound hollow, and carries a caption with the host's CPUs, the
// CPU pinning, the date and the run id. Rows repeated N times are drawn as the median
// over the repeats. Fonts, DPI and size are fixed and every input is sorted before it
// is drawn, so the same CSV always renders to the same PNG bytes.
//
// Concurrency model: none. Load, the chart functions and Render run on the caller's
// goroutine and share no state between calls; separate Data values may be rendered from
// separate goroutines.
package plots
