package main

import (
	"encoding/json"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"
)

// TestExportGoBenchReadsInBenchfmt: every line bench export writes parses with benchfmt
// (what benchstat reads) as a result with the row's name, its requests as iterations and
// the four figures in their units; rows that measured nothing are left out.
func TestExportGoBenchReadsInBenchfmt(t *testing.T) {
	code, out, stderr := bench("export", quickBaseline)
	if code != 0 {
		t.Fatalf("export: exit %d\n%s", code, stderr)
	}
	rows, err := readSummary(quickBaseline)
	if err != nil {
		t.Fatal(err)
	}
	measured := 0
	for _, r := range rows {
		if r.Requests > 0 {
			measured++
		}
	}
	rd := benchfmt.NewReader(strings.NewReader(out), "export")
	n, named := 0, false
	for rd.Scan() {
		res, ok := rd.Result().(*benchfmt.Result)
		if !ok {
			continue
		}
		n++
		if string(res.Name) == "Hello/server=evented/c=1000" {
			named = true
			if v, ok := res.Value("req/s"); !ok || v <= 0 || res.Iters <= 0 {
				t.Errorf("evented c=1000: req/s %v (%v), %d iterations", v, ok, res.Iters)
			}
			if v, ok := res.Value("cpu-sec/req"); !ok || v <= 0 || v > 1e-3 {
				t.Errorf("evented c=1000: cpu-sec/req %v (%v): %v", v, ok, res.Values)
			}
		}
	}
	if err := rd.Err(); err != nil || n != measured || !named {
		t.Errorf("%d results for %d measured rows (err %v, Hello/server=evented/c=1000 there: %v)\n%s", n, measured, err, named, out)
	}
}

// TestExportActionBenchmark: smaller and bigger are JSON arrays of github-action-benchmark
// entries, each named with a unit and a positive value; req/s only in bigger.
func TestExportActionBenchmark(t *testing.T) {
	for _, format := range []string{"smaller", "bigger"} {
		code, out, stderr := bench("export", "--format", format, quickBaseline)
		var entries []actionBenchmark
		if err := json.Unmarshal([]byte(out), &entries); code != 0 || err != nil || len(entries) == 0 {
			t.Fatalf("%s: exit %d, %v\n%s", format, code, err, stderr)
		}
		for _, e := range entries {
			if e.Name == "" || e.Value <= 0 || (e.Unit == "req/s") != (format == "bigger") {
				t.Errorf("%s: entry %+v", format, e)
			}
		}
	}
	if code, _, _ := bench("export", "--format", "csv", quickBaseline); code != 2 {
		t.Errorf("an unknown format: exit %d, want 2", code)
	}
}
