package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/benchsuite/threads-vs-loop/compare"
	"github.com/benchsuite/threads-vs-loop/metrics"
)

const compareSynopsis = `compare BASE.csv NEW.csv [--threshold 10%] [--metric rps,p99_us,rss_peak_kb] [--mode both|abs|ratios]

Compares two summary.csv files (a run folder works too: DIR means DIR/summary.csv) and
writes a Markdown report on stdout. Rows are matched on server × scenario × level; only
rows present in both are compared, and the report says how many were matched and how
many were in one file only. Rate rows are matched by their step index within server and
repeat, since each server's offered rates are a share of its own capacity.

A regression is a change for the worse beyond the threshold: req/s down, latency, memory,
threads or CPU up. Each cell is the median over repeats; with at least 4 repeats a side a
change must also pass a Mann–Whitney U test at --alpha, with fewer the delta decides.

--mode ratios compares only figures measured within each run (each server over --ref at
the same scenario and level, e.g. evented/threaded req/s per hello level), which travel
between machines when absolute figures do not: use it in CI against a committed baseline.
A ratio regresses when the server loses ground against --ref (it got worse, or --ref got
better); a regression of --ref itself shows only among the absolute figures.

Exit status: 0 no regression, 1 a regression (listed at the end) or nothing in common,
2 a bad command line.`

func runCompare(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("compare", compareSynopsis, stdout)
	threshold := fs.String("threshold", "10%", `a change for the worse beyond this is a regression: "10%" or "0.1"`)
	metricList := fs.String("metric", compare.DefaultMetrics, "comma-separated columns to compare: "+strings.Join(compare.MetricNames(), ", "))
	mode := fs.String("mode", "both", "both: absolute figures and within-run ratios; abs: absolute only; ratios: within-run ratios only (for CI across machines)")
	ref := fs.String("ref", compare.DefaultReference, "the server every within-run ratio is taken against")
	alpha := fs.Float64("alpha", compare.DefaultAlpha, "significance level of the U test on repeated rows")
	pos, err := parseWithPositional(fs, args)
	if err != nil {
		return ignoreHelp(err)
	}
	opt, err := compareOptions(*threshold, *metricList, *mode, *ref, *alpha)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usageError{fmt.Sprintf("compare: want BASE.csv NEW.csv, got %d arguments", len(pos))}
	}
	base, err := readSummary(pos[0])
	if err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	cur, err := readSummary(pos[1])
	if err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	rep, err := compare.Compare(base, cur, opt)
	if err != nil {
		return err
	}
	if err := rep.WriteMarkdown(stdout, pos[0], pos[1]); err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	if n := len(rep.Regressions()); n > 0 {
		return fmt.Errorf("compare: %d regression(s) beyond %s", n, *threshold)
	}
	return nil
}

func compareOptions(threshold, metricList, mode, ref string, alpha float64) (compare.Options, error) {
	var opt compare.Options
	var err error
	if opt.Threshold, err = compare.ParseThreshold(threshold); err != nil {
		return opt, usageError{err.Error()}
	}
	if opt.Metrics, err = compare.ParseMetrics(metricList); err != nil {
		return opt, usageError{err.Error()}
	}
	if opt.Mode, err = compare.ParseMode(mode); err != nil {
		return opt, usageError{err.Error()}
	}
	if ref == "" {
		return opt, usageError{"compare: --ref must name a server"}
	}
	if !(alpha > 0 && alpha < 1) {
		return opt, usageError{"compare: --alpha must be between 0 and 1"}
	}
	opt.Reference, opt.Alpha = ref, alpha
	return opt, nil
}

// readSummary reads a summary.csv, or DIR/summary.csv when path is a directory.
func readSummary(path string) ([]metrics.SummaryRow, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		path = filepath.Join(path, "summary.csv")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := metrics.ReadSummary(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: no rows", path)
	}
	return rows, nil
}

// parseWithPositional parses flags wherever they stand among args (bench compare A B
// --threshold 5%), returning the positional arguments in order; "--" ends the flags.
func parseWithPositional(fs *cliFlags, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.FlagSet.Parse(args); err != nil {
			return nil, fs.parse(args) // parse again for the usual -h and error handling
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
