// Command bench is the suite's one binary. main.go only dispatches; each subcommand lives
// in its own file and is a function of (args, stdout, stderr), so the CLI is testable
// without a process.
//
//	bench serve   run one server model (threaded, goroutine, ...) on loopback
//
// Concurrency model: each subcommand runs on main's goroutine; serve stops on SIGINT or
// SIGTERM.
package main
