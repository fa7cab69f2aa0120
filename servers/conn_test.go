package servers

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/benchsuite/threads-vs-loop/servers/workload"
)

// scriptConn is an in-memory connection: each Read delivers req, until left reaches zero
// and Read reports EOF; Write keeps the last bytes written.
type scriptConn struct {
	req  []byte
	left int
	out  []byte
}

func (c *scriptConn) Read(p []byte) (int, error) {
	if c.left == 0 {
		return 0, io.EOF
	}
	c.left--
	return copy(p, c.req), nil
}

func (c *scriptConn) Write(p []byte) (int, error) {
	c.out = append(c.out[:0], p...)
	return len(p), nil
}

func (c *scriptConn) SetReadDeadline(time.Time) error { return nil }
func (c *scriptConn) CloseWrite() error               { return nil }

// TestConnLoopKeepAliveGETDoesNotAllocate pins the blocking loop (threaded, goroutine) at
// zero allocations per keep-alive GET, Date and Server headers included: serving a
// connection of 1001 requests allocates no more than serving one of a single request
// (the connection's buffers).
func TestConnLoopKeepAliveGETDoesNotAllocate(t *testing.T) {
	wl, err := workload.New()
	if err != nil {
		t.Fatal(err)
	}
	defer wl.Close()
	l := ConnLoop{Workload: wl, IdleTimeout: time.Minute, SleepIO: time.Sleep}
	c := &scriptConn{req: []byte("GET /hello HTTP/1.1\r\nHost: bench\r\n\r\n"), out: make([]byte, 0, 4096)}
	serve := func(requests int) float64 {
		return testing.AllocsPerRun(20, func() {
			c.left = requests
			if err := l.Serve(c); err != nil {
				t.Fatal(err)
			}
		})
	}
	one, many := serve(1), serve(1001)
	if many != one {
		t.Fatalf("%v allocations for 1001 requests, %v for one: want the same", many, one)
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(c.out)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Server") == "" || resp.Header.Get("Date") == "" {
		t.Fatalf("last response: %d, Server %q, Date %q", resp.StatusCode,
			resp.Header.Get("Server"), resp.Header.Get("Date"))
	}
}
