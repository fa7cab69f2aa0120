package compare

import (
	"bytes"
	"strings"
	"testing"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// TestRunRatios: each server's median over the first reference with rows at its level
// (nginx, else cthreads), never a reference over itself, no open rows; the table shows
// both medians and their repeats.
func TestRunRatios(t *testing.T) {
	row := func(server string, c int, rps float64, kind metrics.Kind) metrics.SummaryRow {
		return metrics.SummaryRow{RunID: "r", Server: server, Scenario: "hello", Kind: kind, Concurrency: c, OfferedRPS: float64(c), RPS: rps}
	}
	rows := []metrics.SummaryRow{
		row("evented", 10, 90, metrics.KindClosed), row("evented", 10, 110, metrics.KindClosed), row("evented", 10, 100, metrics.KindClosed),
		row("nginx", 10, 50, metrics.KindClosed), row("cthreads", 10, 20, metrics.KindClosed),
		row("evented", 100, 80, metrics.KindClosed), row("cthreads", 100, 40, metrics.KindClosed),
		row("evented", 7, 10, metrics.KindOpen), row("nginx", 7, 5, metrics.KindOpen),
	}
	opt := Options{Reference: "nginx,cthreads", Metrics: []Metric{metricByName(t, "rps")}}
	got := RunRatios(rows, opt)
	want := []struct {
		server string
		level  float64
		ratio  float64
		n      int
	}{{"evented/nginx", 10, 2, 3}, {"cthreads/nginx", 10, 0.4, 1}, {"evented/cthreads", 100, 2, 1}}
	if len(got) != len(want) {
		t.Fatalf("got %d ratios %+v, want %d", len(got), got, len(want))
	}
	for _, w := range want {
		found := false
		for _, g := range got {
			if g.Server == w.server && g.Level == w.level {
				found = true
				if g.Ratio != w.ratio || g.NumN != w.n {
					t.Errorf("%s c=%v: ratio %v over %d repeats, want %v over %d", w.server, w.level, g.Ratio, g.NumN, w.ratio, w.n)
				}
			}
		}
		if !found {
			t.Errorf("no ratio %s at c=%v in %+v", w.server, w.level, got)
		}
	}
	var out bytes.Buffer
	if err := WriteRunRatios(&out, "run", got, opt.Reference); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "| evented/nginx | hello | c=10 | rps | 2 | 100 | 50 | 3/1 |") {
		t.Errorf("table:\n%s", out.String())
	}
}

func metricByName(t *testing.T, name string) Metric {
	t.Helper()
	ms, err := ParseMetrics(name)
	if err != nil || len(ms) != 1 {
		t.Fatalf("ParseMetrics(%q) = %v, %v", name, ms, err)
	}
	return ms[0]
}
