package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// cliFlags is a subcommand's flag set that reports errors instead of printing them, so a
// bad flag becomes one line and exit status 2, and prints its help only for -h.
type cliFlags struct {
	*flag.FlagSet
	synopsis string
	stdout   io.Writer
}

func newFlagSet(name, synopsis string, stdout io.Writer) *cliFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {} // the flag package calls it on every error; -h is handled in parse
	return &cliFlags{FlagSet: fs, synopsis: synopsis, stdout: stdout}
}

// parse parses args; -h prints the help and returns errHelp, which callers turn into a
// clean exit.
func (f *cliFlags) parse(args []string) error {
	err := f.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintf(f.stdout, "usage: bench %s\n\n", f.synopsis)
		f.SetOutput(f.stdout)
		f.PrintDefaults()
		return errHelp
	case err != nil:
		return usageError{f.Name() + ": " + err.Error()}
	case f.NArg() > 0:
		return usageError{f.Name() + ": unexpected argument " + strings.Join(f.Args(), " ")}
	}
	return nil
}

// errHelp is -h: help printed, nothing else to do.
var errHelp = errors.New("help requested")
