package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// servedCopy copies the bench executable exe into a new temporary folder and returns the
// copy's path and a function that removes the folder. bench run serves the Go models
// from the copy: a model started from exe itself shares its code pages with this process,
// the load generator, and its PSS counted only half of them (5 MB less than the same
// server from a file of its own, a fifth of evented's memory with 5000 idle connections),
// which the real servers, started from their own files, never get. Where no copy can be
// made or run (no temporary folder, one mounted noexec), exe and a reason are returned,
// and the memory figures of the models carry that share.
func servedCopy(exe string) (path string, remove func(), why error) {
	none := func() {}
	dir, err := os.MkdirTemp("", "bench-serve-")
	if err != nil {
		return exe, none, err
	}
	remove = func() { os.RemoveAll(dir) }
	if noExec(dir) {
		remove()
		return exe, none, fmt.Errorf("%s is mounted noexec", filepath.Dir(dir))
	}
	path = filepath.Join(dir, "bench")
	if err := copyExecutable(exe, path); err != nil {
		remove()
		return exe, none, err
	}
	return path, remove, nil
}

func copyExecutable(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
