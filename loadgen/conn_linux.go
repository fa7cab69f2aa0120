//go:build linux

package loadgen

import (
	"github.com/benchsuite/threads-vs-loop/internal/epoll"
	"golang.org/x/sys/unix"
)

// The request/response path of the closed engine: no allocation, two syscalls per
// request (a write and a read) plus a share of an epoll_wait.

// send queues k more requests on connection i (fewer if that would exceed the pipeline
// depth), stamps their send time, and writes.
func (l *loop) send(i, k int) {
	c := &l.conns[i]
	if !l.sending() {
		return
	}
	k = min(k, int(l.depth-c.inflight))
	base := i * int(l.depth)
	for j := range int32(k) {
		l.sent[base+int((c.head+c.inflight+j)%l.depth)] = l.now
	}
	c.inflight += int32(k)
	c.wEnd += int32(k) * l.reqLen
	l.flush(i)
}

// flush writes what connection i has queued. A short write leaves the rest for EPOLLOUT
// (the kernel flags the socket as out of space, so the edge comes when it drains). The
// queued bytes are always whole requests after a partial one, so they fit the batch of
// depth requests once the written whole requests are dropped from the front.
func (l *loop) flush(i int) {
	c := &l.conns[i]
	if c.wEnd <= c.wOff {
		return
	}
	n, errno := epoll.Write(c.fd, l.batch[c.wOff:c.wEnd])
	switch {
	case errno == unix.EAGAIN:
		return
	case errno != 0:
		l.fail(i, &l.t.errors.Reset)
		return
	}
	c.wOff += int32(n)
	if c.wOff == c.wEnd {
		c.wOff, c.wEnd = 0, 0
		return
	}
	whole := c.wOff / l.reqLen * l.reqLen
	c.wOff -= whole
	c.wEnd -= whole
}

// readable reads connection i until a short read (the socket is edge-triggered), parses
// every complete response, and sends as many new requests as responses came back. When
// the peer has closed (closed), it reads on to the EOF: data and FIN can come in one edge,
// and no later edge would report the close.
func (l *loop) readable(i int, closed bool) {
	answered := 0
	for {
		n, errno := epoll.Read(l.conns[i].fd, l.buf)
		switch {
		case n > 0:
			// Stamp each read: the responses in it were received now, and the requests
			// sent for them go out now, however far into a batch of events this one is.
			l.now = l.clock()
			if !l.consume(i, l.buf[:n], &answered) {
				return // the connection failed or closed, and was reopened
			}
			if n == len(l.buf) || closed {
				continue
			}
		case errno == 0: // EOF
			l.now = l.clock()
			l.eof(i)
			return
		case errno != unix.EAGAIN:
			l.fail(i, &l.t.errors.Reset)
			return
		}
		break
	}
	if answered > 0 && !l.ramping {
		l.send(i, answered)
	}
}

// consume parses b, counting each complete response. It reports false when the connection
// was closed (a bad or unsolicited response, or the server's Connection: close).
func (l *loop) consume(i int, b []byte, answered *int) bool {
	c := &l.conns[i]
	for len(b) > 0 {
		used, r := c.p.parse(b)
		b = b[used:]
		switch {
		case r == needMore:
			return true
		case r == bad || c.inflight == 0:
			unsolicited := c.inflight == 0
			l.fail(i, &l.t.errors.Parse)
			if unsolicited && l.now >= l.ws && l.now < l.we {
				l.t.failure(l.now-l.ws, &l.t.errors.Parse, 1) // fail had no request to count
			}
			return false
		}
		l.answered(i, c.p.Status())
		*answered++
		if c.p.Close() {
			l.reconnect(i) // requests pipelined behind it were never taken: not errors
			return false
		}
	}
	return true
}

// answered takes the oldest in-flight request of connection i off the ring and counts its
// response by the phase in which it was sent.
func (l *loop) answered(i, status int) {
	c := &l.conns[i]
	sent := l.sent[i*int(l.depth)+int(c.head)]
	c.head = (c.head + 1) % l.depth
	c.inflight--
	if !c.served {
		c.served = true
		l.unserved.Add(-1)
	}
	ok := status >= 200 && status < 300
	switch {
	case sent < l.ws:
		if ok {
			l.t.warmup++
		}
	case ok:
		l.t.success(sent-l.ws, l.now-sent)
	default:
		l.t.failure(sent-l.ws, &l.t.errors.Status, 1)
	}
}

// eof handles the server closing connection i: the end of a body delimited by the close,
// a reset of the requests in flight, or an idle connection closed.
func (l *loop) eof(i int) {
	c := &l.conns[i]
	switch {
	case c.p.untilClose() && c.inflight > 0:
		c.p.eof()
		l.answered(i, c.p.Status())
		l.reconnect(i)
	case c.inflight > 0:
		l.fail(i, &l.t.errors.Reset)
	default:
		l.reconnect(i)
	}
}
