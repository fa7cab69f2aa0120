package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/benchsuite/threads-vs-loop/compare"
	"github.com/benchsuite/threads-vs-loop/metrics"
)

const compareSynopsis = `compare BASE.csv NEW.csv [--threshold 10%] [--metric rps,p99_us,rss_peak_kb,errors] [--mode both|abs|ratios]
        compare --gate BASE.csv NEW.csv

Compares two summary.csv files (a run folder works too: DIR means DIR/summary.csv) and
writes a Markdown report on stdout. Rows are matched on server × scenario × level; only
rows present in both are compared, and the report says how many were matched and how
many were in one file only. Rate rows are matched by their step index within server and
repeat, since each server's offered rates are a share of its own capacity.

A regression is a change for the worse beyond the threshold: req/s down, latency, memory,
threads or CPU up. Each cell is the median over repeats; with at least 4 repeats a side a
change must also pass a Mann–Whitney U test at --alpha, with fewer the delta decides.

--mode ratios compares only figures measured within each run (each server over --ref at
the same scenario and level, e.g. evented/nginx req/s per hello level), which travel
between machines when absolute figures do not. --ref names servers the suite's code does
not touch (nginx, then the C thread server where nginx has no row), so a regression that
every Go model shares still shows. A ratio regresses when the server loses ground against
--ref (it got worse, or --ref got better). errors is the share of failed requests,
compared by difference (a rise of over 1 point is a regression); a latency or memory
that falls to 0 measured nothing and is a regression too.

--gate is what CI runs, on the Go models' rows: req/s and RSS ratios against nginx (or
cthreads) with a 40 % threshold (a whole machine 2-3× slower moves no ratio; every Go model 2× slower moves
them all), and the share of failed requests, absolute (closed and idle rows: open-model
steps past the capacity fail by design). The runs' windows, warm-up, CPUs
and GOMAXPROCS are compared too, with a warning on stderr where they differ.

Exit status: 0 no regression, 1 a regression (listed at the end) or nothing in common,
2 a bad command line.`

func runCompare(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("compare", compareSynopsis, stdout)
	threshold := fs.String("threshold", "10%", `a change for the worse beyond this is a regression: "10%" or "0.1"`)
	metricList := fs.String("metric", compare.DefaultMetrics, "comma-separated columns to compare: "+strings.Join(compare.MetricNames(), ", "))
	mode := fs.String("mode", "both", "both: absolute figures and within-run ratios; abs: absolute only; ratios: within-run ratios only (for CI across machines)")
	ref := fs.String("ref", compare.DefaultReference, "the server every within-run ratio is taken against")
	alpha := fs.Float64("alpha", compare.DefaultAlpha, "significance level of the U test on repeated rows")
	gate := fs.Bool("gate", false, "CI's comparison: req/s and RSS ratios against nginx/cthreads at 40%, and the share of failed requests (no other flag with it)")
	pos, err := parseWithPositional(fs, args)
	if err != nil {
		return ignoreHelp(err)
	}
	if len(pos) != 2 {
		return usageError{fmt.Sprintf("compare: want BASE.csv NEW.csv, got %d arguments", len(pos))}
	}
	opts := []compare.Options{}
	if *gate {
		if fs.NFlag() > 1 {
			return usageError{"compare: --gate takes no other flag"}
		}
		opts = gateOptions()
	} else {
		opt, err := compareOptions(*threshold, *metricList, *mode, *ref, *alpha)
		if err != nil {
			return err
		}
		opts = append(opts, opt)
	}
	return compareRuns(pos[0], pos[1], opts, *gate, stdout, stderr)
}

// compareRuns compares the run at newPath with the one at basePath once per option set,
// telling the servers the new run left out or did not plan (its run.json) from missing ones.
func compareRuns(basePath, newPath string, opts []compare.Options, gate bool, stdout, stderr io.Writer) error {
	base, err := readSummary(basePath)
	if err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	cur, err := readSummary(newPath)
	if err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	if gate { // the gate is about the suite's own code: the Go models, held to the references
		base, cur = goModelsAndReferences(base), goModelsAndReferences(cur)
	}
	m, hasManifest, err := readManifestBeside(newPath)
	if err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	regressions := 0
	for i, opt := range opts {
		opt.LeftOut = metrics.LeftOutByServer(m.LeftOut)
		if hasManifest {
			opt.Planned = m.PlannedServers()
		}
		rep, err := compare.Compare(base, cur, opt)
		if err != nil {
			return err
		}
		if err := rep.WriteMarkdown(stdout, basePath, newPath); err != nil {
			return fmt.Errorf("compare: %w", err)
		}
		for _, w := range rep.Warnings {
			if i == 0 {
				fmt.Fprintf(stderr, "bench compare: warning: %s\n", w)
			}
		}
		regressions += len(rep.Regressions())
	}
	if regressions > 0 {
		return fmt.Errorf("compare: %d regression(s)", regressions)
	}
	return nil
}

// gateOptions are CI's comparisons (--gate): within-run ratios against servers the code
// under test does not touch, and failed requests by their share.
func gateOptions() []compare.Options {
	ratioMetrics, _ := compare.ParseMetrics("rps,rss_peak_kb")
	errorMetrics, _ := compare.ParseMetrics("errors")
	return []compare.Options{
		{Mode: compare.Ratios, Metrics: ratioMetrics, Reference: compare.DefaultReference, Threshold: GateThreshold},
		{Mode: compare.Absolute, Metrics: errorMetrics, Threshold: GateThreshold,
			Kinds: []metrics.Kind{metrics.KindClosed, metrics.KindIdle}},
	}
}

// goModelsAndReferences keeps the rows of the suite's Go models (gomaxprocs > 0) and of the
// reference servers: a real server's own figures (Apache growing its children over a
// shorter warm-up in a quick run) are not the code under test.
func goModelsAndReferences(rows []metrics.SummaryRow) []metrics.SummaryRow {
	refs := compare.Options{Reference: compare.DefaultReference}.References()
	var out []metrics.SummaryRow
	for _, r := range rows {
		if r.GoMaxProcs > 0 || slices.Contains(refs, r.Server) {
			out = append(out, r)
		}
	}
	return out
}

// GateThreshold is --gate's ratio threshold: above the 31 % that req/s ratios moved
// between two quiet quick runs here, below the 50 % of a regression that halves a model.
const GateThreshold = 0.40

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
