package servers

import (
	"errors"
	"io"
	"net"
	"time"

	"github.com/benchsuite/threads-vs-loop/internal/http1"
	"github.com/benchsuite/threads-vs-loop/servers/workload"
)

// Conn is a connection as the blocking loop sees it; *net.TCPConn is one.
type Conn interface {
	io.ReadWriter
	SetReadDeadline(time.Time) error
	CloseWrite() error
}

// LingerTimeout bounds how long a closing connection's unread input is drained.
const LingerTimeout = 2 * time.Second

// ConnLoop serves connections one request after another on the calling goroutine, blocking
// in Read and Write. The threaded and goroutine models differ only in the thread that runs
// it and in SleepIO.
type ConnLoop struct {
	Workload    *workload.Workload
	IdleTimeout time.Duration
	// SleepIO waits for /io: a blocked OS thread (threaded) or a parked goroutine.
	SleepIO func(time.Duration)
}

const readChunk = 4 << 10

// connState is one connection's buffers, reused for every request on it.
type connState struct {
	in, out, file []byte
	deadline      time.Time
	progress      http1.Progress // of the partial request at the start of in
}

// Serve serves c until the peer closes, a request asks to close, a malformed request is
// refused, or the connection is idle for IdleTimeout. When the server is the one closing,
// it lingers (see Linger) so the last responses are not lost; it does not close c.
func (l *ConnLoop) Serve(c Conn) error {
	st := connState{in: make([]byte, 0, readChunk), out: make([]byte, 0, readChunk)}
	for {
		if err := l.refreshDeadline(c, &st); err != nil {
			return err
		}
		if len(st.in) == cap(st.in) {
			st.in = grow(st.in)
		}
		n, err := c.Read(st.in[len(st.in):cap(st.in)])
		st.in = st.in[:len(st.in)+n]
		if n > 0 {
			keep, werr := l.serveBuffered(c, &st)
			if werr != nil {
				return werr
			}
			if !keep {
				Linger(c, st.in[:cap(st.in)])
				return nil
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// Linger is the closing half of a server-initiated close (RFC 9112 section 9.6): shut the
// sending side, so the peer reads every response and then EOF, and read and discard what
// the peer still sends until it closes or LingerTimeout passes. Closing with unread input
// instead would make the kernel reset the connection and drop responses not yet sent.
func Linger(c Conn, scratch []byte) {
	if c.CloseWrite() != nil {
		return
	}
	if len(scratch) == 0 {
		scratch = make([]byte, readChunk)
	}
	c.SetReadDeadline(time.Now().Add(LingerTimeout))
	for {
		if _, err := c.Read(scratch); err != nil {
			return
		}
	}
}

// refreshDeadline pushes the idle deadline forward, at most once per slack (a deadline per
// request would cost a timer update on every request).
func (l *ConnLoop) refreshDeadline(c Conn, st *connState) error {
	now := time.Now()
	slack := min(time.Second, l.IdleTimeout/4)
	if st.deadline.Sub(now) > l.IdleTimeout-slack {
		return nil
	}
	st.deadline = now.Add(l.IdleTimeout)
	return c.SetReadDeadline(st.deadline)
}

// grow doubles the input buffer; the parser bounds it (431 past 8 KiB of head, 413 past
// 1 MiB of body).
func grow(b []byte) []byte {
	nb := make([]byte, len(b), 2*cap(b))
	copy(nb, b)
	return nb
}

// serveBuffered answers every whole request in st.in, in order, with one write for all the
// small responses. It reports whether the connection stays open.
func (l *ConnLoop) serveBuffered(c Conn, st *connState) (bool, error) {
	used, keep := 0, true
	var req http1.Request
	for keep && used < len(st.in) {
		n, err := http1.ParseNext(st.in[used:], &req, &st.progress)
		if err == http1.ErrIncomplete {
			if req.ExpectContinue {
				st.out = http1.AppendContinue(st.out)
			}
			break
		}
		if perr, ok := err.(*http1.Error); ok {
			st.out = http1.AppendError(st.out, perr.Status)
			keep = false
			break
		}
		used += n
		keep = req.KeepAlive
		var large []byte
		st.out, large, err = l.respond(st, &req)
		if err != nil {
			return false, err
		}
		if large != nil {
			if err := writeAll(c, st.out, large); err != nil {
				return false, err
			}
			st.out = st.out[:0]
		}
	}
	st.in = st.in[:copy(st.in, st.in[used:])]
	if len(st.out) > 0 {
		_, err := c.Write(st.out)
		st.out = st.out[:0]
		if err != nil {
			return false, err
		}
	}
	return keep, nil
}

// respond does the request's work on this goroutine and appends its response.
func (l *ConnLoop) respond(st *connState, req *http1.Request) (out, large []byte, err error) {
	job := l.Workload.Route(req.Method, req.Path, req.Query)
	var body []byte
	switch job.Endpoint {
	case workload.IO:
		l.SleepIO(time.Duration(job.N) * time.Millisecond)
	case workload.CPU:
		l.Workload.Burn(job.N)
	case workload.File:
		if st.file, err = l.Workload.ReadFile(job.N, st.file); err != nil {
			job = workload.Job{Status: 500}
		}
		body = st.file
	case workload.Bytes:
		body = l.Workload.Bytes(job.N)
	}
	out, large = AppendResponse(st.out, req, job, body)
	return out, large, nil
}

// writeAll writes head and body with one writev when c is a net.Conn.
func writeAll(c Conn, head, body []byte) error {
	bufs := net.Buffers{head, body}
	_, err := bufs.WriteTo(c)
	return err
}
