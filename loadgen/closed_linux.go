//go:build linux

package loadgen

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"
)

// runClosed splits the connections over the loops, runs them, samples the process's CPU
// over the window, and merges what the loops counted.
func runClosed(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if cfg.Concurrency < 1 {
		return nil, fmt.Errorf("%w: the closed engine needs at least one connection", ErrConfig)
	}
	tgt, err := parseTarget(cfg.URL, cfg.AllowRemote)
	if err != nil {
		return nil, err
	}
	if err := reserveFDs(cfg.Concurrency); err != nil {
		return nil, err
	}
	cpus := clientCPUs()
	nloops := cfg.Loops
	if nloops == 0 {
		nloops = cpus
	}
	nloops = min(nloops, cfg.Concurrency)
	depth := max(1, cfg.Pipeline)

	var stop atomic.Bool
	mark := beginRun()
	base := time.Now()
	window := newWindowClock(&cfg, true)
	loops, err := newLoops(tgt, nloops, depth, &cfg, base, &stop, window)
	if err != nil {
		mark.end()
		return nil, err
	}
	errs := make(chan error, nloops)
	for _, l := range loops {
		go func() { errs <- l.run() }()
	}
	res := &Result{Engine: EngineClosed, ClientCPUs: cpus, Loops: nloops, Connections: cfg.Concurrency}
	ctxErr := sampleWindow(ctx, base, cfg, window, res, &stop, nil)
	var loopErr error
	for range loops {
		if err := <-errs; err != nil && loopErr == nil {
			loopErr = err
		}
	}
	total := newTally(cfg.Duration)
	for _, l := range loops {
		total.merge(l.t)
	}
	total.fill(res)
	res.CPUShared = mark.end()
	res.judgeCPU(nloops)
	if loopErr != nil {
		return res, fmt.Errorf("loadgen: closed engine: %w", loopErr)
	}
	return res, ctxErr
}

// newLoops makes n loops sharing cfg.Concurrency connections as evenly as can be.
func newLoops(tgt *target, n, depth int, cfg *Config, base time.Time, stop *atomic.Bool, window *windowClock) ([]*loop, error) {
	loops := make([]*loop, n)
	unserved := new(atomic.Int64)
	unserved.Store(int64(cfg.Concurrency))
	for i := range loops {
		share := cfg.Concurrency / n
		if i < cfg.Concurrency%n {
			share++
		}
		l, err := newLoop(tgt, share, depth, cfg, base, stop, unserved, window)
		if err != nil {
			for _, made := range loops[:i] {
				made.p.Close()
			}
			return nil, err
		}
		loops[i] = l
	}
	return loops, nil
}
