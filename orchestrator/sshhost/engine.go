package sshhost

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/benchsuite/threads-vs-loop/internal/affinity"
	"github.com/benchsuite/threads-vs-loop/internal/wire"
	"github.com/benchsuite/threads-vs-loop/loadgen"
	"github.com/benchsuite/threads-vs-loop/orchestrator"
)

// Engine runs each load as `bench load --json` on every client host at once, each
// with its share of the connections (closed), of the rate (open) or of the idle
// connections, all told to begin their warm-up at the same wall-clock instant (so a ramp
// ends by the window there: Config.RampMax is not passed on), and merges
// what they return: requests and errors summed, latency histograms merged (never
// percentiles averaged), bound = client if any host ran out of CPU.
type Engine struct {
	Hosts []*Host

	mu    sync.Mutex
	notes map[*loadgen.Result]string
}

var (
	_ orchestrator.Engine      = (*Engine)(nil)
	_ orchestrator.ClientHosts = (*Engine)(nil)
)

// RunClosed runs the closed engine on every client host.
func (e *Engine) RunClosed(ctx context.Context, cfg loadgen.Config) (*loadgen.Result, error) {
	return e.run(ctx, cfg, "closed")
}

// RunOpen runs the open engine on every client host, each at its share of the rate.
func (e *Engine) RunOpen(ctx context.Context, cfg loadgen.Config) (*loadgen.Result, error) {
	return e.run(ctx, cfg, "open")
}

// HostsNote is the per-host part of a merged result's row note (given once).
func (e *Engine) HostsNote(res *loadgen.Result) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	note := e.notes[res]
	delete(e.notes, res) // asked once, for the row
	return note
}

// goLead is how long after the "go" line is sent that the loads begin their warm-up:
// time for the line to cross every ssh session.
const goLead = 50 * time.Millisecond

// share is host i's part of n split over k hosts.
func share(n, i, k int) int { return n/k + btoi(i < n%k) }

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// loadArgs is host i's bench load command line for cfg: its share of the connections
// (closed), or of the rate (open, each host at least one worker when a bound is given);
// the warm-up's start read from stdin; the ramp bounded by the warm-up (RampMax is not
// passed on: the hosts' windows must begin together).
func (e *Engine) loadArgs(cfg loadgen.Config, engine string, i int) []string {
	k := len(e.Hosts)
	a := wire.DefaultLoadArgs()
	a.Engine, a.JSON, a.StartAt, a.CPUs = engine, true, "stdin", affinity.Format(e.Hosts[i].CPUs)
	hc := &a.Config
	hc.URL, hc.Duration, hc.Warmup, hc.AllowRemote = cfg.URL, cfg.Duration, cfg.Warmup, true
	if cfg.Timeout > 0 {
		hc.Timeout = cfg.Timeout
	}
	if engine == "open" {
		a.Rate, hc.Grace, hc.Concurrency = wire.FormatRate(cfg.Rate/float64(k), cfg.RateEnd/float64(k)), cfg.Grace, 0
		if cfg.Concurrency > 0 {
			hc.Concurrency = max(1, share(cfg.Concurrency, i, k))
		}
	} else {
		hc.Concurrency, hc.Pipeline, hc.Ramp = share(cfg.Concurrency, i, k), max(1, cfg.Pipeline), cfg.Ramp
	}
	return append([]string{"load"}, a.Args()...)
}

// run starts bench load on every host that has a share; once all are ready it sends
// each the same start instant (goLead ahead) and the warm-up left, so that the windows
// begin together, when the runner expects them (Warmup after the call) unless starting
// took longer than the warm-up. Then it waits for all and merges.
func (e *Engine) run(ctx context.Context, cfg loadgen.Config, engine string) (*loadgen.Result, error) {
	called := time.Now()
	parts := make([]hostResult, len(e.Hosts))
	procs := make([]*session, len(e.Hosts))
	var wg sync.WaitGroup
	for i, h := range e.Hosts {
		if engine == "closed" && share(cfg.Concurrency, i, len(e.Hosts)) == 0 {
			continue
		}
		parts[i].host = h.Dest
		wg.Add(1)
		go func() {
			defer wg.Done()
			procs[i], parts[i].err = h.startBench(ctx, e.loadArgs(cfg, engine, i))
		}()
	}
	wg.Wait()
	startAt := time.Now().Add(goLead)
	warmup := max(cfg.Warmup/5, cfg.Warmup-startAt.Sub(called))
	if cfg.OnWindow != nil {
		cfg.OnWindow(startAt.Add(warmup))
	}
	line := wire.StartLine(startAt, warmup)
	for _, p := range procs {
		if p != nil {
			io.WriteString(p.stdin, line)
		}
	}
	for i, p := range procs {
		if p == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			parts[i].out, parts[i].err = collectLoad(ctx, p)
		}()
	}
	wg.Wait()
	res, note, err := mergeResults(parts, warmup)
	if res != nil {
		res.WindowStart = startAt.Add(warmup)
		e.mu.Lock()
		if e.notes == nil {
			e.notes = map[*loadgen.Result]string{}
		}
		e.notes[res] = note
		e.mu.Unlock()
	}
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	return res, err
}

// collectLoad reads one host's bench load JSON. A cancelled ctx closes the session,
// and the remote load prints what it measured so far.
func collectLoad(ctx context.Context, p *session) (*wire.LoadReply, error) {
	defer p.stop()
	body := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(p.stdout)
		body <- b
	}()
	var b []byte
	select {
	case b = <-body:
	case <-ctx.Done():
		p.stdin.Close()
		b = <-body
	}
	<-p.done
	var out wire.LoadReply
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("%s", strings.TrimPrefix(p.how, "bench "))
	}
	return &out, nil
}

// remoteIdle is idle connections held by bench load -c 0 --idle K on the client hosts.
type remoteIdle struct {
	procs      []*session
	up, failed int
}

func (r *remoteIdle) Up() int     { return r.up }
func (r *remoteIdle) Failed() int { return r.failed }
func (r *remoteIdle) Close() error {
	for _, p := range r.procs {
		p.stop()
	}
	return nil
}

// HoldIdle opens k idle connections, split over the client hosts; they are held until
// Close.
func (e *Engine) HoldIdle(ctx context.Context, url string, k int) (orchestrator.IdleHolder, error) {
	r := &remoteIdle{}
	var errs []error
	for i, h := range e.Hosts {
		n := share(k, i, len(e.Hosts))
		if n == 0 {
			continue
		}
		a := wire.DefaultLoadArgs()
		a.Idle, a.CPUs = n, affinity.Format(h.CPUs)
		a.Config.URL, a.Config.AllowRemote, a.Config.Concurrency = url, true, 0
		a.Config.Warmup, a.Config.Duration = 0, 24*time.Hour
		p, err := h.startBench(ctx, append([]string{"load"}, a.Args()...))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		r.procs = append(r.procs, p)
		up, failed, err := idleLine(p)
		r.up, r.failed = r.up+up, r.failed+failed
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", h.Dest, err))
		}
	}
	return r, errors.Join(errs...)
}

// idleLine waits for bench load's idle line (wire.IdleLine) on its stderr.
func idleLine(p *session) (up, failed int, err error) {
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if line, ok := p.stderr.Line(wire.IdlePrefix); ok {
			up, failed, _, err := wire.ParseIdleLine(line)
			return up, failed, err
		}
		select {
		case <-p.done:
			return 0, 0, errors.New(p.how)
		case <-p.stderr.Changed():
		}
	}
	return 0, 0, errors.New("no \"idle:\" line")
}
