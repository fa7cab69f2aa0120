package servertest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/benchsuite/threads-vs-loop/internal/http1"
	"github.com/benchsuite/threads-vs-loop/servers/workload"
)

// MaxConns is the most connections the suite holds open at once (the parallel test), plus
// a margin for connections other subtests are closing: a model that caps concurrent
// connections must allow at least this many.
const MaxConns = 200 + 16

// safetyTimeout bounds every connection's life, so a hung server fails the test instead
// of hanging it. It is not used to wait for anything.
const safetyTimeout = 10 * time.Second

// Run runs the conformance suite against one model. start launches the server on
// 127.0.0.1:0, registers its shutdown with t.Cleanup, and returns its "host:port". The
// subtests share that server and run one after another.
func Run(t *testing.T, start func(t *testing.T) (addr string)) {
	t.Helper()
	addr := start(t)
	if _, err := pattern(); err != nil {
		t.Fatalf("reference workload: %v", err)
	}
	for _, st := range subtests {
		runSubtest(t, st.name, func(t *testing.T) { st.fn(t, addr) })
	}
}

// runSubtest runs fn as subtest name.
func runSubtest(t *testing.T, name string, fn func(t *testing.T)) {
	t.Helper()
	t.Run(name, fn)
}

// subtests is the suite, in the order Run executes it.
var subtests = []struct {
	name string
	fn   func(t *testing.T, addr string)
}{
	{"Endpoints", testEndpoints},
	{"RouteErrors", testRouteErrors},
	{"Post", testPost},
	{"Head", testHead},
	{"KeepAlive", testKeepAlive},
	{"Pipelining", testPipelining},
	{"HTTP10", testHTTP10},
	{"ConnectionClose", testConnectionClose},
	{"Malformed", testMalformed},
	{"VanishingClients", testVanishingClients},
	{"ParallelConns", testParallelConns},
	{"SlowClient", testSlowClient},
	{"HalfClose", testHalfClose},
	{"DeepPipeline", testDeepPipeline},
	{"Limits", testLimits},
	{"PipelinedClose", testPipelinedClose},
	{"AbsoluteForm", testAbsoluteForm},
	{"LeadingCRLF", testLeadingCRLF},
	{"ChunkedPost", testChunkedPost},
	{"ChunkedMalformed", testChunkedMalformed},
	{"ChunkedTooLarge", testChunkedTooLarge},
	{"ExpectContinue", testExpectContinue},
	{"HostRules", testHostRules},
	{"DateServer", testDateServer},
}

// pattern is the reference body of /bytes and /file at the largest size, taken from a
// workload of our own: every model must send these very bytes.
var pattern = sync.OnceValues(func() ([]byte, error) {
	w, err := workload.New()
	if err != nil {
		return nil, err
	}
	defer w.Close()
	return w.Bytes(workload.MaxKB), nil // memory, still valid after Close
})

// patternKB is the expected body of /bytes?kb=kb and /file?kb=kb.
func patternKB(kb int) []byte {
	p, _ := pattern() // Run has checked the error
	return p[:kb<<10]
}

// errorBody is the body of an error response: its reason phrase and a newline.
func errorBody(status int) []byte { return []byte(http1.StatusText(status) + "\n") }

// conn is a raw client connection with a buffered reader for responses.
type conn struct {
	net.Conn
	br *bufio.Reader
}

// dial opens a connection whose deadline is safetyTimeout away.
func dial(addr string) (*conn, error) {
	c, err := net.DialTimeout("tcp", addr, safetyTimeout)
	if err != nil {
		return nil, err
	}
	if err := c.SetDeadline(time.Now().Add(safetyTimeout)); err != nil {
		c.Close()
		return nil, err
	}
	return &conn{Conn: c, br: bufio.NewReader(c)}, nil
}

// mustDial dials or fails the test; the connection is closed when the test ends.
func mustDial(t testing.TB, addr string) *conn {
	t.Helper()
	skipExcused(t, addr) // a case a peer is excused from (peers.go)
	c, err := dial(addr)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// send writes raw bytes in one write.
func (c *conn) send(s string) error {
	_, err := io.WriteString(c.Conn, s)
	return err
}

// get is a minimal HTTP/1.1 request for target.
func get(target string) string {
	return "GET " + target + " HTTP/1.1\r\nHost: servertest\r\n\r\n"
}

// response is a parsed response with its whole body.
type response struct {
	status int
	header http.Header
	body   []byte
	close  bool // Connection: close
}

// read parses one response to a request of the given method (HEAD responses have no body).
func (c *conn) read(method string) (*response, error) {
	resp, err := http.ReadResponse(c.br, &http.Request{Method: method})
	if err != nil {
		return nil, fmt.Errorf("read response to %s: %w", method, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("read %d response body: %w", resp.StatusCode, err)
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: body, close: resp.Close}, nil
}

// roundTrip sends raw and reads one response.
func (c *conn) roundTrip(raw, method string) (*response, error) {
	if err := c.send(raw); err != nil {
		return nil, fmt.Errorf("send: %w", err)
	}
	return c.read(method)
}

// expectClosed checks that the server closed the connection after the last response: the
// next read ends the stream with no more bytes. A reset counts as closed only when the
// server was left unread request bytes (the kernel then answers close with RST).
func (c *conn) expectClosed(resetOK bool) error {
	var b [1]byte
	n, err := c.br.Read(b[:])
	switch {
	case n > 0:
		return fmt.Errorf("server sent %q after the last response instead of closing", b[:n])
	case errors.Is(err, io.EOF):
		return nil
	case resetOK && errors.Is(err, syscall.ECONNRESET):
		return nil
	}
	return fmt.Errorf("connection not closed by the server: %v", err)
}

// check compares a response with the expected status and body, its Content-Length with the
// body, and (for 200) its Content-Type.
func check(r *response, status int, body []byte) error {
	if r.status != status {
		return fmt.Errorf("status %d, want %d (body %q)", r.status, status, clip(r.body))
	}
	if err := checkLength(r, len(body)); err != nil {
		return err
	}
	if !bytes.Equal(r.body, body) {
		return fmt.Errorf("status %d: body differs: %s", status, diff(r.body, body))
	}
	if ct := r.header.Get("Content-Type"); status == 200 && ct != workload.ContentType {
		return fmt.Errorf("Content-Type %q, want %q", ct, workload.ContentType)
	}
	return nil
}

// checkLength checks the Content-Length header against n.
func checkLength(r *response, n int) error {
	if cl := r.header.Get("Content-Length"); cl != strconv.Itoa(n) {
		return fmt.Errorf("status %d: Content-Length %q, want %d", r.status, cl, n)
	}
	return nil
}

// diff describes how got differs from want without printing megabytes.
func diff(got, want []byte) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	return fmt.Sprintf("len %d, want %d; first difference at byte %d: got %q, want %q",
		len(got), len(want), i, clip(got[i:]), clip(want[i:]))
}

// clip shortens a body for an error message.
func clip(b []byte) []byte {
	if len(b) > 40 {
		return b[:40]
	}
	return b
}

// expectServing checks, on a new connection, that the server still answers.
func expectServing(t *testing.T, addr string) {
	t.Helper()
	c := mustDial(t, addr)
	r, err := c.roundTrip(get("/hello"), "GET")
	if err == nil {
		err = check(r, 200, workload.HelloBody)
	}
	if err != nil {
		t.Fatalf("server no longer serving a new connection: %v", err)
	}
}
