package main

import (
	"fmt"
	"io"

	"github.com/benchsuite/threads-vs-loop/claims"
)

const checkSynopsis = `check RUN_DIR [--strict]

Checks a run (RUN_DIR/summary.csv, or a summary.csv named directly) against the claims
the suite exists to show, one line per claim and scenario it applies to (chosen by kind,
path and background, never by name), PASS or FAIL with its figure. "threads" is the
best thread-per-connection server of the run (design threads: threaded, cthreads,
apache-worker, …) for each claim, so a slow stand-in cannot make it:
  - RSS per connection (PSS where read), the least-squares slope over each idle scenario
    (idle_conns): the leanest threads server ≥ 10 KB, evented ≤ 2 KB, Apache worker ≥ 10×
    nginx; and evented ≤ 2 KB over each closed sweep of /hello (concurrency; not the
    threads: there the load connects faster than a thread server on one CPU accepts);
  - at the top /hello level both ran, evented req/s ≥ 1.2× the fastest threads
    server's, and the thriftiest threads server's CPU per request ≥ 1.3× evented's;
  - head-of-line blocking (a closed load beside a /cpu?us=N background): the single
    loop's p99 (evented, and Node's) ≥ 0.8× one burn of N µs;
  - /io: evented uses ≤ 10 threads at every level; each threads server holds a thread per
    connection it accepted (threads ≥ 0.85× its descriptors beyond 16 of its own).
A threads server whose rows are unreliable is left out of a "best of" choice.
Repeats are reduced to their median. A claim whose rows are missing is SKIP with the
reason; one read from rows where over 1 % of requests failed, or that measured nothing,
is UNRELIABLE. Neither fails the check unless --strict, which CI runs; --strict also
fails a run with no rows.

Exit status: 0 no FAIL, 1 a FAIL (or a SKIP or UNRELIABLE with --strict), 2 a bad
command line.`

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
	fmt.Fprintf(stdout, "\n%d claims: %d PASS, %d FAIL, %d SKIP or UNRELIABLE\n", len(results), pass, fail, skip)
	switch {
	case fail > 0:
		return fmt.Errorf("check: %d of %d claims failed", fail, len(results))
	case *strict && skip > 0:
		return fmt.Errorf("check: %d of %d claims skipped or unreliable (--strict)", skip, len(results))
	}
	return nil
}
