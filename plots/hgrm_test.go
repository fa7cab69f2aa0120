package plots

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/HdrHistogram/hdrhistogram-go"
)

func TestParseHgrmReadsPercentilesPrint(t *testing.T) {
	h := hdrhistogram.New(1, 60_000_000, 3)
	for v := int64(1); v <= 10000; v++ {
		if err := h.RecordValue(v); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := h.PercentilesPrint(&buf, 5, 1.0); err != nil {
		t.Fatal(err)
	}
	pts, err := ParseHgrm(&buf)
	if err != nil {
		t.Fatal(err)
	}
	var p50 *HistPoint
	for i := range pts {
		if pts[i].Percentile == 0.5 {
			p50 = &pts[i]
		}
		if i > 0 && (pts[i].Percentile < pts[i-1].Percentile || pts[i].ValueUs < pts[i-1].ValueUs) {
			t.Fatalf("not monotonic at %d: %+v", i, pts[i-1:i+1])
		}
	}
	if p50 == nil || p50.ValueUs != float64(h.ValueAtQuantile(50)) {
		t.Fatalf("p50 = %+v, want %d", p50, h.ValueAtQuantile(50))
	}
	last := pts[len(pts)-1]
	if last.Percentile != 1 || last.Count != 10000 || last.ValueUs != float64(h.Max()) {
		t.Errorf("last point %+v, want percentile 1, count 10000, max %d", last, h.Max())
	}
}

func TestParseHgrmRejectsOtherText(t *testing.T) {
	for _, in := range []string{"", "hello world\n", " Value\tPercentile\tTotalCount\t1/(1-Percentile)\n\n 1.0 2.0 3 4\n", "1.0 0.5 x 2.00\n"} {
		if _, err := ParseHgrm(strings.NewReader(in)); !errors.Is(err, ErrHgrm) {
			t.Errorf("ParseHgrm(%q) = %v, want ErrHgrm", in, err)
		}
	}
}

func TestParseHgrmName(t *testing.T) {
	for _, tc := range []struct {
		name, server, scenario string
		level                  float64
		repeat                 int
	}{
		{"hgrm/threaded_hello_1000.hgrm", "threaded", "hello", 1000, 1},
		{"evented-offload_rate_2500.5.hgrm", "evented-offload", "rate", 2500.5, 1},
		{"my_server_idle_0.hgrm", "my_server", "idle", 0, 1},
		{"threaded_hello_1000_r3.hgrm", "threaded", "hello", 1000, 3},
		{"my_server_hello_10_r2.hgrm", "my_server", "hello", 10, 2},
	} {
		h, err := ParseHgrmName(tc.name)
		if err != nil || h.Server != tc.server || h.Scenario != tc.scenario || h.Level != tc.level || h.Repeat != tc.repeat {
			t.Errorf("%s: %+v, %v", tc.name, h, err)
		}
	}
	for _, bad := range []string{"hello.hgrm", "a_b_x.hgrm", "_hello_1.hgrm", "a__1.hgrm", "a_b_1_rx.hgrm", "a_b_1_r0.hgrm"} {
		if h, err := ParseHgrmName(bad); !errors.Is(err, ErrHgrm) {
			t.Errorf("%s: %+v, %v, want ErrHgrm", bad, h, err)
		}
	}
}

func TestPickHistsPrefersTheLevelMostServersHave(t *testing.T) {
	hs := []Hist{
		{Server: "threaded", Scenario: "hello", Level: 100}, {Server: "threaded", Scenario: "hello", Level: 1000},
		{Server: "evented", Scenario: "hello", Level: 1000}, {Server: "evented", Scenario: "hello", Level: 8000},
		{Server: "goroutine", Scenario: "hello", Level: 8000, Repeat: 2}, {Server: "goroutine", Scenario: "hello", Level: 8000, Repeat: 1},
		{Server: "goroutine", Scenario: "hello", Level: 8000, Repeat: 3}, {Server: "evented", Scenario: "hol", Level: 20},
	}
	got := pickHists(hs)
	if len(got) != 2 || got[0].Level != 8000 || got[0].Server != "evented" || got[1].Server != "goroutine" || got[1].Repeat != 1 {
		t.Errorf("picked %+v: want the highest of the levels two servers share, first repeats, in legend order", got)
	}
	if got := pickHists(hs[len(hs)-1:]); len(got) != 1 || got[0].Scenario != "hol" {
		t.Errorf("without hello: %+v", got)
	}
}
