package sshhost

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/benchsuite/threads-vs-loop/internal/child"
	"github.com/benchsuite/threads-vs-loop/orchestrator"
)

// session is a bench command running on a host, over an ssh session whose stdin it
// holds open: closing it (Stop) or this process dying ends the session, and the remote
// bench, started with --exit-on-stdin-eof, exits with it.
type session struct {
	host   *Host
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	stderr *child.Tail
	pid    int // the remote bench's PID, as its shell printed it
	done   chan struct{}
	how    string // how the session ended; read after done
}

// startBench starts bench args on the host and reads the PID line.
func (h *Host) startBench(ctx context.Context, args []string) (*session, error) {
	p := &session{host: h, stderr: &child.Tail{}, done: make(chan struct{})}
	if orchestrator.IsLocal(h.Dest) {
		p.cmd = exec.Command("sh", "-c", h.benchLine(args))
	} else {
		p.cmd = exec.Command("ssh", h.ssh.args(h.Dest, h.benchLine(args))...)
	}
	p.cmd.SysProcAttr = child.Attr() // ssh dies with this process, and the remote bench with ssh
	p.cmd.Stderr = p.stderr
	var err error
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	p.stdout = bufio.NewReader(out)
	if err := child.Spawn(p.cmd.Start); err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrHost, h.Dest, err)
	}
	go func() {
		err := p.cmd.Wait()
		p.how = fmt.Sprintf("bench %s on %s ended (%v)%s", args[0], h.Dest, err, p.stderr.Suffix())
		close(p.done)
	}()
	line, err := p.readLine(ctx, orchestrator.StartTimeout)
	if err == nil {
		p.pid, err = strconv.Atoi(line)
	}
	if err != nil {
		p.stop()
		return nil, fmt.Errorf("%w %s: bench %s: no PID line: %w%s", ErrHost, h.Dest, args[0], err, p.stderr.Suffix())
	}
	return p, nil
}

// readLine reads one line of stdout, trimmed, within d.
func (p *session) readLine(ctx context.Context, d time.Duration) (string, error) {
	type result struct {
		line string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		line, err := p.stdout.ReadString('\n')
		got <- result{strings.TrimSpace(line), err}
	}()
	select {
	case r := <-got:
		if r.err != nil && r.line == "" {
			return "", r.err
		}
		return r.line, nil
	case <-ctx.Done():
		return "", ctx.Err()
	case <-time.After(d):
		return "", fmt.Errorf("nothing within %v", d)
	}
}

// stop closes the session's stdin, which ends the remote bench, and waits for the
// session to end; after orchestrator.StopGrace it kills ssh, which ends the session as well.
func (p *session) stop() {
	p.stdin.Close()
	select {
	case <-p.done:
		return
	case <-time.After(orchestrator.StopGrace):
	}
	p.cmd.Process.Kill()
	<-p.done
}

func sha256Hex(r io.Reader) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
