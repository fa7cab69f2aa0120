package orchestrator

import (
	"context"
	"fmt"
	"strings"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/benchsuite/threads-vs-loop/loadgen"
	"github.com/benchsuite/threads-vs-loop/metrics"
	"github.com/benchsuite/threads-vs-loop/sampler"
)

// stepResult is a finished step: its row, its timeseries and its latency histogram.
type stepResult struct {
	row     metrics.SummaryRow
	series  []metrics.TimeseriesRow
	latency *hdrhistogram.Histogram
	failed  bool // nothing was measured
}

// measurement is what the loads and the samplers saw during one step.
type measurement struct {
	res           *loadgen.Result // the recorded load
	bg            *loadgen.Result // the background load beside it, if any
	err           error           // why there is no result (or a partial one)
	notes         []string
	offered       float64 // open: the rate asked for
	capacity      float64 // open: the server's capacity the rate is a share of (0: none probed)
	idleUp        int     // idle: connections actually held
	srv, cli      []sampler.Sample
	from, to      time.Time // the measured window, as the engine reports it
	switches      sampler.Switches
	switchesKnown bool   // the count covers the window's threads (else the CSV cell is empty)
	serverDied    string // how the server ended, if it did during the step
}

// bgRequests is the background load's successful requests in the window.
func (m measurement) bgRequests() int64 {
	if m.bg == nil {
		return 0
	}
	return m.bg.Requests
}

// step runs one step and returns its row; it never fails the run: whatever went wrong is
// the row's note.
func (r *runner) step(ctx context.Context, st Step) stepResult {
	out := stepResult{row: r.baseRow(st)}
	if st.Skip != "" {
		out.row.Note = JoinNotes(r.cfg.Note, st.Note, st.Skip)
		out.failed = true
		return out
	}
	srv, err := r.server(ctx, st)
	if err != nil {
		out.row.Note = JoinNotes(r.cfg.Note, st.Note, err.Error())
		out.failed = true
		return out
	}
	out.row.GoMaxProcs, out.row.HelloBytes = srv.gomaxprocs, srv.helloBytes
	out.row.Design = srv.design
	if out.row.Design == "" {
		out.row.Design = st.Server.Design
	}
	m := r.measure(ctx, st, srv)
	if srv.settleNote != "" {
		m.notes = append(m.notes, srv.settleNote)
		srv.settleNote = ""
	}
	r.fill(&out, st, m)
	return out
}

// measure runs the step's loads against srv while sampling the server's process tree and
// this process. A server that exits cancels the loads at once.
func (r *runner) measure(ctx context.Context, st Step, srv *serverProc) (m measurement) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-srv.Done():
			cancel()
		case <-ctx.Done():
		}
	}()
	base := "http://" + srv.Addr()
	defer func() {
		if dead, how := srv.exited(); dead {
			m.serverDied = how
		}
	}()
	rate, release, err := r.prepare(ctx, st, base, &m)
	defer release()
	if err != nil {
		m.err = err
		return m
	}
	srvS, cliS := srv.Sampler(), sampler.New(0, false)
	srvS.Start(r.cfg.Interval)
	cliS.Start(r.cfg.Interval)
	// The engines start their window Warmup after they are called (the closed one after
	// its ramp, which may take longer: it says when) and return once the requests in
	// flight at its end have completed.
	start := time.Now()
	win := newWindowStart()
	swCtx, swCancel := context.WithCancel(ctx)
	sw := windowSwitches(swCtx, srvS, win, st.Duration)
	drops := srv.windowDrops(ctx, win, st.Duration)
	m.res, m.err = r.runLoads(ctx, st, base, rate, win.set, &m)
	returned := time.Now()
	if n, ok := drops(); ok && n > 0 {
		m.notes = append(m.notes, fmt.Sprintf("the server logged closing connections it held %d times in the window (%q in %s)",
			n, srv.settings.LogDrops, srv.settings.Log))
	}
	swCancel() // a load that ended early is counted up to now
	m.switches, m.switchesKnown = <-sw
	m.srv, m.cli = srvS.Stop(), cliS.Stop()
	m.from, m.to = start.Add(st.Warmup), returned
	if m.res != nil && !m.res.WindowStart.IsZero() {
		m.from = m.res.WindowStart
	}
	if m.res != nil && m.res.Elapsed > 0 {
		m.to = m.from.Add(m.res.Elapsed)
	}
	if m.to.After(returned) || m.to.Before(m.from) { // cancelled, or ended in its warm-up
		m.to = returned
		if m.from.After(returned) {
			m.from = start
		}
	}
	m.offered = rate
	return m
}

// prepare does what comes before the measured load: the capacity probe of an open
// scenario (returning the rate to offer) and the idle connections of an idle one (to be
// closed by release).
func (r *runner) prepare(ctx context.Context, st Step, base string, m *measurement) (rate float64, release func(), err error) {
	release = func() {}
	if st.Rate > 0 {
		return st.Rate, release, nil
	}
	if st.Reference != nil {
		rate, note, err := r.referenceRate(st)
		if err == nil {
			m.notes = append(m.notes, note)
		}
		return rate, release, err
	}
	if st.Scenario.Kind == metrics.KindOpen {
		capacity, err := r.capacityOf(ctx, st, base)
		if err != nil {
			return 0, release, fmt.Errorf("capacity probe: %w", err)
		}
		m.notes = append(m.notes, fmt.Sprintf("%.2g × capacity %.0f req/s (%s)", st.Fraction, capacity.rps, capacity.note))
		m.capacity = capacity.rps
		return st.Fraction * capacity.rps, release, nil
	}
	if st.Scenario.Kind == metrics.KindIdle && st.Idle > 0 {
		h, err := r.cfg.Engine.HoldIdle(ctx, base+st.Scenario.Path, st.Idle)
		if h != nil {
			release = func() { h.Close() }
			m.idleUp = h.Up()
		}
		if err != nil || m.idleUp < st.Idle {
			m.notes = append(m.notes, idleNote(st.Idle, h, err))
		}
	}
	return 0, release, nil
}

// windowSwitches counts the server tree's context switches over the measured window,
// duration from its start. If ctx ends first (the load returned early) it counts up to
// then, and yields nothing if that is before the window began.
func windowSwitches(ctx context.Context, s TreeSampler, win *windowStart, duration time.Duration) <-chan sampler.Switches {
	out := make(chan sampler.Switches, 1) // closed without a value: unknown
	go func() {
		defer close(out)
		start, ok := win.wait(ctx)
		if !ok {
			return
		}
		first, err := s.Switches()
		if err != nil {
			return
		}
		waitUntil(ctx, start.Add(duration))
		if d, err := s.SwitchesSince(first); err == nil {
			out <- d
		}
	}()
	return out
}

// waitUntil waits for t; false if ctx ended first.
func waitUntil(ctx context.Context, t time.Time) bool {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// runLoads runs the step's load (and, for hol, the background load beside it).
// onWindow is told when the foreground's window begins.
func (r *runner) runLoads(ctx context.Context, st Step, base string, rate float64, onWindow func(time.Time), m *measurement) (*loadgen.Result, error) {
	// Ramp: every connection answered once before the warm-up starts, up to RampMax
	// (loadgen.Config.Ramp), so each level's window measures the connections it names,
	// held by the server, however slowly the machine or the server took them.
	cfg := loadgen.Config{URL: base + st.Scenario.Path, Concurrency: st.Conns, Duration: st.Duration, Warmup: st.Warmup,
		Ramp: true, RampMax: st.RampMax, OnWindow: onWindow}
	runFg := r.cfg.Engine.RunClosed
	if st.Scenario.Kind == metrics.KindOpen {
		cfg.Concurrency, cfg.Rate, cfg.Ramp, cfg.RampMax = st.Scenario.Workers, rate, false, 0
		runFg = r.cfg.Engine.RunOpen
	}
	bg := st.Scenario.Background
	if bg == nil {
		return runFg(ctx, cfg)
	}
	// The background's window begins Warmup after the call: a closed foreground's ramp
	// must end by then too, so that both are measured over one window.
	cfg.RampMax = 0
	bgPath := pathOr(bg.Path, st.Scenario.Path)
	// A request due in the window counts when it completed by the window's end plus one
	// burn: the last burn due may still be running as the window ends.
	cfg.Grace = time.Duration(bg.Burn)
	bgCfg := loadgen.Config{URL: base + bgPath, Concurrency: bg.Concurrency, Rate: bg.Rate, Duration: st.Duration, Warmup: st.Warmup, Grace: cfg.Grace}
	run, what := r.cfg.Engine.RunClosed, fmt.Sprintf("%d conns on %s", bg.Concurrency, bgPath)
	if bg.Rate > 0 { // the same offered work for every server, whatever it does to the foreground
		run, what = r.cfg.Engine.RunOpen, fmt.Sprintf("%.0f req/s offered on %s", bg.Rate, bgPath)
	}
	type outcome struct {
		res *loadgen.Result
		err error
	}
	bgDone := make(chan outcome, 1)
	go func() {
		res, err := run(ctx, bgCfg)
		bgDone <- outcome{res, err}
	}()
	res, err := runFg(ctx, cfg)
	b := <-bgDone
	m.bg = b.res
	switch {
	case b.err != nil:
		m.notes = append(m.notes, fmt.Sprintf("background %s failed: %v", what, b.err))
	case b.res != nil:
		m.notes = append(m.notes, backgroundNote(what, b.res, bg.Rate))
	}
	return res, err
}

// backgroundNote says what the background load did. An open background (rate > 0) is
// judged on the requests due in its window that completed (by its end plus the grace),
// not on req/s against the rate: short when fewer than metrics.BackgroundShortShare of
// them did. A closed one says its req/s.
func backgroundNote(what string, res *loadgen.Result, rate float64) string {
	if rate <= 0 || res.Due <= 0 {
		return fmt.Sprintf("beside %s: %.0f req/s, p99 %v, %d errors", what, res.RPS(), res.Quantile(99), res.Errors.Total())
	}
	note := fmt.Sprintf("beside %s: %d of %d due completed, p99 %v, %d errors", what, res.Requests, res.Due, res.Quantile(99), res.Errors.Total())
	if share := float64(res.Requests) / float64(res.Due); share < metrics.BackgroundShortShare {
		note += fmt.Sprintf(" (background short: %.0f %%)", 100*share)
	}
	return note
}

// capacity is an open scenario's 100 %: what the closed probe measured, and how.
type capacity struct {
	rps  float64
	note string // the probe's figures and bound, for every row of the scenario
}

// capacityOf is the server's capacity on the scenario's request, measured once per
// server, scenario and repeat with the closed engine. The probe's own bound is in its
// note: a probe the client limited understates the server's capacity.
func (r *runner) capacityOf(ctx context.Context, st Step, base string) (capacity, error) {
	key := fmt.Sprintf("%s/%s/%d", st.Server.Label, st.Scenario.Name, st.Repeat)
	if c, ok := r.capacity[key]; ok {
		return c, nil
	}
	probe := st.Scenario.Capacity
	d := st.CapDuration
	if d <= 0 {
		d = pick(probe.Duration, defaultCapacityDuration)
	}
	res, err := r.cfg.Engine.RunClosed(ctx, loadgen.Config{URL: base + pathOr(probe.Path, st.Scenario.Path),
		Concurrency: probe.Concurrency, Duration: d, Warmup: st.Warmup})
	if err != nil {
		return capacity{}, err
	}
	if res.RPS() <= 0 {
		return capacity{}, fmt.Errorf("no successful request (%d errors)", res.Errors.Total())
	}
	share := res.ClientCPUPct / 100 / float64(cpuCountOr(r.cfg.ClientCPUs, r.cfg.HostCPUs))
	bound := "client had CPU to spare"
	if share >= metrics.BoundCPUShare {
		bound = "client bound: the capacity may be understated"
	}
	c := capacity{rps: res.RPS(), note: fmt.Sprintf("probe c=%d %v: %.0f req/s, p99 %v, %d errors, client CPU %.0f%% of its CPUs, %s",
		probe.Concurrency, d, res.RPS(), res.Quantile(99), res.Errors.Total(), 100*share, bound)}
	r.capacity[key] = c
	return c, nil
}

func idleNote(asked int, h IdleHolder, err error) string {
	up, failed := 0, 0
	if h != nil {
		up, failed = h.Up(), h.Failed()
	}
	note := fmt.Sprintf("only %d of %d idle connections up (%d failed)", up, asked, failed)
	if err != nil {
		note += ": " + err.Error()
	}
	return note
}

func pathOr(p, def string) string {
	if p != "" {
		return p
	}
	return def
}

// JoinNotes joins the notes that are not empty with "; ", as a row's note column reads.
func JoinNotes(notes ...string) string {
	var kept []string
	for _, n := range notes {
		if n != "" {
			kept = append(kept, n)
		}
	}
	return strings.Join(kept, "; ")
}
