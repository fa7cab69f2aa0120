package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/benchsuite/threads-vs-loop/claims"
	"github.com/benchsuite/threads-vs-loop/metrics"
)

const checkSynopsis = `check RUN_DIR [--strict] [--known-miss CLAIM]

Checks a run (RUN_DIR/summary.csv, or a summary.csv named directly, with the run.json
beside it when there is one) against the claims the suite exists to show, one line per
claim and scenario it applies to (chosen by kind, path and background, never by name).
Each claim holds servers in the roles the suite gives them (a server's "roles", listed in
run.json; claims/roles.go; the default suite's for a run made before): the thread
reference (cthreads), the event-loop contender (evented), the servers that run their
burns on their loop (evented, node, java-virtual), offload them (evented-offload,
node-offload) or are time-sliced (threaded, cthreads, java-platform), the 2008 pair
(apache-worker, nginx), virtual threads and the same code on platform threads (java-virtual,
java-platform). Every threshold follows from a principle written in claims/doc.go:
  - memory per connection (PSS where read; the least-squares slope over each idle
    scenario): the thread reference ≥ one page (4 KB: a thread touches a page of its
    stack), evented and nginx < one page (no stack per connection; evented on /hello
    sweeps too), Apache worker ≥ 7.75 KB (the 2008 graph: 9 to 40 MB over 4000);
  - CPU per request at the top /hello level: the thread reference above evented in every
    round, its cheapest repeat over evented's dearest > 1 (a trip through the scheduler
    per request), with the medians' ratio and its context switches per request;
    at c = 4000, Apache worker ≥ 3.2× nginx's (the 2008 graphs: 9.0k vs 2.8k req/s);
  - head-of-line blocking (an open load beside burns of B µs of CPU taking a share ρ):
    a loop that runs the burns (evented, node) has p99 ≥ B(1 − 0.01/ρ) − 0.1 B; one that
    offloads them (evented-offload, node-offload) has p99 ≤ B/4;
  - /io: evented's threads do not grow with its connections (≤ 2 above its lowest
    level's); every thread server holds a thread per connection up (threads ≥ its
    connections answered).
A claim whose role has no rows is SKIP; N/A when run.json says the run left that server
out with a reason (printed, not counted), except for the roles the verdict rests on
(cthreads, evented, evented-offload), which stay SKIP. A claim read from a row that cannot carry it
is UNRELIABLE: over 1 % of requests failed or none measured, connections not all
answered, a background with errors or under 90 % of its due requests completed, or, on a
head-of-line row, a server that completed (or a client that sent) under 95 % of the
foreground's due requests, or burns that ran short of their CPU time. Repeats are reduced to
their median, except where a claim says otherwise (the CPU claim compares every round).

--known-miss CLAIM names a claim (the start of its line's claim text, e.g.
"apache-worker/nginx CPU per request") whose FAIL is a miss already reported with its
figures (README, "Measured"): it is printed as FAIL, with "(known miss)", and does not
fail the check; its SKIP or UNRELIABLE still does under --strict, and a PASS is a PASS.

Exit status: 0 no FAIL, 1 a FAIL (or a SKIP or UNRELIABLE with --strict), 2 a bad
command line.`

func runCheck(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("check", checkSynopsis, stdout)
	strict := fs.Bool("strict", false, "a SKIP or UNRELIABLE fails the check too")
	knownMiss := fs.String("known-miss", "", "a claim (the start of its text) whose FAIL is a reported miss: printed, not failing the check")
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
	m, _, err := readManifestBeside(pos[0])
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	results := claims.Check(claims.NewRun(rows, m))
	known := 0
	for _, r := range results {
		if r.Status == claims.Fail && *knownMiss != "" && strings.HasPrefix(r.Claim, *knownMiss) {
			known++
			fmt.Fprintln(stdout, r.String()+" (known miss)")
			continue
		}
		fmt.Fprintln(stdout, r)
	}
	c := claims.Count(results)
	c.Fail -= known
	fmt.Fprintf(stdout, "\n%d claims: %d PASS, %d FAIL, %d SKIP or UNRELIABLE, %d N/A", len(results), c.Pass, c.Fail, c.Skip, c.NA)
	if known > 0 {
		fmt.Fprintf(stdout, ", %d FAIL a known miss (--known-miss %q)", known, *knownMiss)
	}
	fmt.Fprintln(stdout)
	counted := len(results) - c.NA
	switch {
	case c.Fail > 0:
		return fmt.Errorf("check: %d of %d claims failed", c.Fail, counted)
	case *strict && c.Skip > 0:
		return fmt.Errorf("check: %d of %d claims skipped or unreliable (--strict)", c.Skip, counted)
	}
	return nil
}

// readManifestBeside is the run.json of the run at path (its folder, or its summary.csv);
// ok is false, with no error, for a run made before run.json.
func readManifestBeside(path string) (m metrics.RunManifest, ok bool, err error) {
	dir := path
	if st, err := os.Stat(path); err == nil && !st.IsDir() {
		dir = filepath.Dir(path)
	}
	m, err = metrics.ReadManifest(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return metrics.RunManifest{}, false, nil
	}
	return m, err == nil, err
}
