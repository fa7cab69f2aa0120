package loadgen

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/benchsuite/threads-vs-loop/internal/affinity"
	"github.com/benchsuite/threads-vs-loop/metrics"
)

// The thresholds of the bound judgements: metrics's, the one place they are set.
const (
	// BoundCPUShare: a client that used this share of the CPUs it could use (Result.
	// ClientCPUPct against the engine's usable CPUs) was, or was close to, the limit:
	// Result.ClientBound.
	BoundCPUShare = metrics.BoundCPUShare
	// RateShortShare: an open run that sent less than this share of the offered requests
	// in its window fell short of the rate: Result.RateShort.
	RateShortShare = metrics.RateShortShare
)

// cpuMeter measures this process's CPU (user + system, every thread) over an interval.
type cpuMeter struct {
	wall time.Time
	cpu  time.Duration
}

func startCPU() cpuMeter { return cpuMeter{wall: time.Now(), cpu: processCPU()} }

// pct is the CPU used since start, in percent of one core.
func (m cpuMeter) pct() float64 {
	wall := time.Since(m.wall)
	if wall <= 0 {
		return 0
	}
	return 100 * float64(processCPU()-m.cpu) / float64(wall)
}

// clientCPUs is how many CPUs this process may run on.
func clientCPUs() int {
	cpus, err := affinity.Allowed()
	if err != nil || len(cpus) == 0 {
		return runtime.NumCPU()
	}
	return len(cpus)
}

// judgeCPU marks r client-bound when the client used ≥ BoundCPUShare of the CPUs its
// threads could use: the CPUs it may run on, and no more than threads of them (the closed
// engine's loops, or GOMAXPROCS for the open engine).
func (r *Result) judgeCPU(threads int) {
	usable := r.ClientCPUs
	if threads > 0 && threads < usable {
		usable = threads
	}
	if usable > 0 && r.ClientCPUPct >= BoundCPUShare*100*float64(usable) {
		r.ClientBound = true
		r.BoundReason = fmt.Sprintf("client CPU %.0f%% of %d CPU(s)", r.ClientCPUPct, usable)
	}
}

// judgeRate marks an open run RateShort when it sent less than RateShortShare of the
// offered rate, and says in Note what the facts point at: every worker busy waiting on
// the server (WorkersExhausted), the client's CPU at its limit (ClientBound), both, or
// neither. It does not touch ClientBound: falling short is not by itself the client's
// limit.
func (r *Result) judgeRate() {
	if r.OfferedRPS <= 0 || r.AchievedRPS >= RateShortShare*r.OfferedRPS {
		return
	}
	r.RateShort = true
	var why []string
	if r.WorkersExhausted {
		why = append(why, fmt.Sprintf("all %d workers were busy waiting on the server", r.Connections))
	}
	if r.ClientBound {
		why = append(why, r.BoundReason)
	}
	if len(why) == 0 {
		why = append(why, "neither were all workers busy nor was the client's CPU at its limit")
	}
	r.Note = fmt.Sprintf("sent %.0f of %.0f req/s offered: %s", r.AchievedRPS, r.OfferedRPS, strings.Join(why, "; "))
}

// engines counts the engine runs in this process, to tell a run whose process-wide CPU
// figure includes another engine's.
var engines struct{ active, starts atomic.Int64 }

// runMark is a run's place among the engine runs of the process.
type runMark struct{ start, active int64 }

func beginRun() runMark { return runMark{start: engines.starts.Add(1), active: engines.active.Add(1)} }

// end reports whether another engine ran in this process at some time during the run.
func (m runMark) end() bool {
	shared := m.active > 1 || engines.starts.Load() != m.start
	engines.active.Add(-1)
	return shared
}

// sampleWindow waits for the window to be fixed (by the end of a ramp at the latest), to
// begin and to end, measuring the process's CPU over it, and sets res.WindowStart and
// res.Elapsed, calling cfg.OnWindow once the start is known; atStart, if not nil, runs as
// the window begins. If ctx ends first it stops the loops and returns ctx's error.
func sampleWindow(ctx context.Context, base time.Time, cfg Config, window *windowClock, res *Result, stop *atomic.Bool, atStart func()) error {
	bound := time.NewTimer(time.Until(base.Add(time.Duration(window.rampBound))))
	defer bound.Stop()
	select {
	case <-window.fixed:
	case <-bound.C: // the loops fix it at their next turn; this is the same instant
		window.fix(window.rampBound)
	case <-ctx.Done():
		stop.Store(true)
		return ctx.Err()
	}
	start := base.Add(time.Duration(window.at()))
	end := start.Add(cfg.Duration)
	res.WindowStart = start
	if cfg.OnWindow != nil {
		cfg.OnWindow(start)
	}
	if err := sleepUntil(ctx, start); err != nil {
		stop.Store(true)
		return err
	}
	if atStart != nil {
		atStart()
	}
	cpu := startCPU()
	err := sleepUntil(ctx, end)
	res.ClientCPUPct = cpu.pct()
	res.Elapsed = cfg.Duration
	if err != nil {
		stop.Store(true)
		res.Elapsed = time.Since(start)
	}
	return err
}

// sleepUntil waits for t or ctx's end.
func sleepUntil(ctx context.Context, t time.Time) error {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
