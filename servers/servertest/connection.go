package servertest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/benchsuite/threads-vs-loop/servers/workload"
)

// testKeepAlive: 100 requests on one connection are all answered and none closes it; a
// last request proves the connection is still open.
func testKeepAlive(t *testing.T, addr string) {
	c := mustDial(t, addr)
	cycle := []exchange{
		{"/hello", 200, workload.HelloBody},
		{"/", 200, workload.HelloBody},
		{"/cpu?us=1", 200, workload.HelloBody},
		{"/bytes?kb=1", 200, patternKB(1)},
		{"/nope", 404, errorBody(404)},
	}
	for i := range 100 {
		expectExchange(t, c, cycle[i%len(cycle)])
	}
	expectExchange(t, c, exchange{"/hello", 200, workload.HelloBody})
}

// pipelineMix is the set of requests pipelined, cycled in order.
var pipelineMix = []exchange{
	{"/hello", 200, workload.HelloBody},
	{"/io?ms=1", 200, workload.HelloBody},
	{"/bytes?kb=20", 200, patternKB(20)},
	{"/cpu?us=10", 200, workload.HelloBody},
	{"/nope", 404, errorBody(404)},
}

// testPipelining: 16 requests sent in one write get 16 responses, in order.
func testPipelining(t *testing.T, addr string) {
	c := mustDial(t, addr)
	const n = 16
	var raw strings.Builder
	for i := range n {
		raw.WriteString(get(pipelineMix[i%len(pipelineMix)].target))
	}
	if err := c.send(raw.String()); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		x := pipelineMix[i%len(pipelineMix)]
		r, err := c.read("GET")
		if err == nil {
			err = check(r, x.status, x.body)
		}
		if err != nil {
			t.Fatalf("pipelined response %d (GET %s): %v", i, x.target, err)
		}
	}
	expectExchange(t, c, exchange{"/hello", 200, workload.HelloBody})
}

// testHTTP10: HTTP/1.0 closes after the response unless the request asked for
// keep-alive, in which case the response says so and the connection serves another.
func testHTTP10(t *testing.T, addr string) {
	t.Run("close", func(t *testing.T) {
		c := mustDial(t, addr)
		expectHTTP10(t, c, "GET /hello HTTP/1.0\r\n\r\n", "close")
		if err := c.expectClosed(false); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("keep-alive", func(t *testing.T) {
		c := mustDial(t, addr)
		ka := "GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
		expectHTTP10(t, c, ka, "keep-alive")
		expectHTTP10(t, c, ka, "keep-alive")
		expectHTTP10(t, c, "GET / HTTP/1.0\r\nHost: servertest\r\n\r\n", "close")
		if err := c.expectClosed(false); err != nil {
			t.Fatal(err)
		}
	})
}

// expectHTTP10 sends an HTTP/1.0 request for the hello body and checks the response's
// Connection header.
func expectHTTP10(t *testing.T, c *conn, raw, connection string) {
	t.Helper()
	r, err := c.roundTrip(raw, "GET")
	if err == nil {
		err = check(r, 200, workload.HelloBody)
	}
	if err != nil {
		t.Fatalf("%q: %v", raw, err)
	}
	if err := checkConnection(r, connection); err != nil {
		t.Fatalf("%q: %v", raw, err)
	}
}

// checkConnection checks the response's Connection header: "close" or "keep-alive".
// http.ReadResponse turns "Connection: close" into response.close and drops the header.
func checkConnection(r *response, want string) error {
	got := r.header.Get("Connection")
	if r.close {
		got = "close"
	}
	if !strings.EqualFold(got, want) {
		return fmt.Errorf("Connection %q, want %q", got, want)
	}
	return nil
}

// testConnectionClose: an HTTP/1.1 request with "Connection: close" gets a response that
// says so, and the server closes.
func testConnectionClose(t *testing.T, addr string) {
	for _, target := range []string{"/hello", "/bytes?kb=64", "/nope"} {
		c := mustDial(t, addr)
		raw := "GET " + target + " HTTP/1.1\r\nHost: servertest\r\nConnection: close\r\n\r\n"
		r, err := c.roundTrip(raw, "GET")
		if err != nil {
			t.Fatalf("GET %s: %v", target, err)
		}
		if err := checkConnection(r, "close"); err != nil {
			t.Fatalf("GET %s: %v", target, err)
		}
		if err := c.expectClosed(false); err != nil {
			t.Fatalf("GET %s: %v", target, err)
		}
	}
}

// testSlowClient: requests written one byte per write (a GET, then a POST with a body) are
// answered correctly.
func testSlowClient(t *testing.T, addr string) {
	c := mustDial(t, addr)
	for _, x := range []struct {
		raw, method string
		body        []byte
	}{
		{"GET /bytes?kb=2 HTTP/1.1\r\nHost: servertest\r\nX-Slow: yes\r\n\r\n", "GET", patternKB(2)},
		{"POST /hello HTTP/1.1\r\nHost: servertest\r\nContent-Length: 5\r\n\r\nhello", "POST", workload.HelloBody},
	} {
		for i := range len(x.raw) {
			if err := c.send(x.raw[i : i+1]); err != nil {
				t.Fatalf("byte %d of %q: %v", i, x.raw, err)
			}
		}
		r, err := c.read(x.method)
		if err == nil {
			err = check(r, 200, x.body)
		}
		if err != nil {
			t.Fatalf("%q sent byte by byte: %v", x.raw, err)
		}
	}
}
