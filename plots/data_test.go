package plots

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

func TestAggregateTakesTheMedianOverRepeats(t *testing.T) {
	row := func(server string, rep int, rps float64, bound bool) metrics.SummaryRow {
		return metrics.SummaryRow{Server: server, Scenario: "hello", Kind: metrics.KindClosed, Concurrency: 100, Repeat: rep, RPS: rps,
			P99us: rps / 10, RSSPeakKB: int64(rps), Bound: boundIf(bound)}
	}
	rows := []metrics.SummaryRow{
		row("odd", 1, 10, false), row("odd", 2, 30, false), row("odd", 3, 20, true),
		row("even", 1, 10, false), row("even", 2, 100, false), row("even", 3, 20, false), row("even", 4, 30, false),
		{Server: "odd", Scenario: "idle", Kind: metrics.KindIdle, Concurrency: 10, IdleConns: 5000, RPS: 7},
		{Server: "odd", Scenario: "idle", Kind: metrics.KindIdle, Concurrency: 10, IdleConns: 0, RPS: 8},
	}
	got := map[string]Agg{}
	for _, a := range Aggregate(rows) {
		got[a.Server+"/"+a.Scenario+"/"+plain(a.Level)] = a
	}
	if a := got["odd/hello/100"]; a.RPS != 20 || a.P99us != 2 || a.RSSPeakKB != 20 || a.Repeats != 3 || !a.ClientBound {
		t.Errorf("odd repeats: %+v, want median 20, 3 repeats, client-bound (one repeat was)", a)
	}
	if a := got["even/hello/100"]; a.RPS != 25 || a.Repeats != 4 || a.ClientBound {
		t.Errorf("even repeats: %+v, want the mean of the middle two (25)", a)
	}
	if lo, hi := got["even/hello/100"].Spread(func(a Agg) float64 { return a.P99us }); lo != 1 || hi != 10 {
		t.Errorf("even p99 spread %v–%v, want 1–10 (the lowest and highest repeat)", lo, hi)
	}
	_, pts := bySeries(palette{}, Aggregate(rows), "hello", true, func(a Agg) float64 { return a.RPS })
	if p := pts["odd"][0]; p.Y != 20 || p.Lo != 10 || p.Hi != 30 {
		t.Errorf("odd's point %+v, want 20 with a bar from 10 to 30", p)
	}
	if a := got["odd/idle/5000"]; len(a.Each) != 0 {
		t.Errorf("a point measured once has no repeats to spread: %+v", a.Each)
	}
	if a, b := got["odd/idle/5000"], got["odd/idle/0"]; a.RPS != 7 || b.RPS != 8 {
		t.Errorf("idle rows must be keyed by idle_conns: %v", got)
	}
}

func TestAggregateOrder(t *testing.T) {
	var rows []metrics.SummaryRow
	for _, s := range []string{"zeta", "goroutine", "alpha", "threaded", "evented"} {
		for _, sc := range []string{"rate", "hello", "custom"} {
			rows = append(rows, metrics.SummaryRow{Server: s, Scenario: sc, Concurrency: 2},
				metrics.SummaryRow{Server: s, Scenario: sc, Concurrency: 1})
		}
	}
	var got []string
	for _, a := range Aggregate(rows) {
		if a.Scenario == "hello" && a.Level == 1 {
			got = append(got, a.Server)
		}
	}
	if want := "threaded evented goroutine alpha zeta"; strings.Join(got, " ") != want {
		t.Errorf("server order %v, want %s", got, want)
	}
	aggs := Aggregate(rows)
	if aggs[0].Scenario != "rate" || aggs[len(aggs)-1].Scenario != "custom" || aggs[0].Level != 1 {
		t.Errorf("want scenarios in run order (rate first, custom last), levels ascending: first %+v last %+v", aggs[0], aggs[len(aggs)-1])
	}
}

func TestCaption(t *testing.T) {
	start := time.Date(2026, 11, 25, 23, 59, 0, 0, time.UTC)
	base := metrics.SummaryRow{RunID: "r1", StartedAt: start, HostCPUs: 2, ServerCPUs: "0", ClientCPUs: "1"}
	later := base
	later.StartedAt = start.Add(time.Hour)
	other := base
	other.ServerCPUs, other.ClientCPUs = "0-1", "2,3"
	for _, tc := range []struct {
		rows []metrics.SummaryRow
		want string
	}{
		{[]metrics.SummaryRow{later, base}, "2 CPUs · server on CPU 0, client on CPU 1 · 2026-11-25 · run r1"},
		{[]metrics.SummaryRow{other, other, base}, "2 CPUs · server on CPUs 0-1, client on CPUs 2,3 · 2026-11-25 · run r1"},
		{[]metrics.SummaryRow{{HostCPUs: 1}}, "1 CPU · no CPU pinning"},
	} {
		if got := Caption(tc.rows); got != tc.want {
			t.Errorf("Caption = %q, want %q", got, tc.want)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	missing := t.TempDir()
	if _, err := Load(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("no summary.csv: %v, want ErrNotExist", err)
	}
	bad := t.TempDir()
	write(t, filepath.Join(bad, "summary.csv"), "a,b,c\n1,2,3\n")
	if _, err := Load(bad); !errors.Is(err, metrics.ErrSchema) {
		t.Errorf("bad header: %v, want metrics.ErrSchema", err)
	}
	empty := t.TempDir()
	write(t, filepath.Join(empty, "summary.csv"), strings.Join(metrics.SummaryHeader, ",")+"\n")
	if _, err := Load(empty); !errors.Is(err, ErrNoRows) {
		t.Errorf("header only: %v, want ErrNoRows", err)
	}
}

func TestLoadOptionalFilesAndBadHgrm(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join(fixtureDir, "summary.csv"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "summary.csv"), string(src))
	write(t, filepath.Join(dir, "hgrm", "noname.hgrm"), "")
	write(t, filepath.Join(dir, "hgrm", "threaded_hello_10.hgrm"), "not a histogram\n")
	good, err := os.ReadFile(filepath.Join(fixtureDir, "hgrm", "evented_hello_1000.hgrm"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "hgrm", "renamed.hgrm"), string(good))  // the header names it
	legacy := strings.Join(strings.Split(string(good), "\n")[6:], "\n") // no header: the name does
	write(t, filepath.Join(dir, "hgrm", "my_srv_hello_1000.hgrm"), legacy)
	d, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d.Timeseries != nil {
		t.Errorf("no timeseries.csv: got %d rows", len(d.Timeseries))
	}
	if len(d.Warnings) != 2 || len(d.Hists) != 2 || d.Hists[0].Server != "evented" || d.Hists[1].Server != "my_srv" {
		t.Errorf("warnings %q, hists %+v: want the two bad files skipped, evented (header) and my_srv (name) read", d.Warnings, d.Hists)
	}
}

func write(t *testing.T, path, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestWindowsSplitAndLayBackToBack(t *testing.T) {
	ts := func(level float64, tms int64, rss int64) metrics.TimeseriesRow {
		return metrics.TimeseriesRow{Server: "s", Scenario: "hello", Level: level, TMs: tms, RSSKB: rss}
	}
	rows := []metrics.TimeseriesRow{
		ts(100, 5000, 1024), ts(100, 5100, 2048), // absolute times
		ts(10, 0, 1024), ts(10, 100, 1024), ts(10, 200, 1024),
		ts(10, 0, 3072), ts(10, 100, 3072), // a repeat: time goes back
		{Server: "other", Scenario: "hello", Level: 10, TMs: 50},
	}
	ws := windows(rows, "s", "hello")
	if len(ws) != 3 || ws[0].level != 10 || len(ws[0].rows) != 3 || len(ws[1].rows) != 2 || ws[2].level != 100 {
		t.Fatalf("windows = %+v", ws)
	}
	rss, _, starts, _ := backToBack(ws)
	if len(rss) != 7 || len(starts) != 3 {
		t.Fatalf("%d points, %d starts", len(rss), len(starts))
	}
	for i := 1; i < len(rss); i++ {
		if rss[i].X <= rss[i-1].X {
			t.Fatalf("time not increasing at %d: %v", i, rss)
		}
	}
	if rss[0].X != 0 || rss[3].Y != 3 || starts[1] != rss[3] || starts[2] != rss[5] {
		t.Errorf("layout %v, starts %v", rss, starts)
	}
}

// boundIf is client when the test's point was client-bound, else server.
func boundIf(client bool) metrics.Bound {
	if client {
		return metrics.BoundClient
	}
	return metrics.BoundServer
}

// TestMarksFollowTheBound: one mark language in every chart: filled for server (or
// neither), hollow for client, tinted for both; over repeats a side that limited any
// repeat limited the point.
func TestMarksFollowTheBound(t *testing.T) {
	for b, want := range map[metrics.Bound]mark{metrics.BoundServer: markFilled, metrics.BoundNeither: markFilled,
		metrics.BoundClient: markHollow, metrics.BoundBoth: markTinted} {
		if got := markOf(b); got != want {
			t.Errorf("%s: mark %d, want %d", b, got, want)
		}
	}
	rows := []metrics.SummaryRow{
		{Server: "s", Scenario: "x", Kind: metrics.KindClosed, Concurrency: 1, Repeat: 1, Bound: metrics.BoundServer},
		{Server: "s", Scenario: "x", Kind: metrics.KindClosed, Concurrency: 1, Repeat: 2, Bound: metrics.BoundClient},
		{Server: "s", Scenario: "x", Kind: metrics.KindClosed, Concurrency: 2, Repeat: 1, Bound: metrics.BoundNeither},
	}
	aggs := Aggregate(rows)
	if aggs[0].Bound != metrics.BoundBoth || aggs[1].Bound != metrics.BoundNeither {
		t.Errorf("bounds %s, %s; want both (server in one repeat, client in another), neither", aggs[0].Bound, aggs[1].Bound)
	}
}
