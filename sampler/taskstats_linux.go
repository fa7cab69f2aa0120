package sampler

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// A process's context switches from the kernel's taskstats (generic netlink, "TASKSTATS"):
// asked for a thread group, the kernel sums nvcsw and nivcsw over every live thread and
// the threads that have exited (kernel/taskstats.c, fill_stats_for_tgid): the exact
// figure in one round trip, whatever the number of threads. It needs CAP_NET_ADMIN
// (the command is GENL_ADMIN_PERM) and a kernel built with CONFIG_TASKSTATS; otherwise
// the switches are read thread by thread from /proc (switches.go).

// errNoTaskstats means the interface is missing or not permitted.
// sizeofGenlMsgHeader is struct genlmsghdr: command, version, reserved.
const sizeofGenlMsgHeader = 4

var errNoTaskstats = errors.New("sampler: taskstats unavailable")

// taskstatsConn is a generic netlink socket and the TASKSTATS family's id.
type taskstatsConn struct {
	fd     int
	family uint16
	seq    uint32
	buf    []byte
}

func openTaskstats() (*taskstatsConn, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_GENERIC)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errNoTaskstats, os.NewSyscallError("socket", err))
	}
	c := &taskstatsConn{fd: fd, buf: make([]byte, 4096)}
	name := append([]byte(unix.TASKSTATS_GENL_NAME), 0)
	attrs, err := c.ask(unix.GENL_ID_CTRL, unix.CTRL_CMD_GETFAMILY, unix.CTRL_ATTR_FAMILY_NAME, name)
	if err == nil {
		if v, ok := nlAttr(attrs, unix.CTRL_ATTR_FAMILY_ID); ok && len(v) >= 2 {
			c.family = binary.NativeEndian.Uint16(v)
			return c, nil
		}
		err = errors.New("no family id")
	}
	c.close()
	return nil, fmt.Errorf("%w: %w", errNoTaskstats, err)
}

func (c *taskstatsConn) close() { unix.Close(c.fd) }

// switches returns the context switches of every thread tgid has had.
func (c *taskstatsConn) switches(tgid int) (Switches, error) {
	v := binary.NativeEndian.AppendUint32(nil, uint32(tgid))
	attrs, err := c.ask(c.family, unix.TASKSTATS_CMD_GET, unix.TASKSTATS_CMD_ATTR_TGID, v)
	if err != nil {
		return Switches{}, err
	}
	aggr, ok := nlAttr(attrs, unix.TASKSTATS_TYPE_AGGR_TGID)
	if !ok {
		return Switches{}, errors.New("sampler: taskstats: no AGGR_TGID in the reply")
	}
	st, ok := nlAttr(aggr, unix.TASKSTATS_TYPE_STATS)
	end := unsafe.Offsetof(unix.Taskstats{}.Nivcsw) + 8
	if !ok || uintptr(len(st)) < end {
		return Switches{}, errors.New("sampler: taskstats: reply too short")
	}
	ne := binary.NativeEndian
	return Switches{
		Voluntary:   int64(ne.Uint64(st[unsafe.Offsetof(unix.Taskstats{}.Nvcsw):])),
		Involuntary: int64(ne.Uint64(st[unsafe.Offsetof(unix.Taskstats{}.Nivcsw):])),
		Known:       true,
	}, nil
}

// ask sends one generic netlink command with one attribute and returns the reply's
// attributes. A kernel error (EPERM without CAP_NET_ADMIN, ESRCH for a process gone) is
// returned as a wrapped errno.
func (c *taskstatsConn) ask(family uint16, cmd uint8, attr uint16, val []byte) ([]byte, error) {
	ne := binary.NativeEndian
	c.seq++
	alen := sizeofNlAttrHeader + len(val)
	msg := make([]byte, sizeofNlMsgHeader+sizeofGenlMsgHeader, sizeofNlMsgHeader+sizeofGenlMsgHeader+nlAlign(alen))
	ne.PutUint16(msg[4:], family)
	ne.PutUint16(msg[6:], unix.NLM_F_REQUEST)
	ne.PutUint32(msg[8:], c.seq)
	msg[sizeofNlMsgHeader], msg[sizeofNlMsgHeader+1] = cmd, 1
	msg = ne.AppendUint16(msg, uint16(alen))
	msg = ne.AppendUint16(msg, attr)
	msg = append(msg, val...)
	msg = append(msg, make([]byte, nlAlign(alen)-alen)...)
	ne.PutUint32(msg[0:], uint32(len(msg)))
	if err := unix.Sendto(c.fd, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return nil, fmt.Errorf("sampler: taskstats: %w", os.NewSyscallError("sendto", err))
	}
	for {
		n, _, err := unix.Recvfrom(c.fd, c.buf, 0)
		if err != nil {
			return nil, fmt.Errorf("sampler: taskstats: %w", os.NewSyscallError("recvfrom", err))
		}
		b := c.buf[:n]
		if n < sizeofNlMsgHeader || ne.Uint32(b[8:]) != c.seq {
			continue // a stale reply
		}
		if ne.Uint16(b[4:]) == unix.NLMSG_ERROR {
			code := int32(ne.Uint32(b[sizeofNlMsgHeader:]))
			return nil, fmt.Errorf("sampler: taskstats: %w", os.NewSyscallError("get", unix.Errno(-code)))
		}
		l := min(int(ne.Uint32(b[0:])), n)
		if l < sizeofNlMsgHeader+sizeofGenlMsgHeader {
			return nil, errors.New("sampler: taskstats: short reply")
		}
		return b[sizeofNlMsgHeader+sizeofGenlMsgHeader : l], nil
	}
}

// nlAttr finds attribute typ among netlink attributes.
func nlAttr(b []byte, typ uint16) ([]byte, bool) {
	ne := binary.NativeEndian
	for len(b) >= sizeofNlAttrHeader {
		l := int(ne.Uint16(b[0:]))
		if l < sizeofNlAttrHeader || l > len(b) {
			return nil, false
		}
		if ne.Uint16(b[2:])&^unix.NLA_F_NESTED == typ {
			return b[sizeofNlAttrHeader:l], true
		}
		b = b[min(len(b), nlAlign(l)):]
	}
	return nil, false
}
