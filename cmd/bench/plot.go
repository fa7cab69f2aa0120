package main

import (
	"errors"
	"io"
)

// runPlot is `bench plot` (not built yet).
func runPlot(args []string, stdout, stderr io.Writer) error {
	return errors.New("plot: not built yet")
}
