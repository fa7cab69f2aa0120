package metrics

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"time"
)

// SummaryRow is one row of summary.csv: one server × scenario × level × repeat. The
// `csv` tags are the schema; SummaryHeader is derived from them, so the columns are
// declared exactly once.
type SummaryRow struct {
	RunID        string    `csv:"run_id"`
	StartedAt    time.Time `csv:"started_at"`
	HostCPUs     int       `csv:"host_cpus"`
	Server       string    `csv:"server"`   // model label: threaded, evented, evented-offload, goroutine, nginx, …
	Scenario     string    `csv:"scenario"` // the suite's free-text name; stages switch on Kind, never on it
	Kind         Kind      `csv:"kind"`     // closed, idle, open: what the level means
	Path         string    `csv:"path"`     // the measured request's path, e.g. /hello
	Engine       string    `csv:"engine"`   // the engine of the measured load: closed, open
	Concurrency  int       `csv:"concurrency"`
	IdleConns    int       `csv:"idle_conns"`
	OfferedRPS   float64   `csv:"offered_rps"`
	Repeat       int       `csv:"repeat"`
	WarmupS      float64   `csv:"warmup_s"`
	DurationS    float64   `csv:"duration_s"`
	Requests     int64     `csv:"requests"`
	Errors       int64     `csv:"errors"`
	RPS          float64   `csv:"rps"`
	P50us        float64   `csv:"p50_us"`
	P90us        float64   `csv:"p90_us"`
	P99us        float64   `csv:"p99_us"`
	P999us       float64   `csv:"p999_us"`
	MaxUs        float64   `csv:"max_us"`
	RSSPeakKB    int64     `csv:"rss_peak_kb"`
	RSSMeanKB    int64     `csv:"rss_mean_kb"`
	ThreadsPeak  int       `csv:"threads_peak"`
	FDsPeak      int       `csv:"fds_peak"`
	ServerCPUPct float64   `csv:"server_cpu_pct"` // percent of one core
	ClientCPUPct float64   `csv:"client_cpu_pct"` // percent of one core
	CtxVol       OptInt    `csv:"ctx_vol"`        // empty when unknown
	CtxInvol     OptInt    `csv:"ctx_invol"`
	ClientBound  bool      `csv:"client_bound"` // derived: bound is client or both (kept for old readers)
	ServerCPUs   string    `csv:"server_cpus"`  // CPU list, e.g. "0"
	ClientCPUs   string    `csv:"client_cpus"`  // CPU list, e.g. "1"
	GoMaxProcs   int       `csv:"gomaxprocs"`   // the server's GOMAXPROCS; 0 for a non-Go server
	// Who limited the point (Judge): both sides' CPU as a share of the CPUs each may use.
	ServerCPUShare float64 `csv:"server_cpu_share"`
	ClientCPUShare float64 `csv:"client_cpu_share"`
	Bound          Bound   `csv:"bound"`          // server, client, both, neither
	CPUUsPerReq    float64 `csv:"cpu_us_per_req"` // server CPU time per request served (all loads of the step)
	ConnsUp        int     `csv:"conns_up"`       // closed: connections answered at least once when the window began; open: held by the transport
	Reconnects     int64   `csv:"reconnects"`     // connections re-opened in the window
	HelloBytes     int     `csv:"hello_bytes"`    // bytes of the server's answer to GET /hello (head + body)
	Design         string  `csv:"design"`         // how the server waits: threads, events, goroutines, processes
	// Memory the RSS does not show (sampler/kernel.go): page tables, kernel stacks, socket
	// buffers, and their sum, at the sample with the largest sum; and the tree's PSS.
	KernelKB     int64 `csv:"kernel_kb"`
	PageTablesKB int64 `csv:"pagetables_kb"`
	KStacksKB    int64 `csv:"kstacks_kb"`
	SocketKB     int64 `csv:"socket_kb"`
	PSSPeakKB    int64 `csv:"pss_peak_kb"`
	// The background load beside the measured one (head-of-line blocking); empty when none.
	BgPath        string  `csv:"bg_path"`
	BgConcurrency int     `csv:"bg_concurrency"` // closed background: its connections
	BgOfferedRPS  float64 `csv:"bg_offered_rps"` // open background: its constant rate
	BgRPS         float64 `csv:"bg_rps"`
	BgP50us       float64 `csv:"bg_p50_us"`
	BgP99us       float64 `csv:"bg_p99_us"`
	BgErrors      int64   `csv:"bg_errors"`
	BgDue         int64   `csv:"bg_due"`     // open background: its requests due in the window (bg_rps counts those completed by the window's end plus the grace)
	BgBurnUs      float64 `csv:"bg_burn_us"` // CPU time each background request burns (/cpu?us=N, from the suite's burn)
	// Open model: requests the schedule made due in the window, and those sent in it
	// (the rest went late, after the window's end, or never: unsent). requests and rps
	// count the due ones that completed by the window's end plus the grace, so rps ≤ the
	// offered rate by construction.
	Due  int64 `csv:"due"`
	Sent int64 `csv:"sent"`
	// ReferenceRPS is the closed probe an open row's offered rate is a share of: the
	// run's reference probe (the same server, request and client for every row of the
	// run: hol), or the server's own capacity probe (rate); 0 otherwise.
	ReferenceRPS float64 `csv:"reference_rps"`
	// ServerRunqShare is the time the server's threads waited runnable on a run queue
	// (/proc/PID/task/TID/schedstat), as a share of its CPUs' time: a server starved of
	// CPU by a neighbour is the limit though its own CPU share stays low.
	ServerRunqShare float64 `csv:"server_runq_share"`
	Note            string  `csv:"note"`
}

// OptInt is a count that may be unknown (Unknown, written as an empty cell) rather than 0.
type OptInt int64

// Unknown is an OptInt that was not measured.
const Unknown OptInt = -1

// Known reports whether n was measured.
func (n OptInt) Known() bool { return n >= 0 }

func (n OptInt) String() string {
	if !n.Known() {
		return ""
	}
	return strconv.FormatInt(int64(n), 10)
}

// TimeseriesRow is one sample of timeseries.csv: the server's process tree and the
// client's progress, every sampler tick of a measured window.
type TimeseriesRow struct {
	RunID    string  `csv:"run_id"`
	Server   string  `csv:"server"`
	Scenario string  `csv:"scenario"`
	Kind     Kind    `csv:"kind"`
	Level    float64 `csv:"level"`
	TMs      int64   `csv:"t_ms"`
	RSSKB    int64   `csv:"rss_kb"`
	Threads  int     `csv:"threads"`
	FDs      int     `csv:"fds"`
	CPUPct   float64 `csv:"cpu_pct"`
	RPS      float64 `csv:"rps"`
	P99us    float64 `csv:"p99_us"`
}

// SummaryHeader and TimeseriesHeader are the CSV header lines, in column order.
var (
	SummaryHeader    = header(reflect.TypeFor[SummaryRow]())
	TimeseriesHeader = header(reflect.TypeFor[TimeseriesRow]())
)

// ErrSchema is returned when a CSV's header or a field does not fit the schema.
var ErrSchema = errors.New("metrics: CSV does not fit the schema")

func header(t reflect.Type) []string {
	cols := make([]string, t.NumField())
	for i := range cols {
		cols[i] = t.Field(i).Tag.Get("csv")
	}
	return cols
}

// record encodes a schema struct as CSV fields in header order.
func record(v reflect.Value) []string {
	out := make([]string, v.NumField())
	for i := range out {
		switch f := v.Field(i).Interface().(type) {
		case string:
			out[i] = f
		case Kind:
			out[i] = string(f)
		case Bound:
			out[i] = string(f)
		case OptInt:
			out[i] = f.String()
		case int:
			out[i] = strconv.Itoa(f)
		case int64:
			out[i] = strconv.FormatInt(f, 10)
		case float64:
			out[i] = strconv.FormatFloat(f, 'f', -1, 64)
		case bool:
			out[i] = strconv.FormatBool(f)
		case time.Time:
			out[i] = f.UTC().Format(time.RFC3339)
		}
	}
	return out
}

// decode fills the schema struct v from rec, whose columns are named by cols.
func decode(v reflect.Value, cols map[string]int, rec []string) error {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		name := t.Field(i).Tag.Get("csv")
		j, ok := cols[name]
		if !ok || j >= len(rec) {
			continue // an older file without this column: zero value
		}
		if err := setField(v.Field(i), rec[j]); err != nil {
			return fmt.Errorf("%w: column %s: %v", ErrSchema, name, err)
		}
	}
	return nil
}

func setField(f reflect.Value, s string) error {
	if s == "" {
		if _, ok := f.Interface().(OptInt); ok {
			f.SetInt(int64(Unknown)) // written empty: not measured
		}
		return nil
	}
	switch f.Interface().(type) {
	case string, Kind, Bound:
		f.SetString(s)
	case OptInt:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return err
		}
		f.SetInt(n)
	case int, int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return err
		}
		f.SetInt(n)
	case float64:
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return err
		}
		f.SetFloat(x)
	case bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return err
		}
		f.SetBool(b)
	case time.Time:
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return err
		}
		f.Set(reflect.ValueOf(tm))
	}
	return nil
}

// ReadSummary parses a summary.csv. Rows of a file written before the kind and path
// columns get them inferred, here and only here.
func ReadSummary(r io.Reader) ([]SummaryRow, error) {
	rows, err := readRows[SummaryRow](r)
	for i := range rows {
		inferLegacy(&rows[i])
		inferBound(&rows[i])
	}
	return rows, err
}

// ReadTimeseries parses a timeseries.csv.
func ReadTimeseries(r io.Reader) ([]TimeseriesRow, error) {
	rows, err := readRows[TimeseriesRow](r)
	for i := range rows {
		if rows[i].Kind == "" { // written before the kind column: as inferLegacy infers it
			legacy := SummaryRow{Scenario: rows[i].Scenario}
			inferLegacy(&legacy)
			rows[i].Kind = legacy.Kind
		}
	}
	return rows, err
}

func readRows[T any](r io.Reader) ([]T, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%w: no header: %v", ErrSchema, err)
	}
	cols := make(map[string]int, len(head))
	for i, c := range head {
		cols[c] = i
	}
	for _, c := range []string{"run_id", "server", "scenario"} { // the identifying columns must be there
		if _, ok := cols[c]; !ok {
			return nil, fmt.Errorf("%w: no column %q", ErrSchema, c)
		}
	}
	var rows []T
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return rows, fmt.Errorf("%w: %v", ErrSchema, err)
		}
		var row T
		if err := decode(reflect.ValueOf(&row).Elem(), cols, rec); err != nil {
			return rows, fmt.Errorf("line %d: %w", line, err)
		}
		rows = append(rows, row)
	}
}
