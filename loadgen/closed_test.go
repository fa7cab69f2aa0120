//go:build linux

package loadgen

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"
)

func closedConfig(url string, conns int) Config {
	return Config{URL: url, Concurrency: conns, Duration: 400 * time.Millisecond, Timeout: 2 * time.Second}
}

// TestClosedCountsExactly: every response the server sent is counted once, in the
// warm-up or in the window, whatever the pipeline depth and however many loops.
func TestClosedCountsExactly(t *testing.T) {
	for _, tc := range []struct{ conns, depth, loops int }{{1, 1, 1}, {8, 1, 2}, {5, 4, 2}} {
		s := startServer(t, countingHello)
		cfg := closedConfig(s.url("/"), tc.conns)
		cfg.Pipeline, cfg.Loops, cfg.Warmup = tc.depth, tc.loops, 150*time.Millisecond
		res, err := RunClosed(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		checkTotals(t, res)
		if res.Requests == 0 || res.WarmupRequests == 0 {
			t.Fatalf("%+v: want requests in both the warm-up and the window", tc)
		}
		if got, want := res.Requests+res.WarmupRequests, s.answered.Load(); got != want || res.Errors.Total() != 0 {
			t.Errorf("%+v: client counted %d (+%d errors), server answered %d", tc, got, res.Errors.Total(), want)
		}
		if res.Loops != tc.loops || s.conns.Load() != int64(tc.conns) {
			t.Errorf("%+v: %d loops, %d connections accepted", tc, res.Loops, s.conns.Load())
		}
	}
}

// TestClosedErrorClasses: each kind of failure lands in its class, counted exactly
// against what the server did.
func TestClosedErrorClasses(t *testing.T) {
	type want struct{ ok, connect, reset, timeout, status, parse int64 }
	for _, tc := range []struct {
		name    string
		respond func(*testServer, net.Conn, int64) bool
		want    func(s *testServer) want
	}{
		{"reset", resetEvery(3), func(s *testServer) want { return want{ok: s.answered.Load(), reset: s.resets.Load()} }},
		{"stall", stall, func(s *testServer) want { return want{timeout: s.seq.Load()} }},
		{"garbage", respondWith("garbage\r\n\r\n"), func(s *testServer) want { return want{parse: s.answered.Load()} }},
		{"status", respondWith(withBody(500, "no")), func(s *testServer) want { return want{status: s.answered.Load()} }},
		{"close", closeAfter, func(s *testServer) want { return want{ok: s.answered.Load()} }},
		{"until-close", untilClose, func(s *testServer) want { return want{ok: s.answered.Load()} }},
		{"chunked", respondWith(chunkedHello), func(s *testServer) want { return want{ok: s.answered.Load()} }},
	} {
		s := startServer(t, tc.respond)
		cfg := closedConfig(s.url("/"), 3)
		cfg.Timeout = 100 * time.Millisecond
		res, err := RunClosed(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		checkTotals(t, res)
		e := res.Errors
		got := want{res.Requests, e.Connect, e.Reset, e.Timeout, e.Status, e.Parse}
		if w := tc.want(s); got != w || s.seq.Load() == 0 {
			t.Errorf("%s: got %+v, want %+v (server saw %d requests)", tc.name, got, w, s.seq.Load())
		}
		if tc.name == "close" && res.Reconnects < res.Requests-int64(cfg.Concurrency) {
			t.Errorf("close: %d reconnects for %d responses with Connection: close", res.Reconnects, res.Requests)
		}
	}
}

// TestClosedConnectErrors: nothing listening is a connect error, retried, never a success.
func TestClosedConnectErrors(t *testing.T) {
	res, err := RunClosed(context.Background(), closedConfig("http://"+closedPort(t)+"/", 2))
	if err != nil {
		t.Fatal(err)
	}
	e := res.Errors
	if e.Connect < 2 || e.Total() != e.Connect || res.Requests != 0 {
		t.Fatalf("errors %+v, %d requests: want only connect errors, at least one per connection", e, res.Requests)
	}
}

// TestClosedStopsOnCancel: a cancelled run returns promptly with what it measured.
func TestClosedStopsOnCancel(t *testing.T) {
	busy := make(chan struct{})
	s := startServer(t, func(s *testServer, c net.Conn, n int64) bool {
		if n == 100 {
			close(busy)
		}
		return countingHello(s, c, n)
	})
	ctx, cancel := context.WithCancel(context.Background())
	cfg := closedConfig(s.url("/"), 2)
	cfg.Duration = time.Hour
	done := make(chan struct{})
	var res *Result
	var err error
	go func() { defer close(done); res, err = RunClosed(ctx, cfg) }()
	select {
	case <-busy:
	case <-done:
		t.Fatalf("returned before cancel: %v", err)
	}
	cancel()
	<-done
	if !errors.Is(err, context.Canceled) || res == nil || res.Requests < 100 || res.Elapsed >= time.Hour {
		t.Fatalf("err %v, result %+v: want context.Canceled and a partial result", err, res)
	}
}

// TestRefusals: a non-loopback target and a level beyond the descriptors are refused
// before any connection is made.
func TestRefusals(t *testing.T) {
	remote := Config{URL: "http://192.0.2.1:80/", Concurrency: 1, Rate: 1, Duration: time.Second}
	if _, err := RunClosed(context.Background(), remote); !errors.Is(err, ErrNotLoopback) {
		t.Errorf("closed engine, remote target: %v, want ErrNotLoopback", err)
	}
	if _, err := RunOpen(context.Background(), remote); !errors.Is(err, ErrNotLoopback) {
		t.Errorf("open engine, remote target: %v, want ErrNotLoopback", err)
	}
	if _, err := Hold(context.Background(), remote, 1); !errors.Is(err, ErrNotLoopback) {
		t.Errorf("idle holder, remote target: %v, want ErrNotLoopback", err)
	}
	if err := CheckTarget(remote.URL, true); err != nil {
		t.Errorf("remote target allowed: %v", err)
	}
	if err := CheckTarget("http://localhost:1/", false); err != nil {
		t.Errorf("localhost: %v", err)
	}
	huge := Config{URL: "http://127.0.0.1:1/", Concurrency: 1 << 30, Duration: time.Second}
	if _, err := RunClosed(context.Background(), huge); !errors.Is(err, ErrFDLimit) {
		t.Errorf("2^30 connections: %v, want ErrFDLimit", err)
	}
	for _, bad := range []string{"https://127.0.0.1/", "127.0.0.1:80", "http://127.0.0.1:99999/"} {
		if err := CheckTarget(bad, false); !errors.Is(err, ErrConfig) {
			t.Errorf("%q: %v, want ErrConfig", bad, err)
		}
	}
}
