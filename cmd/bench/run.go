package main

import (
	"errors"
	"io"
)

// runRun is `bench run` (not built yet).
func runRun(args []string, stdout, stderr io.Writer) error {
	return errors.New("run: not built yet")
}
