//go:build linux

package loadgen

import (
	"github.com/benchsuite/threads-vs-loop/internal/epoll"
	"golang.org/x/sys/unix"
)

// connEvents: edge-triggered, so a connection is registered once for its life and never
// modified; the loop reads until a short read and writes until a short write. Each
// registration carries the connection's index (the event's Fd) and generation (Pad), not
// its descriptor, so an event for a socket closed earlier in the same batch is recognised
// and dropped.
const connEvents = unix.EPOLLIN | unix.EPOLLOUT | unix.EPOLLRDHUP | unix.EPOLLET

// wait returns p's ready events, waiting up to timeoutMS (-1: no limit). It first polls
// without blocking through the raw syscall path, which keeps the thread's P: under load
// that poll almost always finds events, so the loop pays neither the runtime's syscall
// entry and exit nor the risk of sysmon handing its P to another goroutine. Only an empty
// poll blocks, through the ordinary path that releases the P.
func wait(p *epoll.Poller, timeoutMS int) ([]unix.EpollEvent, error) {
	evs, err := p.Poll()
	if err != nil || len(evs) > 0 || timeoutMS == 0 {
		return evs, err
	}
	return p.Wait(timeoutMS)
}

// newSocket opens a non-blocking TCP socket for addr's family, with TCP_NODELAY, and
// starts connecting it. EINPROGRESS is the normal outcome and not an error.
func newSocket(sa unix.Sockaddr, family int) (int, error) {
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	if err := unix.Connect(fd, sa); err != nil && err != unix.EINPROGRESS && err != unix.EINTR {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

// soError is the socket's pending error: how a non-blocking connect ended.
func soError(fd int) unix.Errno {
	v, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err != nil {
		if e, ok := err.(unix.Errno); ok {
			return e
		}
		return unix.EINVAL
	}
	return unix.Errno(v)
}
