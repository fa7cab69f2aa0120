package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The fixture runs in testdata/runs: good is a realistic full run; regressed is good with a
// few rows doctored (see the cases below); quick has fewer levels, 3 rate steps instead of
// 5 and no hol rows; cheat is good with a threaded server whose memory stays flat.
const (
	goodRun      = "testdata/runs/good/summary.csv"
	regressedRun = "testdata/runs/regressed/summary.csv"
	quickRun     = "testdata/runs/quick/summary.csv"
	cheatRun     = "testdata/runs/cheat/summary.csv"
)

// bench runs the CLI in process and returns its exit status and output.
func bench(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = exitCode(run(args, noStdin{}, &out, &errb), &errb)
	return code, out.String(), errb.String()
}

func TestCompareIdenticalRunsExitZero(t *testing.T) {
	code, out, stderr := bench("compare", goodRun, goodRun)
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q; want 0", code, stderr)
	}
	for _, want := range []string{"84 matched, 0 only in base, 0 only in new", "No regressions beyond 10%."} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q", want)
		}
	}
}

// TestCompareDoctoredRunNamesTheRows: regressed.csv doctors good.csv: threaded hello c=1000
// req/s −26.8%, evented hello c=8000 p99 ×2, goroutine idle=5000 RSS +30% (regressions);
// evented hello c=10 req/s −4% (within the threshold) and goroutine io c=100 p99 −30% (an
// improvement), which must not be named.
func TestCompareDoctoredRunNamesTheRows(t *testing.T) {
	abs := []string{
		"- threaded hello c=1000: rps 41000 → 30000 (−26.8%)",
		"- evented hello c=8000: p99_us 253350 → 506700 (+100.0%)",
		"- goroutine idle idle=5000: rss_peak_kb 47852 → 62207 (+30.0%)",
	}
	ratios := []string{
		"- evented/threaded hello c=8000: p99_us ratio 0.255 → 0.509 (+100.0%)",
		"- goroutine/threaded idle idle=5000: rss_peak_kb ratio 0.329 → 0.427 (+30.0%)",
	}
	for _, tc := range []struct {
		mode string
		want []string
	}{
		{"both", append(append([]string{}, abs...), ratios...)},
		{"abs", abs},
		{"ratios", ratios},
	} {
		code, out, stderr := bench("compare", goodRun, regressedRun, "--mode", tc.mode, "--ref", "threaded")
		if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "regression") {
			t.Errorf("--mode %s: exit %d, stderr %q; want 1 and one line", tc.mode, code, stderr)
		}
		if got := regressionLines(out); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("--mode %s: regressions\n%s\nwant\n%s", tc.mode, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
		}
	}
}

func regressionLines(out string) []string {
	var got []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "- ") {
			got = append(got, l)
		}
	}
	return got
}

func TestCompareThresholdAndMetricFlags(t *testing.T) {
	// At 50% only the doubled p99 (and its ratio) is left; with --metric rps only the req/s drop.
	code, out, _ := bench("compare", goodRun, regressedRun, "--threshold", "0.5", "--ref", "threaded")
	if got := regressionLines(out); code != 1 || len(got) != 2 || !strings.Contains(got[0], "evented hello c=8000: p99_us") {
		t.Errorf("--threshold 0.5: exit %d, regressions %q", code, got)
	}
	code, out, _ = bench("compare", "--metric", "rps", "--mode", "abs", goodRun, regressedRun)
	if got := regressionLines(out); code != 1 || len(got) != 1 || !strings.Contains(got[0], "threaded hello c=1000: rps") {
		t.Errorf("--metric rps: exit %d, regressions %q", code, got)
	}
	if strings.Contains(out, "p99_us") {
		t.Error("--metric rps still reports p99_us")
	}
	code, _, _ = bench("compare", goodRun, regressedRun, "--threshold", "200%")
	if code != 0 {
		t.Errorf("--threshold 200%%: exit %d, want 0", code)
	}
}

func TestCompareQuickRunAgainstFullBaseline(t *testing.T) {
	code, out, stderr := bench("compare", filepath.Dir(goodRun), quickRun) // a run folder works too
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	for _, want := range []string{
		"20 matched, 64 only in base, 12 only in new",
		"unmatched where the step counts differ: evented rate (5 vs 3 steps)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q", want)
		}
	}
}

func TestCompareBadCommandLines(t *testing.T) {
	for _, args := range [][]string{
		{"compare"},
		{"compare", goodRun},
		{"compare", goodRun, goodRun, goodRun},
		{"compare", goodRun, goodRun, "--threshold", "10"},
		{"compare", goodRun, goodRun, "--threshold", "-5%"},
		{"compare", goodRun, goodRun, "--metric", "rps,bogus"},
		{"compare", goodRun, goodRun, "--mode", "relative"},
		{"compare", goodRun, goodRun, "--alpha", "2"},
		{"compare", goodRun, goodRun, "--bogus"},
	} {
		code, out, stderr := bench(args...)
		if code != 2 || strings.Count(stderr, "\n") != 1 || out != "" {
			t.Errorf("bench %v: exit %d, stderr %q, stdout %q; want exit 2 and one line", args[1:], code, stderr, out)
		}
	}
}

func TestCompareUnreadableInputExitOne(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(bad, []byte("not,a,summary\n1,2,3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"compare", goodRun, "testdata/runs/nosuch.csv"},
		{"compare", bad, goodRun},
	} {
		if code, _, stderr := bench(args...); code != 1 || strings.Count(stderr, "\n") != 1 {
			t.Errorf("bench %v: exit %d, stderr %q; want 1 and one line", args[1:], code, stderr)
		}
	}
}

func TestCompareAndCheckHelp(t *testing.T) {
	for cmd, flags := range map[string][]string{
		"compare": {"-threshold", "-metric", "-mode", "-ref", "-alpha", "(default \"10%\")", "rps,p99_us,rss_peak_kb"},
		"check":   {"-strict", "SKIP"},
	} {
		code, out, _ := bench(cmd, "-h")
		if code != 0 || !strings.HasPrefix(out, "usage: bench "+cmd) {
			t.Errorf("bench %s -h: exit %d, stdout %q", cmd, code, out)
		}
		for _, f := range flags {
			if !strings.Contains(out, f) {
				t.Errorf("bench %s -h does not mention %s", cmd, f)
			}
		}
	}
}

// TestCompareOneRunRatios: one run with --mode ratios prints its within-run ratios and
// exits 0; one run without it is a usage error.
func TestCompareOneRunRatios(t *testing.T) {
	code, out, stderr := bench("compare", "--mode", "ratios", "--ref", "threaded", "--metric", "rps", goodRun)
	if code != 0 || !strings.Contains(out, "ratios within") || !strings.Contains(out, "evented/threaded | ") {
		t.Fatalf("exit %d, stdout:\n%s\nstderr: %s", code, out, stderr)
	}
	if code, _, stderr := bench("compare", goodRun); code != 2 || !strings.Contains(stderr, "one run with --mode ratios") {
		t.Errorf("one run without --mode ratios: exit %d, %q; want 2 and the usage", code, stderr)
	}
}
