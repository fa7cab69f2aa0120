package orchestrator

import (
	"fmt"
	"math"
	"time"

	"github.com/benchsuite/threads-vs-loop/loadgen"
	"github.com/benchsuite/threads-vs-loop/metrics"
	"github.com/benchsuite/threads-vs-loop/sampler"
)

// baseRow is what is known of a step before it runs.
func (r *runner) baseRow(st Step) metrics.SummaryRow {
	row := metrics.SummaryRow{
		RunID: r.cfg.RunID, StartedAt: time.Now().UTC(), HostCPUs: r.cfg.HostCPUs,
		Server: st.Server.Label, Scenario: st.Scenario.Name, Kind: st.Scenario.Kind, Path: st.Scenario.Path,
		Engine: loadgen.EngineClosed, Concurrency: st.Conns, IdleConns: st.Idle, Repeat: st.Repeat,
		WarmupS: st.Warmup.Seconds(), DurationS: st.Duration.Seconds(), ServerCPUs: CPUList(r.cfg.ServerCPUs), ClientCPUs: CPUList(r.cfg.ClientCPUs),
		CtxVol: metrics.Unknown, CtxInvol: metrics.Unknown,
	}
	if st.Scenario.Kind == metrics.KindOpen {
		row.Engine, row.Concurrency, row.OfferedRPS = loadgen.EngineOpen, st.Scenario.Workers, st.Rate
	}
	if bg := st.Scenario.Background; bg != nil {
		row.BgPath, row.BgConcurrency, row.BgOfferedRPS = pathOr(bg.Path, st.Scenario.Path), bg.Concurrency, bg.Rate
		row.BgBurnUs = bg.BurnUs()
	}
	if ref := r.reference; st.Reference != nil && ref != nil && ref.err == nil {
		row.ReferenceRPS = math.Round(ref.rps)
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
	if m.offered > 0 {
		// To the hundredth, not the whole req/s: a window that completed every request
		// due reads its true offered rate, and rounding down would put it above (1980.25
		// completed of 1980.5 offered, written 1980).
		row.OfferedRPS = math.Round(m.offered*100) / 100
	}
	if m.capacity > 0 {
		row.ReferenceRPS = math.Round(m.capacity)
	}
	srv := r.fillServer(row, m)
	res := m.res
	if res == nil {
		out.failed = true
		row.Note = JoinNotes(notes...)
		return
	}
	notes = append(notes, r.fillLoad(out, st, m)...)
	notes = append(notes, r.fillBound(row, m, srv.CPUPct)...)
	switch {
	case res.Requests == 0 && res.Late > 0:
		notes = append(notes, fmt.Sprintf("none of the %d requests due in the window completed by its end (%d later)", res.Due, res.Late))
	case res.Requests == 0:
		out.failed = true
		notes = append(notes, "no response in the measured window")
	}
	row.Note = JoinNotes(notes...)
	out.series = timeseries(*row, m.srv, m.from, m.to, res.Windows)
}

// fillServer records what the sampler saw of the server in the window.
func (r *runner) fillServer(row *metrics.SummaryRow, m measurement) sampler.Summary {
	srv := sampler.Summarize(m.srv, m.from, m.to)
	row.RSSPeakKB, row.RSSMeanKB = srv.RSSPeakKB, srv.RSSMeanKB
	row.ThreadsPeak, row.FDsPeak, row.ServerCPUPct = srv.ThreadsPeak, srv.FDsPeak, round2(srv.CPUPct)
	row.KernelKB, row.PageTablesKB, row.KStacksKB, row.SocketKB = srv.KernelPeakKB, srv.PageTablesKB, srv.KStacksKB, srv.SocketKB
	row.PSSPeakKB = srv.PSSPeakKB
	if m.switchesKnown && m.switches.Known {
		row.CtxVol, row.CtxInvol = metrics.OptInt(m.switches.Voluntary), metrics.OptInt(m.switches.Involuntary)
	}
	return srv
}

// fillLoad records what the load generator measured; it returns the notes it has.
func (r *runner) fillLoad(out *stepResult, st Step, m measurement) (notes []string) {
	row, res := &out.row, m.res
	row.DurationS = res.Elapsed.Seconds()
	if st.Scenario.Kind == metrics.KindOpen && res.Connections > 0 {
		row.Concurrency = res.Connections // the most vegeta workers the engine allowed
	}
	row.Requests, row.Errors, row.RPS = res.Requests, res.Errors.Total(), round2(res.RPS())
	row.Reconnects, row.ConnsUp = res.Reconnects, res.ConnsUp
	row.Due, row.Sent = res.Due, res.Sent // open engine; 0 for a closed load
	if res.OfferedRPS > 0 {
		row.OfferedRPS = math.Round(res.OfferedRPS)
	}
	if h := res.Latency; h != nil && h.TotalCount() > 0 {
		row.P50us, row.P90us = float64(h.ValueAtQuantile(50)), float64(h.ValueAtQuantile(90))
		row.P99us, row.P999us, row.MaxUs = float64(h.ValueAtQuantile(99)), float64(h.ValueAtQuantile(99.9)), float64(h.Max())
		out.latency = h
	}
	if bg := m.bg; bg != nil {
		row.BgRPS, row.BgErrors, row.BgDue = round2(bg.RPS()), bg.Errors.Total(), bg.Due
		row.BgP50us, row.BgP99us = float64(bg.Quantile(50).Microseconds()), float64(bg.Quantile(99).Microseconds())
	}
	if e := res.Errors; e.Total() > 0 {
		notes = append(notes, fmt.Sprintf("%d errors (connect %d, reset %d, timeout %d, status %d, parse %d, unsent %d)",
			e.Total(), e.Connect, e.Reset, e.Timeout, e.Status, e.Parse, e.Unsent))
	}
	ramp := rampOf(st, res)
	if st.Scenario.Kind == metrics.KindClosed && res.ConnsUp < st.Conns {
		notes = append(notes, fmt.Sprintf("%d of %d connections answered when the window began (%s)", res.ConnsUp, st.Conns, whyNotUp(st, ramp)))
	} else if ramp > st.Warmup {
		notes = append(notes, fmt.Sprintf("every connection answered once after a ramp of %v, longer than the warm-up, which began then", ramp.Round(time.Millisecond)))
	}
	if served := float64(res.Requests + m.bgRequests()); served > 0 {
		row.CPUUsPerReq = round2(row.ServerCPUPct / 100 * row.DurationS * 1e6 / served)
	}
	return notes
}

// fillBound records both sides' CPU as a share of their CPUs and the time the server's
// threads waited runnable as a share of its CPUs' time, and decides the bound
// (metrics.JudgeLoad). An open-model load that sent too little because every worker it
// may use was waiting on the server was held back by the server, not by the client. A
// server starved of CPU by other work on its CPUs (metrics.Starved) was the limit too.
func (r *runner) fillBound(row *metrics.SummaryRow, m measurement, serverPct float64) (notes []string) {
	res := m.res
	row.ClientCPUPct = round2(res.ClientCPUPct)
	if cli := sampler.Summarize(m.cli, m.from, m.to); cli.Samples > 1 {
		row.ClientCPUPct = round2(cli.CPUPct) // the same sampler as the server's, over the same window
	}
	serverCPUs := float64(cpuCountOr(r.cfg.ServerCPUs, r.cfg.HostCPUs))
	row.ServerCPUShare = round3(serverPct / 100 / serverCPUs)
	load := metrics.Load{}
	if srv := sampler.Summarize(m.srv, m.from, m.to); srv.RunqKnown { // else 0: not measured
		row.ServerRunqShare = round3(srv.RunqPct / 100 / serverCPUs)
		if srv.CPUsBusyKnown {
			load.ServerCPUsBusy, load.ServerRunqShare = srv.CPUsBusy, row.ServerRunqShare
		}
	}
	row.ClientCPUShare = round3(row.ClientCPUPct / 100 / float64(cpuCountOr(r.cfg.ClientCPUs, r.cfg.HostCPUs)))
	if hosts, ok := r.cfg.Engine.(ClientHosts); ok { // client hosts: the busiest one's CPU decides
		row.ClientCPUPct = round2(res.ClientCPUPct)
		row.ClientCPUShare = round3(res.ClientCPUPct / 100 / float64(max(1, res.ClientCPUs)))
		notes = append(notes, hosts.HostsNote(res))
	}
	load.ServerShare, load.ClientShare = row.ServerCPUShare, row.ClientCPUShare
	load.ServerHeldBack = res.RateShort && res.WorkersExhausted
	row.Bound = metrics.JudgeLoad(load)
	row.ClientBound = row.Bound.ClientLimited()
	if metrics.Starved(load.ServerShare, load.ServerCPUsBusy, load.ServerRunqShare) && row.ServerCPUShare < metrics.BoundCPUShare {
		notes = append(notes, fmt.Sprintf("server starved: its CPUs %.0f%% busy, its threads waited runnable %.0f%% of the time",
			100*load.ServerCPUsBusy, 100*load.ServerRunqShare))
	}
	if res.RateShort && res.Note != "" {
		notes = append(notes, res.Note)
	}
	if row.Bound.ClientLimited() {
		notes = append(notes, fmt.Sprintf("client bound: client CPU %.0f%% of its CPUs", 100*row.ClientCPUShare))
	}
	return notes
}

func cpuCountOr(cpus []int, def int) int {
	if len(cpus) > 0 {
		return len(cpus)
	}
	return max(def, 1)
}

// timeseries is one row per server sample in the measured window. rps and p99_us are
// those of the engine's window (one second) that holds the tick, 0 when none does.
func timeseries(row metrics.SummaryRow, samples []sampler.Sample, from, to time.Time, windows []loadgen.Window) []metrics.TimeseriesRow {
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

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// whyNotUp says where the connections not answered as the window began were, from how
// the ramp ended.
func whyNotUp(st Step, ramp time.Duration) string {
	switch {
	case ramp <= 0 || st.RampMax <= 0: // the ramp ended by the window (or the engine did not say)
		return "the rest not yet: in the server's accept queue, or failed"
	case ramp >= st.RampMax:
		return fmt.Sprintf("the ramp ended at its bound of %v with the rest not yet answered: in the server's accept queue, or failed", st.RampMax)
	}
	return fmt.Sprintf("every one had been answered by the end of the ramp, %v in; the rest were closed and opened again since, not yet answered again", ramp.Round(time.Millisecond))
}

// rampOf is how long the closed load's ramp took before its warm-up began (0 when the
// engine did not say).
func rampOf(st Step, res *loadgen.Result) time.Duration {
	if res.WindowStart.IsZero() || res.Began.IsZero() {
		return 0
	}
	return max(0, res.WindowStart.Sub(res.Began)-st.Warmup)
}
