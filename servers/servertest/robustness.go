package servertest

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/benchsuite/threads-vs-loop/servers/workload"
)

// malformed is a request the server must refuse, then close the connection.
type malformed struct {
	name   string
	raw    string
	status int
	// unread: the server may stop reading before the end of raw (431), so closing with
	// bytes unread may reach us as a reset after the response.
	unread bool
	// goodFirst: raw starts with a good GET /hello, answered before the refusal.
	goodFirst bool
}

var malformedCases = []malformed{
	{"garbage line", "HELLO\r\n\r\n", 400, false, false},
	{"bad header line", "GET / HTTP/1.1\r\nHost: servertest\r\nno colon here\r\n\r\n", 400, false, false},
	{"bare LF", "GET / HTTP/1.1\nHost: servertest\n\n", 400, false, false},
	{"NUL byte", "GET / HTTP/1.1\r\nHost: server\x00test\r\n\r\n", 400, false, false},
	{"CL and TE", "POST / HTTP/1.1\r\nHost: servertest\r\nContent-Length: 3\r\n" +
		"Transfer-Encoding: chunked\r\n\r\n", 400, false, false},
	{"bad Content-Length", "POST / HTTP/1.1\r\nHost: servertest\r\nContent-Length: -1\r\n\r\n", 400, false, false},
	{"no Host", "GET / HTTP/1.1\r\n\r\n", 400, false, false},
	{"bad target", "GET hello HTTP/1.1\r\nHost: servertest\r\n\r\n", 400, false, false},
	{"HTTP/2.0", "GET / HTTP/2.0\r\nHost: servertest\r\n\r\n", 505, false, false},
	{"unsupported transfer coding", "POST / HTTP/1.1\r\nHost: servertest\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501, false, false},
	{"body too large", "POST / HTTP/1.1\r\nHost: servertest\r\nContent-Length: 2000000\r\n\r\n", 413, false, false},
	{"head too large", "GET / HTTP/1.1\r\nHost: servertest\r\nX-Pad: " + strings.Repeat("p", 9<<10), 431, true, false},
	{"conflicting Content-Length", "POST / HTTP/1.1\r\nHost: servertest\r\nContent-Length: 3\r\n" +
		"Content-Length: 4\r\n\r\n", 400, false, false},
	{"TLS after a good request", get("/hello") + "\x16\x03\x01\x02\x00\x01\x00\r\n\r\n", 400, false, true},
}

// testMalformed: each malformed request gets its status and a closed connection, and the
// server goes on answering new connections.
func testMalformed(t *testing.T, addr string) {
	for _, m := range malformedCases {
		t.Run(m.name, func(t *testing.T) { expectRefused(t, addr, m) })
	}
}

// expectRefused sends m on a new connection and checks the refusal, the close, and that
// the server still serves.
func expectRefused(t *testing.T, addr string, m malformed) {
	t.Helper()
	c := mustDial(t, addr)
	if err := c.send(m.raw); err != nil {
		t.Fatal(err)
	}
	if m.goodFirst {
		r, err := c.read("GET")
		if err == nil {
			err = check(r, 200, workload.HelloBody)
		}
		if err != nil {
			t.Fatalf("good request before the bad one: %v", err)
		}
	}
	r, err := c.read("GET")
	if err == nil {
		err = check(r, m.status, errorBody(m.status))
	}
	if err == nil {
		err = checkConnection(r, "close")
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := c.expectClosed(m.unread); err != nil {
		t.Fatal(err)
	}
	expectServing(t, addr)
}

// testVanishingClients: clients that close in the middle of a request (a half head, a body
// cut short, a reset) do not disturb a connection being served meanwhile.
func testVanishingClients(t *testing.T, addr string) {
	steady := mustDial(t, addr)
	hello := exchange{"/hello", 200, workload.HelloBody}
	expectExchange(t, steady, hello)
	for _, v := range []struct {
		name, raw string
		reset     bool
	}{
		{"half a head", "GET /hello HTTP/1.1\r\nHo", false},
		{"half a request line", "GE", false},
		{"body cut short", "POST /hello HTTP/1.1\r\nHost: servertest\r\nContent-Length: 100\r\n\r\n0123456789", false},
		{"reset mid-head", "GET /bytes?kb=1 HTTP/1.1\r\nHost: serv", true},
		{"reset mid-body", "POST / HTTP/1.1\r\nHost: servertest\r\nContent-Length: 1000\r\n\r\nabc", true},
		{"reset with a large response due", get("/bytes?kb=10240"), true},
	} {
		c, err := dial(addr)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.send(v.raw); err != nil {
			c.Close()
			t.Fatalf("%s: %v", v.name, err)
		}
		if v.reset {
			c.Conn.(*net.TCPConn).SetLinger(0) // close sends RST
		}
		c.Close()
		expectExchange(t, steady, hello)
		expectExchange(t, steady, exchange{"/io?ms=1", 200, workload.HelloBody})
	}
	expectServing(t, addr)
}

// parallelRequests is how many requests each parallel connection makes.
const parallelRequests = 20

// testParallelConns: 200 connections at once, each making 20 requests on its own
// connection: all 4000 are answered 200.
func testParallelConns(t *testing.T, addr string) {
	const conns = 200
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	for i := range conns {
		wg.Go(func() { errs <- parallelClient(addr, i) })
	}
	wg.Wait()
	close(errs)
	failed := 0
	for err := range errs {
		if err != nil {
			if failed < 5 {
				t.Error(err)
			}
			failed++
		}
	}
	if failed > 0 {
		t.Fatalf("%d of %d connections failed", failed, conns)
	}
}

// parallelClient makes parallelRequests requests on one connection; it reports the first
// failure.
func parallelClient(addr string, id int) error {
	c, err := dial(addr)
	if err != nil {
		return fmt.Errorf("conn %d: dial: %w", id, err)
	}
	defer c.Close()
	for j := range parallelRequests {
		x := exchange{"/hello", 200, workload.HelloBody}
		switch j % 4 {
		case 1:
			x.target = "/io?ms=1"
		case 2:
			x = exchange{"/bytes?kb=4", 200, patternKB(4)}
		}
		r, err := c.roundTrip(get(x.target), "GET")
		if err == nil {
			err = check(r, x.status, x.body)
		}
		if err != nil {
			return fmt.Errorf("conn %d, request %d (GET %s): %w", id, j, x.target, err)
		}
	}
	return nil
}
