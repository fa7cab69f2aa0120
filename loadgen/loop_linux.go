//go:build linux

package loadgen

import (
	"math"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/benchsuite/threads-vs-loop/internal/epoll"
	"golang.org/x/sys/unix"
)

const (
	readBufSize = 64 << 10               // the loop's one read buffer
	maxEvents   = 512                    // epoll events taken per wait
	scanEvery   = 10 * time.Millisecond  // timeout, reconnect and end-of-run checks
	retryDelay  = 100 * time.Millisecond // after a failed connect
)

type connState uint8

const (
	csClosed     connState = iota // no socket; connect again at retryAt
	csConnecting                  // connect(2) in progress
	csOpen                        // connected: requests go out, responses come in
)

// conn is one client connection: a few words, no buffer. Send times of its in-flight
// requests live in the loop's sent slice, depth of them per connection, as a ring.
type conn struct {
	fd         int
	gen        int32 // bumped for each socket, to drop events of an earlier one
	state      connState
	tried      bool  // a connect was attempted: the next one is a reconnect
	served     bool  // this socket has had a response: the server accepted and answered it
	inflight   int32 // requests sent (or queued to send) and not yet answered
	head       int32 // ring index of the oldest in-flight send time
	wOff, wEnd int32 // bytes of the loop's batch still to write: batch[wOff:wEnd]
	since      int64 // csConnecting: when connect began; csClosed: when to retry
	p          respParser
}

// loop is one event loop: an epoll instance on a locked OS thread, its share of the
// connections, one read buffer, and the pre-encoded requests. Only its own thread touches
// it until run returns.
type loop struct {
	p      *epoll.Poller
	sa     unix.Sockaddr
	family int
	buf    []byte // the shared read buffer
	batch  []byte // depth copies of the request, written from as one buffer
	reqLen int32
	depth  int32
	conns  []conn
	sent   []int64 // depth send times per connection, ring-indexed by conn.head
	t      *tally

	base      time.Time // the loop clock is time.Since(base) in ns, shared by every loop
	now       int64
	ws, we    int64 // the measured window: requests sent in [ws, we) count
	timeoutNS int64
	nextScan  int64
	upCounted bool          // the connections up at the window's start are in t.connsUp
	ramping   bool          // Config.Ramp: a connection answered once waits for the others
	unserved  *atomic.Int64 // connections of every loop whose socket has had no response yet
	window    *windowClock  // shared by the run's loops: fixes ws and we when the ramp ends
	duration  int64
	stop      *atomic.Bool
}

// newLoop makes a loop of conns connections; unserved counts, over every loop of the run,
// the connections not yet answered (Config.Ramp waits for it to reach 0), and window is
// the run's window clock.
func newLoop(tgt *target, conns, depth int, cfg *Config, base time.Time, stop *atomic.Bool, unserved *atomic.Int64, window *windowClock) (*loop, error) {
	p, err := epoll.New(maxEvents)
	if err != nil {
		return nil, err
	}
	l := &loop{p: p, buf: make([]byte, readBufSize), reqLen: int32(len(tgt.request)),
		depth: int32(depth), conns: make([]conn, conns), sent: make([]int64, conns*depth),
		t: newTally(cfg.Duration), base: base, timeoutNS: int64(cfg.timeout()), stop: stop,
		ramping: cfg.Ramp, unserved: unserved, window: window, duration: int64(cfg.Duration)}
	l.ws, l.we = window.window(cfg.Duration)
	for range depth {
		l.batch = append(l.batch, tgt.request...)
	}
	l.sa, l.family = sockaddr(tgt)
	for i := range l.conns {
		l.conns[i].fd = -1
	}
	return l, nil
}

// sockaddr is the target as the socket calls want it.
func sockaddr(tgt *target) (unix.Sockaddr, int) {
	if ip4 := tgt.addr.IP.To4(); ip4 != nil {
		sa := &unix.SockaddrInet4{Port: tgt.addr.Port}
		copy(sa.Addr[:], ip4)
		return sa, unix.AF_INET
	}
	sa := &unix.SockaddrInet6{Port: tgt.addr.Port}
	copy(sa.Addr[:], tgt.addr.IP.To16())
	return sa, unix.AF_INET6
}

func (l *loop) clock() int64 { return int64(time.Since(l.base)) }

// run connects every connection and drives them until the window has ended and every
// request sent in it is answered or timed out, or until stop. It keeps its OS thread.
func (l *loop) run() error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer l.closeAll()
	l.now = l.clock()
	l.nextScan = l.now + int64(scanEvery)
	for i := range l.conns {
		l.connect(i)
	}
	for !l.stop.Load() {
		evs, err := wait(l.p, l.waitMS())
		if err != nil {
			return err
		}
		l.now = l.clock()
		for i := range evs {
			l.event(&evs[i])
		}
		if l.ramping && l.rampOver() {
			l.endRamp()
		}
		if !l.upCounted && l.now >= l.ws {
			l.countUp()
		}
		if l.now >= l.nextScan && l.scan() {
			return nil
		}
	}
	return nil
}

// countUp counts the connections up as the window begins, at the loop's first turn at or
// after its start: connected and answered at least once. A connection the kernel
// completed but the server has not yet accepted (in its listen backlog) is connected, not
// served: counted, it would hide a server still accepting when the window began.
func (l *loop) countUp() {
	l.upCounted = true
	for i := range l.conns {
		if c := &l.conns[i]; c.state == csOpen && c.served {
			l.t.connsUp++
		}
	}
}

// rampOver reports whether the ramp has ended: every connection of the run answered, its
// bound reached, or the window fixed already by another loop (which saw one of those: a
// connection closed since must not keep this loop ramping through the window).
func (l *loop) rampOver() bool {
	return l.unserved.Load() <= 0 || l.now >= l.window.rampBound || l.window.rampEnded()
}

// endRamp fixes the window (if no other loop has: the warm-up begins now) and starts the
// load on every connection that waits, answered, for the others.
func (l *loop) endRamp() {
	l.ramping = false
	l.ws = l.window.fix(l.now)
	l.we = l.ws + l.duration
	for i := range l.conns {
		if c := &l.conns[i]; c.state == csOpen {
			l.send(i, int(l.depth)) // tops up to the pipeline depth
		}
	}
}

// waitMS is how long epoll_wait may sleep: until the next scan.
func (l *loop) waitMS() int {
	wait := l.nextScan - l.clock()
	if wait <= 0 {
		return 0
	}
	return int((wait + int64(time.Millisecond) - 1) / int64(time.Millisecond))
}

func (l *loop) event(ev *unix.EpollEvent) {
	i := int(ev.Fd)
	c := &l.conns[i]
	if ev.Pad != c.gen {
		return // an event of a socket already closed
	}
	switch c.state {
	case csConnecting:
		if ev.Events&(unix.EPOLLOUT|unix.EPOLLERR|unix.EPOLLHUP) != 0 {
			l.connected(i)
		}
	case csOpen:
		if ev.Events&(unix.EPOLLIN|unix.EPOLLERR|unix.EPOLLHUP|unix.EPOLLRDHUP) != 0 {
			l.readable(i, ev.Events&(unix.EPOLLHUP|unix.EPOLLRDHUP) != 0)
		}
		if c.state == csOpen && c.wEnd > c.wOff && ev.Events&unix.EPOLLOUT != 0 {
			l.flush(i)
		}
	}
}

// scan, every scanEvery: reconnects, connect and request timeouts, and the end of the run,
// which it reports.
func (l *loop) scan() bool {
	l.nextScan = l.now + int64(scanEvery)
	busy := false
	for i := range l.conns {
		c := &l.conns[i]
		switch c.state {
		case csClosed:
			if c.since <= l.now {
				l.connect(i)
			}
		case csConnecting:
			if l.now-c.since > l.timeoutNS {
				l.connectFailed(i)
			}
		case csOpen:
			if c.inflight > 0 && l.now-l.sent[i*int(l.depth)+int(c.head)] > l.timeoutNS {
				l.fail(i, &l.t.errors.Timeout)
			}
		}
		busy = busy || c.inflight > 0
	}
	return l.now >= l.we && !busy
}

// closeAll closes every socket and the poller.
func (l *loop) closeAll() {
	for i := range l.conns {
		if c := &l.conns[i]; c.fd >= 0 {
			unix.Close(c.fd)
			c.fd = -1
		}
	}
	l.p.Close()
}

// sending reports whether new requests may go out: not after the window (the drain).
func (l *loop) sending() bool { return l.now < l.we && !l.stop.Load() }

// connect opens connection i's socket; a failure counts as a connect error. Every
// attempt after a connection's first, made in the window, is a reconnect.
func (l *loop) connect(i int) {
	c := &l.conns[i]
	if !l.sending() {
		c.state, c.since = csClosed, math.MaxInt64
		return
	}
	if c.tried && l.now >= l.ws && l.now < l.we {
		l.t.reconnects++
	}
	c.tried = true
	fd, err := newSocket(l.sa, l.family)
	if err != nil {
		l.connectError(i)
		return
	}
	c.gen++
	if err := l.p.Add(fd, connEvents, int32(i), c.gen); err != nil {
		unix.Close(fd)
		l.connectError(i)
		return
	}
	c.fd, c.state, c.since = fd, csConnecting, l.now
}

// connected completes a non-blocking connect and sends the first requests, stamped now
// rather than at the wake-up.
func (l *loop) connected(i int) {
	c := &l.conns[i]
	l.now = l.clock()
	if soError(c.fd) != 0 {
		l.connectFailed(i)
		return
	}
	c.state = csOpen
	l.send(i, int(l.depth))
}

func (l *loop) connectFailed(i int) {
	l.closeConn(i)
	l.connectError(i)
}

// connectError counts a failed connect (in the window only) and schedules a retry.
func (l *loop) connectError(i int) {
	if l.now >= l.ws && l.now < l.we {
		l.t.failure(l.now-l.ws, &l.t.errors.Connect, 1)
	}
	c := &l.conns[i]
	c.state, c.since = csClosed, l.now+int64(retryDelay)
}

// closeConn closes connection i's socket and forgets its in-flight requests.
func (l *loop) closeConn(i int) {
	c := &l.conns[i]
	if c.fd >= 0 {
		unix.Close(c.fd)
	}
	c.fd, c.state, c.gen = -1, csClosed, c.gen+1
	if c.served { // the next socket is unanswered again
		c.served = false
		l.unserved.Add(1)
	}
	c.inflight, c.head, c.wOff, c.wEnd = 0, 0, 0, 0
	c.p.reset()
}

// reconnect closes connection i and opens it again at once (connect counts it).
func (l *loop) reconnect(i int) {
	l.closeConn(i)
	l.connect(i)
}

// fail counts every in-flight request of connection i as failed with class, then
// reconnects.
func (l *loop) fail(i int, class *int64) {
	c := &l.conns[i]
	base := i * int(l.depth)
	for k := range c.inflight {
		sent := l.sent[base+int((c.head+k)%l.depth)]
		if sent >= l.ws && sent < l.we {
			l.t.failure(sent-l.ws, class, 1)
		}
	}
	l.reconnect(i)
}
