package loadgen

import (
	"sync"
	"sync/atomic"
)

// IdleConns holds keep-alive connections that each made one request and then sit idle.
// Its counters may be read from any goroutine while it holds them.
type IdleConns struct {
	up, failed, dropped atomic.Int64
	closeOnce           sync.Once
	closeErr            error
	release             func() error // stops watching and closes every socket
}

// Up is how many connections are open and idle; Failed how many could not be set up.
func (h *IdleConns) Up() int {
	if h == nil {
		return 0
	}
	return int(h.up.Load())
}

// Failed is how many connections could not be set up: connect, request or response failed.
func (h *IdleConns) Failed() int {
	if h == nil {
		return 0
	}
	return int(h.failed.Load())
}

// Dropped is how many connections were up and then closed by the server.
func (h *IdleConns) Dropped() int {
	if h == nil {
		return 0
	}
	return int(h.dropped.Load())
}

// Close closes every held connection. It may be called more than once.
func (h *IdleConns) Close() error {
	if h == nil {
		return nil
	}
	h.closeOnce.Do(func() {
		if h.release != nil {
			h.closeErr = h.release()
		}
		h.up.Store(0)
	})
	return h.closeErr
}
