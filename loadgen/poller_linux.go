//go:build linux

package loadgen

import (
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// poller is one loop's epoll instance with its reused event slice. Each registration
// carries the connection's index (Fd) and generation (Pad), not its descriptor, so an event
// for a socket closed earlier in the same batch is recognised and dropped.
type poller struct {
	epfd   int
	events []unix.EpollEvent
}

// connEvents: edge-triggered, so a connection is registered once for its life and never
// modified; the loop reads until a short read and writes until a short write.
const connEvents = unix.EPOLLIN | unix.EPOLLOUT | unix.EPOLLRDHUP | unix.EPOLLET

func newPoller(maxEvents int) (*poller, error) {
	fd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	return &poller{epfd: fd, events: make([]unix.EpollEvent, maxEvents)}, nil
}

// wait returns the ready events, waiting up to timeoutMS (-1: no limit). It first polls
// without blocking through the raw syscall path, which keeps the thread's P: under load
// that poll almost always finds events, so the loop pays neither the runtime's syscall
// entry and exit nor the risk of sysmon handing its P to another goroutine. Only an empty
// poll blocks, through the ordinary path that releases the P. EINTR is an empty wake-up.
func (p *poller) wait(timeoutMS int) ([]unix.EpollEvent, error) {
	ptr := uintptr(unsafe.Pointer(&p.events[0]))
	n, _, e := unix.RawSyscall6(unix.SYS_EPOLL_WAIT, uintptr(p.epfd), ptr, uintptr(len(p.events)), 0, 0, 0)
	if e == 0 && n == 0 && timeoutMS != 0 {
		n, _, e = unix.Syscall6(unix.SYS_EPOLL_WAIT, uintptr(p.epfd), ptr, uintptr(len(p.events)), uintptr(timeoutMS), 0, 0)
	}
	switch e {
	case 0:
		return p.events[:n], nil
	case unix.EINTR:
		return nil, nil
	}
	return nil, os.NewSyscallError("epoll_wait", e)
}

// add registers fd for connEvents, tagged with a connection index and generation.
func (p *poller) add(fd int, events uint32, index, gen int32) error {
	ev := unix.EpollEvent{Events: events, Fd: index, Pad: gen}
	if err := unix.EpollCtl(p.epfd, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		return os.NewSyscallError("epoll_ctl", err)
	}
	return nil
}

func (p *poller) close() error { return unix.Close(p.epfd) }

// sysRead and sysWrite are read(2) and write(2) on non-blocking sockets. They never
// block, so they take the raw syscall path (no runtime bookkeeping, the P stays with the
// loop) and return the errno itself, which needs no allocation.
func sysRead(fd int, b []byte) (int, unix.Errno) {
	n, _, e := unix.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
	return int(n), e
}

func sysWrite(fd int, b []byte) (int, unix.Errno) {
	n, _, e := unix.RawSyscall(unix.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
	return int(n), e
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
