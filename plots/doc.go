// Package plots draws a run's charts and its report.md from the run folder's files only
// (summary.csv, timeseries.csv, the hgrm/ percentile files and run.json: the servers'
// settings, the servers left out, the planned points), so a chart never needs the run to
// be repeated.
//
// Every chart gives each server the same colour and marker (known models have fixed
// ones; any other label gets a deterministic fallback), keeps its legend in a column
// beside the data, labels its axes with units, puts concurrency on a log axis, and
// carries a caption with the host's CPUs, the CPU pinning, the date and the run id. What
// a summary.csv row flagged client_bound gives is drawn hollow: its points in the line
// charts, its bars in the head-of-line chart, the percentile marks of its curve in
// latency_percentiles.png (whose legend also adds "(client-bound)" to the server's
// label); timeseries.png draws samples, which carry no such flag. Rows repeated N times
// are drawn as the median over the repeats; rows with no requests (the server died or
// never started) are left out of every chart and kept in report.md's table and notes.
// Fonts, DPI and size are fixed and every input is sorted before it is drawn, so the
// same CSV always renders to the same PNG bytes.
//
// Concurrency model: none. Load, the chart functions and Render run on the caller's
// goroutine and share no state between calls; separate Data values may be rendered from
// separate goroutines.
package plots
