//go:build linux

package evented

import (
	"github.com/benchsuite/threads-vs-loop/internal/epoll"
	"github.com/benchsuite/threads-vs-loop/internal/http1"
	"github.com/benchsuite/threads-vs-loop/servers"
	"github.com/benchsuite/threads-vs-loop/servers/workload"
	"golang.org/x/sys/unix"
)

// conn is one connection's state on its loop. An idle keep-alive connection holds no
// buffer: in and queue are nil until a request arrives in pieces or a write falls short.
type conn struct {
	fd         int
	interest   uint32         // events registered with epoll
	progress   http1.Progress // of the partial request in in; conn stays in the 128-byte size class
	in         []byte         // bytes read but not yet answered (a partial request, or requests behind an away one)
	queue      [][]byte       // output the socket did not take yet, in order
	busy       bool           // a request is away (timer or worker); reading waits for its answer
	closeAfter bool           // close once queue is written
	peerClosed bool           // the peer sent EOF: nothing to linger for
	lingering  bool           // sending side shut; reading and discarding until EOF or the sweep
	closed     bool
	lastActive int64 // loop clock of the last read
	away       awayRequest
}

// awayRequest is what the response to a request on a timer or the worker pool needs.
type awayRequest struct {
	job       workload.Job
	minor     int
	keepAlive bool
	head      bool
}

var (
	methodGET  = []byte("GET")
	methodHEAD = []byte("HEAD")
)

// minFree is the least free room in a connection's own buffer before a read into it.
const minFree = 2 << 10

func (l *eventLoop) onConnEvent(fd int, events uint32) {
	c := l.conns[fd]
	if c == nil {
		return
	}
	if events&unix.EPOLLERR != 0 || (events&unix.EPOLLHUP != 0 && events&unix.EPOLLIN == 0) {
		l.closeConn(c) // reset, or both directions shut: only this connection goes
		return
	}
	if events&unix.EPOLLOUT != 0 {
		l.writeQueue(c)
	}
	switch {
	case events&unix.EPOLLIN == 0 || c.closed || c.busy:
	case c.lingering:
		l.discard(c)
	default:
		l.onReadable(c)
	}
}

// onReadable reads once (level-triggered: epoll reports the rest next time) into the loop's
// buffer, or into the connection's own when it already holds part of a request.
func (l *eventLoop) onReadable(c *conn) {
	own := len(c.in) > 0
	buf := l.readBuf
	if own {
		if cap(c.in)-len(c.in) < minFree {
			c.in = append(make([]byte, 0, 2*cap(c.in)+minFree), c.in...) // the parser bounds it
		}
		buf = c.in[len(c.in):cap(c.in)]
	}
	n, errno := epoll.Read(c.fd, buf)
	switch {
	case errno == unix.EAGAIN:
		return
	case errno != 0:
		l.closeConn(c)
		return
	case n == 0: // the peer closed its side: answer what is queued, then close
		c.closeAfter, c.peerClosed = true, true
		l.flush(c)
		return
	}
	c.lastActive = l.now
	if own {
		c.in = c.in[:len(c.in)+n]
		l.serve(c, c.in, true)
	} else {
		l.serve(c, buf[:n], false)
	}
}

// serve answers the whole requests in data, in order, until one goes away (timer, worker)
// or asks to close; what is left is kept in c.in. own says data is c.in itself.
func (l *eventLoop) serve(c *conn, data []byte, own bool) {
	used := 0
	var req http1.Request
	for !c.busy && !c.closeAfter && used < len(data) {
		n, err := http1.ParseNext(data[used:], &req, &c.progress)
		if err == http1.ErrIncomplete {
			if req.ExpectContinue {
				l.out = http1.AppendContinue(l.out)
			}
			break
		}
		if perr, ok := err.(*http1.Error); ok {
			l.out = http1.AppendError(l.out, perr.Status)
			c.closeAfter, used = true, len(data)
			break
		}
		used += n
		l.handle(c, &req)
		if !c.busy && !req.KeepAlive {
			c.closeAfter = true
		}
	}
	l.keepRest(c, data[used:], own)
	l.flush(c)
}

// keepRest leaves the unanswered bytes in c.in; a connection with none holds no buffer.
func (l *eventLoop) keepRest(c *conn, rest []byte, own bool) {
	switch {
	case len(rest) == 0:
		c.in = nil
	case own:
		c.in = c.in[:copy(c.in, rest)]
	default:
		c.in = append(make([]byte, 0, max(len(rest), minFree)), rest...)
	}
}

// handle routes one request: answered now, or sent away to a timer or the worker pool.
func (l *eventLoop) handle(c *conn, req *http1.Request) {
	wl := l.srv.cfg.Workload
	job := wl.Route(req.Method, req.Path, req.Query)
	switch {
	case job.Endpoint == workload.IO:
		l.sendAway(c, req, job)
		l.timers.push(timer{deadline: l.now + int64(job.N)*1e6, conn: c})
	case job.Endpoint == workload.File, job.Endpoint == workload.CPU && l.srv.cfg.Offload:
		l.sendAway(c, req, job)
		l.srv.workers.submit(task{loop: l, conn: c, job: job})
	case job.Endpoint == workload.CPU:
		wl.Burn(job.N) // on the loop: every connection of this loop waits (the point of /cpu)
		l.respond(c, req, job, nil)
	case job.Endpoint == workload.Bytes:
		l.respond(c, req, job, wl.Bytes(job.N))
	default:
		l.respond(c, req, job, nil)
	}
}

func (l *eventLoop) sendAway(c *conn, req *http1.Request, job workload.Job) {
	c.busy = true
	c.away = awayRequest{job: job, minor: req.Minor, keepAlive: req.KeepAlive, head: req.IsHead()}
}

// complete answers the request that was away, then the requests that queued behind it.
func (l *eventLoop) complete(c *conn, body []byte, failed bool) {
	a := c.away
	c.busy, c.away = false, awayRequest{}
	if failed {
		a.job = workload.Job{Status: 500}
	}
	req := http1.Request{Method: methodGET, Minor: a.minor, KeepAlive: a.keepAlive}
	if a.head {
		req.Method = methodHEAD
	}
	l.respond(c, &req, a.job, body)
	if !a.keepAlive {
		c.closeAfter = true
	}
	if len(c.in) > 0 {
		l.serve(c, c.in, true)
		return
	}
	l.flush(c)
}

// respond appends a response to the loop's batch; a large body is sent at once after it.
func (l *eventLoop) respond(c *conn, req *http1.Request, job workload.Job, body []byte) {
	var large []byte
	l.out, large = servers.AppendResponse(l.out, req, job, body)
	if large != nil {
		l.send(c, large)
	}
}
