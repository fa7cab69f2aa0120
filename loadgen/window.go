package loadgen

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// notFixed is a window start not fixed yet: no request is sent at or after it, so none
// counts, and the loops keep loading (the ramp's one request a connection).
const notFixed = math.MaxInt64

// windowClock is when an engine run's measured window begins, in ns since the run's base,
// shared by its loops: fixed as the run starts (Config.Warmup later), or, for a ramp with
// Config.RampMax, when the ramp ends (Config.Warmup after that). The first loop to see the
// ramp end fixes it (or the goroutine that samples the window, at the ramp's bound; the
// other loops end their ramps when they see it fixed); fixed is closed then.
type windowClock struct {
	start     atomic.Int64
	fixed     chan struct{}
	once      sync.Once
	warmup    int64
	rampBound int64 // the ramp ends by then (ns since the base) whatever the connections do
	byRamp    bool  // the ramp's end fixes the window (RampMax), not the start
}

// newWindowClock is cfg's window clock. Without a ramp, or with a ramp bounded by the
// warm-up (RampMax 0), the window begins Warmup after the base whatever the connections
// do, and the ramp ends by then; with RampMax (closed engine only, rampable), the ramp
// ends by RampMax.
func newWindowClock(cfg *Config, rampable bool) *windowClock {
	w := &windowClock{fixed: make(chan struct{}), warmup: int64(cfg.Warmup), rampBound: int64(cfg.Warmup)}
	w.start.Store(notFixed)
	if rampable && cfg.Ramp && cfg.RampMax > 0 {
		w.rampBound, w.byRamp = int64(cfg.RampMax), true
	} else {
		w.fix(0)
	}
	return w
}

// window is [ws, we), the window in ns since the base; both notFixed until it is fixed.
func (w *windowClock) window(duration time.Duration) (ws, we int64) {
	ws = w.at()
	if ws == notFixed {
		return notFixed, notFixed
	}
	return ws, ws + int64(duration)
}

// fix starts the warm-up at rampEnd (ns since the base) unless the window is fixed
// already; it returns the window's start.
func (w *windowClock) fix(rampEnd int64) int64 {
	w.once.Do(func() {
		w.start.Store(rampEnd + w.warmup)
		close(w.fixed)
	})
	return w.start.Load()
}

// rampEnded reports whether a loop's ramp has ended the run's (it fixed the window).
func (w *windowClock) rampEnded() bool { return w.byRamp && w.at() != notFixed }

// at is the window's start, or notFixed.
func (w *windowClock) at() int64 { return w.start.Load() }
