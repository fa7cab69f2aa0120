package main

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/benchsuite/threads-vs-loop/metrics"
	"github.com/benchsuite/threads-vs-loop/plots"
)

// renamed maps the default suite's scenario names to others: every stage after the suite
// file must give the same rows and charts whatever the scenarios are called.
var renamed = map[string]string{"hello": "sweep", "idle": "c10k", "io": "wait", "hol": "blocking", "rate": "openload"}

// TestRenamedScenariosGiveTheSameRunAndCharts runs the quick default suite (two models,
// short windows) as it is and with every scenario renamed: the same rows (kinds, levels,
// idle connections, offered rates as fractions of the capacity), one .hgrm per measured
// step, and the same charts under the new names.
func TestRenamedScenariosGiveTheSameRunAndCharts(t *testing.T) {
	if runtime.GOOS != "linux" || testing.Short() {
		t.Skip("runs bench run with real servers and loads (linux)")
	}
	dir := t.TempDir()
	suite := filepath.Join("..", "..", "suites", "default.json")
	other := filepath.Join(dir, "renamed.json")
	writeRenamedSuite(t, suite, other)
	a, b := runQuickSuite(t, suite, filepath.Join(dir, "a")), runQuickSuite(t, other, filepath.Join(dir, "b"))
	if len(a) != len(b) || len(a) == 0 {
		t.Fatalf("%d rows with the default names, %d renamed", len(a), len(b))
	}
	for i := range a {
		ra, rb := a[i], b[i]
		if renamed[ra.Scenario] != rb.Scenario || ra.Kind != rb.Kind || ra.Server != rb.Server ||
			ra.Concurrency != rb.Concurrency || idleAsked(ra) != idleAsked(rb) || ra.Path != rb.Path || ra.BgPath != rb.BgPath {
			t.Errorf("row %d: %s %s %s c=%d idle=%d vs %s %s %s c=%d idle=%d", i, ra.Server, ra.Scenario, ra.Kind,
				ra.Concurrency, ra.IdleConns, rb.Server, rb.Scenario, rb.Kind, rb.Concurrency, rb.IdleConns)
		}
	}
	if fa, fb := offeredFractions(a), offeredFractions(b); !slices.Equal(fa, fb) || len(fa) == 0 {
		t.Errorf("offered rates as fractions of each server's top rate: %v vs %v", fa, fb)
	}
	pa, da := chartSet(t, filepath.Join(dir, "a"), nil)
	pb, db := chartSet(t, filepath.Join(dir, "b"), renamed)
	if !slices.Equal(pa, pb) || len(da) < 10 || len(db) < 10 {
		t.Errorf("charts planned\n%v\nrenamed\n%v\ndrawn %d and %d", pa, pb, len(da), len(db))
	}
	for _, run := range []string{"a", "b"} {
		rows := a
		if run == "b" {
			rows = b
		}
		hgrms, _ := filepath.Glob(filepath.Join(dir, run, "hgrm", "*.hgrm"))
		if measured := countMeasured(rows); len(hgrms) != measured {
			t.Errorf("run %s: %d .hgrm files for %d measured steps", run, len(hgrms), measured)
		}
	}
}

// idleAsked is the idle connections a row's step asked for (its idle_conns, or what its
// note says was asked when fewer came up); 0 for a row that is not idle.
func idleAsked(r metrics.SummaryRow) float64 {
	if r.Kind != metrics.KindIdle {
		return 0
	}
	return r.AskedLevel()
}

func writeRenamedSuite(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	var s map[string]any
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	for _, sc := range s["scenarios"].([]any) {
		m := sc.(map[string]any)
		m["name"] = renamed[m["name"].(string)]
	}
	out, _ := json.Marshal(s)
	if err := os.WriteFile(to, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// runQuickSuite runs bench run --quick with two models, short windows and one round, and
// reads its rows.
func runQuickSuite(t *testing.T, suite, out string) []metrics.SummaryRow {
	t.Helper()
	cmd := exec.Command(os.Args[0], "run", "--suite", suite, "--out", out, "--quick", "--models", "evented,goroutine",
		"--warmup", "100ms", "--duration", "300ms", "--repeats", "1")
	cmd.Env = append(os.Environ(), "BENCH_AS_MAIN=1")
	log, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bench run: %v\n%s", err, log)
	}
	if err := run([]string{"plot", out}, noStdin{}, &strings.Builder{}, &strings.Builder{}); err != nil {
		t.Fatal(err)
	}
	return summaryRows(t, out)
}

// offeredFractions is each open-model row's offered rate over its server's top offered
// rate in the scenario (told apart by its paths, which the renaming keeps), to 2
// decimals: the capacity measured differs between runs, the fractions of it do not.
func offeredFractions(rows []metrics.SummaryRow) []float64 {
	key := func(r metrics.SummaryRow) string { return r.Server + "\x00" + r.Path + "\x00" + r.BgPath }
	top := map[string]float64{}
	for _, r := range rows {
		if r.Kind == metrics.KindOpen {
			top[key(r)] = math.Max(top[key(r)], r.OfferedRPS)
		}
	}
	var out []float64
	for _, r := range rows {
		if r.Kind == metrics.KindOpen && top[key(r)] > 0 {
			out = append(out, math.Round(100*r.OfferedRPS/top[key(r)])/100)
		}
	}
	return out
}

// chartSet lists the charts a run folder plans and the PNGs it drew, each scenario
// prefix mapped back through names (new → old), sorted. Which charts are planned follows
// from the scenarios' kinds and loads alone, so it must not change with the names; a
// planned chart may go undrawn only when the run has no measured row for it (a short
// window on a loaded machine can leave an open scenario with none in time), and then
// WriteChart must say so with ErrNoData.
func chartSet(t *testing.T, dir string, names map[string]string) (planned, drawn []string) {
	t.Helper()
	back := map[string]string{}
	for old, nu := range names {
		back[nu] = old
	}
	oldName := func(base string) string {
		if prefix, rest, ok := strings.Cut(base, "_"); ok && back[prefix] != "" {
			return back[prefix] + "_" + rest
		}
		return base
	}
	d, err := plots.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range d.Charts() {
		planned = append(planned, oldName(c.File))
		if _, err := os.Stat(filepath.Join(dir, c.File)); err == nil {
			drawn = append(drawn, c.File)
		} else if err := d.WriteChart(c.File, io.Discard); !errors.Is(err, plots.ErrNoData) {
			t.Errorf("%s: %s planned, not drawn, and WriteChart says %v", dir, c.File, err)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.png"))
	if len(files) != len(drawn) {
		t.Errorf("%s: %d PNGs, %d of them planned charts", dir, len(files), len(drawn))
	}
	slices.Sort(planned)
	return planned, drawn
}

func countMeasured(rows []metrics.SummaryRow) int {
	n := 0
	for _, r := range rows {
		if r.Requests > 0 || r.Due > 0 { // an open step past capacity may complete none of its due requests in time
			n++
		}
	}
	return n
}
