package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/benchsuite/threads-vs-loop/metrics"
	"github.com/benchsuite/threads-vs-loop/plots"
)

const exportSynopsis = `export [--format gobench|smaller|bigger] RUN

Writes a run (a folder, or its summary.csv) in the formats the Go ecosystem's tools read,
on stdout:

  gobench   Go benchmark lines, one per measured row (each repeat a sample), so that
            benchstat compares two runs as it compares go test -bench output:
              bench export results/baseline > old.txt
              bench export results/latest > new.txt
              benchstat old.txt new.txt
            A line reads BenchmarkHello/server=evented/c=1000 <requests> 8.1e-06 cpu-sec/req
            118494 req/s 0.00091 p99-sec 12897484 mem-B (PSS, else RSS); benchstat
            -col /server sets the servers side by side.
  smaller   github-action-benchmark's customSmallerIsBetter JSON: each point's median
            CPU per request, p99 and memory, with the spread of its repeats.
  bigger    github-action-benchmark's customBiggerIsBetter JSON: each point's median req/s.

Rows that measured nothing are left out.`

func runExport(args []string, _ io.Reader, stdout, _ io.Writer) error {
	fs := newFlagSet("export", exportSynopsis, stdout)
	format := fs.String("format", "gobench", "gobench (benchstat), smaller or bigger (github-action-benchmark)")
	pos, err := parseWithPositional(fs, args)
	if err != nil {
		return ignoreHelp(err)
	}
	if len(pos) != 1 {
		return usageError{fmt.Sprintf("export: want one run folder or summary.csv, got %d arguments", len(pos))}
	}
	if !slices.Contains([]string{"gobench", "smaller", "bigger"}, *format) {
		return usageError{"export: --format must be gobench, smaller or bigger"}
	}
	rows, err := readSummary(pos[0])
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if *format == "gobench" {
		return writeGoBench(stdout, rows)
	}
	return writeActionBenchmark(stdout, rows, *format == "bigger")
}

// benchName is a row's benchmark name: Benchmark<Scenario>/server=<label>/<level>, the
// level as its suite names it (metrics.SummaryRow.AskedLevel), so that two runs match:
// c=N, idle=N (asked), or load=<share of the probe the rate was sized from>.
func benchName(server, scenario string, kind metrics.Kind, level float64) string {
	sc := []rune(scenario)
	sc[0] = unicode.ToUpper(sc[0])
	key := map[metrics.Kind]string{metrics.KindIdle: "idle", metrics.KindOpen: "load"}[kind]
	if key == "" {
		key = "c"
	}
	clean := func(s string) string {
		return strings.Map(func(r rune) rune { return map[bool]rune{true: '-', false: r}[unicode.IsSpace(r)] }, s)
	}
	return "Benchmark" + clean(string(sc)) + "/server=" + clean(server) + "/" + key + "=" + strconv.FormatFloat(level, 'f', -1, 64)
}

// writeGoBench writes the configuration lines benchstat keeps (host CPUs, pinning: the
// same in two runs to be compared, or benchstat sets them in separate tables), then a
// line per measured row, in the units benchstat scales (sec, B).
func writeGoBench(w io.Writer, rows []metrics.SummaryRow) error {
	fmt.Fprintf(w, "goos: linux\npkg: threads-vs-loop\nhost-cpus: %d\nserver-cpus: %s\nclient-cpus: %s\n",
		rows[0].HostCPUs, rows[0].ServerCPUs, rows[0].ClientCPUs)
	for _, r := range rows {
		if r.Requests <= 0 {
			continue
		}
		fmt.Fprintf(w, "%s\t%d", benchName(r.Server, r.Scenario, r.Kind, r.AskedLevel()), r.Requests)
		for _, v := range []struct {
			x    float64
			unit string
		}{{r.CPUUsPerReq / 1e6, "cpu-sec/req"}, {r.RPS, "req/s"}, {r.P99us / 1e6, "p99-sec"}, {float64(r.MemoryKB()) * 1024, "mem-B"}} {
			if v.x > 0 {
				fmt.Fprintf(w, "\t%s %s", strconv.FormatFloat(v.x, 'g', 5, 64), v.unit)
			}
		}
		if _, err := fmt.Fprintln(w); err != nil {
			return err
		}
	}
	return nil
}

// actionBenchmark is one entry of github-action-benchmark's custom JSON.
type actionBenchmark struct {
	Name  string  `json:"name"`
	Unit  string  `json:"unit"`
	Value float64 `json:"value"`
	Range string  `json:"range,omitempty"`
	Extra string  `json:"extra,omitempty"`
}

// writeActionBenchmark writes each point's medians (over its repeats) as
// customBiggerIsBetter (req/s) or customSmallerIsBetter (CPU per request, p99, memory).
func writeActionBenchmark(w io.Writer, rows []metrics.SummaryRow, bigger bool) error {
	type fig struct {
		unit, suffix string
		of           func(plots.Agg) float64
	}
	figs := []fig{{"µs/req", "cpu", func(a plots.Agg) float64 { return a.CPUUsPerReq }},
		{"ms", "p99", func(a plots.Agg) float64 { return a.P99us / 1000 }},
		{"MB", "memory", func(a plots.Agg) float64 { return a.MemoryKB / 1024 }}}
	if bigger {
		figs = []fig{{"req/s", "rps", func(a plots.Agg) float64 { return a.RPS }}}
	}
	kinds := map[string]metrics.Kind{}
	for _, r := range rows {
		kinds[r.Scenario] = r.Kind
	}
	out := []actionBenchmark{}
	for _, a := range plots.Aggregate(rows) {
		if a.RPS <= 0 {
			continue
		}
		for _, f := range figs {
			v := f.of(a)
			if v <= 0 {
				continue
			}
			b := actionBenchmark{Name: strings.TrimPrefix(benchName(a.Server, a.Scenario, kinds[a.Scenario], a.Level), "Benchmark") + " " + f.suffix,
				Unit: f.unit, Value: round4(v), Extra: fmt.Sprintf("median of %d repeat(s)", a.Repeats)}
			if lo, hi := a.Spread(f.of); a.Repeats > 1 {
				b.Range = "± " + strconv.FormatFloat(round4((hi-lo)/2), 'f', -1, 64)
			}
			out = append(out, b)
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func round4(x float64) float64 {
	if x == 0 {
		return 0
	}
	p := math.Pow(10, 3-math.Floor(math.Log10(math.Abs(x))))
	return math.Round(x*p) / p
}
