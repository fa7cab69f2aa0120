package main

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// claimsRun is a full run that held every claim when it was measured (the baseline
// committed in a8aea8f, measured on a machine where a system call cost a fraction of what
// it cost on the next baseline's day): the claims' code must still find every claim held
// there, and the doctored runs below are copies of it. The committed baseline is not the
// fixture: it is whatever the last measurement was, a failed claim included.
const claimsRun = "testdata/claims-run/summary.csv"

// TestCheckPassesOnARunThatHeldEveryClaim: bench check --strict on claimsRun passes every
// claim, so a change to the claims' code that turns a held claim into a FAIL or SKIP fails.
func TestCheckPassesOnARunThatHeldEveryClaim(t *testing.T) {
	code, out, stderr := bench("check", "--strict", filepath.Dir(claimsRun))
	if code != 0 || stderr != "" || strings.Contains(out, "FAIL  ") || strings.Contains(out, "SKIP  ") {
		t.Fatalf("exit %d, stderr %q\n%s", code, stderr, out)
	}
}

// doctored is claimsRun with its rows changed by edit (a row edit returns false to
// drop the row) and run.json's left-out servers set to leftOut, in a new run folder.
func doctored(t *testing.T, edit func(r *metrics.SummaryRow) bool, leftOut ...metrics.LeftOut) string {
	t.Helper()
	rows, err := readSummary(claimsRun)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	f, err := metrics.CreateSummary(filepath.Join(dir, "summary.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if edit(&r) {
			if err := f.Write(r); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := metrics.WriteManifest(dir, metrics.RunManifest{LeftOut: leftOut}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestCheckDoctoredRuns: each way a verdict could rest on luck gives SKIP, UNRELIABLE or
// FAIL on the claim it touches, and --strict exits 1; a server left out with a reason is
// N/A and does not fail --strict.
func TestCheckDoctoredRuns(t *testing.T) {
	at := func(server, scenario string, level float64) func(r *metrics.SummaryRow) bool {
		return func(r *metrics.SummaryRow) bool {
			return r.Server == server && r.Scenario == scenario && (level == 0 || r.Level() == level)
		}
	}
	top := func(scenario, server string) float64 {
		rows, _ := readSummary(claimsRun)
		var lv float64
		for _, r := range rows {
			if r.Server == server && r.Scenario == scenario {
				lv = max(lv, r.Level())
			}
		}
		return lv
	}
	for _, tc := range []struct {
		name    string
		edit    func(r *metrics.SummaryRow) bool
		leftOut []metrics.LeftOut
		want    []string // each a line's prefix
		code    int      // of --strict
	}{
		{"missing cthreads", func(r *metrics.SummaryRow) bool { return r.Server != "cthreads" }, nil,
			[]string{"SKIP  cthreads memory per connection (idle): no idle rows of cthreads, the thread reference",
				"SKIP  threads/loop CPU per request at the top hello level: no hello rows of cthreads"}, 1},
		{"cthreads left out with a reason", func(r *metrics.SummaryRow) bool { return r.Server != "cthreads" },
			[]metrics.LeftOut{{Server: "cthreads", Why: "gcc is not installed"}},
			[]string{"SKIP  cthreads memory per connection (idle): the thread reference (a real server, a thread per connection), cthreads, was left out of the run (gcc is not installed): the claim rests on it"}, 1},
		{"Node left out with a reason", func(r *metrics.SummaryRow) bool { return r.Server != "node" && r.Server != "node-offload" },
			[]metrics.LeftOut{{Server: "node", Why: "node is not installed"}, {Server: "node-offload", Why: "node is not installed"}},
			[]string{"N/A  node p99 behind the burns on its loop (hol): a server that runs its burns where it serves the others, node, was left out of the run: node is not installed",
				"N/A  node-offload p99 with its burns offloaded (hol): "}, 0},
		{"connections not all answered", func(r *metrics.SummaryRow) bool {
			if at("apache-worker", "io", 4000)(r) {
				r.ConnsUp = 7
			}
			return true
		}, nil, []string{"UNRELIABLE  apache-worker: a thread per connection at /io"}, 1},
		{"background errors", func(r *metrics.SummaryRow) bool {
			if at("node", "hol", 0)(r) {
				r.BgErrors = 3
			}
			return true
		}, nil, []string{"UNRELIABLE  node p99 behind the burns on its loop"}, 1},
		{"background short of its due requests", func(r *metrics.SummaryRow) bool {
			if at("node-offload", "hol", 0)(r) {
				r.BgRPS /= 2
			}
			return true
		}, nil, []string{"UNRELIABLE  node-offload p99 with its burns offloaded"}, 1},
		{"a top row with 0 req/s", func(r *metrics.SummaryRow) bool {
			if at("evented", "hello", top("hello", "evented"))(r) {
				r.Requests, r.RPS, r.CPUUsPerReq = 0, 0, 0
			}
			return true
		}, nil, []string{"UNRELIABLE  threads/loop CPU per request at the top hello level (c = " + fmtLevel(top("hello", "evented")) + ")"}, 1},
		{"a thread server with flat memory", func(r *metrics.SummaryRow) bool {
			if at("cthreads", "idle", 0)(r) {
				r.PSSPeakKB, r.RSSPeakKB = 10000, 10000
			}
			return true
		}, nil, []string{"FAIL  cthreads memory per connection (idle, "}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := doctored(t, tc.edit, tc.leftOut...)
			code, out, _ := bench("check", "--strict", dir)
			for _, w := range tc.want {
				if !strings.Contains(out, "\n"+w) && !strings.HasPrefix(out, w) {
					t.Errorf("no line starting %q in\n%s", w, out)
				}
			}
			if code != tc.code {
				t.Errorf("--strict exit %d, want %d\n%s", code, tc.code, out)
			}
		})
	}
}

func fmtLevel(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// TestCheckKnownMiss: a FAIL named by --known-miss is printed as such and does not fail
// the check; another claim's FAIL still does, and so does the named claim's UNRELIABLE.
func TestCheckKnownMiss(t *testing.T) {
	lean := doctored(t, func(r *metrics.SummaryRow) bool {
		if r.Server == "apache-worker" && r.Scenario == "hello" && r.Concurrency == 4000 {
			r.CPUUsPerReq /= 3 // Apache at twice nginx's cost: under the 2008 floor
		}
		return true
	})
	const miss = "apache-worker/nginx CPU per request"
	code, out, _ := bench("check", "--strict", "--known-miss", miss, lean)
	if code != 0 || !strings.Contains(out, "\nFAIL  apache-worker/nginx CPU per request (hello, c = 4000") || !strings.Contains(out, "(known miss)\n") ||
		!strings.Contains(out, "1 FAIL a known miss") {
		t.Errorf("known miss: exit %d\n%s", code, out)
	}
	if code, _, _ := bench("check", "--strict", lean); code != 1 {
		t.Errorf("without --known-miss: exit %d, want 1", code)
	}
	flat := doctored(t, func(r *metrics.SummaryRow) bool {
		if r.Server == "apache-worker" && r.Scenario == "hello" && r.Concurrency == 4000 {
			r.CPUUsPerReq /= 3
		}
		if r.Server == "cthreads" && r.Scenario == "idle" { // flat memory: a thread server under a page
			r.PSSPeakKB, r.RSSPeakKB = 10000, 10000
		}
		return true
	})
	if code, out, _ := bench("check", "--strict", "--known-miss", miss, flat); code != 1 || !strings.HasPrefix(out, "FAIL  cthreads memory per connection") {
		t.Errorf("another claim's FAIL beside the known miss: exit %d, want 1\n%s", code, out)
	}
}

func TestCheckMissingRowsSkip(t *testing.T) {
	code, out, _ := bench("check", quickRun)
	if code != 0 || !strings.Contains(out, "SKIP  evented p99 behind the burns on its loop: no open load beside a background of CPU burns (head-of-line blocking) scenario in the run\n") {
		t.Fatalf("exit %d; want 0 with claims SKIP:\n%s", code, out)
	}
	code, _, stderr := bench("check", "--strict", quickRun)
	if code != 1 || !strings.Contains(stderr, "claims skipped or unreliable (--strict)") {
		t.Errorf("--strict: exit %d, stderr %q; want 1", code, stderr)
	}
}

func TestCheckBadCommandLines(t *testing.T) {
	for _, args := range [][]string{
		{"check"},
		{"check", goodRun, cheatRun},
		{"check", "--bogus", goodRun},
	} {
		code, out, stderr := bench(args...)
		if code != 2 || strings.Count(stderr, "\n") != 1 || out != "" {
			t.Errorf("bench %v: exit %d, stderr %q, stdout %q; want exit 2 and one line", args[1:], code, stderr, out)
		}
	}
	if code, _, _ := bench("check", "testdata/runs/nosuch"); code != 1 {
		t.Errorf("missing run folder: exit %d, want 1", code)
	}
}
