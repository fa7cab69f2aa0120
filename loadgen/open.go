package loadgen

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// sendGrace is how long after the window an open attack may still send requests that
// were due in it. (Config.Grace is another thing: how late a request may complete and
// still count in Result.Requests.)
const sendGrace = time.Second

// runOpen offers the configured rate with vegeta's Attacker and counts every result by
// its scheduled send time.
func runOpen(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if cfg.Rate <= 0 || cfg.RateEnd < 0 || math.IsInf(cfg.Rate, 0) || math.IsInf(cfg.RateEnd, 0) {
		return nil, fmt.Errorf("%w: the open engine needs a positive rate", ErrConfig)
	}
	if cfg.Grace < 0 {
		return nil, fmt.Errorf("%w: the grace must not be negative", ErrConfig)
	}
	workers := cfg.Concurrency
	if workers == 0 {
		workers = DefaultOpenMaxWorkers
	}
	sch := newSchedule(cfg)
	sch.pacer = untilEnd{sch.pacer, sch.due, cfg.Warmup + cfg.Duration}
	return runVegeta(ctx, cfg, sch, EngineOpen, workers)
}

// RunVegetaClosed runs vegeta in its closed loop (vegeta attack -rate=0 -workers=N
// -max-workers=N): cfg.Concurrency workers, each sending its next request as soon as the
// previous one returns, latency as vegeta measures it. It is here to compare the closed
// engine with; it is not one of the suite's engines.
func RunVegetaClosed(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if cfg.Concurrency < 1 {
		return nil, fmt.Errorf("%w: vegeta's closed loop needs at least one worker", ErrConfig)
	}
	sch := &schedule{pacer: vegeta.ConstantPacer{}} // zero: as fast as the workers go
	return runVegeta(ctx, cfg, sch, EngineVegetaClosed, cfg.Concurrency)
}

// runVegeta runs one vegeta attack of warm-up + duration over a transport it owns, counts
// its results, and closes every connection the attack opened before it returns.
func runVegeta(ctx context.Context, cfg Config, sch *schedule, engine string, workers int) (*Result, error) {
	if _, err := parseTarget(cfg.URL, cfg.AllowRemote); err != nil {
		return nil, err
	}
	if err := reserveFDs(workers); err != nil {
		return nil, err
	}
	mark := beginRun()
	start := time.Now()
	ot := newOpenTransport(workers, start.Add(cfg.Warmup), start.Add(cfg.Warmup+cfg.Duration))
	defer ot.closeAll()
	atk := newAttacker(cfg, sch, ot, workers)
	stopped := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			atk.Stop()
		case <-stopped:
		}
	}()
	attackFor := cfg.Warmup + cfg.Duration
	if sch.due != nil {
		// The pacer stops at the window's end (untilEnd); the grace lets vegeta still send
		// the requests due before it that it is late with, so they are measured (from
		// their due time) rather than counted unsent.
		attackFor += sendGrace
	}
	results := atk.Attack(vegeta.NewStaticTargeter(vegeta.Target{Method: "GET", URL: cfg.URL}), sch.pacer, attackFor, "")
	res := &Result{Engine: engine, ClientCPUs: clientCPUs(), Connections: workers}
	var stop atomic.Bool
	cpuDone := make(chan error, 1)
	connsUp := 0
	go func() {
		cpuDone <- sampleWindow(ctx, start, cfg, newWindowClock(&cfg, false), res, &stop, func() { connsUp = ot.open() })
	}()
	tot := collectOpen(results, start, sch, cfg)
	close(stopped)
	ctxErr := <-cpuDone
	tot.t.fill(res)
	ot.facts(res, connsUp, sch.due != nil)
	res.CPUShared = mark.end()
	res.judgeCPU(runtime.GOMAXPROCS(0))
	if sch.due != nil {
		res.Due, res.Sent = tot.due, tot.sent
	}
	if sch.due != nil && res.Elapsed > 0 {
		res.OfferedRPS = sch.offered(cfg.Warmup, cfg.Warmup+cfg.Duration)
		res.AchievedRPS = float64(tot.sent) / res.Elapsed.Seconds()
		if ctxErr == nil {
			res.judgeRate()
		}
	}
	return res, ctxErr
}

// newAttacker is vegeta's Attacker over the engine's transport: up to workers workers
// (vegeta's closed loop: all of them from the start), no redirects followed, bodies read
// and discarded.
func newAttacker(cfg Config, sch *schedule, ot *openTransport, workers int) *vegeta.Attacker {
	first := vegeta.DefaultWorkers
	if sch.due == nil {
		first = workers
	}
	return vegeta.NewAttacker(
		vegeta.Client(&http.Client{Transport: ot}),
		vegeta.Timeout(cfg.timeout()),
		vegeta.Workers(uint64(min(workers, first))),
		vegeta.MaxWorkers(uint64(workers)),
		vegeta.Redirects(vegeta.NoFollow),
		vegeta.MaxBody(0), // read and discard bodies; keep none
	)
}

// openTotals is what collectOpen counted: the tally and, for the open engine, the
// requests due in the window and those of them sent before its end.
type openTotals struct {
	t         *tally
	due, sent int64
}

// collectOpen counts vegeta's results as they come: each by its scheduled time, its
// latency from that time to its end, failures included. The open engine's successes that
// completed after the window's end plus cfg.Grace are counted late, not as requests.
func collectOpen(results <-chan *vegeta.Result, start time.Time, sch *schedule, cfg Config) openTotals {
	t := newTally(cfg.Duration)
	t.okHist = NewHistogram()
	ws, we := start.Add(cfg.Warmup), start.Add(cfg.Warmup+cfg.Duration)
	var deadline time.Time // vegeta's closed loop: none, no request is late
	if sch.due != nil {
		deadline = we.Add(cfg.Grace)
	}
	sent, seen := int64(0), uint64(0)
	for r := range results {
		seen = max(seen, r.Seq+1)
		due := r.Timestamp // vegeta's closed loop: no schedule, latency from the send
		if sch.due != nil {
			due = start.Add(sch.due(r.Seq))
		}
		offset := int64(due.Sub(ws))
		if offset < 0 || !due.Before(we) {
			if offset < 0 && succeeded(r) {
				t.warmup++
			}
			continue
		}
		if r.Timestamp.Before(we) {
			sent++
		}
		countOpen(t, r, offset, int64(r.End().Sub(due)), deadline)
	}
	tot := openTotals{t: t, sent: sent}
	if sch.due != nil {
		ended := time.Since(start)
		from, to := sch.window(cfg, ended)
		countUnsent(t, sch, cfg.Warmup, max(seen, from), to, ended)
		tot.due = int64(to - from)
	}
	return tot
}

// countUnsent counts the requests due in the window that vegeta never sent: it numbers
// requests as it sends them, so those are the ones numbered from seen on that were due
// before the window's end (or before the attack ended, if it was cut short): [from, to).
// A request that could not be sent because every worker was busy on a stalled server
// would otherwise vanish from the counts; each is recorded as having waited from its due
// time to the end of the attack (ended, since the attack began).
func countUnsent(t *tally, sch *schedule, warmup time.Duration, from, to uint64, ended time.Duration) {
	for i := from; i < to; i++ {
		due := sch.due(i)
		t.failedAfter(int64(due-warmup), &t.errors.Unsent, int64(ended-due))
	}
}

// succeeded reports whether r is a 2xx response.
func succeeded(r *vegeta.Result) bool { return r.Code >= 200 && r.Code < 300 && r.Error == "" }

// countOpen classifies one vegeta result; a failure's latency is how long it had waited
// when it failed (a timeout: at least the timeout). A success that ended after deadline
// (when set) is late.
func countOpen(t *tally, r *vegeta.Result, offset, lat int64, deadline time.Time) {
	switch {
	case succeeded(r) && !deadline.IsZero() && r.End().After(deadline):
		t.lateSuccess(offset, lat)
	case succeeded(r):
		t.success(offset, lat)
	case r.Code != 0:
		t.failedAfter(offset, &t.errors.Status, lat)
	default:
		t.failedAfter(offset, classify(&t.errors, r.Error), lat)
	}
}

// classify maps a net/http client error to an error class.
func classify(e *ErrorCounts, msg string) *int64 {
	switch {
	case strings.Contains(msg, "malformed"):
		return &e.Parse
	case strings.Contains(msg, "dial") || strings.Contains(msg, "connect:"):
		return &e.Connect
	case strings.Contains(msg, "Timeout") || strings.Contains(msg, "timeout") ||
		strings.Contains(msg, "deadline exceeded"):
		return &e.Timeout
	}
	return &e.Reset
}
