//go:build linux

package epoll

import (
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Poller is one epoll instance with its reused event slice. Each registration carries two
// caller-chosen 32-bit tags, returned in the event's Fd and Pad fields: a descriptor, or a
// connection's index and generation so that an event for a socket closed earlier in the
// same batch can be recognised.
type Poller struct {
	fd     int
	events []unix.EpollEvent
}

// New creates an epoll instance (close-on-exec) that returns up to maxEvents per wait.
func New(maxEvents int) (*Poller, error) {
	fd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	return &Poller{fd: fd, events: make([]unix.EpollEvent, max(maxEvents, 1))}, nil
}

// Wait blocks up to timeoutMS (-1: no limit, 0: return at once) through the runtime's
// syscall path, which releases the P while the thread sleeps, and returns the ready
// events. EINTR is an empty wake-up.
func (p *Poller) Wait(timeoutMS int) ([]unix.EpollEvent, error) {
	n, err := unix.EpollWait(p.fd, p.events, timeoutMS)
	if err == unix.EINTR {
		return nil, nil
	}
	if err != nil {
		return nil, os.NewSyscallError("epoll_wait", err)
	}
	return p.events[:n], nil
}

// Poll returns the events ready now without blocking, through RawSyscall: the thread keeps
// its P and the runtime's syscall entry and exit are skipped. epoll_pwait with no signal
// mask is epoll_wait, and exists on every Linux architecture. EINTR is an empty result.
func (p *Poller) Poll() ([]unix.EpollEvent, error) {
	n, _, e := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(p.fd),
		uintptr(unsafe.Pointer(&p.events[0])), uintptr(len(p.events)), 0, 0, 0)
	switch e {
	case 0:
		return p.events[:n], nil
	case unix.EINTR:
		return nil, nil
	}
	return nil, os.NewSyscallError("epoll_pwait", e)
}

// Add registers fd for events, tagged with id (the event's Fd) and gen (its Pad).
func (p *Poller) Add(fd int, events uint32, id, gen int32) error {
	return p.ctl(unix.EPOLL_CTL_ADD, "epoll_ctl add", fd, events, id, gen)
}

// Modify changes fd's events and tags; events 0 keeps it registered but silent.
func (p *Poller) Modify(fd int, events uint32, id, gen int32) error {
	return p.ctl(unix.EPOLL_CTL_MOD, "epoll_ctl mod", fd, events, id, gen)
}

// Remove unregisters fd. Closing a descriptor removes it too, when no duplicate remains.
func (p *Poller) Remove(fd int) error {
	return os.NewSyscallError("epoll_ctl del", unix.EpollCtl(p.fd, unix.EPOLL_CTL_DEL, fd, nil))
}

func (p *Poller) ctl(op int, name string, fd int, events uint32, id, gen int32) error {
	ev := unix.EpollEvent{Events: events, Fd: id, Pad: gen}
	return os.NewSyscallError(name, unix.EpollCtl(p.fd, op, fd, &ev))
}

// Close closes the epoll instance.
func (p *Poller) Close() error { return unix.Close(p.fd) }

// Read is read(2) on a non-blocking descriptor, retrying EINTR. It never blocks, so it
// takes the raw syscall path (no runtime bookkeeping, the P stays with the loop) and
// returns the errno itself, which needs no allocation: n is -1 when errno is not 0, and
// 0 with errno 0 is end of file.
func Read(fd int, b []byte) (int, unix.Errno) {
	for {
		n, _, e := unix.RawSyscall(unix.SYS_READ, uintptr(fd), bufAddr(b), uintptr(len(b)))
		if e != unix.EINTR {
			return int(n), e
		}
	}
}

// Write is write(2) on a non-blocking descriptor, as Read is read(2).
func Write(fd int, b []byte) (int, unix.Errno) {
	for {
		n, _, e := unix.RawSyscall(unix.SYS_WRITE, uintptr(fd), bufAddr(b), uintptr(len(b)))
		if e != unix.EINTR {
			return int(n), e
		}
	}
}

// bufAddr is the address of b's first byte, or 0 for an empty slice.
func bufAddr(b []byte) uintptr {
	if len(b) == 0 {
		return 0
	}
	return uintptr(unsafe.Pointer(&b[0]))
}
