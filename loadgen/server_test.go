package loadgen

import (
	"bufio"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testServer is a small HTTP/1.1 server whose misbehaviour a test chooses. It counts the
// requests it answered, so a test can hold the client's count against it.
type testServer struct {
	ln       net.Listener
	addr     string
	answered atomic.Int64 // requests answered with a complete response
	conns    atomic.Int64 // connections accepted
	seq      atomic.Int64 // requests read, over all connections
	resets   atomic.Int64 // connections reset instead of answered
	respond  func(s *testServer, c net.Conn, n int64) bool
	paths    sync.Map // request path → *atomic.Int64: requests read for it
	slowPath string   // requests for this path are answered after slowFor
	slowFor  time.Duration
	wg       sync.WaitGroup
	mu       sync.Mutex
	open     map[net.Conn]bool
}

const helloResponse = "HTTP/1.1 200 OK\r\nContent-Length: 14\r\nContent-Type: text/plain\r\n\r\nHello, World!\n"

// startServer serves on 127.0.0.1:0 until the test ends. respond answers the n-th
// request (from 0, over all connections) and reports whether to keep the connection.
func startServer(t testing.TB, respond func(s *testServer, c net.Conn, n int64) bool) *testServer {
	t.Helper()
	return startSlowServer(t, respond, "", 0)
}

// startSlowServer is startServer whose requests for slowPath are each answered after
// slowFor.
func startSlowServer(t testing.TB, respond func(s *testServer, c net.Conn, n int64) bool, slowPath string, slowFor time.Duration) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &testServer{ln: ln, addr: ln.Addr().String(), respond: respond, open: map[net.Conn]bool{},
		slowPath: slowPath, slowFor: slowFor}
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(s.close)
	return s
}

func (s *testServer) url(path string) string { return "http://" + s.addr + path }

func (s *testServer) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.conns.Add(1)
		s.mu.Lock()
		s.open[c] = true
		s.mu.Unlock()
		s.wg.Add(1)
		go s.serve(c)
	}
}

// serve reads request heads (GET only: no bodies) and answers each in order.
func (s *testServer) serve(c net.Conn) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		delete(s.open, c)
		s.mu.Unlock()
		c.Close()
	}()
	r := bufio.NewReader(c)
	for {
		path, err := readHead(r)
		if err != nil {
			return
		}
		n, _ := s.paths.LoadOrStore(path, new(atomic.Int64))
		n.(*atomic.Int64).Add(1)
		if path == s.slowPath && s.slowFor > 0 {
			time.Sleep(s.slowFor) // the server's own latency, not the test's synchronisation
		}
		if !s.respond(s, c, s.seq.Add(1)-1) {
			return
		}
	}
}

// read is how many requests for path the server has read.
func (s *testServer) read(path string) int64 {
	if n, ok := s.paths.Load(path); ok {
		return n.(*atomic.Int64).Load()
	}
	return 0
}

// readHead reads a request head and returns the request line's target.
func readHead(r *bufio.Reader) (string, error) {
	target := ""
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return "", err
		}
		if target == "" {
			if f := strings.Fields(line); len(f) > 1 {
				target = f[1]
			}
		}
		if line == "\r\n" || line == "\n" {
			return target, nil
		}
	}
}

func (s *testServer) close() {
	s.ln.Close()
	s.mu.Lock()
	for c := range s.open {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// answer counts the request as answered and writes resp. It counts first, so a client
// that has read the response always finds it counted; a failed write takes it back.
func (s *testServer) answer(c net.Conn, resp string) bool {
	s.answered.Add(1)
	if _, err := c.Write([]byte(resp)); err != nil {
		s.answered.Add(-1)
		return false
	}
	return true
}

// countingHello answers 200 and counts.
func countingHello(s *testServer, c net.Conn, _ int64) bool { return s.answer(c, helloResponse) }

// resetEvery answers, but resets (RST, SO_LINGER 0) instead of answering every k-th request.
func resetEvery(k int64) func(*testServer, net.Conn, int64) bool {
	return func(s *testServer, c net.Conn, n int64) bool {
		if n%k == k-1 {
			c.(*net.TCPConn).SetLinger(0)
			s.resets.Add(1)
			return false
		}
		return s.answer(c, helloResponse)
	}
}

// stall reads requests and never answers them.
func stall(*testServer, net.Conn, int64) bool { return true }

// respondWith answers every request with resp, counted as answered.
func respondWith(resp string) func(*testServer, net.Conn, int64) bool {
	return func(s *testServer, c net.Conn, _ int64) bool { return s.answer(c, resp) }
}

// closeAfter answers with Connection: close and closes.
func closeAfter(s *testServer, c net.Conn, _ int64) bool {
	s.answer(c, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok")
	return false
}

// untilClose answers with a body that ends where the connection does (no Content-Length)
// and closes at once, so the body's last bytes and the FIN tend to arrive together.
func untilClose(s *testServer, c net.Conn, _ int64) bool {
	s.answer(c, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nHello, World!\n")
	return false
}

// closedPort is a loopback address nothing listens on.
func closedPort(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// chunkedHello answers with a chunked body split over two chunks and a trailer.
const chunkedHello = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7\r\nHello, \r\n7;x=y\r\nWorld!\n\r\n0\r\nX-T: 1\r\n\r\n"

func withBody(status int, body string) string {
	return "HTTP/1.1 " + strconv.Itoa(status) + " X\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
}

// checkTotals holds a result to its own invariants: the windows and the histogram add up
// to the totals.
func checkTotals(t *testing.T, res *Result) {
	t.Helper()
	checkWindowsAddUp(t, res)
	recorded := res.Requests // the closed engine records successes only
	if res.Engine != "closed" {
		recorded += res.Errors.Total() // the open engine records failures too
	}
	if got := res.Latency.TotalCount(); got != recorded {
		t.Errorf("histogram holds %d latencies for %d requests, %d errors", got, res.Requests, res.Errors.Total())
	}
	if got := res.SuccessLatency.TotalCount(); got != res.Requests {
		t.Errorf("success histogram holds %d latencies for %d requests", got, res.Requests)
	}
}

// checkWindowsAddUp: a result's one-second windows add up to its requests and errors.
func checkWindowsAddUp(t *testing.T, res *Result) {
	t.Helper()
	var reqs, errs int64
	for _, w := range res.Windows {
		reqs += w.Requests
		errs += w.Errors
	}
	if reqs != res.Requests || errs != res.Errors.Total() {
		t.Errorf("windows add up to %d requests, %d errors; totals %d, %d", reqs, errs, res.Requests, res.Errors.Total())
	}
}
