package servertest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/benchsuite/threads-vs-loop/internal/http1"
	"github.com/benchsuite/threads-vs-loop/servers/workload"
)

// The subtests of this file are what RFC 9112 asks every server to accept though clients
// seldom send it, and the Date and Server headers. Each is a subtest of its own, so that a
// runner against another server (nginx, Apache, Node) can pick them by name.

// chunkedPost is the head of a chunked POST to /hello.
const chunkedPost = "POST /hello HTTP/1.1\r\nHost: servertest\r\nTransfer-Encoding: chunked\r\n\r\n"

// testAbsoluteForm: a request-target in absolute-form is served as its path and query.
func testAbsoluteForm(t *testing.T, addr string) {
	c := mustDial(t, addr)
	for _, x := range []exchange{
		{"http://servertest/hello", 200, workload.HelloBody},
		{"http://servertest:80/bytes?kb=2", 200, patternKB(2)},
		{"http://servertest", 200, workload.HelloBody},
		{"http://servertest/nope", 404, errorBody(404)},
	} {
		expectExchange(t, c, x)
	}
}

// testLeadingCRLF: empty lines before a request line are ignored (RFC 9112 section 2.2),
// alone and after a POST body, as some clients send them.
func testLeadingCRLF(t *testing.T, addr string) {
	c := mustDial(t, addr)
	for _, raw := range []string{
		"\r\n" + get("/hello"),
		"\r\n\r\n" + get("/hello"),
		"POST /hello HTTP/1.1\r\nHost: servertest\r\nContent-Length: 2\r\n\r\nok\r\n",
		get("/hello"),
	} {
		method, _, _ := strings.Cut(strings.TrimLeft(raw, "\r\n"), " ")
		r, err := c.roundTrip(raw, method)
		if err == nil {
			err = check(r, 200, workload.HelloBody)
		}
		if err != nil {
			t.Fatalf("%q: %v", raw, err)
		}
	}
}

// testChunkedPost: chunked bodies, with extensions and trailers, sent whole or a byte at
// a time, are consumed: the connection goes on serving the requests after them.
func testChunkedPost(t *testing.T, addr string) {
	c := mustDial(t, addr)
	bodies := []string{
		"5\r\nhello\r\n6;ext=\"a b\";flag\r\n world\r\n0\r\nX-Trailer: t\r\nChecksum: 1\r\n\r\n",
		"0\r\n\r\n",
		"800\r\n" + strings.Repeat("x", 0x800) + "\r\n0\r\n\r\n",
	}
	for _, body := range bodies {
		r, err := c.roundTrip(chunkedPost+body, "POST")
		if err == nil {
			err = check(r, 200, workload.HelloBody)
		}
		if err != nil {
			t.Fatalf("chunked POST %q: %v", clip([]byte(body)), err)
		}
		expectExchange(t, c, exchange{"/bytes?kb=1", 200, patternKB(1)})
	}
	raw := chunkedPost + bodies[0]
	for i := range len(raw) {
		if err := c.send(raw[i : i+1]); err != nil {
			t.Fatalf("byte %d: %v", i, err)
		}
	}
	r, err := c.read("POST")
	if err == nil {
		err = check(r, 200, workload.HelloBody)
	}
	if err != nil {
		t.Fatalf("chunked POST sent byte by byte: %v", err)
	}
	expectExchange(t, c, exchange{"/hello", 200, workload.HelloBody})
}

// testChunkedMalformed: a malformed chunked body is 400 and closes its connection, while a
// connection being served meanwhile goes on.
func testChunkedMalformed(t *testing.T, addr string) {
	steady := mustDial(t, addr)
	hello := exchange{"/hello", 200, workload.HelloBody}
	expectExchange(t, steady, hello)
	for _, m := range []malformed{
		{"data longer than its size", chunkedPost + "5\r\nhelloX\r\n0\r\n\r\n", 400, false, false},
		{"size not hex", chunkedPost + "zz\r\nhello\r\n0\r\n\r\n", 400, false, false},
		{"bare LF after size", chunkedPost + "5\nhello\r\n0\r\n\r\n", 400, false, false},
		{"after a good request", get("/hello") + chunkedPost + "3\r\nabc\r\nQ\r\n\r\n", 400, false, true},
	} {
		t.Run(m.name, func(t *testing.T) { expectRefused(t, addr, m) })
		expectExchange(t, steady, hello)
	}
}

// testChunkedTooLarge: a chunked body whose data passes 1 MiB is 413, whether one chunk
// announces it or the chunks add up to it.
func testChunkedTooLarge(t *testing.T, addr string) {
	half := http1.MaxBodyBytes / 2
	for _, m := range []malformed{
		{"one chunk", chunkedPost + fmt.Sprintf("%x\r\n", http1.MaxBodyBytes+1), 413, false, false},
		{"chunks together", chunkedPost + fmt.Sprintf("%x\r\n%s\r\n%x\r\n", half, strings.Repeat("a", half), half+1),
			413, false, false},
	} {
		t.Run(m.name, func(t *testing.T) { expectRefused(t, addr, m) })
	}
}

// testExpectContinue: a client that sends "Expect: 100-continue" gets "100 Continue" after
// its head and before it sends the body, once per request, then the final response.
func testExpectContinue(t *testing.T, addr string) {
	body := strings.Repeat("b", 2048)
	for _, x := range []struct{ name, head, body string }{
		{"Content-Length", "POST /hello HTTP/1.1\r\nHost: servertest\r\nExpect: 100-continue\r\nContent-Length: 2048\r\n\r\n", body},
		{"chunked", "POST /hello HTTP/1.1\r\nHost: servertest\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n",
			"800\r\n" + body + "\r\n0\r\n\r\n"},
	} {
		t.Run(x.name, func(t *testing.T) {
			c := mustDial(t, addr)
			for range 2 { // twice on one connection: once per request
				expectContinue(t, c, x.head, x.body)
			}
			expectExchange(t, c, exchange{"/hello", 200, workload.HelloBody})
		})
	}
}

// expectContinue sends head, waits for 100 Continue, sends body in two writes and checks
// that the next response is the final 200.
func expectContinue(t *testing.T, c *conn, head, body string) {
	t.Helper()
	if err := c.send(head); err != nil {
		t.Fatal(err)
	}
	r, err := c.read("POST")
	if err != nil || r.status != 100 {
		t.Fatalf("before the body: %+v, %v; want 100 Continue", r, err)
	}
	for _, part := range []string{body[:len(body)/2], body[len(body)/2:]} {
		if err := c.send(part); err != nil {
			t.Fatal(err)
		}
	}
	r, err = c.read("POST")
	if err == nil {
		err = check(r, 200, workload.HelloBody)
	}
	if err != nil {
		t.Fatalf("after the body: %v", err)
	}
}

// testHostRules: an HTTP/1.1 request without Host, or with two, is 400 and closes.
func testHostRules(t *testing.T, addr string) {
	for _, m := range []malformed{
		{"missing", "GET /hello HTTP/1.1\r\nAccept: */*\r\n\r\n", 400, false, false},
		{"two", "GET /hello HTTP/1.1\r\nHost: servertest\r\nHost: other\r\n\r\n", 400, false, false},
	} {
		t.Run(m.name, func(t *testing.T) { expectRefused(t, addr, m) })
	}
}

// testDateServer: every response (200, HEAD, 404, 405, a large body, a refusal) carries
// Server and a Date that http.ParseTime reads and that is within a few seconds of now.
func testDateServer(t *testing.T, addr string) {
	c := mustDial(t, addr)
	for _, x := range []struct{ raw, method string }{
		{get("/hello"), "GET"},
		{"HEAD /hello HTTP/1.1\r\nHost: servertest\r\n\r\n", "HEAD"},
		{get("/nope"), "GET"},
		{"DELETE / HTTP/1.1\r\nHost: servertest\r\n\r\n", "DELETE"},
		{get("/bytes?kb=64"), "GET"},
		{get("/io?ms=1"), "GET"},
		{"GET / HTTP/1.1\r\n\r\n", "GET"}, // 400: no Host
	} {
		r, err := c.roundTrip(x.raw, x.method)
		if err == nil {
			err = checkDateServer(r, time.Now())
		}
		if err != nil {
			t.Fatalf("%q: %v", x.raw, err)
		}
	}
}

// checkDateServer checks a response's Server and Date headers against now.
func checkDateServer(r *response, now time.Time) error {
	if len(r.header.Values("Server")) != 1 || r.header.Get("Server") == "" {
		return fmt.Errorf("status %d: Server %q, want one", r.status, r.header.Values("Server"))
	}
	dates := r.header.Values("Date")
	if len(dates) != 1 {
		return fmt.Errorf("status %d: Date %q, want one", r.status, dates)
	}
	d, err := http.ParseTime(dates[0])
	if err != nil {
		return fmt.Errorf("status %d: Date %q: %w", r.status, dates[0], err)
	}
	if off := now.Sub(d); off < -2*time.Second || off > 5*time.Second {
		return fmt.Errorf("status %d: Date %q is %v from now", r.status, dates[0], off)
	}
	return nil
}
