package metrics

import (
	"encoding/binary"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// Socket buffers attributed to the tree (Sample.SocketKB). The kernel reports every TCP
// socket's queues through NETLINK_SOCK_DIAG (what `ss -tm` shows); a socket belongs to the
// tree if its inode is one of the sockets its processes hold open, found by reading the
// links of /proc/PID/fd ("socket:[inode]"). What is counted, per socket (the kernel's
// SK_MEMINFO fields; ss's r, w, o and bl):
//
//   - rmem_alloc: received bytes not yet read by the server, as allocated (skb truesize,
//     so including the sk_buff overhead), and the out-of-order queue;
//   - wmem_queued: bytes written and not yet acknowledged by the peer, also as allocated;
//   - optmem: socket options and filters; backlog: packets queued while the socket was
//     locked.
//
// Not counted: fwd_alloc (memory reserved ahead for the socket by the protocol's
// accounting, not yet holding data: /proc/net/sockstat's "mem" counts it), the socket's
// own structures (a TCP socket is a 2.4 KB tcp_sock, an 832-byte socket inode and a file:
// ~3.5 KB a connection on the test machine's kernel, from /proc/slabinfo, the same in
// every model since each holds one socket per connection), an epoll entry per watched
// descriptor (128 B), sockets other than TCP (Unix sockets between nginx's processes,
// UDP), sockets in TIME_WAIT (the kernel's, held by no process) and connections still
// in a listener's accept queue (no descriptor yet).
//
// /proc/net/sockstat was the other candidate: one small file, but machine-wide, so on
// loopback it counts the load generator's sockets too, and any other program's.
//
// Cost: reading the links costs ~4 µs a descriptor here and the dump ~1 µs a socket
// (both ends of every loopback connection are dumped), so ~50 ms at 10,000 connections:
// the sampler reads sockets every socketEvery ticks (once a second), and ticks in between
// carry the last reading.

// Socket-diag constants of linux/inet_diag.h and linux/tcp.h that x/sys/unix lacks.
const (
	inetDiagSKMemInfo    = 7  // INET_DIAG_SKMEMINFO
	sizeofInetDiagReqV2  = 56 // struct inet_diag_req_v2
	sizeofInetDiagMsg    = 72 // struct inet_diag_msg
	inetDiagMsgInodeOff  = 68 // idiag_inode in struct inet_diag_msg
	tcpTimeWait          = 6  // TCP_TIME_WAIT
	tcpNewSynRecv        = 12 // TCP_NEW_SYN_RECV (request sockets)
	diagRecvBufSize      = 64 << 10
	socketLinkPrefix     = "socket:["
	sizeofNlAttrHeader   = 4
	sizeofNlMsgHeader    = unix.SizeofNlMsghdr
	sizeofSKMemInfoField = 4
)

// socketInodes adds the socket inodes pid holds open to set. It reads every link of
// /proc/PID/fd; descriptors closed meanwhile are skipped.
func socketInodes(pid int32, set map[uint32]struct{}) error {
	dir := fmt.Sprintf("%s/%d/fd", procRoot, pid)
	f, err := os.Open(dir)
	if err != nil {
		return procError(pid, err)
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return procError(pid, err)
	}
	dfd := int(f.Fd())
	var link [64]byte // "socket:[4294967295]"; a longer link is cut short, and not a socket
	buf := link[:]
	for _, name := range names {
		n, err := unix.Readlinkat(dfd, name, buf)
		if err != nil || n <= len(socketLinkPrefix)+1 || string(buf[:len(socketLinkPrefix)]) != socketLinkPrefix {
			continue
		}
		ino, err := strconv.ParseUint(string(buf[len(socketLinkPrefix):n-1]), 10, 64)
		if err == nil {
			set[uint32(ino)] = struct{}{} // inet_diag reports the inode's low 32 bits
		}
	}
	return nil
}

// socketBytes sums the queued bytes (see above) of the TCP sockets, IPv4 and IPv6, whose
// inodes are in set, and returns how many it found.
func socketBytes(set map[uint32]struct{}) (bytes int64, found int, err error) {
	if len(set) == 0 {
		return 0, 0, nil
	}
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_SOCK_DIAG)
	if err != nil {
		return 0, 0, fmt.Errorf("metrics: sock_diag: %w", os.NewSyscallError("socket", err))
	}
	defer unix.Close(fd)
	buf := make([]byte, diagRecvBufSize)
	for _, family := range []uint8{unix.AF_INET, unix.AF_INET6} {
		b, n, err := dumpFamily(fd, family, set, buf)
		if err != nil {
			return 0, 0, err
		}
		bytes, found = bytes+b, found+n
	}
	return bytes, found, nil
}

// dumpFamily asks for one address family's TCP sockets with their memory and sums the
// ones in set.
func dumpFamily(fd int, family uint8, set map[uint32]struct{}, buf []byte) (int64, int, error) {
	req := make([]byte, sizeofNlMsgHeader+sizeofInetDiagReqV2)
	ne := binary.NativeEndian
	ne.PutUint32(req[0:], uint32(len(req)))
	ne.PutUint16(req[4:], unix.SOCK_DIAG_BY_FAMILY)
	ne.PutUint16(req[6:], unix.NLM_F_REQUEST|unix.NLM_F_DUMP)
	r := req[sizeofNlMsgHeader:]
	r[0], r[1], r[2] = family, unix.IPPROTO_TCP, 1<<(inetDiagSKMemInfo-1)
	ne.PutUint32(r[4:], ^uint32(0)&^(1<<tcpTimeWait|1<<tcpNewSynRecv))
	if err := unix.Sendto(fd, req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return 0, 0, fmt.Errorf("metrics: sock_diag: %w", os.NewSyscallError("sendto", err))
	}
	var total int64
	var found int
	for {
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if err != nil {
			return 0, 0, fmt.Errorf("metrics: sock_diag: %w", os.NewSyscallError("recvfrom", err))
		}
		done, err := eachDiagMsg(buf[:n], func(msg []byte) {
			if _, ok := set[ne.Uint32(msg[inetDiagMsgInodeOff:])]; ok {
				total += queuedBytes(msg[sizeofInetDiagMsg:])
				found++
			}
		})
		if err != nil || done {
			return total, found, err
		}
	}
}

// eachDiagMsg calls f with the body of each inet_diag_msg in one datagram of a dump, and
// reports whether the dump is done.
func eachDiagMsg(b []byte, f func(msg []byte)) (done bool, err error) {
	ne := binary.NativeEndian
	for len(b) >= sizeofNlMsgHeader {
		l := int(ne.Uint32(b[0:]))
		if l < sizeofNlMsgHeader || l > len(b) {
			return false, fmt.Errorf("metrics: sock_diag: malformed message of %d bytes", l)
		}
		switch typ := ne.Uint16(b[4:]); typ {
		case unix.NLMSG_DONE:
			return true, nil
		case unix.NLMSG_ERROR:
			code := int32(ne.Uint32(b[sizeofNlMsgHeader:]))
			return true, fmt.Errorf("metrics: sock_diag: %w", os.NewSyscallError("dump", unix.Errno(-code)))
		case unix.SOCK_DIAG_BY_FAMILY:
			if body := b[sizeofNlMsgHeader:l]; len(body) >= sizeofInetDiagMsg {
				f(body)
			}
		}
		b = b[min(len(b), nlAlign(l)):]
	}
	return false, nil
}

// queuedBytes sums the SK_MEMINFO fields counted (see above) in a message's attributes.
func queuedBytes(attrs []byte) int64 {
	ne := binary.NativeEndian
	for len(attrs) >= sizeofNlAttrHeader {
		l := int(ne.Uint16(attrs[0:]))
		if l < sizeofNlAttrHeader || l > len(attrs) {
			return 0
		}
		if ne.Uint16(attrs[2:]) == inetDiagSKMemInfo {
			v := attrs[sizeofNlAttrHeader:l]
			field := func(i int) int64 {
				if (i+1)*sizeofSKMemInfoField > len(v) {
					return 0 // an older kernel's shorter array
				}
				return int64(ne.Uint32(v[i*sizeofSKMemInfoField:]))
			}
			return field(unix.SK_MEMINFO_RMEM_ALLOC) + field(unix.SK_MEMINFO_WMEM_QUEUED) +
				field(unix.SK_MEMINFO_OPTMEM) + field(unix.SK_MEMINFO_BACKLOG)
		}
		attrs = attrs[min(len(attrs), nlAlign(l)):]
	}
	return 0
}

func nlAlign(n int) int { return (n + unix.NLMSG_ALIGNTO - 1) &^ (unix.NLMSG_ALIGNTO - 1) }
