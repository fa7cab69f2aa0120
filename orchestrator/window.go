package orchestrator

import (
	"context"
	"sync"
	"time"
)

// windowStart is when a step's measured window begins, known once the engine has fixed
// it (loadgen.Config.OnWindow): Warmup after the call, or later when the ramp outlasts
// the warm-up (loadgen.Config.RampMax). What is read over the window alone (the server's
// context switches, its log) waits for it.
type windowStart struct {
	once  sync.Once
	known chan struct{}
	at    time.Time
}

func newWindowStart() *windowStart { return &windowStart{known: make(chan struct{})} }

// set fixes the start; later calls change nothing.
func (w *windowStart) set(at time.Time) {
	w.once.Do(func() {
		w.at = at
		close(w.known)
	})
}

// wait waits until the window begins and returns its start; false if ctx ended first.
func (w *windowStart) wait(ctx context.Context) (time.Time, bool) {
	select {
	case <-w.known:
	case <-ctx.Done():
		return time.Time{}, false
	}
	return w.at, waitUntil(ctx, w.at)
}

// fixedWindow is a window start known from the outset.
func fixedWindow(at time.Time) *windowStart {
	w := newWindowStart()
	w.set(at)
	return w
}
