//go:build linux

package evented

import (
	"github.com/benchsuite/threads-vs-loop/internal/epoll"
	"golang.org/x/sys/unix"
)

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
		if err := l.p.Modify(c.fd, want, int32(c.fd), 0); err != nil {
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
	var errno unix.Errno
	if body == nil {
		n, errno = epoll.Write(c.fd, head)
	} else {
		n, errno = writev(c.fd, [][]byte{head, body})
	}
	if errno != 0 && errno != unix.EAGAIN {
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
		n, errno := writev(c.fd, c.queue[:min(len(c.queue), maxIOV)])
		if errno == unix.EAGAIN {
			return
		}
		if errno != 0 {
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
	if n, errno := epoll.Read(c.fd, l.readBuf); errno != unix.EAGAIN && (errno != 0 || n == 0) {
		l.closeConn(c)
	}
}

// writev is writev(2), retrying EINTR, with the errno as epoll.Write returns it. It takes
// the runtime's syscall path (unix.Writev): only large bodies and queued output come here.
func writev(fd int, bufs [][]byte) (int, unix.Errno) {
	for {
		n, err := unix.Writev(fd, bufs)
		if err == nil {
			return n, 0
		}
		errno, ok := err.(unix.Errno)
		if !ok {
			return -1, unix.EIO // unix.Writev returns only errnos
		}
		if errno != unix.EINTR {
			return -1, errno
		}
	}
}
