package main

import (
	"errors"
	"io"
)

// runCompare is `bench compare` (not built yet).
func runCompare(args []string, stdout, stderr io.Writer) error {
	return errors.New("compare: not built yet")
}
