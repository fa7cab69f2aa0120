package sshhost

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/benchsuite/threads-vs-loop/internal/wire"
	"github.com/benchsuite/threads-vs-loop/orchestrator"
	"github.com/benchsuite/threads-vs-loop/sampler"
)

// errNoSwitches: the server host did not answer with its context switches (the CSV cell
// stays empty).
var errNoSwitches = errors.New("orchestrator: no context switches from the server host")

// server is a server under test running on a host: bench serve, or bench peer running a
// peer's script, in an ssh session.
type server struct {
	session  *session
	pid      int // the process whose tree is sampled, there
	addr     string
	settings wire.Settings
}

var _ orchestrator.ServerHost = (*Host)(nil)

// StartServer runs bench serve (or bench peer, for a peer's script) on the host over
// ssh, listening on every address there; the clients target the address the host is
// reached at.
func (h *Host) StartServer(ctx context.Context, s orchestrator.ServerStart) (orchestrator.Server, error) {
	if s.Spec.External != "" {
		return h.startPeer(ctx, s)
	}
	if s.Spec.Bench != "" {
		return nil, fmt.Errorf("bench %s: a model runs on a server host with the bench installed there", s.Spec.Bench)
	}
	rp, err := h.startBench(ctx, s.Spec.ServeArgs("0.0.0.0:0", s.CPUs))
	if err != nil {
		return nil, err
	}
	p := &server{session: rp, pid: rp.pid}
	addr, settings, err := readRemoteListening(ctx, rp)
	if err != nil {
		p.Stop()
		return nil, fmt.Errorf("%w%s", err, rp.stderr.Suffix())
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		p.Stop()
		return nil, fmt.Errorf("listening on %q: %w", addr, err)
	}
	p.addr, p.settings = net.JoinHostPort(h.Addr, port), settings
	go io.Copy(io.Discard, rp.stdout) // the server never blocks on a full stdout
	return p, nil
}

func (p *server) PID() int                { return p.pid }
func (p *server) Addr() string            { return p.addr }
func (p *server) Settings() wire.Settings { return p.settings }
func (p *server) Done() <-chan struct{}   { return p.session.done }
func (p *server) How() string             { return p.session.how }
func (p *server) StderrSuffix() string    { return p.session.stderr.Suffix() }
func (p *server) Local() bool             { return false } // its log is on the host
func (p *server) Pin()                    {}               // bench serve pins itself (--cpus)
func (p *server) OpenFDs() int            { return p.session.host.openFDs(p.pid) }

// Stop ends the session, which ends the server there.
func (p *server) Stop() { p.session.stop() }

// Sampler streams bench sample from the host.
func (p *server) Sampler() orchestrator.TreeSampler {
	return &remoteSampler{host: p.session.host, pid: p.pid}
}

// readRemoteListening reads bench serve's "listening on" and "settings" lines.
func readRemoteListening(ctx context.Context, rp *session) (addr string, settings wire.Settings, err error) {
	first, err := rp.readLine(ctx, orchestrator.StartTimeout)
	if err != nil {
		return "", settings, err
	}
	second, err := rp.readLine(ctx, orchestrator.StartTimeout)
	if err != nil {
		return "", settings, err
	}
	return wire.ParseListening(first, second)
}

// remoteSampler streams `bench sample --pid PID` from the server host: the samples are
// the server host's RSS, threads, CPU and descriptors, timed by its clock.
type remoteSampler struct {
	host *Host
	pid  int

	mu       sync.Mutex
	proc     *session
	samples  []sampler.Sample
	read     chan struct{}
	switches chan sampler.Switches // bench sample's answers to "since"
}

// Start starts bench sample on the server host; samples are read until Stop.
func (s *remoteSampler) Start(interval time.Duration) {
	if interval <= 0 {
		interval = sampler.DefaultInterval
	}
	s.read, s.switches = make(chan struct{}), make(chan sampler.Switches, 1)
	p, err := s.host.startBench(context.Background(), append([]string{"sample"}, wire.SampleArgs{PID: s.pid, Interval: interval}.Args()...))
	if err != nil {
		close(s.read)
		return
	}
	s.proc = p
	go func() {
		defer close(s.read)
		dec := json.NewDecoder(p.stdout)
		for {
			var line wire.SampleLine
			if dec.Decode(&line) != nil {
				return
			}
			if line.Switches != nil {
				select {
				case s.switches <- *line.Switches:
				default:
				}
				continue
			}
			s.mu.Lock()
			s.samples = append(s.samples, line.Sample)
			s.mu.Unlock()
		}
	}()
}

// Stop ends bench sample and returns the samples.
func (s *remoteSampler) Stop() []sampler.Sample {
	if s.proc != nil {
		s.proc.stop()
	}
	if s.read != nil {
		<-s.read
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.samples
}

// Switches has bench sample read the tree's context switches there ("mark").
func (s *remoteSampler) Switches() (sampler.SwitchReading, error) {
	if s.proc == nil {
		return sampler.SwitchReading{}, errNoSwitches
	}
	if _, err := io.WriteString(s.proc.stdin, wire.SampleMark+"\n"); err != nil {
		return sampler.SwitchReading{}, errNoSwitches
	}
	return sampler.SwitchReading{}, nil
}

// SwitchesSince asks bench sample for the switches since its mark ("since").
func (s *remoteSampler) SwitchesSince(sampler.SwitchReading) (sampler.Switches, error) {
	if s.proc == nil {
		return sampler.Switches{}, errNoSwitches
	}
	if _, err := io.WriteString(s.proc.stdin, wire.SampleSince+"\n"); err != nil {
		return sampler.Switches{}, errNoSwitches
	}
	select {
	case sw := <-s.switches:
		return sw, nil
	case <-s.read:
		return sampler.Switches{}, errNoSwitches
	case <-time.After(5 * time.Second):
		return sampler.Switches{}, errNoSwitches
	}
}

// openFDs counts the descriptors of pid's tree on the host (bench sample --once), or -1.
func (h *Host) openFDs(pid int) int {
	ctx, cancel := context.WithTimeout(context.Background(), orchestrator.StartTimeout)
	defer cancel()
	args := wire.SampleArgs{PID: pid, Once: true}.Args()
	out, err := h.output(ctx, "exec "+shellQuote(h.bench)+" sample "+shellJoin(args), nil)
	var smp sampler.Sample
	if err != nil || json.Unmarshal([]byte(out), &smp) != nil || smp.Procs == 0 {
		return -1
	}
	return smp.FDs
}
