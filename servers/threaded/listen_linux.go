package threaded

import (
	"errors"
	"net"
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// blockingListener accepts with a blocking accept(2) on a duplicate of the listener's
// descriptor, as the C server's accept thread does. Go's own Accept parks the goroutine
// on the netpoller, which only an idle thread polls: with every thread locked to a
// connection and asleep in read(2), nobody polls it but sysmon, every 10 ms, so new
// connections would wait for the poller instead of for the kernel.
type blockingListener struct {
	ln     *net.TCPListener // keeps the address; closed by Close
	fd     int
	mu     sync.Mutex
	closed bool
	once   sync.Once
}

func newBlockingListener(ln *net.TCPListener) (*blockingListener, error) {
	rc, err := ln.SyscallConn()
	if err != nil {
		return nil, err
	}
	fd, derr := -1, error(nil)
	if err := rc.Control(func(s uintptr) { fd, derr = unix.Dup(int(s)) }); err != nil {
		return nil, err
	}
	if derr != nil {
		return nil, os.NewSyscallError("dup", derr)
	}
	// O_NONBLOCK belongs to the open file both descriptors share: ln's own Accept would now
	// block too, and is never called.
	if err := unix.SetNonblock(fd, false); err != nil {
		unix.Close(fd)
		return nil, os.NewSyscallError("fcntl", err)
	}
	return &blockingListener{ln: ln, fd: fd}, nil
}

// Accept blocks in accept4(2) and returns an *fdConn in blocking mode.
func (l *blockingListener) Accept() (net.Conn, error) {
	for {
		fd, sa, err := unix.Accept4(l.fd, unix.SOCK_CLOEXEC)
		switch {
		case err == nil:
			return newFDConn(fd, sa), nil
		case err == unix.EINTR || err == unix.ECONNABORTED || pendingNetError(err):
			continue
		case l.isClosed():
			return nil, net.ErrClosed
		}
		return nil, os.NewSyscallError("accept4", err)
	}
}

// pendingNetError reports the errors accept(2) passes on from the new connection, which
// accept(2) on Linux says to retry like EAGAIN.
func pendingNetError(err error) bool {
	switch err {
	case unix.ENETDOWN, unix.EPROTO, unix.ENOPROTOOPT, unix.EHOSTDOWN, unix.ENONET,
		unix.EHOSTUNREACH, unix.EOPNOTSUPP, unix.ENETUNREACH:
		return true
	}
	return false
}

func (l *blockingListener) isClosed() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.closed
}

// Close wakes a thread blocked in accept(2) (shutdown makes it fail with EINVAL) and closes
// the original listener. The duplicate stays open until release, once the accept loop is
// over, so the loop never calls accept4 on a descriptor number reused meanwhile.
func (l *blockingListener) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return net.ErrClosed
	}
	l.closed = true
	err := os.NewSyscallError("shutdown", unix.Shutdown(l.fd, unix.SHUT_RDWR))
	return errors.Join(err, l.ln.Close())
}

// release closes the duplicate descriptor once the accept loop is over (or never started).
func (l *blockingListener) release() { l.once.Do(func() { unix.Close(l.fd) }) }

func (l *blockingListener) Addr() net.Addr { return l.ln.Addr() }
