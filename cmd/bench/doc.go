// Command bench is the suite's one binary. main.go only dispatches; each subcommand lives
// in its own file (the one named after it) and is a function of (args, stdin, stdout,
// stderr), so the CLI is testable without a process; remote.go holds what the commands a
// coordinator starts over ssh share, flags.go the flag set they all use. The flags and
// replies bench run writes and reads of its children (load, serve, peer) are declared
// in package internal/wire, for both sides.
//
//	bench serve    run one server model (threaded, evented, goroutine) on loopback
//	bench load     drive a server: closed loop, open model (vegeta), idle connections
//	bench run      the orchestrated suite: servers × scenarios × levels → CSV (run_hosts.go:
//	               its server and client hosts over ssh; serve_copy.go: the copy of
//	               bench the Go models are served from, so they share no pages with the
//	               load generator)
//	bench plot     charts and report.md from a run folder's CSV
//	bench compare  two runs' rows side by side, regressions marked; --gate, CI's gate;
//	               --mode ratios with one run: its within-run ratios
//	bench export   a run as Go benchmark lines (benchstat) or github-action-benchmark JSON
//	bench check    the claims the suite exists to show, PASS/FAIL each
//	bench peer     start a real server's peer script and hold it (a run's server host)
//	bench sample   sample a process tree, JSON lines (a multi-host run's remote sampler)
//	bench keep     remove a copied bench when its ssh session ends (a run's hosts)
//	bench version  the executable's SHA-256, compared before copying it to a host
//
// Concurrency model: each subcommand runs on main's goroutine; serve, load and run stop on
// SIGINT or SIGTERM (run stops its servers first and keeps every finished row).
package main
