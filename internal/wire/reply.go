package wire

import (
	"fmt"
	"strings"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/benchsuite/threads-vs-loop/loadgen"
)

// LoadReply is `bench load --json`: latencies in microseconds, and the latency
// histograms whole, so that a multi-host run merges the client hosts' (never their
// percentiles).
type LoadReply struct {
	Engine         string       `json:"engine"`
	URL            string       `json:"url"`
	Connections    int          `json:"connections"`
	Loops          int          `json:"loops,omitempty"`
	Pipeline       int          `json:"pipeline,omitempty"`
	OfferedRPS     float64      `json:"offered_rps,omitempty"`
	AchievedRPS    float64      `json:"achieved_rps,omitempty"`
	DurationS      float64      `json:"duration_s"`
	Requests       int64        `json:"requests"`
	RPS            float64      `json:"rps"`
	Due            int64        `json:"due"`  // open: requests due in the window (requests + late + errors)
	Sent           int64        `json:"sent"` // open: of those, sent before the window's end
	Late           int64        `json:"late"` // open: succeeded after the window's end plus --grace
	Errors         ErrorCounts  `json:"errors"`
	Reconnects     int64        `json:"reconnects"`
	ConnsUp        int          `json:"conns_up"`
	RateShort      bool         `json:"rate_short"`
	WorkersExhaust bool         `json:"workers_exhausted"`
	PeakBusy       int          `json:"peak_busy,omitempty"`
	Note           string       `json:"note,omitempty"`
	WarmupRequests int64        `json:"warmup_requests"`
	LatencyUS      Latency      `json:"latency_us"`
	ClientCPUPct   float64      `json:"client_cpu_pct"`
	ClientCPUs     int          `json:"client_cpus"`
	ClientBound    bool         `json:"client_bound"`
	BoundReason    string       `json:"bound_reason,omitempty"`
	CPUShared      bool         `json:"cpu_shared,omitempty"`
	Idle           *IdleCounts  `json:"idle,omitempty"`
	Windows        []WindowJSON `json:"windows"`
	// BeganUnixNS is when the engine began, WindowUnixNS when its window began (after
	// its ramp and warm-up); Hist is the latency histogram, hdrhistogram-go's compressed
	// encoding in base64, and SuccessHist the successful responses' when it is not Hist
	// (open).
	BeganUnixNS  int64  `json:"began_unix_ns,omitempty"`
	WindowUnixNS int64  `json:"window_unix_ns,omitempty"`
	Hist         string `json:"hist,omitempty"`
	SuccessHist  string `json:"success_hist,omitempty"`
}

// ErrorCounts is loadgen.ErrorCounts with its total.
type ErrorCounts struct {
	Connect int64 `json:"connect"`
	Reset   int64 `json:"reset"`
	Timeout int64 `json:"timeout"`
	Status  int64 `json:"status"`
	Parse   int64 `json:"parse"`
	Unsent  int64 `json:"unsent"`
	Total   int64 `json:"total"`
}

// Latency is the latency's percentiles and maximum, µs.
type Latency struct {
	P50  int64 `json:"p50"`
	P90  int64 `json:"p90"`
	P99  int64 `json:"p99"`
	P999 int64 `json:"p999"`
	Max  int64 `json:"max"`
}

// IdleCounts is what became of the idle connections.
type IdleCounts struct {
	Up      int `json:"up"`
	Failed  int `json:"failed"`
	Dropped int `json:"dropped"`
}

// WindowJSON is one of the result's one-second windows.
type WindowJSON struct {
	StartMS  int64 `json:"start_ms"`
	Requests int64 `json:"requests"`
	Errors   int64 `json:"errors"`
	P99US    int64 `json:"p99_us"`
}

// NewLoadReply is the reply of a load of url at pipeline depth (closed) that gave res
// (nil: only idle connections were held) and held idle (nil: none).
func NewLoadReply(url string, pipeline int, res *loadgen.Result, idle *loadgen.IdleConns) LoadReply {
	out := LoadReply{Engine: loadgen.EngineIdle, URL: url}
	if idle != nil {
		out.Idle = &IdleCounts{Up: idle.Up(), Failed: idle.Failed(), Dropped: idle.Dropped()}
	}
	if res == nil {
		return out
	}
	us := func(q float64) int64 { return res.Quantile(q).Microseconds() }
	e := res.Errors
	out.Engine, out.Connections, out.Loops = res.Engine, res.Connections, res.Loops
	if res.Engine == loadgen.EngineClosed {
		out.Pipeline = max(1, pipeline)
	}
	out.OfferedRPS, out.AchievedRPS = res.OfferedRPS, res.AchievedRPS
	out.DurationS, out.Requests, out.RPS = res.Elapsed.Seconds(), res.Requests, res.RPS()
	out.Due, out.Sent, out.Late = res.Due, res.Sent, res.Late
	out.Errors = ErrorCounts{e.Connect, e.Reset, e.Timeout, e.Status, e.Parse, e.Unsent, e.Total()}
	out.Reconnects, out.WarmupRequests, out.ConnsUp = res.Reconnects, res.WarmupRequests, res.ConnsUp
	out.RateShort, out.WorkersExhaust, out.PeakBusy, out.Note = res.RateShort, res.WorkersExhausted, res.PeakBusy, res.Note
	out.LatencyUS = Latency{us(50), us(90), us(99), us(99.9), res.Max().Microseconds()}
	out.ClientCPUPct, out.ClientCPUs = res.ClientCPUPct, res.ClientCPUs
	out.ClientBound, out.BoundReason, out.CPUShared = res.ClientBound, res.BoundReason, res.CPUShared
	out.BeganUnixNS, out.WindowUnixNS = unixNano(res.Began), unixNano(res.WindowStart)
	out.Hist = encodeHist(res.Latency)
	if res.SuccessLatency != nil && res.SuccessLatency != res.Latency {
		out.SuccessHist = encodeHist(res.SuccessLatency)
	}
	out.Windows = make([]WindowJSON, len(res.Windows))
	for i, w := range res.Windows {
		out.Windows[i] = WindowJSON{w.Start.Milliseconds(), w.Requests, w.Errors, w.P99.Microseconds()}
	}
	return out
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// encodeHist is h in hdrhistogram-go's V2 compressed encoding (base64), or "".
func encodeHist(h *hdrhistogram.Histogram) string {
	if h == nil {
		return ""
	}
	b, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		return ""
	}
	return string(b)
}

// AddTo adds the reply of one client host to res, the load of every host so far:
// counts summed, histograms merged, the longest window, each one-second window's p99 the
// worst host's (an upper bound). The client CPU, the bound and the instants are the
// caller's to merge.
func (o *LoadReply) AddTo(res *loadgen.Result) error {
	if err := o.mergeHists(res); err != nil {
		return err
	}
	res.Engine = o.Engine
	res.Requests += o.Requests
	res.Errors.Add(loadgen.ErrorCounts{Connect: o.Errors.Connect, Reset: o.Errors.Reset, Timeout: o.Errors.Timeout,
		Status: o.Errors.Status, Parse: o.Errors.Parse, Unsent: o.Errors.Unsent})
	res.Reconnects += o.Reconnects
	res.Elapsed = max(res.Elapsed, time.Duration(o.DurationS*float64(time.Second)))
	res.OfferedRPS += o.OfferedRPS
	res.AchievedRPS += o.AchievedRPS
	res.WarmupRequests += o.WarmupRequests
	res.Due, res.Sent, res.Late = res.Due+o.Due, res.Sent+o.Sent, res.Late+o.Late
	res.Loops += o.Loops
	res.Connections += o.Connections
	res.ConnsUp += o.ConnsUp
	res.PeakBusy += o.PeakBusy
	res.WorkersExhausted = res.WorkersExhausted || o.WorkersExhaust
	res.RateShort = res.RateShort || o.RateShort
	if o.Note != "" {
		res.Note = strings.TrimSpace(res.Note + " " + o.Note)
	}
	for i, w := range o.Windows {
		if i == len(res.Windows) {
			res.Windows = append(res.Windows, loadgen.Window{Start: time.Duration(w.StartMS) * time.Millisecond})
		}
		rw := &res.Windows[i]
		rw.Requests += w.Requests
		rw.Errors += w.Errors
		rw.P99 = max(rw.P99, time.Duration(w.P99US)*time.Microsecond)
	}
	return nil
}

// mergeHists merges the reply's histograms into res's.
func (o *LoadReply) mergeHists(res *loadgen.Result) error {
	for _, h := range []struct {
		enc string
		dst **hdrhistogram.Histogram
	}{{o.Hist, &res.Latency}, {o.SuccessHist, &res.SuccessLatency}} {
		if h.enc == "" {
			continue
		}
		d, err := hdrhistogram.Decode([]byte(h.enc))
		if err != nil {
			return fmt.Errorf("histogram: %w", err)
		}
		if *h.dst == nil {
			*h.dst = hdrhistogram.New(d.LowestTrackableValue(), d.HighestTrackableValue(), int(d.SignificantFigures()))
		}
		if dropped := (*h.dst).Merge(d); dropped > 0 {
			return fmt.Errorf("histogram: %d values out of range", dropped)
		}
	}
	if o.SuccessHist == "" {
		res.SuccessLatency = res.Latency
	}
	return nil
}
