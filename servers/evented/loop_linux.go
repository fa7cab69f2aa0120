//go:build linux

package evented

import (
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/benchsuite/threads-vs-loop/internal/epoll"
	"github.com/benchsuite/threads-vs-loop/servers"
	"golang.org/x/sys/unix"
)

const (
	readBufSize   = 64 << 10               // the loop's one read buffer
	maxEvents     = 1024                   // epoll events taken per wait
	acceptBurst   = 256                    // accepts per readiness event, so one loop cannot hog them
	acceptBackoff = 100 * time.Millisecond // out of descriptors: stop accepting this long
	sweepEvery    = time.Second            // idle keep-alive sweep period (at most)
)

// eventLoop is one reactor: an epoll instance, its listening socket, its connections
// (indexed by descriptor), its timers, and one read and one write buffer shared by all its
// connections. Everything but stopping and the completion queue is touched only by the
// loop's own thread.
type eventLoop struct {
	srv     *server
	p       *epoll.Poller
	lfd     int // listening socket
	wakeFD  int // eventfd: worker completions and stop
	readBuf []byte
	out     []byte // responses being batched for the connection at hand
	conns   []*conn
	timers  timerHeap

	base          time.Time // the loop clock is time.Since(base) in ns
	now           int64
	acceptResume  int64 // while accepting is paused: when to try again; 0 when not paused
	nextSweep     int64
	sweepNS       int64 // sweep period: a quarter of the idle timeout, at most sweepEvery
	idleTimeoutNS int64

	started, stopping atomic.Bool
	shutOnce          sync.Once

	mu        sync.Mutex
	done      []completion // posted by workers, taken by the loop
	doneSpare []completion
}

func newEventLoop(s *server, lfd int) (*eventLoop, error) {
	p, err := epoll.New(maxEvents)
	if err != nil {
		return nil, err
	}
	efd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		p.Close()
		return nil, os.NewSyscallError("eventfd", err)
	}
	l := &eventLoop{srv: s, p: p, lfd: lfd, wakeFD: efd, base: time.Now(),
		readBuf: make([]byte, readBufSize), out: make([]byte, 0, readBufSize),
		idleTimeoutNS: int64(s.cfg.IdleTimeout), sweepNS: int64(min(sweepEvery, s.cfg.IdleTimeout/4))}
	for _, fd := range []int{lfd, efd} {
		if err := p.Add(fd, unix.EPOLLIN, int32(fd), 0); err != nil {
			p.Close()
			unix.Close(efd)
			return nil, err
		}
	}
	return l, nil
}

// run is the loop. It holds its OS thread for its whole life, as a libuv loop does.
func (l *eventLoop) run() error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	l.started.Store(true)
	defer l.shutdown()
	l.now = l.clock()
	l.nextSweep = l.now + l.sweepNS
	for !l.stopping.Load() {
		evs, err := l.p.Wait(l.timeoutMS())
		if err != nil {
			return err
		}
		l.now = l.clock()
		for i := range evs {
			switch fd := int(evs[i].Fd); fd {
			case l.lfd:
				l.acceptAll()
			case l.wakeFD:
				l.drainCompletions()
			default:
				l.onConnEvent(fd, evs[i].Events)
			}
		}
		l.runTimers()
	}
	return nil
}

func (l *eventLoop) clock() int64 { return int64(time.Since(l.base)) }

// timeoutMS is how long epoll_wait may sleep: until the next timer, accept resumption or
// idle sweep.
func (l *eventLoop) timeoutMS() int {
	next := l.nextSweep
	if d, ok := l.timers.peek(); ok && d < next {
		next = d
	}
	if l.acceptResume != 0 && l.acceptResume < next {
		next = l.acceptResume
	}
	wait := next - l.clock()
	if wait <= 0 {
		return 0
	}
	return int((wait + int64(time.Millisecond) - 1) / int64(time.Millisecond))
}

// runTimers fires due /io timers, resumes accepting after a back-off, and sweeps idle
// keep-alive connections.
func (l *eventLoop) runTimers() {
	for {
		d, ok := l.timers.peek()
		if !ok || d > l.now {
			break
		}
		t := l.timers.pop()
		if !t.conn.closed {
			l.complete(t.conn, nil, false)
		}
	}
	if l.acceptResume != 0 && l.now >= l.acceptResume {
		l.resumeAccept()
	}
	if l.now >= l.nextSweep {
		l.nextSweep = l.now + l.sweepNS
		l.sweepIdle()
	}
}

// sweepIdle closes keep-alive connections idle past the timeout, and lingering ones past
// servers.LingerTimeout.
func (l *eventLoop) sweepIdle() {
	for _, c := range l.conns {
		if c == nil || c.busy || len(c.queue) > 0 {
			continue
		}
		limit := l.idleTimeoutNS
		if c.lingering {
			limit = int64(servers.LingerTimeout)
		}
		if l.now-c.lastActive > limit {
			l.closeConn(c)
		}
	}
}

// acceptAll takes pending connections. Out of descriptors, it stops watching the
// listening socket for acceptBackoff (or until one of its connections closes) instead of
// spinning on EMFILE with the connection still in the backlog.
func (l *eventLoop) acceptAll() {
	for range acceptBurst {
		fd, err := accept4(l.lfd)
		switch err {
		case nil:
			l.addConn(fd)
		case unix.EAGAIN:
			return
		case unix.EMFILE, unix.ENFILE, unix.ENOBUFS, unix.ENOMEM:
			l.pauseAccept()
			return
		default: // ECONNABORTED and the like: that connection is gone, try the next
		}
	}
}

func (l *eventLoop) pauseAccept() {
	if l.acceptResume == 0 && l.p.Modify(l.lfd, 0, int32(l.lfd), 0) == nil {
		l.acceptResume = l.now + int64(acceptBackoff)
	}
}

func (l *eventLoop) resumeAccept() {
	if l.acceptResume != 0 && l.p.Modify(l.lfd, unix.EPOLLIN, int32(l.lfd), 0) == nil {
		l.acceptResume = 0
	}
}

func (l *eventLoop) addConn(fd int) {
	unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	if err := l.p.Add(fd, unix.EPOLLIN, int32(fd), 0); err != nil {
		unix.Close(fd)
		return
	}
	for fd >= len(l.conns) {
		l.conns = append(l.conns, make([]*conn, len(l.conns)+64)...)
	}
	l.conns[fd] = &conn{fd: fd, interest: unix.EPOLLIN, lastActive: l.now}
}

func (l *eventLoop) closeConn(c *conn) {
	if c.closed {
		return
	}
	c.closed = true
	l.conns[c.fd] = nil
	unix.Close(c.fd) // also removes it from epoll
	c.in, c.queue = nil, nil
	l.resumeAccept() // a descriptor is free again
}

// stop asks the loop to return; safe from any goroutine.
func (l *eventLoop) stop() {
	l.stopping.Store(true)
	l.wake()
}

// shutdown closes every connection, the listening socket and the epoll instance, once.
func (l *eventLoop) shutdown() {
	l.shutOnce.Do(func() {
		for _, c := range l.conns {
			if c != nil {
				l.closeConn(c)
			}
		}
		unix.Close(l.lfd)
		l.p.Close()
	})
}

// closeWake closes the wake-up descriptor; the server calls it once no worker can post.
func (l *eventLoop) closeWake() { unix.Close(l.wakeFD) }
