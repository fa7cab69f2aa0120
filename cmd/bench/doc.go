// Command bench is the suite's one binary. main.go only dispatches; each subcommand lives
// in its own file and is a function of (args, stdout, stderr), so the CLI is testable
// without a process.
//
//	bench serve    run one server model (threaded, evented, goroutine) on loopback
//	bench load     drive a server: closed loop, open model (vegeta), idle connections
//	bench run      the orchestrated suite: servers × scenarios × levels → CSV
//	bench plot     charts and report.md from a run folder's CSV
//	bench compare  two summary.csv files, regressions marked, exit 1 on any
//	bench check    the claims the suite exists to show, PASS/FAIL each
//
// Concurrency model: each subcommand runs on main's goroutine; serve, load and run stop on
// SIGINT or SIGTERM (run stops its servers first and keeps every finished row).
package main
