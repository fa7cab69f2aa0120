package threaded

import (
	"io"
	"net"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// fdConn is a connection served with blocking read(2) and write(2) on its own descriptor,
// outside Go's netpoller: the thread sleeps in the kernel as a C pthread server's does.
// It is a net.Conn only so the server can track and close it.
type fdConn struct {
	net.Conn // the original connection's addresses; its descriptor is already closed
	fd       int
	file     *os.File
}

// newFDConn duplicates c's descriptor in blocking mode.
func newFDConn(c net.Conn) (*fdConn, error) {
	f, err := c.(*net.TCPConn).File()
	if err != nil {
		return nil, err
	}
	fd := int(f.Fd()) // Fd puts the descriptor in blocking mode
	return &fdConn{Conn: c, fd: fd, file: f}, nil
}

func (c *fdConn) Read(p []byte) (int, error) {
	for {
		n, err := unix.Read(c.fd, p)
		switch {
		case err == unix.EINTR:
			continue
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
	tv := unix.NsecToTimeval(max(time.Until(t), time.Millisecond).Nanoseconds())
	return os.NewSyscallError("setsockopt", unix.SetsockoptTimeval(c.fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv))
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
func (c *fdConn) release() error { return c.file.Close() }
