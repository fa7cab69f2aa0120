package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/benchsuite/threads-vs-loop/internal/wire"
	"github.com/benchsuite/threads-vs-loop/sampler"
)

const sampleSynopsis = `sample --pid PID [--interval 100ms] [--once] [--exit-on-stdin-eof]

Samples the process tree of PID (RSS, threads, CPU, descriptors, as bench run does for a
local server) and prints one sampler.Sample per line as JSON until the tree exits or
SIGINT/SIGTERM: a multi-host run samples its remote server this way, over ssh. With
--exit-on-stdin-eof it also reads commands on stdin: "mark" reads the tree's context
switches, "since" prints {"Switches": ...}, those made since the mark.`

func runSample(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("sample", sampleSynopsis, stdout)
	var a wire.SampleArgs
	a.Bind(fs.FlagSet)
	pid, interval, once := &a.PID, &a.Interval, &a.Once
	eof := fs.Bool("exit-on-stdin-eof", false, "exit when standard input closes (started over ssh); read mark/since commands")
	if err := fs.parse(args); err != nil {
		return ignoreHelp(err)
	}
	if *pid <= 0 || *interval <= 0 {
		return usageError{"sample: --pid and --interval must be positive"}
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	s := sampler.New(*pid, true)
	out := &lineWriter{w: bufio.NewWriter(stdout)}
	if *eof {
		go sampleCommands(stdin, s, out)
	}
	t := time.NewTicker(*interval)
	defer t.Stop()
	for {
		if err := s.Tick(); err != nil || s.Gone() {
			return nil
		}
		all := s.Samples()
		if out.write(all[len(all)-1]) != nil || *once {
			return nil // the reader went away, or one was asked for
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// lineWriter writes one JSON value a line, flushed, from several goroutines.
type lineWriter struct {
	mu sync.Mutex
	w  *bufio.Writer
}

func (l *lineWriter) write(v any) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := json.NewEncoder(l.w).Encode(v); err != nil {
		return err
	}
	return l.w.Flush()
}

// sampleCommands serves "mark" and "since" from r (context switches over a window) and
// ends the process as on SIGTERM at end of file.
func sampleCommands(r io.Reader, s *sampler.Sampler, out *lineWriter) {
	var mark sampler.SwitchReading
	var marked error = errors.New("no mark")
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		switch strings.TrimSpace(sc.Text()) {
		case wire.SampleMark:
			mark, marked = s.Switches()
		case wire.SampleSince:
			sw := sampler.Switches{}
			if marked == nil {
				if d, err := s.SwitchesSince(mark); err == nil {
					sw = d
				}
			}
			out.write(wire.SampleLine{Switches: &sw})
		}
	}
	syscall.Kill(os.Getpid(), syscall.SIGTERM)
}
