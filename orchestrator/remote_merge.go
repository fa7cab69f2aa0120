package orchestrator

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/benchsuite/threads-vs-loop/loadgen"
)

// loadOutput is what this package reads of `bench load --json`.
type loadOutput struct {
	Engine         string              `json:"engine"`
	Connections    int                 `json:"connections"`
	Loops          int                 `json:"loops"`
	OfferedRPS     float64             `json:"offered_rps"`
	AchievedRPS    float64             `json:"achieved_rps"`
	DurationS      float64             `json:"duration_s"`
	Requests       int64               `json:"requests"`
	Errors         loadgen.ErrorCounts `json:"errors"`
	Reconnects     int64               `json:"reconnects"`
	ConnsUp        int                 `json:"conns_up"`
	RateShort      bool                `json:"rate_short"`
	WorkersExhaust bool                `json:"workers_exhausted"`
	PeakBusy       int                 `json:"peak_busy"`
	Note           string              `json:"note"`
	WarmupRequests int64               `json:"warmup_requests"`
	Due            int64               `json:"due"`
	Sent           int64               `json:"sent"`
	Late           int64               `json:"late"`
	ClientCPUPct   float64             `json:"client_cpu_pct"`
	ClientCPUs     int                 `json:"client_cpus"`
	ClientBound    bool                `json:"client_bound"`
	BoundReason    string              `json:"bound_reason"`
	Windows        []struct {
		StartMS  int64 `json:"start_ms"`
		Requests int64 `json:"requests"`
		Errors   int64 `json:"errors"`
		P99US    int64 `json:"p99_us"`
	} `json:"windows"`
	BeganUnixNS int64  `json:"began_unix_ns"`
	Hist        string `json:"hist"`
	SuccessHist string `json:"success_hist"`
}

// hostResult is one client host's part of a load.
type hostResult struct {
	host string // "" when the host had no share
	out  *loadOutput
	err  error
}

// mergeResults merges the hosts' results into one: counts summed, histograms merged,
// the window the longest host's, the client CPU the busiest host's (its share of its
// CPUs decides the bound), ClientBound if any host was. The note gives each host's
// requests and CPU, the skew between the instants their windows began (lead: how long
// and when the first window began (warmup: the hosts' warm-up), and the hosts that failed.
func mergeResults(parts []hostResult, warmup time.Duration) (*loadgen.Result, string, error) {
	res := &loadgen.Result{}
	var notes, failed []string
	var errs []error
	var began []time.Time
	busiest := -1.0
	for _, p := range parts {
		switch {
		case p.host == "":
			continue
		case p.out == nil:
			failed = append(failed, fmt.Sprintf("client host %s dropped: %v", p.host, p.err))
			errs = append(errs, fmt.Errorf("%s: %w", p.host, p.err))
			continue
		}
		o := p.out
		if err := addOutput(res, o); err != nil {
			return nil, "", fmt.Errorf("%s: %w", p.host, err)
		}
		if o.BeganUnixNS > 0 {
			began = append(began, time.Unix(0, o.BeganUnixNS))
		}
		if share := o.ClientCPUPct / 100 / float64(max(1, o.ClientCPUs)); share > busiest {
			busiest, res.ClientCPUPct, res.ClientCPUs = share, o.ClientCPUPct, o.ClientCPUs
		}
		if o.ClientBound {
			res.ClientBound = true
			res.BoundReason = strings.TrimSpace(res.BoundReason + " " + p.host + ": " + o.BoundReason)
		}
		notes = append(notes, fmt.Sprintf("%s %d req, CPU %.0f%% of %d", p.host, o.Requests, o.ClientCPUPct, o.ClientCPUs))
	}
	if len(notes) == 0 {
		return nil, strings.Join(failed, "; "), errors.Join(errs...)
	}
	note := "client hosts: " + strings.Join(notes, ", ")
	switch {
	case len(began) > 1:
		note += fmt.Sprintf("; windows began within %v of each other, the first at unix_ns=%d",
			skew(began).Round(time.Microsecond), slices.MinFunc(began, time.Time.Compare).Add(warmup).UnixNano())
	case len(began) == 1:
		note += fmt.Sprintf("; window began at unix_ns=%d", began[0].Add(warmup).UnixNano())
	}
	return res, strings.Join(append([]string{note}, failed...), "; "), nil
}

// skew is the spread of the instants.
func skew(ts []time.Time) time.Duration {
	lo, hi := slices.MinFunc(ts, time.Time.Compare), slices.MaxFunc(ts, time.Time.Compare)
	return hi.Sub(lo)
}

// addOutput adds one host's output to res.
func addOutput(res *loadgen.Result, o *loadOutput) error {
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
	res.Engine = o.Engine
	res.Requests += o.Requests
	res.Errors.Add(o.Errors)
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
		rw.P99 = max(rw.P99, time.Duration(w.P99US)*time.Microsecond) // the worst host's: an upper bound
	}
	return nil
}
