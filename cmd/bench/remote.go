package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/benchsuite/threads-vs-loop/loadgen"
	"github.com/benchsuite/threads-vs-loop/metrics"
	"github.com/benchsuite/threads-vs-loop/servers"
)

// watchStdin makes the process end as on SIGTERM once its standard input reaches end of
// file: a bench started over ssh by a coordinator (--exit-on-stdin-eof) ends with the ssh
// session, whether the coordinator closed it or died.
func watchStdin() {
	go func() {
		io.Copy(io.Discard, os.Stdin)
		syscall.Kill(os.Getpid(), syscall.SIGTERM)
	}()
}

const versionSynopsis = `version [--hash]

Prints the build's hash: the SHA-256 of this executable, which a multi-host run compares
with the bench on each host before it copies itself there.`

func runVersion(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version", versionSynopsis, stdout)
	fs.Bool("hash", true, "print the executable's SHA-256 (the default)")
	if err := fs.parse(args); err != nil {
		return ignoreHelp(err)
	}
	h, err := executableHash()
	if err != nil {
		return fmt.Errorf("version: %w", err)
	}
	fmt.Fprintln(stdout, h)
	return nil
}

// executableHash is the SHA-256 of os.Executable(), in hex.
func executableHash() (string, error) {
	path, err := os.Executable()
	if err != nil {
		return "", err
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

const sampleSynopsis = `sample --pid PID [--interval 100ms] [--once] [--exit-on-stdin-eof]

Samples the process tree of PID (RSS, threads, CPU, descriptors, as bench run does for a
local server) and prints one metrics.Sample per line as JSON until the tree exits or
SIGINT/SIGTERM: a multi-host run samples its remote server this way, over ssh. With
--exit-on-stdin-eof it also reads commands on stdin: "mark" reads the tree's context
switches, "since" prints {"Switches": ...}, those made since the mark.`

func runSample(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("sample", sampleSynopsis, stdout)
	pid := fs.Int("pid", 0, "the process whose tree is sampled (required)")
	interval := fs.Duration("interval", metrics.DefaultInterval, "sampling period")
	eof := fs.Bool("exit-on-stdin-eof", false, "exit when standard input closes (started over ssh); read mark/since commands")
	once := fs.Bool("once", false, "print one sample and exit")
	if err := fs.parse(args); err != nil {
		return ignoreHelp(err)
	}
	if *pid <= 0 || *interval <= 0 {
		return usageError{"sample: --pid and --interval must be positive"}
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	s := metrics.NewSampler(*pid, true)
	out := &lineWriter{w: bufio.NewWriter(stdout)}
	if *eof {
		go sampleCommands(os.Stdin, s, out)
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
func sampleCommands(r io.Reader, s *metrics.Sampler, out *lineWriter) {
	var mark metrics.SwitchReading
	var marked error = errors.New("no mark")
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		switch strings.TrimSpace(sc.Text()) {
		case "mark":
			mark, marked = s.Switches()
		case "since":
			sw := metrics.Switches{}
			if marked == nil {
				if d, err := s.SwitchesSince(mark); err == nil {
					sw = d
				}
			}
			out.write(struct{ Switches metrics.Switches }{sw})
		}
	}
	syscall.Kill(os.Getpid(), syscall.SIGTERM)
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
	f := strings.Fields(string(line))
	if len(f) == 0 || len(f) > 2 {
		return fmt.Errorf("line %q, want UNIX_NANOS [WARMUP]", line)
	}
	ns, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return fmt.Errorf("line %q: %w", line, err)
	}
	cfg.StartAt = time.Unix(0, ns)
	if len(f) == 2 {
		if cfg.Warmup, err = time.ParseDuration(f[1]); err != nil {
			return fmt.Errorf("line %q: %w", line, err)
		}
	}
	return nil
}
