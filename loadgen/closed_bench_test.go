//go:build linux

package loadgen

import (
	"math"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/benchsuite/threads-vs-loop/internal/epoll"
	"golang.org/x/sys/unix"
)

// pathRig is one closed-engine connection over a socket pair, its peer played by the
// test itself with raw syscalls, so one request/response cycle of the engine's own code
// runs with nothing else in the process allocating: the peer reads the request and writes
// a response, then the loop reads, parses, records the latency and sends the next request.
type pathRig struct {
	l    *loop
	peer int
	req  []byte
	resp []byte
}

func newPathRig(tb testing.TB, resp string) *pathRig {
	tb.Helper()
	tgt := &target{addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}, request: []byte("GET / HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n")}
	var stop atomic.Bool
	cfg := &Config{Duration: time.Second, Timeout: time.Second}
	l, err := newLoop(tgt, 1, 1, cfg, time.Now(), &stop, new(atomic.Int64), newWindowClock(cfg, true))
	if err != nil {
		tb.Fatal(err)
	}
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		tb.Fatal(err)
	}
	l.we = math.MaxInt64 // the window never ends; the tally clamps to its last second
	l.conns[0] = conn{fd: fds[0], state: csOpen}
	r := &pathRig{l: l, peer: fds[1], req: make([]byte, 4096), resp: []byte(resp)}
	tb.Cleanup(func() { unix.Close(fds[1]); l.closeAll() })
	l.now = l.clock()
	l.send(0, 1)
	return r
}

// cycle is one request/response: the peer answers the request in flight, the loop takes
// the response and sends the next request.
func (r *pathRig) cycle(tb testing.TB) {
	if n, e := epoll.Read(r.peer, r.req); e != 0 || n != len(r.l.batch) {
		tb.Fatalf("peer read %d, %v; want one request", n, e)
	}
	if _, e := epoll.Write(r.peer, r.resp); e != 0 {
		tb.Fatal(e)
	}
	r.l.now = r.l.clock()
	r.l.readable(0, false)
}

// BenchmarkClosedRequestResponse is the closed engine's per-request work without the
// kernel's wake-ups: write, read, parse, record. wrk's budget at 140k req/s on one core is
// about 7 µs per request, most of it in the kernel.
func BenchmarkClosedRequestResponse(b *testing.B) {
	for _, tc := range []struct{ name, resp string }{
		{"hello", helloResponse},
		{"nginx", nginxLikeResponse},
		{"chunked", chunkedHello},
	} {
		b.Run(tc.name, func(b *testing.B) {
			r := newPathRig(b, tc.resp)
			b.ReportAllocs()
			for b.Loop() {
				r.cycle(b)
			}
			if got := r.l.t.requests; got < int64(b.N) {
				b.Fatalf("%d responses counted, want %d", got, b.N)
			}
		})
	}
}

// TestClosedRequestResponseZeroAllocs pins the request/response path at no allocation.
func TestClosedRequestResponseZeroAllocs(t *testing.T) {
	r := newPathRig(t, nginxLikeResponse)
	before := r.l.t.requests
	allocs := testing.AllocsPerRun(1000, func() { r.cycle(t) })
	if allocs != 0 {
		t.Fatalf("%v allocations per request, want 0", allocs)
	}
	if got := r.l.t.requests - before; got != 1001 { // AllocsPerRun runs once more to warm up
		t.Fatalf("%d responses counted over 1001 cycles", got)
	}
}

// BenchmarkClock compares the clocks the loop could read once per wake-up.
func BenchmarkClock(b *testing.B) {
	base := time.Now()
	var sink int64
	b.Run("time.Now", func(b *testing.B) {
		for b.Loop() {
			sink += time.Now().UnixNano()
		}
	})
	b.Run("time.Since", func(b *testing.B) {
		for b.Loop() {
			sink += int64(time.Since(base))
		}
	})
	_ = sink
}
