//go:build linux

package evented

import (
	"bytes"
	"net"
	"testing"
	"time"

	"github.com/benchsuite/threads-vs-loop/servers"
	"github.com/benchsuite/threads-vs-loop/servers/workload"
)

func startEvented(tb testing.TB, cfg servers.Config) servers.Server {
	tb.Helper()
	wl, err := workload.New()
	if err != nil {
		tb.Fatal(err)
	}
	cfg.Workload = wl
	srv, err := servers.New("evented", cfg)
	if err != nil {
		wl.Close()
		tb.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve() }()
	tb.Cleanup(func() {
		srv.Close()
		if err := <-done; err != nil {
			tb.Errorf("Serve: %v", err)
		}
		wl.Close()
	})
	return srv
}

var helloRequest = []byte("GET /hello HTTP/1.1\r\nHost: bench\r\n\r\n")

// roundTrip sends req and reads until the buffer ends with the hello body.
func roundTrip(c net.Conn, req, buf []byte) error {
	if _, err := c.Write(req); err != nil {
		return err
	}
	n := 0
	for !bytes.HasSuffix(buf[:n], workload.HelloBody) {
		m, err := c.Read(buf[n:])
		if err != nil {
			return err
		}
		n += m
	}
	return nil
}

// BenchmarkKeepAliveGET is one keep-alive GET through the loop and back, the allocations
// counted over the whole process (client and server).
func BenchmarkKeepAliveGET(b *testing.B) {
	srv := startEvented(b, servers.Config{})
	c, err := net.Dial("tcp", srv.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	buf := make([]byte, 4096)
	if err := roundTrip(c, helloRequest, buf); err != nil { // the connection's first request
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := roundTrip(c, helloRequest, buf); err != nil {
			b.Fatal(err)
		}
	}
}

// TestKeepAliveGETDoesNotAllocate pins the loop's request path at zero allocations: a
// keep-alive GET read, parsed, answered and written without a heap allocation anywhere in
// the process.
func TestKeepAliveGETDoesNotAllocate(t *testing.T) {
	srv := startEvented(t, servers.Config{})
	c, err := net.Dial("tcp", srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Minute))
	buf := make([]byte, 4096)
	if err := roundTrip(c, helloRequest, buf); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(1000, func() {
		if err := roundTrip(c, helloRequest, buf); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per keep-alive GET, want 0", allocs)
	}
}
