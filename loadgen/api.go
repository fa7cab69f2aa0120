package loadgen

import (
	"context"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Config is one load: what to send, how hard, for how long.
type Config struct {
	URL         string        // http://127.0.0.1:PORT/path
	Concurrency int           // closed: connections; open: the most vegeta workers (0 = DefaultOpenMaxWorkers)
	Pipeline    int           // closed: requests in flight per connection (0 = 1)
	Rate        float64       // open: requests per second (start of a ramp)
	RateEnd     float64       // open: end of a linear ramp; 0 = constant Rate
	Duration    time.Duration // the measured window
	Warmup      time.Duration // load before the window, not counted
	Timeout     time.Duration // per request (0 = 5s)
	AllowRemote bool          // permit a non-loopback target
	Loops       int           // closed: event loops, one locked OS thread each (0 = one per CPU the client may use, at most Concurrency)
	// Ramp (closed): each connection makes one request, then waits until every
	// connection of the run has been answered once (or the ramp's bound: the window's
	// start, or RampMax) before the load starts. The server then holds every connection as the window begins, where
	// thousands of connects under full load leave a server that accepts one connection at
	// a time (a thread server on one CPU, its acceptor one thread among thousands) with
	// most of them in its accept queue. wrk starts the load at once.
	Ramp bool
	// RampMax, with Ramp, lets the ramp outlast the warm-up: the warm-up then begins once
	// every connection has been answered, or RampMax after the start if some never are,
	// and the window Warmup after that. A connection closed after its answer counts as
	// unanswered again until its new socket is answered, so against a server that closes
	// every connection after one response the ramp lasts RampMax. A slow machine, or a thread server accepting
	// thousands of connections on one CPU, then holds them all in its window however long
	// they took, and a fast one does not wait. 0: the ramp ends by the window, which
	// begins Warmup after the start (engines on several hosts, started to begin their
	// windows together, need that).
	RampMax time.Duration
	// OnWindow, when set, is called once, from the engine, with the wall-clock instant
	// its window begins, as soon as that is fixed (at the start, or when the ramp ends):
	// before the window begins, unless the run was cancelled first.
	OnWindow func(start time.Time)
	// StartAt, when set, is the wall-clock instant the warm-up begins: the engine waits
	// for it, so engines on several hosts started ahead of it begin their windows
	// together (as closely as the hosts' clocks agree). Zero: start at once.
	StartAt time.Time
	// Grace (open engine): a request due in the window counts in Result.Requests only if
	// it completed successfully by the window's end plus Grace; one that completed later
	// is Result.Late. 0: none, the window's end itself. A request due just before the end
	// cannot complete by it, however fast the server, so a grace of one expected service
	// time (hol: one background burn) keeps those from being counted late. Negative is an
	// error.
	Grace time.Duration
}

// ErrorCounts are failed requests by class.
type ErrorCounts struct {
	Connect int64 // could not connect
	Reset   int64 // connection reset or closed mid-response
	Timeout int64 // no response within Config.Timeout
	Status  int64 // a response outside 2xx
	Parse   int64 // a response that is not valid HTTP/1.1
	// Unsent (open engine): requests due in the window that vegeta never sent, because
	// every worker was still waiting on the server when the attack ended. They count as
	// failed: leaving them out would hide the stall (coordinated omission).
	Unsent int64
}

// Total is every error.
func (e ErrorCounts) Total() int64 {
	return e.Connect + e.Reset + e.Timeout + e.Status + e.Parse + e.Unsent
}

// Add adds o's counts to e's: several engines' (or hosts') failures together.
func (e *ErrorCounts) Add(o ErrorCounts) {
	e.Connect += o.Connect
	e.Reset += o.Reset
	e.Timeout += o.Timeout
	e.Status += o.Status
	e.Parse += o.Parse
	e.Unsent += o.Unsent
}

// Window is one second (WindowLength) of the measured window. A request belongs to the
// window in which it was sent (closed engine) or scheduled (open engine). As in Result,
// an open-engine request that completed after the window's end plus Config.Grace (Late)
// is not one of its window's Requests, though its latency is in P99.
type Window struct {
	Start    time.Duration // since the window began
	Requests int64         // completed successfully (open engine: and in time, as Result.Requests)
	Errors   int64
	P99      time.Duration // of the latencies recorded in this window (as Result.Latency)
}

// Result is what an engine measured in its window. Errors and Latency count the requests
// sent (closed) or scheduled (open) inside the window, however late they completed; the
// engine waits up to Config.Timeout for them after the window ends. Requests counts the
// successes among them: closed engine (and RunVegetaClosed), every one; open engine, only
// those that completed by the window's end plus Config.Grace, so RPS() never exceeds the
// offered rate. A success that completed later is Late: counted apart, its latency still
// recorded. For an open run that was not cancelled, Due == Requests + Late +
// Errors.Total() exactly (Unsent included); a cancelled one counts Due up to when its
// attack ended, and the same sum holds.
//
// Latency. The closed engine records successful responses only, from the write of a
// request to the read that completed its response. The open engine (and RunVegetaClosed)
// records every request of the window, failed ones too, as wrk2 does, from its scheduled
// time (RunVegetaClosed: its send) to when it ended: a timeout at ≥ Config.Timeout, a
// reset or a refused connect when it failed, a non-2xx when its response came, and an
// unsent request at the end of the attack. So a stall shows in the percentiles even when
// the requests it held were given up. SuccessLatency holds the successful responses only,
// Late ones included (for the closed engine it is the same histogram as Latency).
//
// Bound facts. ClientBound is the client-CPU judgement only (≥ BoundCPUShare of the CPUs
// the engine could use). For the open engine, RateShort says it sent less than
// RateShortShare of the offered rate, WorkersExhausted that every allowed worker was busy
// waiting on the server at once (the server's limit), and Note why the rate fell short.
type Result struct {
	Engine         string                  // EngineClosed, EngineOpen or EngineVegetaClosed
	Requests       int64                   // successful responses in the window (open engine: completed by its end plus Config.Grace)
	Errors         ErrorCounts             // failures in the window
	Reconnects     int64                   // connect attempts in the window beyond each connection's first (closed: after Connection: close, an error or a failed connect; open: dials replacing a closed connection)
	Elapsed        time.Duration           // the window's length: Config.Duration, or less when cancelled
	Latency        *hdrhistogram.Histogram // microseconds, 1 µs – 60 s, 3 digits; open engine: failures included
	SuccessLatency *hdrhistogram.Histogram // successful responses only (closed: the same as Latency)
	Windows        []Window
	OfferedRPS     float64 // open engine: the asked rate (mean over a ramp)
	ClientCPUPct   float64 // the client process's CPU over the window, percent of one core: process-wide, so it includes any other engine run at the same time (CPUShared)
	ClientCPUs     int     // CPUs the client may run on
	ClientBound    bool    // the client's CPU was at its limit: ≥ BoundCPUShare of the CPUs the engine could use
	BoundReason    string  // why ClientBound, for the CSV note
	WarmupRequests int64   // successful responses to requests sent during the warm-up
	AchievedRPS    float64 // open engine: Sent per second of the window
	Loops          int     // closed engine: event loops used
	Connections    int     // closed: connections; open: the most vegeta workers

	// Due (open engine): requests the schedule made due in the window, sent or not: the
	// offered rate's count (OfferedRPS × Elapsed).
	Due int64
	// Sent (open engine): of the Due, those sent before the window's end. The rest were
	// sent after it (vegeta still sends those it is late with) or never (Errors.Unsent).
	Sent int64
	// Late (open engine): of the Due, those that succeeded but completed after the
	// window's end plus Config.Grace. Not in Requests (nor any Window's), but in Latency
	// and SuccessLatency: hiding their wait would be coordinated omission.
	Late int64

	// ConnsUp is how many connections were up as the window began. Closed: connected and
	// answered at least once (a connection waiting in the server's listen backlog is not
	// up), counted at each loop's first turn at or after the window's start; without a
	// warm-up the connects are still under way then. Open: the connections vegeta's
	// transport held open, busy or idle.
	ConnsUp int
	// WorkersExhausted (open engine): at some moment in the window all Connections
	// workers were busy on requests at once, so vegeta could send nothing more until one
	// came free: requests due then went out late, or not at all. The server's limit.
	WorkersExhausted bool
	PeakBusy         int    // open engine: the most workers busy on a request at once in the window
	RateShort        bool   // open engine: sent less than RateShortShare of the offered rate in the window
	Note             string // open engine: why the rate fell short, when RateShort
	CPUShared        bool   // another engine ran in this process during the run, so ClientCPUPct counts its CPU too
	// Began is the wall-clock instant the engine began (after waiting for Config.StartAt,
	// if set): its ramp, if any, then its warm-up.
	Began time.Time
	// WindowStart is the wall-clock instant the measured window began: Config.Warmup
	// after the start, or after the end of a ramp allowed to outlast it (Config.RampMax).
	// Zero if the run ended before it was fixed.
	WindowStart time.Time
}

// RPS is Requests per second of the window: for the open engine, the successes completed
// by the window's end plus Config.Grace, so never more than OfferedRPS.
func (r *Result) RPS() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// Quantile is the latency at percentile q (0–100).
func (r *Result) Quantile(q float64) time.Duration {
	if r.Latency == nil {
		return 0
	}
	return time.Duration(r.Latency.ValueAtQuantile(q)) * time.Microsecond
}

// Max is the largest latency recorded.
func (r *Result) Max() time.Duration {
	if r.Latency == nil {
		return 0
	}
	return time.Duration(r.Latency.Max()) * time.Microsecond
}

// RunClosed drives cfg.Concurrency persistent connections, cfg.Pipeline requests in
// flight each, from cfg.Loops epoll loops. If ctx ends first, it returns what was
// measured so far with ctx's error.
func RunClosed(ctx context.Context, cfg Config) (*Result, error) { return startAt(ctx, cfg, runClosed) }

// RunOpen offers cfg.Rate requests per second with vegeta (a linear ramp to cfg.RateEnd
// when set), latency from each request's scheduled time.
func RunOpen(ctx context.Context, cfg Config) (*Result, error) { return startAt(ctx, cfg, runOpen) }

// startAt waits for cfg.StartAt (if set), runs the engine and stamps the result with the
// instant its warm-up began.
func startAt(ctx context.Context, cfg Config, run func(context.Context, Config) (*Result, error)) (*Result, error) {
	if !cfg.StartAt.IsZero() {
		t := time.NewTimer(time.Until(cfg.StartAt))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
	}
	began := time.Now()
	res, err := run(ctx, cfg)
	if res != nil {
		res.Began = began
	}
	return res, err
}

// HoldIdle opens k connections to url, one request each, and keeps them open until Close.
func HoldIdle(ctx context.Context, url string, k int) (*IdleConns, error) {
	return Hold(ctx, Config{URL: url}, k)
}

// Hold is HoldIdle with a Config: URL, Timeout (per connection set-up) and AllowRemote
// are used.
func Hold(ctx context.Context, cfg Config, k int) (*IdleConns, error) { return hold(ctx, cfg, k) }
