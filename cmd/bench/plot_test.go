package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/benchsuite/threads-vs-loop/plots"
)

const plotFixture = "../../plots/testdata/run"

func TestPlotWritesEveryChartAndReport(t *testing.T) {
	for _, order := range []string{"dir-first", "flags-first"} {
		out := filepath.Join(t.TempDir(), "new", "dir")
		args := []string{"plot", plotFixture, "-o", out}
		if order == "flags-first" {
			args = []string{"plot", "-o=" + out, plotFixture}
		}
		var stdout, stderr bytes.Buffer
		if err := run(args, noStdin{}, &stdout, &stderr); err != nil {
			t.Fatalf("%v: %v (stderr %s)", args, err, &stderr)
		}
		lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
		d, err := plots.Load(plotFixture)
		if err != nil {
			t.Fatal(err)
		}
		if len(lines) != len(d.Charts())+1 {
			t.Fatalf("%d lines, want one per chart and report.md:\n%s", len(lines), &stdout)
		}
		for _, l := range lines {
			if filepath.Dir(l) != out {
				t.Errorf("%s written outside %s", l, out)
			}
			if st, err := os.Stat(l); err != nil || st.Size() == 0 {
				t.Errorf("printed %s but: %v", l, err)
			}
		}
		if !strings.HasSuffix(lines[len(lines)-1], "report.md") {
			t.Errorf("last line %q, want report.md", lines[len(lines)-1])
		}
	}
}

// Without -o the charts go into the run folder; a chart without rows is reported on
// stderr and not written.
func TestPlotDefaultsToRunFolder(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join(plotFixture, "summary.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "summary.csv"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if err := run([]string{"plot", dir}, noStdin{}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "hello_throughput.png")); err != nil {
		t.Error(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "timeseries.png")); err == nil {
		t.Error("timeseries.png written without timeseries.csv")
	}
	if !strings.Contains(stderr.String(), "skipped timeseries.png") || strings.Contains(stdout.String(), "timeseries.png") {
		t.Errorf("stdout %q, stderr %q: want the skipped chart on stderr only", &stdout, &stderr)
	}
}

func TestPlotErrors(t *testing.T) {
	emptyDir := t.TempDir()
	badCSV := t.TempDir()
	if err := os.WriteFile(filepath.Join(badCSV, "summary.csv"), []byte("x,y\n1,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"plot", emptyDir}, 1},
		{[]string{"plot", badCSV}, 1},
		{[]string{"plot"}, 2},
		{[]string{"plot", "a", "b"}, 2},
		{[]string{"plot", "--bogus", emptyDir}, 2},
		{[]string{"plot", emptyDir, "-o"}, 2},
	} {
		var stdout, stderr bytes.Buffer
		code := exitCode(run(tc.args, noStdin{}, &stdout, &stderr), &stderr)
		if code != tc.code {
			t.Errorf("%v: exit %d, want %d (stderr %q)", tc.args, code, tc.code, &stderr)
		}
		if n := strings.Count(stderr.String(), "\n"); n != 1 {
			t.Errorf("%v: stderr has %d lines, want one: %q", tc.args, n, &stderr)
		}
	}
}

func TestPlotHelpExplainsEveryFlag(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := run([]string{"plot", "--help"}, noStdin{}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"bench plot DIR", "-o", "report.md", "summary.csv"} {
		if !strings.Contains(stdout.String(), s) {
			t.Errorf("help lacks %q:\n%s", s, &stdout)
		}
	}
}

// TestCommittedBaselinesReplot: the committed baselines' charts and report are what bench
// plot draws from their CSV today, byte for byte. A change to the charts fails here until
// the baselines are re-plotted with it (bin/bench plot results/baseline, and the same for
// results/baseline-quick), so a chart in the tree never shows an older drawing of its data.
func TestCommittedBaselinesReplot(t *testing.T) {
	for _, dir := range []string{"../../results/baseline", "../../results/baseline-quick"} {
		out := t.TempDir()
		if code, _, stderr := bench("plot", "-o", out, dir); code != 0 {
			t.Fatalf("plot %s: exit %d: %s", dir, code, stderr)
		}
		drawn, err := filepath.Glob(filepath.Join(out, "*"))
		if err != nil || len(drawn) < 2 {
			t.Fatalf("plot %s drew %d files (%v)", dir, len(drawn), err)
		}
		for _, f := range drawn {
			got, _ := os.ReadFile(f)
			want, err := os.ReadFile(filepath.Join(dir, filepath.Base(f)))
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s/%s differs from its re-plot (%v): re-plot the baseline", dir, filepath.Base(f), err)
			}
		}
		committed, _ := filepath.Glob(filepath.Join(dir, "*.png"))
		for _, f := range committed {
			if _, err := os.Stat(filepath.Join(out, filepath.Base(f))); err != nil {
				t.Errorf("%s is committed but bench plot no longer draws it", f)
			}
		}
	}
}
