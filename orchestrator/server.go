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
	"sync"
	"syscall"
	"time"

	"github.com/benchsuite/threads-vs-loop/internal/affinity"
	"github.com/benchsuite/threads-vs-loop/internal/wire"
	"github.com/benchsuite/threads-vs-loop/sampler"
)

// ErrServerStart is returned when a server does not start or never answers.
var ErrServerStart = errors.New("orchestrator: server did not start")

const (
	startTimeout = 15 * time.Second // first line, then the first answer to GET /hello
	stopGrace    = 3 * time.Second  // after SIGTERM, before SIGKILL
)

// launcher starts servers: `bench serve` children and external scripts.
type launcher struct {
	bench string      // the bench binary
	env   []string    // added to the children's environment
	cpus  []int       // server CPU set (empty: not pinned)
	host  *RemoteHost // the server host when it is not this machine (nil: here)
}

// serverProc is a running server under test. It runs in its own process group, so
// stopping it stops every process it forked and a terminal's ^C reaches only the runner,
// which then stops it in order.
type serverProc struct {
	label      string
	pid        int // the process whose tree is sampled
	pgid       int
	addr       string
	gomaxprocs int           // 0 for a server that is not a Go program
	design     string        // how it waits for connections, as it says or the suite says
	settings   wire.Settings // what it reported of itself (empty if nothing)
	helloBytes int           // bytes of its answer to a keep-alive GET /hello
	readyFDs   int           // descriptors of its tree when it became ready (-1: unknown)
	settleNote string        // set when a kept server still held the previous step's connections
	done       chan struct{}
	how        string // how it ended; read after done is closed
	stderr     *tailBuffer
	remote     *remoteProc // the ssh session running it on the server host, if not here
}

// start starts spec's server for the load it will serve (a peer sizes itself by it).
func (l *launcher) start(ctx context.Context, spec ServerSpec, load PeerLoad) (*serverProc, error) {
	var p *serverProc
	var err error
	switch {
	case l.host != nil:
		p, err = l.startRemote(ctx, spec, load)
	case spec.External != "":
		p, err = l.startExternal(ctx, spec, load)
	default:
		p, err = l.startServe(spec)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrServerStart, spec.Label, err)
	}
	l.pin(p)
	if err := p.waitReady(ctx); err != nil {
		p.stop()
		return nil, fmt.Errorf("%w: %s: %w%s", ErrServerStart, spec.Label, err, p.stderr.suffix())
	}
	l.pin(p) // again: threads the runtime created while starting
	return p, nil
}

// pin sets the server's CPU set on every thread of every process of its tree.
func (l *launcher) pin(p *serverProc) {
	if len(l.cpus) == 0 || p.remote != nil { // a remote bench serve pins itself (--cpus)
		return
	}
	tree, err := sampler.ProcessTree(p.pid)
	if err != nil {
		tree = []int{p.pid}
	}
	for _, pid := range tree {
		affinity.Pin(pid, l.cpus) // a process that exits meanwhile is found out by the step
	}
}

// serveArgs is the bench serve command line of spec: pinned to the server CPUs (the
// server pins itself before it calibrates /cpu), GOMAXPROCS only when the suite sets it,
// else the model's own default, which serve reports on its settings line.
func (l *launcher) serveArgs(spec ServerSpec, addr string) []string {
	a := wire.ServeArgs{Model: spec.Model, Addr: addr, CPUs: affinity.Format(l.cpus), Procs: spec.Procs, Extra: spec.Args}
	return append([]string{"serve"}, a.Args()...)
}

func (l *launcher) startServe(spec ServerSpec) (*serverProc, error) {
	bench := l.bench
	if spec.Bench != "" {
		bench = spec.Bench
	}
	cmd := exec.Command(bench, l.serveArgs(spec, "127.0.0.1:0")...)
	cmd.Env = append(append(os.Environ(), l.env...), spec.env()...)
	// Its own group; and SIGKILL should the runner die without stopping it.
	cmd.SysProcAttr = childAttr()
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	p := &serverProc{label: spec.Label, done: make(chan struct{}), stderr: &tailBuffer{}}
	cmd.Stdout, cmd.Stderr = pw, p.stderr
	err = spawn(cmd.Start)
	pw.Close()
	if err != nil {
		pr.Close()
		return nil, err
	}
	p.pid, p.pgid = cmd.Process.Pid, cmd.Process.Pid
	go func() {
		cmd.Wait()
		p.how = cmd.ProcessState.String() + p.stderr.suffix()
		close(p.done)
	}()
	addr, settings, err := readListening(pr)
	if err != nil {
		p.stop()
		return nil, fmt.Errorf("%w%s", err, p.stderr.suffix())
	}
	p.addr, p.gomaxprocs, p.design, p.settings = addr, settings.GoMaxProcs, settings.Design, settings
	return p, nil
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
	timeout := time.After(startTimeout)
	for i := range got {
		select {
		case got[i] = <-lines:
		case <-timeout:
			return "", settings, errors.New("no \"listening on\" and \"settings\" lines")
		}
	}
	if addr, settings, err = wire.ParseListening(got[0], got[1]); err != nil {
		return "", settings, err
	}
	return addr, settings, nil
}

// startExternal runs SCRIPT PORT CPULIST, which starts the server and prints the PID to
// sample and stop, then its settings line; PEER_CONNECTIONS, PEER_ACTIVE and PEER_PATHS
// tell it the load it will serve.
func (l *launcher) startExternal(ctx context.Context, spec ServerSpec, load PeerLoad) (*serverProc, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cpus := affinity.Format(l.cpus)
	if cpus == "" {
		cpus = "0-" + strconv.Itoa(runtime.NumCPU()-1)
	}
	sctx, cancel := context.WithTimeout(ctx, peerStartTimeout) // a peer may size itself first (Apache's children)
	defer cancel()
	p := &serverProc{label: spec.Label, addr: fmt.Sprintf("127.0.0.1:%d", port), done: make(chan struct{}), stderr: &tailBuffer{}}
	cmd := exec.CommandContext(sctx, spec.External, strconv.Itoa(port), cpus)
	cmd.Env = append(append(append(os.Environ(), l.env...), spec.env()...), load.Env()...)
	cmd.SysProcAttr = groupAttr()
	// On a time-out or Ctrl-C, kill the script's whole group: the server it already
	// started in the background is in it, and killing the script alone would leak it.
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.Stderr = p.stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s: %w%s", spec.External, err, p.stderr.suffix())
	}
	pid, second, err := wire.ParsePeerScript(out)
	if err != nil {
		return nil, fmt.Errorf("%s %w", spec.External, err)
	}
	p.pid, p.pgid = pid, cmd.Process.Pid
	if second != "" {
		if p.settings, err = wire.ParseSettings(second); err != nil { // optional for a user's own peer
			syscall.Kill(-p.pgid, syscall.SIGKILL) // the server runs in the script's group
			syscall.Kill(pid, syscall.SIGKILL)
			return nil, fmt.Errorf("%s: second line: %w", spec.External, err)
		}
	}
	go func() { // not our child: watch it through /proc
		for alive(pid) {
			time.Sleep(50 * time.Millisecond)
		}
		p.how = fmt.Sprintf("process %d exited", pid)
		close(p.done)
	}()
	return p, nil
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

// exited reports whether the server has ended, and how.
func (p *serverProc) exited() (bool, string) {
	select {
	case <-p.done:
		return true, p.how
	default:
		return false, ""
	}
}

// stop sends SIGTERM to the server's process group, then SIGKILL after stopGrace.
func (p *serverProc) stop() {
	if p.remote != nil {
		p.remote.stop()
		return
	}
	if dead, _ := p.exited(); !dead {
		syscall.Kill(-p.pgid, syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(stopGrace):
			syscall.Kill(-p.pgid, syscall.SIGKILL)
			select {
			case <-p.done:
			case <-time.After(stopGrace):
			}
		}
	}
	syscall.Kill(-p.pgid, syscall.SIGKILL) // anything the server forked and left behind
}

// spawn runs start on one OS thread that never exits: Linux sends a child its Pdeathsig
// when the thread that forked it ends, and the Go runtime may end threads.
func spawn(start func() error) error {
	spawnOnce.Do(func() {
		go func() {
			runtime.LockOSThread() // never unlocked: this thread lives as long as the process
			for f := range spawnReqs {
				f()
			}
		}()
	})
	errc := make(chan error, 1)
	spawnReqs <- func() { errc <- start() }
	return <-errc
}

var (
	spawnOnce sync.Once
	spawnReqs = make(chan func())
)

// tailBuffer keeps the last bytes written to it: a child's stderr, for error messages.
type tailBuffer struct {
	mu   sync.Mutex
	buf  []byte
	wake chan struct{} // closed and replaced on each write (changed)
}

func (t *tailBuffer) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, b...)
	if t.wake != nil {
		close(t.wake)
		t.wake = nil
	}
	if len(t.buf) > 2048 {
		t.buf = t.buf[len(t.buf)-2048:]
	}
	return len(b), nil
}

// suffix is the last line of stderr as ": line", or "".
func (t *tailBuffer) suffix() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := strings.TrimSpace(string(t.buf))
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	if s == "" {
		return ""
	}
	return ": " + s
}
