package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"syscall"
)

const keepSynopsis = `keep --dir DIR [--exit-on-stdin-eof]

Keeps the folder a run copied bench into, for as long as the run lasts: a multi-host run's
copy on a host (and the peer scripts), held over the coordinator's ssh session, or the
copy bench run serves the Go models from, held by a pipe from bench run. When standard
input reaches end of file (the run closed it, or died, SIGKILL included, and the pipe or
the ssh session with it), or on SIGTERM, SIGINT or SIGHUP, it removes DIR and exits. It prints "keeping DIR" once it holds it. Only a folder that looks like one the run made is
removed: DIR exactly as mktemp named it (/tmp/bench-XXXXXX), a directory and not a link,
owned by this user, holding the executable that runs this command; anything else is left
alone and the command fails.`

// copiedDir is the name of a folder bench is copied into: a host's (mktemp -d
// /tmp/bench-XXXXXX) or the served copy's (copyDir).
var copiedDir = regexp.MustCompile(`^/tmp/bench-[A-Za-z0-9]{6}$`)

func runKeep(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("keep", keepSynopsis, stdout)
	dir := fs.String("dir", "", "the folder to remove at the end (required)")
	fs.Bool("exit-on-stdin-eof", true, "end at end of file on stdin (always: the flag is accepted for the coordinator's command line)")
	if err := fs.parse(args); err != nil {
		return ignoreHelp(err)
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("keep: %w", err)
	}
	if err := keepable(*dir, exe); err != nil {
		return fmt.Errorf("keep: %w", err)
	}
	// Caught, not ignored: a write to the closed session would otherwise end the process
	// before it removes the folder.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	fmt.Fprintf(stdout, "keeping %s\n", *dir)
	eof := atEOF(stdin)
	select {
	case <-eof:
	case <-sigs:
	}
	if err := keepable(*dir, exe); err != nil { // checked again: it may have changed since
		return fmt.Errorf("keep: %w", err)
	}
	if err := os.RemoveAll(*dir); err != nil {
		return fmt.Errorf("keep: %w", err)
	}
	return nil
}

// errNotOurs: the folder given to keep does not look like one a run copied bench into.
var errNotOurs = errors.New("not a folder a run copied bench into")

// keepable checks that dir is a folder install made and exe runs from it: its exact
// mktemp name, a directory (not a link to one), owned by this user, exe inside it.
func keepable(dir, exe string) error {
	if !copiedDir.MatchString(dir) || filepath.Clean(dir) != dir {
		return fmt.Errorf("%s: %w: want /tmp/bench-XXXXXX", dir, errNotOurs)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !fi.IsDir() || !ok || int(st.Uid) != os.Getuid() {
		return fmt.Errorf("%s: %w: not a directory of this user", dir, errNotOurs)
	}
	if exe, err = filepath.EvalSymlinks(exe); err != nil {
		return err
	}
	if filepath.Dir(exe) != dir {
		return fmt.Errorf("%s: %w: this bench runs from %s", dir, errNotOurs, exe)
	}
	return nil
}
