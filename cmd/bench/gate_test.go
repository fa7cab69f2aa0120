package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// quickBaseline is a real quick run, whose revision's Go models CI's gate runs again: the
// quick suite, measured beside the full baseline.
const quickBaseline = "../../results/baseline-quick"

// TestGateDoctoredRuns: CI's compare (--gate) against the quick baseline, on doctored
// copies of it (its run.json beside each): itself and a copy of a machine twice as slow
// (every server, references too) pass; a 15 % regression in one Go model (its CPU per
// request up, its server-bound req/s down), one in every Go model (code they share,
// which within-model ratios would cancel), a point the suite planned with no row, and an
// idle level not held, each fail, naming what failed.
func TestGateDoctoredRuns(t *testing.T) {
	rows, err := readSummary(quickBaseline)
	if err != nil {
		t.Fatal(err)
	}
	manifest, err := os.ReadFile(filepath.Join(quickBaseline, "run.json"))
	if err != nil {
		t.Fatal(err)
	}
	isGo := func(r metrics.SummaryRow) bool { return r.GoMaxProcs > 0 }
	one := func(r metrics.SummaryRow) bool { return r.Server == "goroutine" }
	dropped := slices.DeleteFunc(slices.Clone(rows), func(r metrics.SummaryRow) bool {
		return r.Server == "evented" && r.Scenario == "hello" && r.Concurrency == 1000
	})
	notHeld := slices.Clone(rows)
	for i, r := range notHeld {
		if r.Server == "threaded" && r.Kind == metrics.KindIdle && r.IdleConns == 5000 {
			notHeld[i].IdleConns, notHeld[i].Note = 4100, "only 4100 of 5000 idle connections up (900 failed)"
		}
	}
	for _, tc := range []struct {
		name string
		rows []metrics.SummaryRow
		want int
		says string
	}{
		{"the baseline itself", rows, 0, "PASS"},
		{"the whole machine at half speed", slower(rows, func(metrics.SummaryRow) bool { return true }, 2), 0, "PASS"},
		{"goroutine 15 % slower", slower(rows, one, 1.15), 1, "| goroutine | cost per request"},
		{"every Go model 15 % slower", slower(rows, isGo, 1.15), 1, "| threaded | cost per request"},
		{"a planned point with no row", dropped, 1, "evented closed /hello c=1000: planned by both runs, not measured"},
		{"an idle level not held", notHeld, 1, "threaded idle /hello idle=5000: held 4100 of 5000 idle connections"},
	} {
		dir := t.TempDir()
		writeRows(t, filepath.Join(dir, "summary.csv"), tc.rows)
		if err := os.WriteFile(filepath.Join(dir, "run.json"), manifest, 0o644); err != nil {
			t.Fatal(err)
		}
		code, out, stderr := bench("compare", "--gate", quickBaseline, dir)
		line := ""
		if i := strings.Index(out, tc.says); i >= 0 {
			line = out[i:]
			line, _, _ = strings.Cut(line, "\n")
		}
		if code != tc.want || line == "" || tc.want == 1 && tc.says[0] == '|' && !strings.Contains(line, "FAIL") {
			t.Errorf("%s: exit %d, want %d, with %q failing\n%s\n%s", tc.name, code, tc.want, tc.says, stderr, out)
		}
	}
}

// slower makes the rows pick selects by times slower: CPU per request up, req/s, the
// requests, the capacity and the offered rates down (an open row's share of the capacity
// stays), and hol's p99 up where it is the server's own (under a quarter burn), not a
// wait behind a burn, which is fixed CPU time on any machine.
func slower(rows []metrics.SummaryRow, pick func(metrics.SummaryRow) bool, by float64) []metrics.SummaryRow {
	out := make([]metrics.SummaryRow, len(rows))
	for i, r := range rows {
		if pick(r) {
			r.CPUUsPerReq *= by
			r.RPS /= by
			r.Requests, r.Errors = int64(float64(r.Requests)/by), int64(float64(r.Errors)/by)
			r.OfferedRPS, r.ReferenceRPS = r.OfferedRPS/by, r.ReferenceRPS/by
			if r.HasBackground() && r.P99us < r.BgBurnUs/4 {
				r.P99us *= by
			}
		}
		out[i] = r
	}
	return out
}

// TestStrictCheckFailsAnEmptyRun: a run with no rows proves nothing.
func TestStrictCheckFailsAnEmptyRun(t *testing.T) {
	dir := t.TempDir()
	writeRows(t, filepath.Join(dir, "summary.csv"), nil)
	if code, _, _ := bench("check", "--strict", dir); code != 1 {
		t.Errorf("empty run: exit %d, want 1", code)
	}
	if code, _, _ := bench("check", "--strict", t.TempDir()); code != 1 {
		t.Errorf("no summary.csv: exit %d, want 1", code)
	}
}

func writeRows(t *testing.T, path string, rows []metrics.SummaryRow) {
	t.Helper()
	os.Remove(path)
	f, err := metrics.CreateSummary(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := f.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestGateFailsAModelTheBaselineDidNotMeasure: a baseline run with no row of a Go model
// the new run measured (it failed there, or left it out) gives the gate no figure of it:
// that fails, naming the model, instead of passing it unjudged.
func TestGateFailsAModelTheBaselineDidNotMeasure(t *testing.T) {
	rows, err := readSummary(quickBaseline)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeRows(t, filepath.Join(dir, "summary.csv"), slices.DeleteFunc(rows, func(r metrics.SummaryRow) bool { return r.Server == "threaded" }))
	code, _, stderr := bench("compare", "--gate", dir, quickBaseline)
	if code != 1 || !strings.Contains(stderr, "the gate judged no figure of threaded") {
		t.Errorf("exit %d, stderr %q; want 1, naming threaded", code, stderr)
	}
}

// TestGateScreenNamesTheModelsToMeasureAgain: --gate --screen prints, one per line, the Go
// models whose cost per request is above compare.ScreenThreshold (goroutine 7 % costlier
// is below the limit, above the screen; 15 % is both) and nothing for the baseline
// itself; --screen without --gate is a usage error.
func TestGateScreenNamesTheModelsToMeasureAgain(t *testing.T) {
	rows, err := readSummary(quickBaseline)
	if err != nil {
		t.Fatal(err)
	}
	one := func(r metrics.SummaryRow) bool { return r.Server == "goroutine" }
	for _, tc := range []struct {
		name string
		rows []metrics.SummaryRow
		want string
	}{
		{"the baseline itself", rows, ""},
		{"goroutine 7 % slower", slower(rows, one, 1.07), "goroutine\n"},
		{"goroutine 15 % slower", slower(rows, one, 1.15), "goroutine\n"},
	} {
		dir := t.TempDir()
		writeRows(t, filepath.Join(dir, "summary.csv"), tc.rows)
		code, out, stderr := bench("compare", "--gate", "--screen", quickBaseline, dir)
		if code != 0 || out != tc.want {
			t.Errorf("%s: exit %d, printed %q, want %q\n%s", tc.name, code, out, tc.want, stderr)
		}
	}
	if code, _, stderr := bench("compare", "--screen", quickBaseline, quickBaseline); code != 2 || !strings.Contains(stderr, "--screen goes with --gate") {
		t.Errorf("--screen alone: exit %d, %q; want 2", code, stderr)
	}
}
