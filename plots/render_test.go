package plots

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

func loadFixture(t *testing.T) *Data {
	t.Helper()
	d, err := Load(fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Rendering the same CSV twice gives the same bytes, and every chart is a PNG of the
// fixed size.
func TestRenderTwiceGivesIdenticalBytesAndDecodes(t *testing.T) {
	d := loadFixture(t)
	a, b := t.TempDir(), t.TempDir()
	outA, repA, err := Render(d, a)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Render(loadFixture(t), b); err != nil {
		t.Fatal(err)
	}
	if n := len(d.Charts()); len(outA) != n || n != 5+5+1+1+1+4 {
		t.Fatalf("%d outcomes, %d charts: want one per chart, 5 for each closed sweep (hello, io), one each for idle, hol and rate, and the 4 run charts", len(outA), n)
	}
	for _, o := range outA {
		if o.Path == "" {
			t.Errorf("%s skipped on the full fixture: %s", o.File, o.Skipped)
			continue
		}
		compareFiles(t, o.Path, filepath.Join(b, o.File))
		checkPNG(t, o.Path)
	}
	compareFiles(t, repA, filepath.Join(b, ReportFile))
}

func checkPNG(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: not a PNG: %v", path, err)
	}
	if got := img.Bounds().Size(); got != image.Pt(Width, Height) {
		t.Errorf("%s: %v pixels, want %dx%d", filepath.Base(path), got, Width, Height)
	}
}

func compareFiles(t *testing.T, x, y string) {
	t.Helper()
	bx, err1 := os.ReadFile(x)
	by, err2 := os.ReadFile(y)
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bx, by) {
		t.Errorf("%s: two renders of the same CSV differ (%d vs %d bytes)", filepath.Base(x), len(bx), len(by))
	}
}

// Every server of the hello scenario is drawn in its own colour.
func TestEachServerDrawnInItsColour(t *testing.T) {
	d := loadFixture(t)
	for _, file := range []string{"hello_throughput.png", "hello_memory.png", "timeseries.png"} {
		var buf bytes.Buffer
		if err := d.WriteChart(file, &buf); err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(&buf)
		if err != nil {
			t.Fatal(err)
		}
		counts := colourCounts(img)
		for _, srv := range []string{"threaded", "evented", "goroutine", "nginx"} {
			if n := counts[StyleFor(srv).Color]; n < 50 {
				t.Errorf("%s: %d pixels of %s's colour, want its line and markers", file, n, srv)
			}
		}
		if n := counts[StyleFor("evented-offload").Color]; n != 0 {
			t.Errorf("%s: %d pixels of evented-offload's colour, which has no hello rows", file, n)
		}
	}
}

// colourCounts counts the opaque pixels of each colour.
func colourCounts(img image.Image) map[color.RGBA]int {
	counts := map[color.RGBA]int{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			if c.A == 0xff {
				counts[c]++
			}
		}
	}
	return counts
}

func TestRenderSkipsChartsWithoutRows(t *testing.T) {
	full := loadFixture(t)
	d := &Data{}
	for _, r := range full.Summary {
		if r.Scenario == "hello" {
			d.Summary = append(d.Summary, r)
		}
	}
	out := t.TempDir()
	stale := filepath.Join(out, "idle_memory.png")
	if err := os.WriteFile(stale, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	outcomes, report, err := Render(d, out)
	if err != nil {
		t.Fatal(err)
	}
	drawn := map[string]bool{}
	for _, o := range outcomes {
		_, statErr := os.Stat(filepath.Join(out, o.File))
		if (o.Path != "") != (statErr == nil) {
			t.Errorf("%s: path %q but stat says %v", o.File, o.Path, statErr)
		}
		drawn[o.File] = o.Path != ""
	}
	want := map[string]bool{
		"hello_throughput.png": true, "hello_memory.png": true, "hello_latency.png": true, "hello_threads.png": true, "hello_cpu.png": true,
		"latency_percentiles.png": false, "timeseries.png": false, "seed_throughput.png": true, "seed_memory.png": true,
	}
	if len(drawn) != len(want) {
		t.Errorf("charts %v, want %v", drawn, want)
	}
	for file, w := range want {
		if drawn[file] != w {
			t.Errorf("%s drawn = %v, want %v", file, drawn[file], w)
		}
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("a stale chart of an earlier render is still there: %v", err)
	}
	md, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"_Not drawn: no .hgrm files in hgrm/._",
		"_Not drawn: no rows in timeseries.csv._", "](hello_throughput.png)"} {
		if !strings.Contains(string(md), s) {
			t.Errorf("report.md lacks %q", s)
		}
	}
	if strings.Contains(string(md), "](idle_memory.png)") {
		t.Error("report.md links a chart that was not drawn")
	}
}

func TestWriteChartErrors(t *testing.T) {
	d := &Data{Summary: []metrics.SummaryRow{{Server: "threaded", Scenario: "hello", Kind: metrics.KindClosed, Concurrency: 10, RPS: 100}}}
	var buf bytes.Buffer
	if err := d.WriteChart("nope.png", &buf); !errors.Is(err, ErrUnknownChart) {
		t.Errorf("unknown chart: %v, want ErrUnknownChart", err)
	}
	if err := d.WriteChart("idle_memory.png", &buf); !errors.Is(err, ErrUnknownChart) {
		t.Errorf("no idle rows: %v, want ErrUnknownChart (no idle scenario, no idle chart)", err)
	}
	if err := d.WriteChart("hello_throughput.png", &buf); !errors.Is(err, ErrNoData) {
		t.Errorf("a row without requests: %v, want ErrNoData", err)
	}
	if buf.Len() != 0 {
		t.Errorf("%d bytes written for charts that failed", buf.Len())
	}
}

// Level 1 on a log axis, level 0 on the idle axis, zero latencies on a log axis, an
// unknown server label and a single point must all draw, not panic.
func TestEdgeCasesDraw(t *testing.T) {
	rows := []metrics.SummaryRow{
		{Server: "my_server", Scenario: "hello", Kind: metrics.KindClosed, Concurrency: 1, Requests: 1, RPS: 5000, P50us: 0, P99us: 0, RSSPeakKB: 1000, ThreadsPeak: 0},
		{Server: "my_server", Scenario: "hello", Kind: metrics.KindClosed, Concurrency: 10, Requests: 1, RPS: 9000, P50us: 900, P99us: 2000, RSSPeakKB: 1200, ThreadsPeak: 3},
		{Server: "threaded", Scenario: "idle", Kind: metrics.KindIdle, Concurrency: 10, IdleConns: 0, Requests: 1, RPS: 1, RSSPeakKB: 9000},
		{Server: "threaded", Scenario: "hol", Kind: metrics.KindClosed, BgPath: "/cpu", BgConcurrency: 20, Concurrency: 20, Requests: 1, P50us: 300, P99us: 300, Bound: metrics.BoundBoth, BgP50us: 5000, BgP99us: 9000},
		{Server: "evented", Scenario: "rate", Kind: metrics.KindOpen, OfferedRPS: 1000, Requests: 1, P50us: 150, P99us: 700},
	}
	d := &Data{Summary: rows}
	for _, file := range []string{"hello_throughput.png", "hello_latency.png",
		"hello_threads.png", "idle_memory.png", "hol_latency.png", "rate_latency.png"} {
		var buf bytes.Buffer
		if err := d.WriteChart(file, &buf); err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		if _, err := png.Decode(&buf); err != nil {
			t.Errorf("%s: %v", file, err)
		}
	}
}

func TestChartsMakeThePoint(t *testing.T) {
	aggs := Aggregate(loadFixture(t).Summary)
	_, rss := bySeries(palette{}, aggs, "hello", false, func(a Agg) float64 { return a.RSSPeakKB / 1024 })
	_, rps := bySeries(palette{}, aggs, "hello", false, func(a Agg) float64 { return a.RPS })
	for _, pts := range [][]point{rss["threaded"], rps["threaded"], rss["evented"]} {
		for i := 1; i < len(pts); i++ {
			if pts[i].X <= pts[i-1].X {
				t.Fatalf("series not sorted by level: %v", pts)
			}
		}
	}
	first, last := func(p []point) float64 { return p[0].Y }, func(p []point) float64 { return p[len(p)-1].Y }
	if last(rss["threaded"]) < 10*first(rss["threaded"]) {
		t.Errorf("threaded RSS %v: want it to climb with connections", rss["threaded"])
	}
	if last(rss["evented"]) > 2*first(rss["evented"]) {
		t.Errorf("evented RSS %v: want it flat", rss["evented"])
	}
	if peak := rps["threaded"][1].Y; last(rps["threaded"]) > 0.7*peak {
		t.Errorf("threaded req/s %v: want it to fall as connections grow", rps["threaded"])
	}
	if peak := rps["evented"][1].Y; last(rps["evented"]) < 0.9*peak {
		t.Errorf("evented req/s %v: want it flat", rps["evented"])
	}
}

// A row without requests (the server died or never started) is not drawn: the charts are
// the same bytes with or without it. It stays in report.md's table and notes, and the
// report says it was left out.
func TestRowsWithoutRequestsAreNotDrawn(t *testing.T) {
	live := []metrics.SummaryRow{
		{Server: "threaded", Scenario: "idle", Kind: metrics.KindIdle, Concurrency: 10, IdleConns: 1000, Requests: 50000, RPS: 5000, RSSPeakKB: 40960},
		{Server: "threaded", Scenario: "idle", Kind: metrics.KindIdle, Concurrency: 10, IdleConns: 2000, Requests: 48000, RPS: 4800, RSSPeakKB: 65536},
		{Server: "evented", Scenario: "hello", Kind: metrics.KindClosed, Concurrency: 10, Repeat: 1, Requests: 90000, RPS: 9000, P50us: 800, P99us: 2000, RSSPeakKB: 8192},
		{Server: "evented", Scenario: "hello", Kind: metrics.KindClosed, Concurrency: 10, Repeat: 2, Requests: 80000, RPS: 8000, P50us: 900, P99us: 2100, RSSPeakKB: 8192},
	}
	dead := []metrics.SummaryRow{
		{Server: "threaded", Scenario: "idle", Kind: metrics.KindIdle, Concurrency: 10, IdleConns: 5000, Note: "server exited: signal: killed"},
		{Server: "evented", Scenario: "hello", Kind: metrics.KindClosed, Concurrency: 10, Repeat: 3, Note: "server did not start"},
	}
	with := &Data{Summary: append(append([]metrics.SummaryRow(nil), live...), dead...)}
	for _, file := range []string{"idle_memory.png", "hello_throughput.png", "hello_latency.png"} {
		var a, b bytes.Buffer
		if err := (&Data{Summary: live}).WriteChart(file, &a); err != nil {
			t.Fatal(err)
		}
		if err := with.WriteChart(file, &b); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s: the rows without requests changed the chart", file)
		}
	}
	var buf bytes.Buffer
	if err := WriteReport(&buf, with, nil); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"2 rows measured no requests", "left out of the charts",
		"| threaded | idle | 5000 | 0 |", "server exited: signal: killed"} {
		if !strings.Contains(buf.String(), s) {
			t.Errorf("report.md lacks %q", s)
		}
	}
}
