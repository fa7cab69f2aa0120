package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The golden files in testdata/golden are the CLI's output on the fixture runs, benchstat
// style: a change in what a command prints shows as a diff of a committed file. After a
// deliberate change: go test ./cmd/bench -run Golden -update.
var update = flag.Bool("update", false, "rewrite testdata/golden/*.golden from the current output")

func TestGolden(t *testing.T) {
	reportDir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"check-good", []string{"check", filepath.Dir(goodRun)}},
		{"check-cheat", []string{"check", cheatRun}},
		{"check-quick", []string{"check", quickRun}},
		{"compare-regressed", []string{"compare", goodRun, regressedRun}},
		{"compare-quick", []string{"compare", "--mode", "ratios", "--ref", "threaded", goodRun, quickRun}},
		{"plot-report", []string{"plot", "-o", reportDir, plotFixture}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, out, _ := bench(tc.args...)
			if tc.name == "plot-report" {
				b, err := os.ReadFile(filepath.Join(reportDir, "report.md"))
				if err != nil {
					t.Fatal(err)
				}
				out = string(b)
			}
			checkGolden(t, filepath.Join("testdata", "golden", tc.name+".golden"), out)
		})
	}
}

func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/bench -run Golden -update)", err)
	}
	if !bytes.Equal(want, []byte(got)) {
		t.Errorf("%s differs from the output:\n%s", path, lineDiff(string(want), got))
	}
}

// lineDiff lists the lines that differ, by line number.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var a, c string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			c = g[i]
		}
		if a != c {
			b.WriteString("line " + strconv.Itoa(i+1) + ":\n- " + a + "\n+ " + c + "\n")
		}
	}
	return b.String()
}
