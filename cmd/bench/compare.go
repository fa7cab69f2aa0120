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

const compareSynopsis = `compare BASE.csv NEW.csv [--threshold 10%] [--metric rps,p99_us,rss_peak_kb,errors] [--mode both|abs|ratios]
        compare --gate [--screen] BASE.csv NEW.csv
        compare --mode ratios [--ref nginx] [--metric rps] RUN.csv

Compares two summary.csv files (a run folder works too: DIR means DIR/summary.csv) and
writes a Markdown report on stdout. Rows are matched on server × scenario × level; only
rows present in both are compared, and the report says how many were matched and how
many were in one file only. Rate rows are matched by their step index within server and
repeat, since each server's offered rates are a share of its own capacity.

A regression is a change for the worse beyond the threshold: req/s down, latency, memory,
threads or CPU up. Each cell is the median over repeats; with at least 4 repeats a side a
change must also pass a Mann–Whitney U test at --alpha, with 3 against 3 at 0.1 (the
least p the test can give there), with fewer the delta decides. A change the test does
not find is reported as within the noise of the repeats.

With one run and --mode ratios, it prints that run's within-run ratios (each server's
median over --ref's, with both medians and their repeats) and compares nothing: the
summary of a side-by-side sweep such as scripts/wrk-compare.sh's.

--mode ratios compares only figures measured within each run (each server over --ref at
the same scenario and level, e.g. evented/nginx req/s per hello level), which travel
between machines when absolute figures do not. --ref names servers the suite's code does
not touch (nginx, then the C thread server where nginx has no row), so a regression that
every Go model shares still shows. A ratio regresses when the server loses ground against
--ref (it got worse, or --ref got better). errors is the share of failed requests,
compared by difference (a rise of over 1 point is a regression); a latency or memory
that falls to 0 measured nothing and is a regression too.

--gate is what CI runs: each Go model's cost against the references of the same run
(nginx, cthreads: code the suite does not touch), aggregated over levels and repeats by
a median: server CPU per request on closed rows, req/s where the server was the limit,
memory with idle connections, hol's p99 over one burn, and the open model's capacity. It
fails when a figure costs more than compare.GateThreshold over the baseline (a whole
machine 2-3x slower moves no ratio; a model 15 % slower moves its own), when a point both
runs' suites planned was not measured or held fewer idle connections than asked, or when
the share of failed requests rose (closed and idle rows). Compare like with like: two
measurements made side by side (ratios cancel what a machine does to every server, not
all it does to one design: unchanged code moved up to 15 % between machines, and 21 %
between two runs minutes apart on one), as CI does with scripts/gate.sh, which runs the
quick baseline's revision's Go models in the same run as the code under test, each right
after its model, and gates the two halves. The runs' windows, warm-up, CPUs
and GOMAXPROCS are compared too, with a warning on stderr where they differ. The cost is
the median of new/base over every pair of repeats at every level; one run of 3 rounds
moves it about 4 % on unchanged code, so a cost above compare.ScreenThreshold (half the
limit) does not decide alone: --gate --screen prints those models, one per line, and
nothing else (exit 0), and scripts/gate.sh measures 3 more rounds of each with its twin
and gates every round together.

Exit status: 0 no regression, 1 a regression (listed at the end) or nothing in common,
2 a bad command line.`

func runCompare(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("compare", compareSynopsis, stdout)
	threshold := fs.String("threshold", "10%", `a change for the worse beyond this is a regression: "10%" or "0.1"`)
	metricList := fs.String("metric", compare.DefaultMetrics, "comma-separated columns to compare: "+strings.Join(compare.MetricNames(), ", "))
	mode := fs.String("mode", "both", "both: absolute figures and within-run ratios; abs: absolute only; ratios: within-run ratios only (for CI across machines)")
	ref := fs.String("ref", compare.DefaultReference, "the server every within-run ratio is taken against")
	alpha := fs.Float64("alpha", compare.DefaultAlpha, "significance level of the U test on repeated rows")
	gate := fs.Bool("gate", false, "CI's comparison: each Go model's costs against nginx/cthreads, aggregated over levels and repeats, planned points measured, failed requests (no other flag with it but --screen)")
	screen := fs.Bool("screen", false, "with --gate: print only the Go models whose cost per request is above compare.ScreenThreshold, to be measured again")
	pos, err := parseWithPositional(fs, args)
	if err != nil {
		return ignoreHelp(err)
	}
	if len(pos) == 1 && *mode == "ratios" && !*gate {
		opt, err := compareOptions(*threshold, *metricList, *mode, *ref, *alpha)
		if err != nil {
			return err
		}
		return runRatios(pos[0], opt, stdout)
	}
	if len(pos) != 2 {
		return usageError{fmt.Sprintf("compare: want BASE.csv NEW.csv (or one run with --mode ratios), got %d arguments", len(pos))}
	}
	opts := []compare.Options{}
	switch {
	case *screen && !*gate:
		return usageError{"compare: --screen goes with --gate"}
	case *gate:
		if fs.NFlag() > 1+btoi(*screen) {
			return usageError{"compare: --gate takes no other flag but --screen"}
		}
		return gateRuns(pos[0], pos[1], *screen, stdout, stderr)
	default:
		opt, err := compareOptions(*threshold, *metricList, *mode, *ref, *alpha)
		if err != nil {
			return err
		}
		opts = append(opts, opt)
	}
	return compareRuns(pos[0], pos[1], opts, stdout, stderr)
}

// compareRuns compares the run at newPath with the one at basePath once per option set,
// telling the servers the new run left out or did not plan (its run.json) from missing ones.
func compareRuns(basePath, newPath string, opts []compare.Options, stdout, stderr io.Writer) error {
	base, cur, err := readRuns(basePath, newPath)
	if err != nil {
		return err
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

// readRuns reads the base and the new run's rows.
func readRuns(basePath, newPath string) (base, cur []metrics.SummaryRow, err error) {
	if base, err = readSummary(basePath); err == nil {
		cur, err = readSummary(newPath)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("compare: %w", err)
	}
	return base, cur, nil
}

// runRatios prints one run's within-run ratios (compare.RunRatios).
func runRatios(path string, opt compare.Options, stdout io.Writer) error {
	rows, err := readSummary(path)
	if err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	if err := compare.WriteRunRatios(stdout, path, compare.RunRatios(rows, opt), opt.Reference); err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	return nil
}

// gateRuns is --gate: compare.Gate (the Go models' costs, the planned points, the
// share of failed requests).
// With screen it prints only the models to measure again (GateReport.ToConfirm).
func gateRuns(basePath, newPath string, screen bool, stdout, stderr io.Writer) error {
	base, cur, err := readRuns(basePath, newPath)
	if err != nil {
		return err
	}
	opt := compare.GateOptions{}
	for _, side := range []struct {
		path string
		plan *[]metrics.PlannedPoint
	}{{basePath, &opt.BasePlan}, {newPath, &opt.NewPlan}} {
		m, ok, err := readManifestBeside(side.path)
		if err != nil {
			return fmt.Errorf("compare: %w", err)
		}
		if ok {
			*side.plan = m.Planned
			if side.path == newPath {
				opt.LeftOut = metrics.LeftOutByServer(m.LeftOut)
			}
		}
	}
	rep := compare.Gate(base, cur, opt)
	if screen {
		for _, m := range rep.ToConfirm() {
			fmt.Fprintln(stdout, m)
		}
		return nil
	}
	if err := rep.WriteMarkdown(stdout, basePath, newPath); err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	if len(rep.Unjudged) > 0 {
		return fmt.Errorf("compare: the gate judged no figure of %s, measured in %s: nothing in common with %s to gate them by",
			strings.Join(rep.Unjudged, ", "), newPath, basePath)
	}
	for _, w := range rep.Warnings {
		fmt.Fprintf(stderr, "bench compare: warning: %s\n", w)
	}
	if rep.Failed() {
		return fmt.Errorf("compare: the gate failed (%d point(s) not as planned, %d with more failed requests, figures beyond their limits in the table)",
			len(rep.Missing), len(rep.Failures))
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

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
