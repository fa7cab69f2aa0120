package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

const baselineRun = "../../results/baseline/summary.csv"

// TestGateCatchesARegressionEveryGoModelShares: CI's compare (--gate) fails on a copy of
// the baseline with every Go model's req/s halved and the reference servers untouched (a
// regression in the HTTP core or the connection loop, which within-model ratios would
// cancel), and passes on the same copy with the references halved too (a machine twice
// as slow).
func TestGateCatchesARegressionEveryGoModelShares(t *testing.T) {
	rows, err := readSummary(baselineRun)
	if err != nil {
		t.Fatal(err)
	}
	goHalved := scaled(rows, func(r metrics.SummaryRow) bool { return r.GoMaxProcs > 0 }, 0.5)
	allHalved := scaled(rows, func(metrics.SummaryRow) bool { return true }, 0.5)
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		rows []metrics.SummaryRow
		want int
	}{
		{"the baseline itself", rows, 0},
		{"every Go model at half speed", goHalved, 1},
		{"the whole machine at half speed", allHalved, 0},
	} {
		path := filepath.Join(dir, tc.name+".csv")
		writeRows(t, path, tc.rows)
		code, out, stderr := bench("compare", "--gate", baselineRun, path)
		if code != tc.want || (code == 1) != strings.Contains(out, "/nginx hello c=1000: rps ratio") {
			t.Errorf("%s: exit %d, want %d (with the req/s ratios against nginx named)\n%s\n%s", tc.name, code, tc.want, stderr, out)
		}
	}
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

// scaled multiplies the req/s (and requests) of the rows pick selects.
func scaled(rows []metrics.SummaryRow, pick func(metrics.SummaryRow) bool, f float64) []metrics.SummaryRow {
	out := make([]metrics.SummaryRow, len(rows))
	for i, r := range rows {
		if pick(r) {
			r.RPS *= f
			r.Requests, r.Errors = int64(float64(r.Requests)*f), int64(float64(r.Errors)*f)
		}
		out[i] = r
	}
	return out
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
