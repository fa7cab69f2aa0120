package metrics

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
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
	hist, err := ReadHgrm(&buf)
	pts := hist.Points
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
		if _, err := ReadHgrm(strings.NewReader(in)); !errors.Is(err, ErrHgrm) {
			t.Errorf("ReadHgrm(%q) = %v, want ErrHgrm", in, err)
		}
	}
}

func TestHgrmNameParse(t *testing.T) {
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
		h, err := parseHgrmName(tc.name)
		if err != nil || h.Server != tc.server || h.Scenario != tc.scenario || h.Level != tc.level || h.Repeat != tc.repeat {
			t.Errorf("%s: %+v, %v", tc.name, h, err)
		}
	}
	for _, bad := range []string{"hello.hgrm", "a_b_x.hgrm", "_hello_1.hgrm", "a__1.hgrm", "a_b_1_rx.hgrm", "a_b_1_r0.hgrm"} {
		if h, err := parseHgrmName(bad); !errors.Is(err, ErrHgrm) {
			t.Errorf("%s: %+v, %v, want ErrHgrm", bad, h, err)
		}
	}
}

// TestHgrmRoundTrip writes a row's distribution and reads it back: the identity comes
// from the header (a scenario name with an underscore survives), the values in µs.
func TestHgrmRoundTrip(t *testing.T) {
	h := hdrhistogram.New(1, 60_000_000, 3)
	for v := int64(100); v <= 5000; v += 7 {
		h.RecordValue(v)
	}
	row := SummaryRow{Server: "my_server", Scenario: "c10k wait_mode", Kind: KindIdle, IdleConns: 5000, Concurrency: 10, Repeat: 2}
	dir := t.TempDir()
	if err := WriteHgrmFile(dir, row, h); err != nil {
		t.Fatal(err)
	}
	name := HgrmName(row)
	if name != "my-server_c10k-wait-mode_5000_r2.hgrm" {
		t.Errorf("name %q", name)
	}
	got, err := ReadHgrmFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	if got.Server != row.Server || got.Scenario != row.Scenario || got.Kind != KindIdle || got.Level != 5000 || got.Repeat != 2 {
		t.Errorf("identity %+v", got)
	}
	last := got.Points[len(got.Points)-1]
	if last.ValueUs != float64(h.Max()) || last.Count != h.TotalCount() {
		t.Errorf("last point %+v, want max %d µs, count %d", last, h.Max(), h.TotalCount())
	}
	if err := WriteHgrmFile(dir, SummaryRow{Server: "x", Scenario: "y"}, hdrhistogram.New(1, 10, 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "x_y_0.hgrm")); !os.IsNotExist(err) {
		t.Errorf("an empty histogram wrote a file: %v", err)
	}
}

func TestReadHgrmRefusesAnotherUnit(t *testing.T) {
	in := "#% unit=ms\n 1.0 0.5 3 2.00\n"
	if _, err := ReadHgrm(strings.NewReader(in)); !errors.Is(err, ErrHgrm) {
		t.Errorf("unit ms read as %v, want ErrHgrm", err)
	}
}
