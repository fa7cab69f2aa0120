package loadgen

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// errTransportClosed is what a dial that completes after the attack ended returns.
var errTransportClosed = errors.New("loadgen: open engine finished; connection not kept")

// openTransport is the open engine's HTTP transport, owned by the engine rather than left
// to vegeta (which never closes its own): it holds the same settings vegeta's default
// transport has, and besides
//   - counts the workers busy on a request (from the round trip's start until its body is
//     closed, or its error), and the most of them at once inside the window: when that is
//     every allowed worker, vegeta could send nothing until one came free;
//   - keeps every connection it dialed, so closeAll leaves none open behind the run, not
//     even one whose dial completes later;
//   - counts connections at the window's start, and dials in the window that replaced a
//     connection closed earlier in the run (reconnects).
type openTransport struct {
	tr       *http.Transport
	dialer   net.Dialer
	workers  int64
	ws, we   time.Time // the measured window
	busy     atomic.Int64
	peakBusy atomic.Int64 // most busy at once in the window

	mu         sync.Mutex
	conns      map[*trackedConn]struct{}
	closed     bool  // closeAll ran
	lost       int64 // connections closed during the run (by the server, an error, a timeout)
	replaced   int64 // dials that made up for a lost connection
	reconnects int64 // of those, made in the window
}

func newOpenTransport(workers int, ws, we time.Time) *openTransport {
	o := &openTransport{workers: int64(workers), ws: ws, we: we, conns: map[*trackedConn]struct{}{},
		dialer: net.Dialer{KeepAlive: 30 * time.Second}}
	o.tr = &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         o.dial,
		MaxIdleConnsPerHost: workers,
	}
	return o
}

func (o *openTransport) inWindow(t time.Time) bool { return !t.Before(o.ws) && t.Before(o.we) }

// RoundTrip counts the request busy until its body is closed or it fails.
func (o *openTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	n := o.busy.Add(1)
	if o.inWindow(time.Now()) {
		for peak := o.peakBusy.Load(); n > peak && !o.peakBusy.CompareAndSwap(peak, n); {
			peak = o.peakBusy.Load()
		}
	}
	resp, err := o.tr.RoundTrip(req)
	if err != nil {
		o.busy.Add(-1)
		return nil, err
	}
	resp.Body = &busyBody{ReadCloser: resp.Body, o: o}
	return resp, nil
}

// busyBody ends its request's busy time when closed.
type busyBody struct {
	io.ReadCloser
	o    *openTransport
	done atomic.Bool
}

func (b *busyBody) Close() error {
	if b.done.CompareAndSwap(false, true) {
		b.o.busy.Add(-1)
	}
	return b.ReadCloser.Close()
}

// dial connects and keeps the connection, unless the run is over.
func (o *openTransport) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := o.dialer.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		c.Close()
		return nil, errTransportClosed
	}
	tc := &trackedConn{Conn: c, o: o}
	o.conns[tc] = struct{}{}
	if o.lost > o.replaced {
		o.replaced++
		if o.inWindow(time.Now()) {
			o.reconnects++
		}
	}
	return tc, nil
}

// facts sets on res what the transport saw: connsUp (counted as the window began), the
// reconnects, the most workers busy at once, and whether that was all of them (paced: the
// open engine; vegeta's closed loop keeps every worker busy by design).
func (o *openTransport) facts(res *Result, connsUp int, paced bool) {
	res.ConnsUp = connsUp
	o.mu.Lock()
	res.Reconnects = o.reconnects
	o.mu.Unlock()
	res.PeakBusy = int(o.peakBusy.Load())
	res.WorkersExhausted = paced && int64(res.PeakBusy) >= o.workers
}

// open is how many connections are open now.
func (o *openTransport) open() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.conns)
}

// closeAll closes the idle connections and any other still open, and makes every later
// dial close at once. Call it when no request is in flight any more.
func (o *openTransport) closeAll() {
	o.tr.CloseIdleConnections()
	o.mu.Lock()
	o.closed = true
	left := make([]*trackedConn, 0, len(o.conns))
	for c := range o.conns {
		left = append(left, c)
	}
	o.mu.Unlock()
	for _, c := range left {
		c.Close()
	}
}

// trackedConn leaves its transport's set when closed.
type trackedConn struct {
	net.Conn
	o    *openTransport
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.o.mu.Lock()
		delete(c.o.conns, c)
		if !c.o.closed {
			c.o.lost++
		}
		c.o.mu.Unlock()
	})
	return c.Conn.Close()
}
