package orchestrator

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// waitReady polls GET /hello until the server answers 200, and records the size of that
// answer (head and body, as a keep-alive client receives it).
func (p *serverProc) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(StartTimeout)
	for {
		n, err := probeHello(p.Addr())
		if err == nil {
			p.helloBytes, p.readyFDs = n, p.OpenFDs()
			return nil
		}
		select {
		case <-p.Done():
			return fmt.Errorf("exited before answering: %s", p.How())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no answer to GET /hello on %s: %w", p.Addr(), err)
		}
	}
}

// probeHello sends one keep-alive GET /hello, as the load generator does, and returns how
// many bytes the 200 answer took on the wire.
func probeHello(addr string) (int, error) {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := io.WriteString(c, "GET /hello HTTP/1.1\r\nHost: bench\r\n\r\n"); err != nil {
		return 0, err
	}
	cr := &countingReader{r: c}
	resp, err := http.ReadResponse(bufio.NewReaderSize(cr, 512), nil)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("status %q", resp.Status)
	}
	return cr.n, nil // the server sends nothing after its one answer, so all read is the answer
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += n
	return n, err
}

// settleFDs is how many descriptors above its count when it became ready a kept server
// may hold before the next step starts (the client side has closed the previous step's
// connections; the server notices within its next wake-ups).
const (
	settleFDs     = 8
	settleTimeout = 10 * time.Second
)

// settle waits until the server holds no more descriptors than when it became ready
// (plus settleFDs), and returns a note if it does not within settleTimeout.
func (p *serverProc) settle(ctx context.Context) string {
	if p.readyFDs < 0 {
		return ""
	}
	deadline := time.Now().Add(settleTimeout)
	for {
		n := p.OpenFDs()
		if n >= 0 && n <= p.readyFDs+settleFDs {
			return ""
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Sprintf("the server still held %d descriptors (%d when it started) when the step began", n, p.readyFDs)
		}
		select {
		case <-ctx.Done():
		case <-p.Done():
			return ""
		case <-time.After(20 * time.Millisecond): // polling /proc for the condition
		}
	}
}
