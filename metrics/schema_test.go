package metrics

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func sampleRows() []SummaryRow {
	t0 := time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)
	return []SummaryRow{
		{RunID: "r1", StartedAt: t0, HostCPUs: 2, Server: "evented", Scenario: "sweep", Kind: KindClosed, Path: "/hello", Engine: "closed",
			Concurrency: 1000, Repeat: 1, DurationS: 10, Requests: 1234567, Errors: 3, RPS: 123456.7,
			P50us: 512, P90us: 900.5, P99us: 2047, P999us: 4095, MaxUs: 10001, RSSPeakKB: 9000,
			RSSMeanKB: 8500, ThreadsPeak: 7, FDsPeak: 1010, ServerCPUPct: 99.5, ClientCPUPct: 97.25,
			CtxVol: 10, CtxInvol: 20, ClientBound: true, ServerCPUs: "0", ClientCPUs: "1",
			GoMaxProcs: 5, ServerCPUShare: 0.995, ClientCPUShare: 0.9725, Bound: BoundBoth, Design: "events",
			Note: `quoted "note", with comma`},
		{RunID: "r1", StartedAt: t0.Add(time.Minute), Server: "nginx", Scenario: "openload", Kind: KindOpen, Path: "/cpu?us=100", Engine: "open",
			BgPath: "/cpu?us=5000", BgConcurrency: 20,
			OfferedRPS: 5000, Bound: BoundNeither, Design: "events", CtxVol: Unknown, CtxInvol: Unknown, Note: "line1\nline2"},
	}
}

func TestSummaryRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "summary.csv")
	rows := sampleRows()
	for _, r := range rows {
		f, err := CreateSummary(path) // reopened per row: appending never repeats the header
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Write(r); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "run_id,"); n != 1 {
		t.Fatalf("header written %d times", n)
	}
	if !strings.HasPrefix(string(b), strings.Join(SummaryHeader, ",")+"\n") {
		t.Fatalf("first line is not the header: %q", strings.SplitN(string(b), "\n", 2)[0])
	}
	got, err := ReadSummary(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, rows) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, rows)
	}
}

func TestTimeseriesRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "timeseries.csv")
	f, err := CreateTimeseries(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []TimeseriesRow{{RunID: "r", Server: "threaded", Scenario: "idle", Kind: KindIdle, Level: 5000, TMs: 100,
		RSSKB: 123, Threads: 5001, FDs: 5003, CPUPct: 12.5, RPS: 1000, P99us: 250}}
	if err := f.Write(want[0]); err != nil {
		t.Fatal(err)
	}
	f.Close()
	b, _ := os.ReadFile(path)
	got, err := ReadTimeseries(bytes.NewReader(b))
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, %v; want %+v", got, err, want)
	}
}

func TestReadSummaryRejects(t *testing.T) {
	for name, in := range map[string]string{
		"empty":      "",
		"no server":  "run_id,started_at,host_cpus\n",
		"bad number": strings.Join(SummaryHeader, ",") + "\n" + strings.Repeat("x,", len(SummaryHeader)-1) + "x\n",
	} {
		if _, err := ReadSummary(strings.NewReader(in)); !errors.Is(err, ErrSchema) {
			t.Errorf("%s: err = %v, want ErrSchema", name, err)
		}
	}
}

// A file that already holds rows under another header (another version of the schema)
// is refused, not appended to: its columns would shift under the new rows.
func TestCreateRefusesAnotherSchema(t *testing.T) {
	dir := t.TempDir()
	sum := strings.Join(SummaryHeader, ",")
	older := strings.Join(SummaryHeader[:len(SummaryHeader)-2], ",") // before gomaxprocs and note
	for name, c := range map[string]struct {
		content    string
		timeseries bool
	}{
		"older summary":      {older + "\nr1,2026-11-25T20:00:00Z,2\n", false},
		"extra column":       {sum + ",extra\n", false},
		"reordered":          {strings.Join(append([]string{SummaryHeader[1], SummaryHeader[0]}, SummaryHeader[2:]...), ",") + "\n", false},
		"no newline":         {sum, false},
		"summary header":     {sum + "\n", true},
		"shorter timeseries": {strings.Join(TimeseriesHeader[:5], ",") + "\n", true},
	} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".csv")
		if err := os.WriteFile(path, []byte(c.content), 0o644); err != nil {
			t.Fatal(err)
		}
		var err error
		if c.timeseries {
			_, err = CreateTimeseries(path)
		} else {
			_, err = CreateSummary(path)
		}
		if !errors.Is(err, ErrSchema) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: err = %v, want ErrSchema naming %s", name, err, path)
		}
		if b, _ := os.ReadFile(path); string(b) != c.content {
			t.Errorf("%s: file changed to %q", name, b)
		}
	}
}

// TestOldSummaryGetsKindsInferred reads a round-1 summary.csv (no kind or path columns):
// each row's kind and path are inferred at load, so every later stage can switch on them.
func TestOldSummaryGetsKindsInferred(t *testing.T) {
	in := "run_id,started_at,host_cpus,server,scenario,engine,concurrency,idle_conns,offered_rps\n" +
		"r,2026-11-25T20:00:15Z,2,threaded,hello,closed,100,0,0\n" +
		"r,2026-11-25T20:00:15Z,2,threaded,idle,closed,10,5000,0\n" +
		"r,2026-11-25T20:00:15Z,2,threaded,io,closed,100,0,0\n" +
		"r,2026-11-25T20:00:15Z,2,threaded,hol,closed,20,0,0\n" +
		"r,2026-11-25T20:00:15Z,2,threaded,rate,open,1000,0,2500\n"
	rows, err := ReadSummary(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		kind  Kind
		path  string
		level float64
		hasBg bool
	}{
		{KindClosed, "/hello", 100, false}, {KindIdle, "/hello", 5000, false}, {KindClosed, "/io?ms=20", 100, false},
		{KindClosed, "/hello", 20, true}, {KindOpen, "/cpu?us=100", 2500, false},
	}
	for i, w := range want {
		r := rows[i]
		if r.Kind != w.kind || r.Path != w.path || r.Level() != w.level || r.HasBackground() != w.hasBg {
			t.Errorf("row %d (%s): kind %s path %s level %v bg %v, want %+v", i, r.Scenario, r.Kind, r.Path, r.Level(), r.HasBackground(), w)
		}
	}
}

// TestLevelFollowsKindNotName: a scenario named "idle" of kind closed is levelled by its
// connections, and one named anything of kind idle by its idle connections.
func TestLevelFollowsKindNotName(t *testing.T) {
	a := SummaryRow{Scenario: "idle", Kind: KindClosed, Concurrency: 10, IdleConns: 5000}
	b := SummaryRow{Scenario: "c10k", Kind: KindIdle, Concurrency: 10, IdleConns: 5000}
	c := SummaryRow{Scenario: "hello", Kind: KindOpen, Concurrency: 10, OfferedRPS: 1234}
	if a.Level() != 10 || b.Level() != 5000 || c.Level() != 1234 {
		t.Errorf("levels %v %v %v, want 10 5000 1234", a.Level(), b.Level(), c.Level())
	}
}
