//go:build linux

package loadgen

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/benchsuite/threads-vs-loop/internal/epoll"
	"golang.org/x/sys/unix"
)

const (
	isNew = iota
	isConnecting
	isAwaiting // request sent, response not complete
	isIdle     // up: response received, connection idle
	isGone     // failed or dropped, socket closed
)

// idleConn is one held connection: a descriptor and a parser, no buffer and no goroutine,
// so holding one costs the process a few dozen bytes (the kernel's socket is not in RSS).
type idleConn struct {
	fd    int32
	state uint8
	since int64 // when its set-up began, for the timeout
	p     respParser
}

// idleHolder sets the connections up from the caller's goroutine, then a watcher goroutine
// blocks in epoll_wait to notice the server closing any of them, until Close.
type idleHolder struct {
	h       *IdleConns
	tgt     *target
	sa      unix.Sockaddr
	family  int
	p       *epoll.Poller
	wake    int // eventfd that stops the watcher
	conns   []idleConn
	buf     []byte
	base    time.Time
	timeout int64
	done    chan struct{}
	onDrop  func() // testDropHook when the holder was made
}

const wakeIndex = -1

// testDropHook, when set by a test before Hold, is called (on the watcher's goroutine)
// each time a held connection is found closed by the server.
var testDropHook func()

func hold(ctx context.Context, cfg Config, k int) (*IdleConns, error) {
	if k < 0 {
		return nil, fmt.Errorf("%w: idle connections must not be negative", ErrConfig)
	}
	tgt, err := parseTarget(cfg.URL, cfg.AllowRemote)
	if err != nil {
		return nil, err
	}
	if err := reserveFDs(k); err != nil {
		return nil, err
	}
	p, err := epoll.New(maxEvents)
	if err != nil {
		return nil, err
	}
	wake, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err == nil {
		err = p.Add(wake, unix.EPOLLIN, wakeIndex, 0)
	}
	if err != nil {
		p.Close()
		return nil, os.NewSyscallError("eventfd", err)
	}
	ih := &idleHolder{h: &IdleConns{}, tgt: tgt, p: p, wake: wake, conns: make([]idleConn, k),
		buf: make([]byte, 16<<10), base: time.Now(), timeout: int64(cfg.timeout()), done: make(chan struct{}),
		onDrop: testDropHook}
	ih.h.release = ih.release
	ih.sa, ih.family = sockaddr(tgt)
	if err := ih.setUp(ctx); err != nil {
		close(ih.done)
		ih.closeAll()
		return nil, err
	}
	go ih.watch()
	return ih.h, nil
}

func (ih *idleHolder) now() int64 { return int64(time.Since(ih.base)) }

// setUp connects every connection, at most IdleSetUpConcurrency at a time, and waits for each
// to answer its one request or fail.
func (ih *idleHolder) setUp(ctx context.Context) error {
	next, pending := 0, 0
	nextScan := ih.now()
	for next < len(ih.conns) || pending > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		for ; pending < IdleSetUpConcurrency && next < len(ih.conns); next++ {
			if ih.start(next) {
				pending++
			}
		}
		evs, err := wait(ih.p, int(scanEvery/time.Millisecond))
		if err != nil {
			return err
		}
		for i := range evs {
			if ev := &evs[i]; ev.Fd != wakeIndex && ih.event(int(ev.Fd), ev.Events) {
				pending--
			}
		}
		if now := ih.now(); now >= nextScan {
			nextScan = now + int64(scanEvery)
			pending -= ih.expire(now)
		}
	}
	return nil
}

// start opens connection i; it reports false if that failed at once.
func (ih *idleHolder) start(i int) bool {
	fd, err := newSocket(ih.sa, ih.family)
	if err == nil {
		if err = ih.p.Add(fd, connEvents, int32(i), 0); err != nil {
			unix.Close(fd)
		}
	}
	if err != nil {
		ih.conns[i].state = isGone
		ih.h.failed.Add(1)
		return false
	}
	ih.conns[i] = idleConn{fd: int32(fd), state: isConnecting, since: ih.now()}
	return true
}

// event advances connection i; it reports whether its set-up ended (up or failed).
func (ih *idleHolder) event(i int, events uint32) bool {
	c := &ih.conns[i]
	switch c.state {
	case isConnecting:
		if events&(unix.EPOLLOUT|unix.EPOLLERR|unix.EPOLLHUP) == 0 {
			return false
		}
		req := ih.tgt.request
		if soError(int(c.fd)) != 0 {
			return ih.gone(i, &ih.h.failed)
		}
		if n, e := epoll.Write(int(c.fd), req); e != 0 || n != len(req) {
			return ih.gone(i, &ih.h.failed)
		}
		c.state = isAwaiting
	case isAwaiting:
		if events&(unix.EPOLLIN|unix.EPOLLERR|unix.EPOLLHUP|unix.EPOLLRDHUP) != 0 {
			return ih.response(i)
		}
	case isIdle:
		if events&(unix.EPOLLIN|unix.EPOLLERR|unix.EPOLLHUP|unix.EPOLLRDHUP) != 0 {
			ih.idleEvent(i)
		}
	}
	return false
}

// response reads what connection i's server sent; a complete 2xx response makes it up.
func (ih *idleHolder) response(i int) bool {
	c := &ih.conns[i]
	for {
		n, e := epoll.Read(int(c.fd), ih.buf)
		switch {
		case n > 0:
			used, r := c.p.parse(ih.buf[:n])
			switch {
			case r == bad || (r == complete && (used < n || c.p.Status()/100 != 2 || c.p.Close())):
				return ih.gone(i, &ih.h.failed)
			case r == complete:
				c.state = isIdle
				ih.h.up.Add(1)
				return true
			}
			if n == len(ih.buf) {
				continue
			}
			return false
		case e == unix.EAGAIN:
			return false
		}
		return ih.gone(i, &ih.h.failed) // EOF or an error before the response ended
	}
}

// idleEvent handles an idle connection becoming readable: the server closed it (or sent
// something unasked, which is read and ignored).
func (ih *idleHolder) idleEvent(i int) {
	c := &ih.conns[i]
	for {
		n, e := epoll.Read(int(c.fd), ih.buf)
		switch {
		case n > 0:
			continue
		case e == unix.EAGAIN:
			return
		}
		ih.h.up.Add(-1)
		ih.gone(i, &ih.h.dropped)
		if ih.onDrop != nil {
			ih.onDrop()
		}
		return
	}
}

// gone closes connection i and counts it in counter; it returns true for event's sake.
func (ih *idleHolder) gone(i int, counter interface{ Add(int64) int64 }) bool {
	c := &ih.conns[i]
	unix.Close(int(c.fd))
	c.fd, c.state = -1, isGone
	counter.Add(1)
	return true
}

// expire fails connections whose set-up outlasted the timeout; it returns how many.
func (ih *idleHolder) expire(now int64) int {
	n := 0
	for i := range ih.conns {
		if c := &ih.conns[i]; (c.state == isConnecting || c.state == isAwaiting) && now-c.since > ih.timeout {
			ih.gone(i, &ih.h.failed)
			n++
		}
	}
	return n
}

// watch notices held connections closed by the server, until release wakes it.
func (ih *idleHolder) watch() {
	defer close(ih.done)
	for {
		evs, err := wait(ih.p, -1)
		if err != nil {
			return
		}
		for i := range evs {
			if evs[i].Fd == wakeIndex {
				return
			}
			ih.event(int(evs[i].Fd), evs[i].Events)
		}
	}
}

// release stops the watcher and closes every socket.
func (ih *idleHolder) release() error {
	var one = [8]byte{1}
	if _, err := unix.Write(ih.wake, one[:]); err != nil {
		return os.NewSyscallError("write eventfd", err)
	}
	<-ih.done
	ih.closeAll()
	return nil
}

func (ih *idleHolder) closeAll() {
	for i := range ih.conns {
		if c := &ih.conns[i]; c.state != isNew && c.state != isGone {
			unix.Close(int(c.fd))
			c.state = isGone
		}
	}
	unix.Close(ih.wake)
	ih.p.Close()
}
