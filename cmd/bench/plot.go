package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/benchsuite/threads-vs-loop/plots"
)

const plotSynopsis = `plot DIR [-o OUTDIR]

Draws the charts of a run folder from its CSV only: DIR/summary.csv (required),
DIR/timeseries.csv and DIR/hgrm/*.hgrm (optional). Writes one PNG per chart and
report.md into DIR, or OUTDIR with -o, and prints one line per file written. A
chart the run has no rows for is skipped; report.md says why.`

func runPlot(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("plot", plotSynopsis, stdout)
	out := fs.String("o", "", "write the PNGs and report.md here instead of DIR (created if needed)")
	dirs, flagArgs := splitPositional(args, map[string]bool{"o": true})
	if err := fs.parse(flagArgs); err != nil {
		return ignoreHelp(err)
	}
	switch {
	case len(dirs) == 0:
		return usageError{"plot: a run folder is required: bench plot DIR [-o OUTDIR]"}
	case len(dirs) > 1:
		return usageError{"plot: one run folder at a time, got " + strings.Join(dirs, " ")}
	}
	dir := dirs[0]
	if *out == "" {
		*out = dir
	}
	data, err := plots.Load(dir)
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	for _, w := range data.Warnings {
		fmt.Fprintf(stderr, "bench plot: warning: skipped %s\n", w)
	}
	outcomes, report, err := plots.Render(data, *out)
	for _, o := range outcomes {
		if o.Path != "" {
			fmt.Fprintln(stdout, o.Path)
		} else {
			fmt.Fprintf(stderr, "bench plot: skipped %s: %s\n", o.File, o.Skipped)
		}
	}
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	fmt.Fprintln(stdout, report)
	return nil
}

// splitPositional separates positional arguments from flags, so DIR may come before or
// after the flags. valued names the flags that take a separate value ("-o X"); "--"
// ends the flags.
func splitPositional(args []string, valued map[string]bool) (pos, flags []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return append(pos, args[i+1:]...), flags
		case len(a) > 1 && a[0] == '-':
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if valued[name] && i+1 < len(args) {
				i++
				flags = append(flags, args[i])
			}
		default:
			pos = append(pos, a)
		}
	}
	return pos, flags
}
