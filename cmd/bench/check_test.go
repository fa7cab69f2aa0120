package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckGoodRunAllPass: a sound run passes every claim it has rows for (its lines are
// in testdata/golden/check-good.golden); the claims on rows it lacks (Node, the CPU per
// request of a run made before that column) are SKIP, which fails only --strict.
func TestCheckGoodRunAllPass(t *testing.T) {
	code, out, stderr := bench("check", filepath.Dir(goodRun))
	if code != 0 || stderr != "" || strings.Contains(out, "FAIL  ") {
		t.Fatalf("exit %d, stderr %q\n%s", code, stderr, out)
	}
	for _, want := range []string{
		"PASS  threaded RSS per connection (idle, 0..10000): 27.6 KB ≥ 10 KB",
		"PASS  evented/threads req/s at the top hello level (c=8000): 3.93× ≥ 1.2× (82100 vs 20900 req/s, threaded)",
		"PASS  evented p99 behind a whole burn (hol, c = 20): 20.86× the burn ≥ 0.8× the burn (104300 µs, the burn 5000 µs)",
		"SKIP  node p99 behind a whole burn (hol): no hol rows of node with p99 beside a /cpu?us=N background",
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("stdout lacks %q", want)
		}
	}
}

// TestCheckCheatingRunFails: the cheat run's threaded server keeps its memory flat (0.2 KB
// per connection), which a thread per connection cannot do.
func TestCheckCheatingRunFails(t *testing.T) {
	code, out, stderr := bench("check", cheatRun)
	if code != 1 || stderr != "bench: check: 1 of 11 claims failed\n" {
		t.Fatalf("exit %d, stderr %q; want 1 and the count of failures", code, stderr)
	}
	var fails []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "FAIL") {
			fails = append(fails, l)
		}
	}
	want := []string{
		"FAIL  threaded RSS per connection (idle, 0..10000): 0.2 KB, want ≥ 10 KB",
	}
	if strings.Join(fails, "\n") != strings.Join(want, "\n") {
		t.Errorf("FAIL lines:\n%s\nwant\n%s", strings.Join(fails, "\n"), strings.Join(want, "\n"))
	}
}

// TestCheckMissingRowsSkip: this quick run has no head-of-line rows: those claims are SKIP,
// which fails the check only with --strict.
func TestCheckMissingRowsSkip(t *testing.T) {
	code, out, _ := bench("check", quickRun)
	if code != 0 || strings.Count(out, ": no load with a background (head-of-line blocking) scenario in the run") != 3 {
		t.Fatalf("exit %d; want 0 with the three head-of-line claims SKIP:\n%s", code, out)
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
