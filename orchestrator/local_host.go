package orchestrator

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/benchsuite/threads-vs-loop/internal/affinity"
	"github.com/benchsuite/threads-vs-loop/internal/child"
	"github.com/benchsuite/threads-vs-loop/internal/wire"
	"github.com/benchsuite/threads-vs-loop/sampler"
)

// localHost starts the servers on this machine: `bench serve` children and peer scripts.
type localHost struct {
	bench string // the bench binary (a ServerSpec's Bench overrides it)
}

// localServer is a server running on this machine, in its own process group, so that
// stopping it stops every process it forked and a terminal's ^C reaches only the runner,
// which then stops it in order.
type localServer struct {
	pid, pgid int
	addr      string
	settings  wire.Settings
	cpus      []int
	done      chan struct{}
	how       string // how it ended; read after done is closed
	stderr    *child.Tail
}

var _ ServerHost = localHost{}

// StartServer runs a model's bench serve, or a peer's script.
func (h localHost) StartServer(ctx context.Context, s ServerStart) (Server, error) {
	p := &localServer{cpus: s.CPUs, done: make(chan struct{}), stderr: &child.Tail{}}
	var err error
	if s.Spec.External != "" {
		err = p.startExternal(ctx, s)
	} else {
		err = p.startServe(h.bench, s)
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

func (p *localServer) startServe(bench string, s ServerStart) error {
	if s.Spec.Bench != "" {
		bench = s.Spec.Bench
	}
	cmd := exec.Command(bench, s.Spec.ServeArgs("127.0.0.1:0", s.CPUs)...)
	cmd.Env = append(append(os.Environ(), s.Env...), s.Spec.EnvList()...)
	// Its own group; and SIGKILL should the runner die without stopping it.
	cmd.SysProcAttr = child.Attr()
	pr, pw, err := os.Pipe()
	if err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr = pw, p.stderr
	err = child.Spawn(cmd.Start)
	pw.Close()
	if err != nil {
		pr.Close()
		return err
	}
	p.pid, p.pgid = cmd.Process.Pid, cmd.Process.Pid
	go func() {
		cmd.Wait()
		p.how = cmd.ProcessState.String() + p.stderr.Suffix()
		close(p.done)
	}()
	if p.addr, p.settings, err = readListening(pr); err != nil {
		p.Stop()
		return fmt.Errorf("%w%s", err, p.stderr.Suffix())
	}
	return nil
}

// readListening reads the "listening on HOST:PORT" and "settings {JSON}" lines, then
// drains the pipe so the child never blocks on a full stdout.
func readListening(pr *os.File) (addr string, settings wire.Settings, err error) {
	lines := make(chan string, 2)
	go func() {
		defer pr.Close()
		br := bufio.NewReader(pr)
		for range 2 {
			line, _ := br.ReadString('\n')
			lines <- line
		}
		io.Copy(io.Discard, br)
	}()
	var got [2]string
	timeout := time.After(StartTimeout)
	for i := range got {
		select {
		case got[i] = <-lines:
		case <-timeout:
			return "", settings, errors.New("no \"listening on\" and \"settings\" lines")
		}
	}
	return wire.ParseListening(got[0], got[1])
}

// startExternal runs SCRIPT PORT CPULIST, which starts the server and prints the PID to
// sample and stop, then its settings line; PEER_CONNECTIONS, PEER_ACTIVE and PEER_PATHS
// tell it the load it will serve.
func (p *localServer) startExternal(ctx context.Context, s ServerStart) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	cpus := affinity.Format(s.CPUs)
	if cpus == "" {
		cpus = "0-" + strconv.Itoa(runtime.NumCPU()-1)
	}
	sctx, cancel := context.WithTimeout(ctx, PeerStartTimeout) // a peer may size itself first (Apache's children)
	defer cancel()
	p.addr = fmt.Sprintf("127.0.0.1:%d", port)
	script := s.Spec.External
	cmd := exec.CommandContext(sctx, script, strconv.Itoa(port), cpus)
	cmd.Env = append(append(append(os.Environ(), s.Env...), s.Spec.EnvList()...), s.Load.Env()...)
	cmd.SysProcAttr = child.GroupAttr()
	// On a time-out or Ctrl-C, kill the script's whole group: the server it already
	// started in the background is in it, and killing the script alone would leak it.
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.Stderr = p.stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("%s: %w%s", script, err, p.stderr.Suffix())
	}
	pid, second, err := wire.ParsePeerScript(out)
	if err != nil {
		return fmt.Errorf("%s %w", script, err)
	}
	p.pid, p.pgid = pid, cmd.Process.Pid
	if second != "" {
		if p.settings, err = wire.ParseSettings(second); err != nil { // optional for a user's own peer
			syscall.Kill(-p.pgid, syscall.SIGKILL) // the server runs in the script's group
			syscall.Kill(pid, syscall.SIGKILL)
			return fmt.Errorf("%s: second line: %w", script, err)
		}
	}
	go func() { // not our child: watch it through /proc
		for alive(pid) {
			time.Sleep(50 * time.Millisecond)
		}
		p.how = fmt.Sprintf("process %d exited", pid)
		close(p.done)
	}()
	return nil
}

// freePort asks the kernel for a free loopback port for a server that cannot report the
// one it bound.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// alive reports whether pid runs (a zombie does not).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := strings.LastIndexByte(string(b), ')')
	return i > 0 && i+2 < len(b) && b[i+2] != 'Z' && b[i+2] != 'X'
}

func (p *localServer) PID() int                { return p.pid }
func (p *localServer) Addr() string            { return p.addr }
func (p *localServer) Settings() wire.Settings { return p.settings }
func (p *localServer) Done() <-chan struct{}   { return p.done }
func (p *localServer) How() string             { return p.how }
func (p *localServer) StderrSuffix() string    { return p.stderr.Suffix() }
func (p *localServer) Local() bool             { return true }

// Sampler is sampler.Sampler on the server's tree.
func (p *localServer) Sampler() TreeSampler { return sampler.New(p.pid, true) }

// Pin sets the server CPU set on every thread of every process of its tree.
func (p *localServer) Pin() {
	if len(p.cpus) == 0 {
		return
	}
	tree, err := sampler.ProcessTree(p.pid)
	if err != nil {
		tree = []int{p.pid}
	}
	for _, pid := range tree {
		affinity.Pin(pid, p.cpus) // a process that exits meanwhile is found out by the step
	}
}

// OpenFDs counts the descriptors of the server's process tree, or -1.
func (p *localServer) OpenFDs() int {
	s := sampler.New(p.pid, true)
	if err := s.Tick(); err != nil {
		return -1
	}
	samples := s.Samples()
	if len(samples) == 0 {
		return -1
	}
	return samples[len(samples)-1].FDs
}

// Stop sends SIGTERM to the server's process group, then SIGKILL after StopGrace.
func (p *localServer) Stop() {
	select {
	case <-p.done:
	default:
		syscall.Kill(-p.pgid, syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(StopGrace):
			syscall.Kill(-p.pgid, syscall.SIGKILL)
			select {
			case <-p.done:
			case <-time.After(StopGrace):
			}
		}
	}
	syscall.Kill(-p.pgid, syscall.SIGKILL) // anything the server forked and left behind
}
