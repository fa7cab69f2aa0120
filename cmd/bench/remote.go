package main

// What the commands a coordinator starts over ssh share (bench serve, load, sample, peer,
// keep with --exit-on-stdin-eof or --start-at stdin): the end of the session, the start
// line, the server's own count of responses.

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	"github.com/benchsuite/threads-vs-loop/internal/wire"
	"github.com/benchsuite/threads-vs-loop/loadgen"
	"github.com/benchsuite/threads-vs-loop/servers"
)

// atEOF returns a channel closed once stdin reaches end of file (or fails to read): a
// bench started over ssh by a coordinator (--exit-on-stdin-eof) learns that the session
// ended, whether the coordinator closed it or died. Each command that ends with its
// session waits on it.
func atEOF(stdin io.Reader) <-chan struct{} {
	eof := make(chan struct{})
	go func() {
		io.Copy(io.Discard, stdin)
		close(eof)
	}()
	return eof
}

// watchStdin makes the process end as on SIGTERM once stdin reaches end of file, so the
// command's own signal handling stops it cleanly.
func watchStdin(stdin io.Reader) {
	eof := atEOF(stdin)
	go func() {
		<-eof
		syscall.Kill(os.Getpid(), syscall.SIGTERM)
	}()
}

// countLog appends "UNIX_NANOS RESPONSES" lines to path every millisecond: the server's
// own count of responses since it started, to check a run's request counts against
// (appended: a run that restarts its server keeps every server's lines, in time order).
func countLog(path string) (stop func(), err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	servers.CountResponses()
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		w := bufio.NewWriter(f)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			fmt.Fprintf(w, "%d %d\n", time.Now().UnixNano(), servers.Responses())
			select {
			case <-done:
				w.Flush()
				f.Close()
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished }, nil
}

// readStart reads the "UNIX_NANOS [WARMUP]" line a coordinator sends once every client
// host is ready, byte by byte so that nothing after it is consumed.
func readStart(r io.Reader, cfg *loadgen.Config) error {
	var line []byte
	b := make([]byte, 1)
	for {
		if _, err := r.Read(b); err != nil {
			return err
		}
		if b[0] == '\n' {
			break
		}
		line = append(line, b[0])
	}
	return wire.ParseStartLine(string(line), cfg)
}
