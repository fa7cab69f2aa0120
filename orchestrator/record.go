package orchestrator

import (
	"fmt"
	"math"
	"time"

	"github.com/benchsuite/threads-vs-loop/loadgen"
	"github.com/benchsuite/threads-vs-loop/metrics"
)

// clientBoundShare is the client CPU, as a share of the CPUs it may use, at which a step
// is flagged client_bound by the runner's own sample (beside loadgen's verdict).
const clientBoundShare = 0.9

// baseRow is what is known of a step before it runs.
func (r *runner) baseRow(st Step) metrics.SummaryRow {
	row := metrics.SummaryRow{
		RunID: r.cfg.RunID, StartedAt: time.Now().UTC(), HostCPUs: r.cfg.HostCPUs,
		Server: st.Server.Label, Scenario: st.Scenario.Name, Kind: st.Scenario.Kind, Path: st.Scenario.Path,
		Engine: loadgen.EngineClosed, Concurrency: st.Conns, IdleConns: st.Idle, Repeat: st.Repeat,
		DurationS: st.Duration.Seconds(), ServerCPUs: CPUList(r.cfg.ServerCPUs), ClientCPUs: CPUList(r.cfg.ClientCPUs),
	}
	if st.Scenario.Kind == metrics.KindOpen {
		row.Engine, row.Concurrency = loadgen.EngineOpen, st.Scenario.Workers
	}
	if bg := st.Scenario.Background; bg != nil {
		row.BgPath, row.BgConcurrency = pathOr(bg.Path, st.Scenario.Path), bg.Concurrency
	}
	return row
}

// fill completes the row from what the step measured, and builds its timeseries.
func (r *runner) fill(out *stepResult, st Step, m measurement) {
	row := &out.row
	notes := append([]string{r.cfg.Note, st.Note}, m.notes...)
	if m.err != nil {
		notes = append(notes, "load failed: "+m.err.Error())
	}
	if m.serverDied != "" {
		notes = append(notes, "server died mid-step ("+m.serverDied+"); restarted for the next step")
	}
	if st.Scenario.Kind == metrics.KindIdle && m.idleUp < st.Idle {
		row.IdleConns = m.idleUp
	}
	row.OfferedRPS = math.Round(m.offered)
	srv := metrics.Summarize(m.srv, m.from, m.to)
	row.RSSPeakKB, row.RSSMeanKB = srv.RSSPeakKB, srv.RSSMeanKB
	row.ThreadsPeak, row.FDsPeak, row.ServerCPUPct = srv.ThreadsPeak, srv.FDsPeak, round2(srv.CPUPct)
	row.CtxVol, row.CtxInvol = m.switches.Voluntary, m.switches.Involuntary
	res := m.res
	if res == nil {
		out.failed = true
		row.Note = joinNotes(notes...)
		return
	}
	row.DurationS = res.Elapsed.Seconds()
	if st.Scenario.Kind == metrics.KindOpen && res.Connections > 0 {
		row.Concurrency = res.Connections // the most vegeta workers the engine allowed
	}
	row.Requests, row.Errors, row.RPS = res.Requests, res.Errors.Total(), round2(res.RPS())
	if res.OfferedRPS > 0 {
		row.OfferedRPS = math.Round(res.OfferedRPS)
	}
	if h := res.Latency; h != nil && h.TotalCount() > 0 {
		row.P50us, row.P90us = float64(h.ValueAtQuantile(50)), float64(h.ValueAtQuantile(90))
		row.P99us, row.P999us, row.MaxUs = float64(h.ValueAtQuantile(99)), float64(h.ValueAtQuantile(99.9)), float64(h.Max())
		out.latency = h
	}
	row.ClientCPUPct = round2(res.ClientCPUPct)
	if cli := metrics.Summarize(m.cli, m.from, m.to); cli.Samples > 1 {
		row.ClientCPUPct = round2(cli.CPUPct) // the same sampler as the server's, over the same window
	}
	row.ClientBound = res.ClientBound
	if res.ClientBound && res.BoundReason != "" {
		notes = append(notes, "client bound: "+res.BoundReason)
	}
	if n := max(1, len(r.cfg.ClientCPUs)); !res.ClientBound && row.ClientCPUPct >= clientBoundShare*100*float64(n) {
		row.ClientBound = true
		notes = append(notes, fmt.Sprintf("client bound: client CPU %.0f%% of %d CPU(s)", row.ClientCPUPct, n))
	}
	if e := res.Errors; e.Total() > 0 {
		notes = append(notes, fmt.Sprintf("%d errors (connect %d, reset %d, timeout %d, status %d, parse %d, unsent %d)",
			e.Total(), e.Connect, e.Reset, e.Timeout, e.Status, e.Parse, e.Unsent))
	}
	if res.Requests == 0 {
		out.failed = true
		notes = append(notes, "no response in the measured window")
	}
	row.Note = joinNotes(notes...)
	out.series = timeseries(*row, m.srv, m.from, m.to, res.Windows)
}

// timeseries is one row per server sample in the measured window. rps and p99_us are
// those of the engine's window (one second) that holds the tick, 0 when none does.
func timeseries(row metrics.SummaryRow, samples []metrics.Sample, from, to time.Time, windows []loadgen.Window) []metrics.TimeseriesRow {
	var out []metrics.TimeseriesRow
	for _, s := range samples {
		if s.At.Before(from) || s.At.After(to) {
			continue
		}
		t := s.At.Sub(from)
		ts := metrics.TimeseriesRow{RunID: row.RunID, Server: row.Server, Scenario: row.Scenario, Kind: row.Kind, Level: row.Level(),
			TMs: t.Milliseconds(), RSSKB: s.RSSKB, Threads: s.Threads, FDs: s.FDs, CPUPct: round2(s.CPUPct)}
		if w, length, ok := windowAt(windows, t, to.Sub(from)); ok {
			ts.RPS = round2(float64(w.Requests) / length.Seconds())
			ts.P99us = float64(w.P99.Microseconds())
		}
		out = append(out, ts)
	}
	return out
}

// windowAt finds the engine window holding t; a window lasts until the next one starts
// (the last one until the end of the measured window).
func windowAt(windows []loadgen.Window, t, total time.Duration) (loadgen.Window, time.Duration, bool) {
	for i, w := range windows {
		end := total
		if i+1 < len(windows) {
			end = windows[i+1].Start
		}
		if t >= w.Start && t < end && end > w.Start {
			return w, end - w.Start, true
		}
	}
	return loadgen.Window{}, 0, false
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }
