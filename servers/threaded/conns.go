package threaded

import (
	"io"
	"net"
	"os"
	"runtime"
	"time"

	"golang.org/x/sys/unix"
)

// fdConn is a connection served with blocking read(2) and write(2) on its own descriptor,
// outside Go's netpoller: the thread sleeps in the kernel as a C pthread server's does.
// It is a net.Conn only so the server can track, refuse and close it; the addresses are
// the ones accept(2) gave.
type fdConn struct {
	fd          int
	local, peer net.Addr
	reads       uint32    // reads since the time in since
	since       time.Time // when the current yieldEvery reads began
}

// yieldEvery is how many reads a busy connection's thread makes between two passes
// through Go's scheduler (runtime.Gosched). A locked thread that only reads and writes
// never reschedules, so its P keeps one schedtick; Go 1.26's sysmon takes for preemption
// a P whose schedtick is 10 ms old, and when it took one it sleeps only 20 µs before its
// next look: on one CPU at c=10 it woke 7300 times a second, 6.5 % of the CPU the server
// had, taking each thread's P every 10 ms. Passing through the scheduler keeps the
// schedtick fresh, so sysmon backs off: +7-11 % req/s at c=10, measured side by side.
// Only a thread that made its yieldEvery reads within yieldWithin yields (at c=10 one
// does 64 in about 7 ms, so it yields before sysmon's 10 ms are up): one that gets
// fewer requests blocks in read(2) for long enough that sysmon takes its P as a long
// system call whatever the schedtick, and at thousands of threads on one CPU a pass
// through the scheduler (a hand-off to another thread and back) can wait seconds.
const (
	yieldEvery  = 64
	yieldWithin = 10 * time.Millisecond
)

// newFDConn takes over fd, a connected socket in blocking mode.
func newFDConn(fd int, peer unix.Sockaddr) *fdConn {
	c := &fdConn{fd: fd, peer: tcpAddr(peer)}
	if sa, err := unix.Getsockname(fd); err == nil {
		c.local = tcpAddr(sa)
	}
	// As Go's net package does for every TCP connection, so the models differ only in how
	// they wait.
	unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	return c
}

func tcpAddr(sa unix.Sockaddr) *net.TCPAddr {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return &net.TCPAddr{IP: a.Addr[:], Port: a.Port}
	case *unix.SockaddrInet6:
		return &net.TCPAddr{IP: a.Addr[:], Port: a.Port}
	}
	return &net.TCPAddr{}
}

func (c *fdConn) Read(p []byte) (int, error) {
	if c.reads++; c.reads == yieldEvery {
		if now := time.Now(); now.Sub(c.since) < yieldWithin {
			runtime.Gosched()
			c.since = time.Now()
		} else {
			c.since = now
		}
		c.reads = 0
	}
	for {
		n, err := unix.Read(c.fd, p)
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN: // SO_RCVTIMEO ran out
			return 0, os.ErrDeadlineExceeded
		case err != nil:
			return 0, os.NewSyscallError("read", err)
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

func (c *fdConn) Write(p []byte) (int, error) {
	done := 0
	for done < len(p) {
		n, err := unix.Write(c.fd, p[done:])
		if err == unix.EINTR {
			continue
		}
		if err == unix.EAGAIN { // SO_SNDTIMEO ran out
			return done, os.ErrDeadlineExceeded
		}
		if err != nil {
			return done, os.NewSyscallError("write", err)
		}
		done += n
	}
	return done, nil
}

// SetReadDeadline becomes SO_RCVTIMEO: each later read(2) waits at most until t, measured
// from now (a blocked read then fails with EAGAIN).
func (c *fdConn) SetReadDeadline(t time.Time) error {
	return c.setTimeout(unix.SO_RCVTIMEO, t)
}

// SetWriteDeadline becomes SO_SNDTIMEO, as SetReadDeadline does.
func (c *fdConn) SetWriteDeadline(t time.Time) error {
	return c.setTimeout(unix.SO_SNDTIMEO, t)
}

// SetDeadline sets both.
func (c *fdConn) SetDeadline(t time.Time) error {
	if err := c.SetReadDeadline(t); err != nil {
		return err
	}
	return c.SetWriteDeadline(t)
}

func (c *fdConn) setTimeout(opt int, t time.Time) error {
	tv := unix.NsecToTimeval(max(time.Until(t), time.Millisecond).Nanoseconds())
	return os.NewSyscallError("setsockopt", unix.SetsockoptTimeval(c.fd, unix.SOL_SOCKET, opt, &tv))
}

// CloseWrite shuts the sending side: the peer reads what was sent, then EOF.
func (c *fdConn) CloseWrite() error {
	return os.NewSyscallError("shutdown", unix.Shutdown(c.fd, unix.SHUT_WR))
}

// Close shuts the connection down, which wakes a thread blocked in read(2). It keeps the
// descriptor, so another goroutine may call it while the owner still uses the descriptor.
func (c *fdConn) Close() error {
	return os.NewSyscallError("shutdown", unix.Shutdown(c.fd, unix.SHUT_RDWR))
}

// release closes the descriptor; only the connection's own thread calls it, once.
func (c *fdConn) release() error { return os.NewSyscallError("close", unix.Close(c.fd)) }

func (c *fdConn) LocalAddr() net.Addr  { return c.local }
func (c *fdConn) RemoteAddr() net.Addr { return c.peer }
