package servertest

import (
	"testing"

	"github.com/benchsuite/threads-vs-loop/servers/workload"
)

// exchange is a request target and the response it must get.
type exchange struct {
	target string
	status int
	body   []byte
}

// testEndpoints: every endpoint answers 200 with the shared bodies, on one keep-alive
// connection; /bytes and /file send the same bytes.
func testEndpoints(t *testing.T, addr string) {
	c := mustDial(t, addr)
	for _, x := range []exchange{
		{"/", 200, workload.HelloBody},
		{"/hello", 200, []byte("Hello, World!\n")},
		{"/io?ms=5", 200, workload.HelloBody},
		{"/cpu?us=100", 200, workload.HelloBody},
		{"/file?kb=3", 200, patternKB(3)},
		{"/bytes?kb=3", 200, patternKB(3)},
		{"/bytes?kb=10240", 200, patternKB(10240)},
		{"/file?kb=10240", 200, patternKB(10240)},
		{"/bytes?kb=1&other=x", 200, patternKB(1)},
	} {
		expectExchange(t, c, x)
	}
}

// expectExchange sends a GET for x.target on c and checks the response, which must keep
// the connection open.
func expectExchange(t *testing.T, c *conn, x exchange) {
	t.Helper()
	r, err := c.roundTrip(get(x.target), "GET")
	if err == nil {
		err = check(r, x.status, x.body)
	}
	if err != nil {
		t.Fatalf("GET %s: %v", x.target, err)
	}
	if r.close {
		t.Fatalf("GET %s: %d response closes the connection; want keep-alive", x.target, x.status)
	}
}

// testRouteErrors: bad parameters are 400, an unknown path 404, other methods 405 with
// Allow; none of them closes the connection.
func testRouteErrors(t *testing.T, addr string) {
	c := mustDial(t, addr)
	for _, target := range []string{
		"/io?ms=10001", "/cpu?us=-1", "/file?kb=0", "/bytes?kb=10241", "/io", "/io?ms=abc",
		"/cpu?us=", "/bytes?kb=1x",
	} {
		expectExchange(t, c, exchange{target, 400, errorBody(400)})
	}
	for _, target := range []string{"/nope", "/hello/", "/HELLO", "/index.html"} {
		expectExchange(t, c, exchange{target, 404, errorBody(404)})
	}
	for _, raw := range []string{
		"DELETE / HTTP/1.1\r\nHost: servertest\r\n\r\n",
		"PUT /hello HTTP/1.1\r\nHost: servertest\r\nContent-Length: 3\r\n\r\nabc",
		"OPTIONS /bytes?kb=1 HTTP/1.1\r\nHost: servertest\r\n\r\n",
	} {
		r, err := c.roundTrip(raw, "")
		if err == nil {
			err = check(r, 405, errorBody(405))
		}
		if err != nil {
			t.Fatalf("%q: %v", raw, err)
		}
		if allow := r.header.Get("Allow"); allow != workload.Allow {
			t.Fatalf("%q: Allow %q, want %q", raw, allow, workload.Allow)
		}
		if r.close {
			t.Fatalf("%q: 405 closes the connection; want keep-alive", raw)
		}
	}
	expectExchange(t, c, exchange{"/hello", 200, workload.HelloBody})
}

// testPost: POST with a small body is 200, and the body is consumed (the next request on
// the connection is parsed from the right place).
func testPost(t *testing.T, addr string) {
	c := mustDial(t, addr)
	for _, raw := range []string{
		"POST /hello HTTP/1.1\r\nHost: servertest\r\nContent-Length: 11\r\n\r\nhello=world",
		"POST /cpu?us=10 HTTP/1.1\r\nHost: servertest\r\nContent-Length: 15\r\n\r\nGET / HTTP/1.1\r",
		"POST / HTTP/1.1\r\nHost: servertest\r\nContent-Length: 0\r\n\r\n",
	} {
		r, err := c.roundTrip(raw, "POST")
		if err == nil {
			err = check(r, 200, workload.HelloBody)
		}
		if err != nil {
			t.Fatalf("%q: %v", raw, err)
		}
	}
	expectExchange(t, c, exchange{"/bytes?kb=2", 200, patternKB(2)})
}

// testHead: HEAD gets the GET's status and Content-Length and no body, which the GET that
// follows on the same connection proves (stray body bytes would corrupt its response).
func testHead(t *testing.T, addr string) {
	c := mustDial(t, addr)
	for _, x := range []exchange{
		{"/hello", 200, workload.HelloBody},
		{"/bytes?kb=20", 200, patternKB(20)},
		{"/file?kb=3", 200, patternKB(3)},
		{"/bytes?kb=10240", 200, patternKB(10240)},
		{"/nope", 404, errorBody(404)},
		{"/io?ms=abc", 400, errorBody(400)},
	} {
		r, err := c.roundTrip("HEAD "+x.target+" HTTP/1.1\r\nHost: servertest\r\n\r\n", "HEAD")
		if err != nil {
			t.Fatalf("HEAD %s: %v", x.target, err)
		}
		if r.status != x.status {
			t.Fatalf("HEAD %s: status %d, want %d", x.target, r.status, x.status)
		}
		if err := checkLength(r, len(x.body)); err != nil {
			t.Fatalf("HEAD %s: %v", x.target, err)
		}
		expectExchange(t, c, x)
	}
	// Both in one write: the HEAD's response must end exactly at its head.
	head := "HEAD /bytes?kb=5 HTTP/1.1\r\nHost: servertest\r\n\r\n"
	if err := c.send(head + get("/hello")); err != nil {
		t.Fatal(err)
	}
	if r, err := c.read("HEAD"); err != nil || r.status != 200 || len(r.body) != 0 {
		t.Fatalf("pipelined HEAD: %+v, %v", r, err)
	}
	r, err := c.read("GET")
	if err == nil {
		err = check(r, 200, workload.HelloBody)
	}
	if err != nil {
		t.Fatalf("GET after pipelined HEAD: %v", err)
	}
}
