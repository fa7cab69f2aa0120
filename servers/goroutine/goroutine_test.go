package goroutine

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/benchsuite/threads-vs-loop/internal/http1"
	"github.com/benchsuite/threads-vs-loop/servers"
	"github.com/benchsuite/threads-vs-loop/servers/workload"
)

// TestAGoroutinePerConnectionAndCloseEndsThem: every open keep-alive connection holds a
// goroutine of its own, and Close closes each connection and returns only once their
// goroutines have ended (the process's goroutine count is back where it began).
func TestAGoroutinePerConnectionAndCloseEndsThem(t *testing.T) {
	wl, err := workload.New()
	if err != nil {
		t.Fatal(err)
	}
	defer wl.Close()
	http1.Date() // the Date header's goroutine, one per process for its life, started now
	before := runtime.NumGoroutine()
	srv, err := servers.New("goroutine", servers.Config{Addr: "127.0.0.1:0", Workload: wl}) // with the defaults
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve() }()
	const n = 50
	conns := make([]net.Conn, n)
	for i := range conns {
		c, err := net.Dial("tcp", srv.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := io.WriteString(c, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("connection %d: %v %v", i, resp, err)
		}
		resp.Body.Close()
		conns[i] = c
	}
	if grown := runtime.NumGoroutine() - before; grown < n+1 { // and Serve's
		t.Errorf("%d goroutines more with %d connections open, want one each and Serve's", grown, n)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
	// A goroutine's deferred Done runs a moment before it is gone: polled, for a second
	// at most (nothing tells another goroutine that one has ended).
	for deadline := time.Now().Add(time.Second); runtime.NumGoroutine() > before && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if after := runtime.NumGoroutine(); after > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines a second after Close, %d before the server started:\n%s", after, before, buf[:runtime.Stack(buf, true)])
	}
	for i, c := range conns {
		c.SetReadDeadline(time.Now().Add(2 * time.Second)) // a connection left open fails, not hangs
		if _, err := c.Read(make([]byte, 1)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("connection %d still open after Close", i)
		}
	}
}
