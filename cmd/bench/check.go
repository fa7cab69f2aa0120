package main

import (
	"fmt"
	"io"

	"github.com/benchsuite/threads-vs-loop/claims"
)

const checkSynopsis = `check RUN_DIR [--strict]

Checks a run (RUN_DIR/summary.csv, or a summary.csv named directly) against the claims
the suite exists to show, one line per claim, PASS or FAIL with its figure:
  - RSS per connection, the least-squares slope of rss_peak_kb over the idle rows
    (idle_conns) and over the hello rows (concurrency): threaded ≥ 10 KB, evented ≤ 2 KB;
  - at the top hello level both ran, evented req/s ≥ 2× threaded's;
  - hol: the single-loop evented server's /hello p99 ≥ 5× threaded's and ≥ 5×
    evented-offload's;
  - /io: evented uses ≤ 10 threads at every level, threaded ≥ the concurrency.
Repeats are reduced to their median. A claim whose rows are missing is SKIP with the
reason, which does not fail the check unless --strict.

Exit status: 0 no FAIL, 1 a FAIL (or a SKIP with --strict), 2 a bad command line.`

func runCheck(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("check", checkSynopsis, stdout)
	strict := fs.Bool("strict", false, "a SKIP (rows missing for a claim) fails the check too")
	pos, err := parseWithPositional(fs, args)
	if err != nil {
		return ignoreHelp(err)
	}
	if len(pos) != 1 {
		return usageError{fmt.Sprintf("check: want RUN_DIR, got %d arguments", len(pos))}
	}
	rows, err := readSummary(pos[0])
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	results := claims.Check(rows)
	for _, r := range results {
		fmt.Fprintln(stdout, r)
	}
	pass, fail, skip := claims.Count(results)
	fmt.Fprintf(stdout, "\n%d claims: %d PASS, %d FAIL, %d SKIP\n", len(results), pass, fail, skip)
	switch {
	case fail > 0:
		return fmt.Errorf("check: %d of %d claims failed", fail, len(results))
	case *strict && skip > 0:
		return fmt.Errorf("check: %d of %d claims skipped (--strict)", skip, len(results))
	}
	return nil
}
