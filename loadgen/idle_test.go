//go:build linux

package loadgen

import (
	"context"
	"net"
	"testing"
	"time"
)

// TestHoldIdle: k connections each make one request and stay; the server sees k
// connections and k requests; connections the server closes are noticed as dropped.
func TestHoldIdle(t *testing.T) {
	const k, closed = 200, 20
	s := startServer(t, countingHello)
	drops := make(chan struct{}, k)
	testDropHook = func() { drops <- struct{}{} }
	defer func() { testDropHook = nil }()
	h, err := Hold(context.Background(), Config{URL: s.url("/"), Timeout: 5 * time.Second}, k)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if h.Up() != k || h.Failed() != 0 || s.conns.Load() != k || s.answered.Load() != k {
		t.Fatalf("up %d, failed %d; server: %d connections, %d requests; want %d of each", h.Up(), h.Failed(), s.conns.Load(), s.answered.Load(), k)
	}
	s.mu.Lock()
	n := 0
	for c := range s.open {
		if n == closed {
			break
		}
		c.Close()
		n++
	}
	s.mu.Unlock()
	for range closed {
		<-drops
	}
	if h.Up() != k-closed || h.Dropped() != closed {
		t.Fatalf("after the server closed %d: up %d, dropped %d", closed, h.Up(), h.Dropped())
	}
	if err := h.Close(); err != nil || h.Up() != 0 {
		t.Fatalf("Close: %v, up %d", err, h.Up())
	}
	if err := h.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// TestHoldIdleFailures: a connection that cannot be set up is counted failed, never up.
func TestHoldIdleFailures(t *testing.T) {
	const k = 10
	for _, tc := range []struct {
		name    string
		respond func(*testServer, net.Conn, int64) bool
	}{
		{"status", respondWith(withBody(500, "no"))},
		{"garbage", respondWith("garbage\r\n\r\n")},
		{"stall", stall},
		{"close", closeAfter},
	} {
		s := startServer(t, tc.respond)
		h, err := Hold(context.Background(), Config{URL: s.url("/"), Timeout: 200 * time.Millisecond}, k)
		if err != nil {
			t.Fatal(err)
		}
		if h.Up() != 0 || h.Failed() != k {
			t.Errorf("%s: up %d, failed %d; want all %d failed", tc.name, h.Up(), h.Failed(), k)
		}
		h.Close()
	}
	h, err := Hold(context.Background(), Config{URL: "http://" + closedPort(t) + "/"}, k)
	if err != nil {
		t.Fatal(err)
	}
	if h.Up() != 0 || h.Failed() != k {
		t.Errorf("nothing listening: up %d, failed %d", h.Up(), h.Failed())
	}
	h.Close()
}

// TestHoldIdleCancelled: a cancelled set-up returns the context's error and keeps nothing.
func TestHoldIdleCancelled(t *testing.T) {
	s := startServer(t, stall)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if h, err := Hold(ctx, Config{URL: s.url("/")}, 5); err != context.Canceled || h != nil {
		t.Fatalf("Hold with a cancelled context: %v, %v", h, err)
	}
}
