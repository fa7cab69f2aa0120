package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckGoodRunAllPass(t *testing.T) {
	code, out, stderr := bench("check", filepath.Dir(goodRun))
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q\n%s", code, stderr, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 13 || lines[len(lines)-1] != "11 claims: 9 PASS, 0 FAIL, 2 SKIP or UNRELIABLE" {
		t.Fatalf("want 11 claim lines (the 2 on Apache and Node SKIP), a blank and the tally:\n%s", out)
	}
	for _, want := range []string{
		"PASS  threaded RSS per connection (idle, 0..10000): 27.6 KB ≥ 10 KB",
		"PASS  evented/threads req/s at the top hello level (c=8000): 3.93× ≥ 2× (82100 vs 20900 req/s, threaded)",
		"PASS  hol: single-loop evented p99 over evented-offload's (c=20): 17.1× ≥ 5× (104300 µs vs 6100 µs)",
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
	if code != 1 || stderr != "bench: check: 2 of 11 claims failed\n" {
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
		"FAIL  threaded RSS per connection (hello, 1..8000): 0.2 KB, want ≥ 10 KB",
	}
	if strings.Join(fails, "\n") != strings.Join(want, "\n") {
		t.Errorf("FAIL lines:\n%s\nwant\n%s", strings.Join(fails, "\n"), strings.Join(want, "\n"))
	}
}

// TestCheckMissingRowsSkip: the quick run has no hol rows: those claims are SKIP, which
// fails the check only with --strict.
func TestCheckMissingRowsSkip(t *testing.T) {
	code, out, _ := bench("check", quickRun)
	if code != 0 || strings.Count(out, "\nSKIP  hol: ") != 2 || !strings.Contains(out, "7 PASS, 0 FAIL, 4 SKIP or UNRELIABLE") {
		t.Fatalf("exit %d; want 0 with the two hol claims SKIP:\n%s", code, out)
	}
	code, _, stderr := bench("check", "--strict", quickRun)
	if code != 1 || !strings.Contains(stderr, "4 of 11 claims skipped or unreliable") {
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
