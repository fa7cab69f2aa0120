package orchestrator

import (
	"context"
	"time"

	"github.com/benchsuite/threads-vs-loop/internal/affinity"
	"github.com/benchsuite/threads-vs-loop/internal/wire"
	"github.com/benchsuite/threads-vs-loop/loadgen"
	"github.com/benchsuite/threads-vs-loop/sampler"
)

const (
	// StartTimeout bounds a server's start: its first lines, then its first answer to
	// GET /hello.
	StartTimeout = 15 * time.Second
	// StopGrace is how long a server is given to stop before it is killed.
	StopGrace = 3 * time.Second
	// PeerStartTimeout bounds a peer script's start: it may size itself first (Apache's
	// children) or build its server (cthreads.sh runs gcc).
	PeerStartTimeout = time.Minute
)

// ServerHost is where the servers under test run: this machine (Config.ServerHost nil,
// each server a child of this process) or another host (package orchestrator/sshhost,
// over ssh). The runner knows a server only through it.
type ServerHost interface {
	// StartServer starts one server and returns once it has reported where it listens
	// (the runner then waits for its first answer).
	StartServer(ctx context.Context, start ServerStart) (Server, error)
}

// ServerStart is what a host needs to start one server.
type ServerStart struct {
	Spec ServerSpec
	Load PeerLoad // the load it will serve (a peer sizes itself by it)
	Env  []string // added to its environment (Config.Env)
	CPUs []int    // the server CPUs (empty: not pinned)
}

// Server is a server under test, running on a ServerHost.
type Server interface {
	PID() int                // the process whose tree is sampled and stopped
	Addr() string            // HOST:PORT the clients reach it at
	Settings() wire.Settings // what it reported of itself (empty if nothing)
	Done() <-chan struct{}   // closed when it has ended
	How() string             // how it ended; read after Done
	StderrSuffix() string    // the last line of its stderr as ": line", or ""
	Stop()                   // ends it (and what it forked) within about 2 × StopGrace; waits
	// Pin sets the server CPU set on every thread of its tree (again: threads created
	// while it started); a no-op where the server pins itself.
	Pin()
	Sampler() TreeSampler // samples its process tree where it runs
	OpenFDs() int         // descriptors of its tree, or -1
	// Local reports whether it runs on this machine, where its files (a log) can be read.
	Local() bool
}

// ClientHosts is an Engine whose load runs on other hosts: the row's client CPU is the
// busiest host's (the engine's Result), and HostsNote says what each host did.
type ClientHosts interface {
	HostsNote(res *loadgen.Result) string
}

// TreeSampler samples a server's process tree: sampler.Sampler on this machine, bench
// sample on another host.
type TreeSampler interface {
	Start(interval time.Duration)
	Stop() []sampler.Sample
	Switches() (sampler.SwitchReading, error)
	SwitchesSince(earlier sampler.SwitchReading) (sampler.Switches, error)
}

// ServeArgs is spec's bench serve command line listening on addr: pinned to cpus (the
// server pins itself before it calibrates /cpu), GOMAXPROCS only when the suite sets
// it, else the model's own default, which serve reports on its settings line.
func (spec ServerSpec) ServeArgs(addr string, cpus []int) []string {
	a := wire.ServeArgs{Model: spec.Model, Addr: addr, CPUs: affinity.Format(cpus), Procs: spec.Procs, Extra: spec.Args}
	return append([]string{"serve"}, a.Args()...)
}
