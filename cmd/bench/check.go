package main

import (
	"errors"
	"io"
)

// runCheck is `bench check` (not built yet).
func runCheck(args []string, stdout, stderr io.Writer) error {
	return errors.New("check: not built yet")
}
