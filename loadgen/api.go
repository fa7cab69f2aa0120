package loadgen

import (
	"context"
	"errors"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Config is one load: what to send, how hard, for how long.
type Config struct {
	URL         string        // http://127.0.0.1:PORT/path
	Concurrency int           // closed: connections; open: the most vegeta workers (0 = default)
	Pipeline    int           // closed: requests in flight per connection (0 = 1)
	Rate        float64       // open: requests per second (start of a ramp)
	RateEnd     float64       // open: end of a linear ramp; 0 = constant Rate
	Duration    time.Duration // the measured window
	Warmup      time.Duration // load before the window, not counted
	Timeout     time.Duration // per request (0 = 5s)
	AllowRemote bool          // permit a non-loopback target
}

// ErrorCounts are failed requests by class.
type ErrorCounts struct {
	Connect int64 // could not connect
	Reset   int64 // connection reset or closed mid-response
	Timeout int64 // no response within Config.Timeout
	Status  int64 // a response outside 2xx
	Parse   int64 // a response that is not valid HTTP/1.1
}

// Total is every error.
func (e ErrorCounts) Total() int64 { return e.Connect + e.Reset + e.Timeout + e.Status + e.Parse }

// Window is one second (or the engine's tick) of the measured window.
type Window struct {
	Start    time.Duration // since the window began
	Requests int64         // completed successfully in this window
	Errors   int64
	P99      time.Duration
}

// Result is what an engine measured in its window.
type Result struct {
	Engine       string                  // "closed" or "open"
	Requests     int64                   // successful responses in the window
	Errors       ErrorCounts             // failures in the window
	Reconnects   int64                   // connections re-opened after Connection: close or an error
	Elapsed      time.Duration           // the window's real length
	Latency      *hdrhistogram.Histogram // microseconds, 1 µs – 60 s, 3 digits
	Windows      []Window
	OfferedRPS   float64 // open engine: the asked rate (mean over a ramp)
	ClientCPUPct float64 // the client process's CPU over the window, percent of one core
	ClientCPUs   int     // CPUs the client may run on
	ClientBound  bool    // the client, not the server, may have been the limit
	BoundReason  string  // why ClientBound, for the CSV note
}

// RPS is successful responses per second of the window.
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

var errTODO = errors.New("loadgen: not built yet")

// RunClosed drives cfg.Concurrency persistent connections, one request in flight each.
func RunClosed(ctx context.Context, cfg Config) (*Result, error) { return nil, errTODO }

// RunOpen offers cfg.Rate requests per second with vegeta, latency from scheduled times.
func RunOpen(ctx context.Context, cfg Config) (*Result, error) { return nil, errTODO }

// IdleConns holds keep-alive connections that each made one request and then sit idle.
type IdleConns struct{}

// HoldIdle opens k connections to url, one request each, and keeps them open until Close.
func HoldIdle(ctx context.Context, url string, k int) (*IdleConns, error) { return nil, errTODO }

// Up is how many connections are open and idle; Failed how many could not be set up.
func (h *IdleConns) Up() int     { return 0 }
func (h *IdleConns) Failed() int { return 0 }

// Close closes every held connection.
func (h *IdleConns) Close() error { return nil }
