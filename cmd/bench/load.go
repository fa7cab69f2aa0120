package main

import (
	"errors"
	"io"
)

// runLoad is `bench load` (not built yet).
func runLoad(args []string, stdout, stderr io.Writer) error {
	return errors.New("load: not built yet")
}
