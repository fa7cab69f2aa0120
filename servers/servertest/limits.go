package servertest

import (
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/benchsuite/threads-vs-loop/internal/http1"
	"github.com/benchsuite/threads-vs-loop/servers/workload"
)

// testHalfClose: a client that shuts down its sending side after its requests (as
// `nc -N` or an HTTP/1.0 client may) still gets every response, then the server closes.
func testHalfClose(t *testing.T, addr string) {
	c := mustDial(t, addr)
	if err := c.send(get("/hello") + get("/bytes?kb=64")); err != nil {
		t.Fatal(err)
	}
	if err := c.Conn.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	for _, x := range []exchange{{"/hello", 200, workload.HelloBody}, {"/bytes?kb=64", 200, patternKB(64)}} {
		r, err := c.read("GET")
		if err == nil {
			err = check(r, x.status, x.body)
		}
		if err != nil {
			t.Fatalf("GET %s after half-close: %v", x.target, err)
		}
	}
	if err := c.expectClosed(false); err != nil {
		t.Fatal(err)
	}
}

// testDeepPipeline: 500 requests in one write (more than the 8 KiB head limit in all)
// are each a request of their own, answered in order.
func testDeepPipeline(t *testing.T, addr string) {
	c := mustDial(t, addr)
	const n = 500
	raw := strings.Repeat(get("/hello"), n)
	if len(raw) <= 2*http1.MaxHeadBytes {
		t.Fatalf("pipeline of %d bytes is too short to cross the head limit twice", len(raw))
	}
	if err := c.send(raw); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		r, err := c.read("GET")
		if err == nil {
			err = check(r, 200, workload.HelloBody)
		}
		if err != nil {
			t.Fatalf("response %d of %d: %v", i, n, err)
		}
	}
	expectExchange(t, c, exchange{"/hello", 200, workload.HelloBody})
}

// headOfSize is a GET /hello head of exactly n bytes (blank line included).
func headOfSize(n int) string {
	const start, end = "GET /hello HTTP/1.1\r\nHost: servertest\r\nX-Pad: ", "\r\n\r\n"
	return start + strings.Repeat("p", n-len(start)-len(end)) + end
}

// testLimits: the head and body limits are exact: a head of MaxHeadBytes and a body of
// MaxBodyBytes are served, one byte more is refused.
func testLimits(t *testing.T, addr string) {
	t.Run("head at limit", func(t *testing.T) {
		c := mustDial(t, addr)
		r, err := c.roundTrip(headOfSize(http1.MaxHeadBytes), "GET")
		if err == nil {
			err = check(r, 200, workload.HelloBody)
		}
		if err != nil {
			t.Fatal(err)
		}
		expectExchange(t, c, exchange{"/hello", 200, workload.HelloBody})
	})
	t.Run("body at limit", func(t *testing.T) {
		c := mustDial(t, addr)
		raw := "POST /hello HTTP/1.1\r\nHost: servertest\r\nContent-Length: " +
			strconv.Itoa(http1.MaxBodyBytes) + "\r\n\r\n" + strings.Repeat("b", http1.MaxBodyBytes)
		r, err := c.roundTrip(raw, "POST")
		if err == nil {
			err = check(r, 200, workload.HelloBody)
		}
		if err != nil {
			t.Fatal(err)
		}
		expectExchange(t, c, exchange{"/hello", 200, workload.HelloBody})
	})
	for _, m := range []malformed{
		{"head over limit", headOfSize(http1.MaxHeadBytes + 1), 431, true, false},
		{"body over limit", "POST /hello HTTP/1.1\r\nHost: servertest\r\nContent-Length: " +
			strconv.Itoa(http1.MaxBodyBytes+1) + "\r\n\r\n", 413, false, false},
	} {
		t.Run(m.name, func(t *testing.T) { expectRefused(t, addr, m) })
	}
}

// testPipelinedClose: a pipelining client sends a request owed a large response, a
// request with "Connection: close", and more requests after it. The server must deliver
// the first two responses whole and then close; the requests after the close go
// unanswered. Closing with request bytes unread makes the kernel reset the connection and
// drop whatever response bytes are still queued, so a server must close in stages
// (shut down writing, drain the input) as RFC 9112 section 9.6 describes.
func testPipelinedClose(t *testing.T, addr string) {
	c := mustDial(t, addr)
	// A small receive window keeps part of the large response queued in the server when
	// it closes, as a slower client or network would, instead of leaving it to chance.
	if err := c.Conn.(*net.TCPConn).SetReadBuffer(64 << 10); err != nil {
		t.Fatal(err)
	}
	raw := get("/bytes?kb=10240") +
		"GET /hello HTTP/1.1\r\nHost: servertest\r\nConnection: close\r\n\r\n" +
		strings.Repeat(get("/hello"), 200) // more than the server reads at once
	if err := c.send(raw); err != nil {
		t.Fatal(err)
	}
	r, err := c.read("GET")
	if err == nil {
		err = check(r, 200, patternKB(10240))
	}
	if err != nil {
		t.Fatalf("response owed before the close was lost: %v", err)
	}
	r, err = c.read("GET")
	if err == nil {
		err = check(r, 200, workload.HelloBody)
	}
	if err == nil {
		err = checkConnection(r, "close")
	}
	if err != nil {
		t.Fatalf("Connection: close request: %v", err)
	}
	if err := c.expectClosed(true); err != nil {
		t.Fatal(err)
	}
}
