package sampler

import (
	"encoding/binary"
	"fmt"
	"os"
	"slices"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// Socket buffers attributed to the tree (Sample.SocketKB). The kernel reports every TCP
// socket's queues through NETLINK_SOCK_DIAG (what `ss -tm` shows). The tree's sockets are
// those whose local port is one of its listening ports: its listeners are found once, by
// matching the inodes of its descriptors (the links of /proc/PID/fd, "socket:[inode]")
// with the listening sockets the kernel reports, and again whenever the tree's members
// change; every reading then asks for the sockets on those ports only (a sock_diag
// bytecode filter). That is every connection the server accepted, and those waiting in
// its accept queue, and not the load generator's ends, whose local ports are ephemeral
// (Linux never hands out a port a listener holds). It would miss connections the server
// opens itself (none here: no model proxies) and count another program's sockets on the
// same port (none here). What is counted, per socket (SK_MEMINFO; ss's r, w, o and bl):
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
// UDP) and sockets in TIME_WAIT (the kernel's, held by no process). An idle keep-alive
// connection holds 0 bytes.
//
// /proc/net/sockstat was the other candidate: one small file, but machine-wide, so on
// loopback it counts the load generator's sockets too, and any other program's. Matching
// every socket's inode at every reading was the third: exact, but each descriptor's link
// costs ~4.6 µs here (46 ms at 10,000 connections).
//
// Cost: the kernel walks every TCP socket of the machine for a dump, TIME_WAIT ones
// included, ~0.35 µs each, and formats the tree's, ~1.4 µs each: on the test machine,
// with ~120,000 sockets in TIME_WAIT left by other programs, 45 ms with no connection and
// 59 ms at 10,000 (BenchmarkExtraReadings). The sampler therefore reads sockets at the
// rate extraBudget allows (kernel.go), and ticks in between carry the last reading.

// Socket-diag constants of linux/inet_diag.h and linux/tcp.h that x/sys/unix lacks.
const (
	inetDiagSKMemInfo    = 7  // INET_DIAG_SKMEMINFO
	sizeofInetDiagReqV2  = 56 // struct inet_diag_req_v2
	sizeofInetDiagMsg    = 72 // struct inet_diag_msg
	inetDiagMsgInodeOff  = 68 // idiag_inode in struct inet_diag_msg
	inetDiagMsgSportOff  = 4  // idiag_sport (big-endian) in struct inet_diag_msg
	inetDiagReqBytecode  = 1  // INET_DIAG_REQ_BYTECODE
	inetDiagBCJmp        = 1  // INET_DIAG_BC_JMP
	inetDiagBCSEq        = 11 // INET_DIAG_BC_S_EQ (Linux ≥ 4.16)
	tcpListen            = 10 // TCP_LISTEN
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

// socketReader reads the socket buffers of a tree's connections: the TCP sockets whose
// local port is one of the tree's listening ports.
type socketReader struct {
	ports   []uint16 // the tree's listening ports, found by listeners
	family  []uint8  // their address families (a dual-stack listener's sockets are IPv6)
	members []int32  // the tree's members when they were found
	inodes  map[uint32]struct{}
}

// read returns the bytes queued in the tree's connections, and the time to charge to the
// reading's budget: the dump's (the search for listeners is made once, and again only
// when the tree's members have changed). A tree with no listener has no connections
// counted (a client's sockets, or a server that is not listening yet when the sampler
// starts: it is searched again with its next new process).
func (r *socketReader) read(members []int32) (total int64, cost time.Duration, err error) {
	if r.members == nil || !slices.Equal(r.members, members) {
		if r.inodes == nil {
			r.inodes = map[uint32]struct{}{}
		}
		clear(r.inodes)
		for _, pid := range members {
			socketInodes(pid, r.inodes) // a process that exited since holds none
		}
		r.ports, r.family, err = listeners(r.inodes)
		r.members = slices.Clone(members)
		if err != nil || len(r.ports) == 0 {
			return 0, 0, err
		}
	}
	if len(r.ports) == 0 {
		return 0, 0, nil
	}
	start := time.Now()
	err = diagDump(r.family, ^uint32(0)&^(1<<tcpTimeWait|1<<tcpNewSynRecv), portFilter(r.ports), func(msg []byte) {
		total += queuedBytes(msg[sizeofInetDiagMsg:])
	})
	return total, time.Since(start), err
}

// listeners returns the local ports and address families of the listening sockets among
// inodes.
func listeners(inodes map[uint32]struct{}) (ports []uint16, family []uint8, err error) {
	err = diagDump(bothFamilies, 1<<tcpListen, nil, func(msg []byte) {
		if _, ok := inodes[binary.NativeEndian.Uint32(msg[inetDiagMsgInodeOff:])]; ok {
			if p := binary.BigEndian.Uint16(msg[inetDiagMsgSportOff:]); !slices.Contains(ports, p) {
				ports = append(ports, p)
			}
			if f := msg[0]; !slices.Contains(family, f) {
				family = append(family, f)
			}
		}
	})
	return ports, family, err
}

// bothFamilies are the address families of TCP. The kernel walks all its TCP sockets for
// each family dumped: a reading dumps only its listeners' families.
var bothFamilies = []uint8{unix.AF_INET, unix.AF_INET6}

// portFilter is sock_diag bytecode that keeps the sockets whose local port is one of
// ports: for each port but the last, "equal? go to the jump that ends the program (keep);
// else try the next port"; the last port's "else" jumps past the end (drop), as ss builds
// "sport = :a or sport = :b".
func portFilter(ports []uint16) []byte {
	const cmp, jmp = 8, 4 // a port comparison is two 4-byte ops; a jump one
	total := len(ports)*cmp + (len(ports)-1)*jmp
	var bc []byte
	op := func(code uint8, yes, no int) {
		bc = append(bc, code, uint8(yes))
		bc = binary.NativeEndian.AppendUint16(bc, uint16(no))
	}
	for i, p := range ports {
		if i == len(ports)-1 {
			op(inetDiagBCSEq, cmp, cmp+4) // equal: to the end (keep); else past it (drop)
			op(0, 0, int(p))
			break
		}
		op(inetDiagBCSEq, cmp, cmp+jmp) // equal: to the jump below; else the next port
		op(0, 0, int(p))
		op(inetDiagBCJmp, jmp, total-len(bc)) // to the end: keep
	}
	return bc
}

// diagDump asks for every TCP socket of the families, in states (a bit per TCP state),
// that the bytecode bc (nil: none) keeps, with its memory, and calls f with each.
func diagDump(families []uint8, states uint32, bc []byte, f func(msg []byte)) error {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_SOCK_DIAG)
	if err != nil {
		return fmt.Errorf("sampler: sock_diag: %w", os.NewSyscallError("socket", err))
	}
	defer unix.Close(fd)
	buf := make([]byte, diagRecvBufSize)
	for _, family := range families {
		if err := dumpFamily(fd, family, states, bc, f, buf); err != nil {
			return err
		}
	}
	return nil
}

// dumpFamily runs one address family's dump.
func dumpFamily(fd int, family uint8, states uint32, bc []byte, f func(msg []byte), buf []byte) error {
	ne := binary.NativeEndian
	req := make([]byte, sizeofNlMsgHeader+sizeofInetDiagReqV2, sizeofNlMsgHeader+sizeofInetDiagReqV2+sizeofNlAttrHeader+len(bc))
	ne.PutUint16(req[4:], unix.SOCK_DIAG_BY_FAMILY)
	ne.PutUint16(req[6:], unix.NLM_F_REQUEST|unix.NLM_F_DUMP)
	r := req[sizeofNlMsgHeader:]
	r[0], r[1], r[2] = family, unix.IPPROTO_TCP, 1<<(inetDiagSKMemInfo-1)
	ne.PutUint32(r[4:], states)
	if len(bc) > 0 {
		req = ne.AppendUint16(req, uint16(sizeofNlAttrHeader+len(bc)))
		req = ne.AppendUint16(req, inetDiagReqBytecode)
		req = append(req, bc...) // a multiple of 4 bytes: no padding
	}
	ne.PutUint32(req[0:], uint32(len(req)))
	if err := unix.Sendto(fd, req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return fmt.Errorf("sampler: sock_diag: %w", os.NewSyscallError("sendto", err))
	}
	for {
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if err != nil {
			return fmt.Errorf("sampler: sock_diag: %w", os.NewSyscallError("recvfrom", err))
		}
		if done, err := eachDiagMsg(buf[:n], f); err != nil || done {
			return err
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
			return false, fmt.Errorf("sampler: sock_diag: malformed message of %d bytes", l)
		}
		switch typ := ne.Uint16(b[4:]); typ {
		case unix.NLMSG_DONE:
			return true, nil
		case unix.NLMSG_ERROR:
			code := int32(ne.Uint32(b[sizeofNlMsgHeader:]))
			return true, fmt.Errorf("sampler: sock_diag: %w", os.NewSyscallError("dump", unix.Errno(-code)))
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
