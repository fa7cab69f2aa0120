//go:build linux

package evented

import (
	"fmt"
	"net"
	"os"

	"golang.org/x/sys/unix"
)

// listenBacklog is the accept queue asked for; the kernel caps it at somaxconn.
const listenBacklog = 4096

// listenSockets binds n non-blocking listening sockets to one address with SO_REUSEPORT, so
// the kernel spreads connections across the loops as it does across nginx workers. Port 0
// is resolved by the first bind and reused by the others.
func listenSockets(addr string, n int) ([]int, *net.TCPAddr, error) {
	ta, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("evented: %w", err)
	}
	var fds []int
	for range n {
		fd, bound, err := listenOne(ta)
		if err != nil {
			closeAll(fds)
			return nil, nil, err
		}
		fds, ta = append(fds, fd), bound
	}
	return fds, ta, nil
}

func listenOne(ta *net.TCPAddr) (int, *net.TCPAddr, error) {
	family, sa := unix.AF_INET, unix.Sockaddr(nil)
	if ip4 := ta.IP.To4(); ip4 != nil || ta.IP == nil {
		s := &unix.SockaddrInet4{Port: ta.Port}
		copy(s.Addr[:], ip4)
		sa = s
	} else {
		s := &unix.SockaddrInet6{Port: ta.Port}
		copy(s.Addr[:], ta.IP.To16())
		family, sa = unix.AF_INET6, s
	}
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, nil, os.NewSyscallError("socket", err)
	}
	steps := []struct {
		name string
		err  func() error
	}{
		{"setsockopt SO_REUSEADDR", func() error { return unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1) }},
		{"setsockopt SO_REUSEPORT", func() error { return unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1) }},
		{"bind", func() error { return unix.Bind(fd, sa) }},
		{"listen", func() error { return unix.Listen(fd, listenBacklog) }},
	}
	for _, s := range steps {
		if err := s.err(); err != nil {
			unix.Close(fd)
			return -1, nil, fmt.Errorf("evented: %w", os.NewSyscallError(s.name, err))
		}
	}
	bound, err := unix.Getsockname(fd)
	if err != nil {
		unix.Close(fd)
		return -1, nil, os.NewSyscallError("getsockname", err)
	}
	switch b := bound.(type) {
	case *unix.SockaddrInet4:
		return fd, &net.TCPAddr{IP: net.IP(b.Addr[:]).To16(), Port: b.Port}, nil
	case *unix.SockaddrInet6:
		return fd, &net.TCPAddr{IP: net.IP(b.Addr[:]), Port: b.Port}, nil
	}
	unix.Close(fd)
	return -1, nil, fmt.Errorf("evented: unexpected socket address %T", bound)
}

func closeAll(fds []int) {
	for _, fd := range fds {
		unix.Close(fd)
	}
}

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
