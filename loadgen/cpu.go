package loadgen

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/benchsuite/threads-vs-loop/internal/affinity"
)

// boundCPUShare: a client that used this share of the CPUs it could use was, or was close
// to, the limit. boundRateShort: an open run that sent less than this share of the offered
// requests fell behind.
const (
	boundCPUShare  = 0.90
	boundRateShort = 0.95
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

// judgeCPU marks r client-bound when the client used ≥ boundCPUShare of the CPUs its
// threads could use: the CPUs it may run on, and no more than threads of them (the closed
// engine's loops, or GOMAXPROCS for the open engine).
func (r *Result) judgeCPU(threads int) {
	usable := r.ClientCPUs
	if threads > 0 && threads < usable {
		usable = threads
	}
	if usable > 0 && r.ClientCPUPct >= boundCPUShare*100*float64(usable) {
		r.ClientBound = true
		r.BoundReason = fmt.Sprintf("client CPU %.0f%% of %d CPU(s)", r.ClientCPUPct, usable)
	}
}

// judgeRate marks an open run client-bound when it sent less than boundRateShort of the
// offered rate.
func (r *Result) judgeRate() {
	if r.OfferedRPS <= 0 || r.AchievedRPS >= boundRateShort*r.OfferedRPS {
		return
	}
	reason := fmt.Sprintf("sent %.0f of %.0f req/s offered (every worker busy, or the client short of CPU)",
		r.AchievedRPS, r.OfferedRPS)
	if r.ClientBound {
		reason = r.BoundReason + "; " + reason
	}
	r.ClientBound, r.BoundReason = true, reason
}

// sampleWindow waits for the window to begin and end, measuring the process's CPU over
// it, and sets res.Elapsed. If ctx ends first it stops the loops and returns ctx's error.
func sampleWindow(ctx context.Context, base time.Time, cfg Config, res *Result, stop *atomic.Bool) error {
	start, end := base.Add(cfg.Warmup), base.Add(cfg.Warmup+cfg.Duration)
	if err := sleepUntil(ctx, start); err != nil {
		stop.Store(true)
		return err
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
