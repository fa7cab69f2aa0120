package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// usageError is a bad command line: one line on stderr and exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

const usage = `bench: threads vs event loop, measured.

usage: bench <command> [flags]

commands:
  serve     run one server model on loopback (bench serve -h)
  load      drive a server: closed loop, open model (vegeta) or idle connections
  run       the orchestrated suite: start each server, load it, sample it, write CSV
  plot      draw the charts and report.md of a run folder from its CSV
  compare   compare two summary.csv files; exit 1 on a regression
  export    write a run as Go benchmark lines (benchstat) or github-action-benchmark JSON
  check     check a run's figures against the claims the suite exists to show
  sample    sample a process tree, JSON lines (a multi-host run's remote sampler)
  version   print the build's hash (a multi-host run compares it on each host)
  keep      remove a multi-host run's copy of bench when its ssh session ends
  peer      run a peer server's script on a server host, stopped with the session

Each command's flags: bench <command> -h
`

// subcommands maps a command name to its implementation.
var subcommands = map[string]func(args []string, stdin io.Reader, stdout, stderr io.Writer) error{
	"serve":   runServe,
	"load":    runLoad,
	"run":     runRun,
	"plot":    runPlot,
	"compare": runCompare,
	"export":  runExport,
	"check":   runCheck,
	"sample":  runSample,
	"version": runVersion,
	"keep":    runKeep,
	"peer":    runPeer,
}

func main() {
	os.Exit(exitCode(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr), os.Stderr))
}

// run is the binary with its standard streams given, as main gives them, so a test drives
// every command as a user does.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"no command given (try bench -h)"}
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	cmd, ok := subcommands[args[0]]
	if !ok {
		return usageError{fmt.Sprintf("unknown command %q (try bench -h)", args[0])}
	}
	return cmd(args[1:], stdin, stdout, stderr)
}

// exitCode prints err and maps it to the process's exit status.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "bench: %v\n", err)
	var ue usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}
