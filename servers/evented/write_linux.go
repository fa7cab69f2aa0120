//go:build linux

package evented

import "golang.org/x/sys/unix"

// maxIOV is how many buffers one writev takes (the kernel's IOV_MAX).
const maxIOV = 1024

// flush sends the loop's batch for c, then sets c's epoll interest from its state:
// reading, waiting for the socket to take queued output, or neither while a request is away.
func (l *eventLoop) flush(c *conn) {
	if len(l.out) > 0 {
		l.send(c, nil)
	}
	if c.closed {
		return
	}
	if c.closeAfter && len(c.queue) == 0 && !c.lingering {
		l.linger(c)
		return
	}
	var want uint32 = unix.EPOLLIN
	switch {
	case len(c.queue) > 0:
		want = unix.EPOLLOUT // back-pressure: read nothing more until the peer reads
	case c.busy || (c.closeAfter && !c.lingering):
		want = 0
	}
	if want != c.interest {
		if err := l.p.modify(c.fd, want); err != nil {
			l.closeConn(c)
			return
		}
		c.interest = want
	}
}

// send writes the loop's batch and then body (shared memory, never copied), straight to
// the socket when nothing is queued before them; what the socket does not take is queued:
// the batch copied (the loop reuses its buffer), the body by reference.
func (l *eventLoop) send(c *conn, body []byte) {
	head := l.out
	l.out = l.out[:0]
	if c.closed {
		return
	}
	if len(c.queue) > 0 {
		c.enqueue(head, body)
		return
	}
	var n int
	var err error
	if body == nil {
		n, err = write(c.fd, head)
	} else {
		n, err = writev(c.fd, [][]byte{head, body})
	}
	if err != nil && err != unix.EAGAIN {
		l.closeConn(c)
		return
	}
	n = max(n, 0)
	if n < len(head) {
		c.enqueue(head[n:], body)
		return
	}
	if n -= len(head); body != nil && n < len(body) {
		c.queue = append(c.queue, body[n:])
	}
}

// enqueue queues a copy of head and a reference to body.
func (c *conn) enqueue(head, body []byte) {
	if len(head) > 0 {
		c.queue = append(c.queue, append([]byte(nil), head...))
	}
	if len(body) > 0 {
		c.queue = append(c.queue, body)
	}
}

// writeQueue writes queued output now that the socket takes more.
func (l *eventLoop) writeQueue(c *conn) {
	for len(c.queue) > 0 {
		n, err := writev(c.fd, c.queue[:min(len(c.queue), maxIOV)])
		if err == unix.EAGAIN {
			return
		}
		if err != nil {
			l.closeConn(c)
			return
		}
		for n > 0 && len(c.queue) > 0 {
			if n < len(c.queue[0]) {
				c.queue[0] = c.queue[0][n:]
				break
			}
			n -= len(c.queue[0])
			c.queue[0] = nil
			c.queue = c.queue[1:]
		}
	}
	c.queue = nil
	l.flush(c)
}

// linger closes c once its responses are out without losing them (RFC 9112 section 9.6):
// it shuts the sending side, so the peer reads every response and then EOF, and discards
// what the peer still sends until it closes or the idle sweep ends it after LingerTimeout.
// Closing with unread input would make the kernel reset the connection and drop responses.
func (l *eventLoop) linger(c *conn) {
	if c.peerClosed || unix.Shutdown(c.fd, unix.SHUT_WR) != nil {
		l.closeConn(c)
		return
	}
	c.lingering, c.in = true, nil
	c.lastActive = l.now
	l.flush(c)
}

// discard reads and drops a lingering connection's input; EOF or an error closes it.
func (l *eventLoop) discard(c *conn) {
	if n, err := read(c.fd, l.readBuf); err != unix.EAGAIN && (err != nil || n == 0) {
		l.closeConn(c)
	}
}
