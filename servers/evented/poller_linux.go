//go:build linux

package evented

import (
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// poller is one loop's epoll instance with its reused event slice.
type poller struct {
	epfd   int
	events []unix.EpollEvent
}

func newPoller(maxEvents int) (*poller, error) {
	fd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	return &poller{epfd: fd, events: make([]unix.EpollEvent, maxEvents)}, nil
}

// wait blocks up to timeoutMS (-1: no limit) and returns the ready events; EINTR is an
// empty wake-up.
func (p *poller) wait(timeoutMS int) ([]unix.EpollEvent, error) {
	n, err := unix.EpollWait(p.epfd, p.events, timeoutMS)
	if err == unix.EINTR {
		return nil, nil
	}
	if err != nil {
		return nil, os.NewSyscallError("epoll_wait", err)
	}
	return p.events[:n], nil
}

func (p *poller) add(fd int, events uint32) error {
	ev := unix.EpollEvent{Events: events, Fd: int32(fd)}
	return os.NewSyscallError("epoll_ctl add", unix.EpollCtl(p.epfd, unix.EPOLL_CTL_ADD, fd, &ev))
}

func (p *poller) modify(fd int, events uint32) error {
	ev := unix.EpollEvent{Events: events, Fd: int32(fd)}
	return os.NewSyscallError("epoll_ctl mod", unix.EpollCtl(p.epfd, unix.EPOLL_CTL_MOD, fd, &ev))
}

func (p *poller) remove(fd int) error {
	return os.NewSyscallError("epoll_ctl del", unix.EpollCtl(p.epfd, unix.EPOLL_CTL_DEL, fd, nil))
}

func (p *poller) close() error { return unix.Close(p.epfd) }

// accept4 accepts one connection, non-blocking and close-on-exec, without asking for the
// peer's address (which would allocate).
func accept4(lfd int) (int, error) {
	for {
		nfd, _, errno := unix.Syscall6(unix.SYS_ACCEPT4, uintptr(lfd), 0, 0,
			unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0, 0)
		if errno == unix.EINTR {
			continue
		}
		if errno != 0 {
			return -1, errno
		}
		return int(nfd), nil
	}
}

// read and write retry EINTR and report EAGAIN as is. Both sockets are non-blocking, so
// they go straight to the kernel with RawSyscall: the runtime's entersyscall/exitsyscall
// pair, there for calls that may block and give up the P, costs as much again as the
// call on this path and buys nothing.
func read(fd int, p []byte) (int, error) {
	for {
		r, _, errno := unix.RawSyscall(unix.SYS_READ, uintptr(fd), bufAddr(p), uintptr(len(p)))
		if errno == 0 {
			return int(r), nil
		}
		if errno != unix.EINTR {
			return -1, errno
		}
	}
}

func write(fd int, p []byte) (int, error) {
	for {
		r, _, errno := unix.RawSyscall(unix.SYS_WRITE, uintptr(fd), bufAddr(p), uintptr(len(p)))
		if errno == 0 {
			return int(r), nil
		}
		if errno != unix.EINTR {
			return -1, errno
		}
	}
}

// bufAddr is the address of p's first byte, or 0 for an empty slice.
func bufAddr(p []byte) uintptr {
	if len(p) == 0 {
		return 0
	}
	return uintptr(unsafe.Pointer(&p[0]))
}

func writev(fd int, bufs [][]byte) (int, error) {
	for {
		n, err := unix.Writev(fd, bufs)
		if err != unix.EINTR {
			return n, err
		}
	}
}
