package orchestrator

import (
	"context"
	"errors"
	"fmt"

	"github.com/benchsuite/threads-vs-loop/internal/wire"
)

// ErrServerStart is returned when a server does not start or never answers.
var ErrServerStart = errors.New("orchestrator: server did not start")

// launcher starts the run's servers on its server host.
type launcher struct {
	host ServerHost
	env  []string // added to the servers' environment
	cpus []int    // server CPU set (empty: not pinned)
}

// serverProc is a server under test as the runner knows it: the host's Server, and what
// the runner learnt of it.
type serverProc struct {
	Server
	label      string
	gomaxprocs int           // 0 for a server that is not a Go program
	design     string        // how it waits for connections, as it says or the suite says
	settings   wire.Settings // what it reported of itself (empty if nothing)
	helloBytes int           // bytes of its answer to a keep-alive GET /hello
	readyFDs   int           // descriptors of its tree when it became ready (-1: unknown)
	settleNote string        // set when a kept server still held the previous step's connections
}

// start starts spec's server for the load it will serve (a peer sizes itself by it) and
// waits until it answers GET /hello.
func (l *launcher) start(ctx context.Context, spec ServerSpec, load PeerLoad) (*serverProc, error) {
	srv, err := l.host.StartServer(ctx, ServerStart{Spec: spec, Load: load, Env: l.env, CPUs: l.cpus})
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrServerStart, spec.Label, err)
	}
	p := &serverProc{Server: srv, label: spec.Label, settings: srv.Settings()}
	if spec.External == "" { // bench serve says what it is; a peer's design is the suite's
		p.gomaxprocs, p.design = p.settings.GoMaxProcs, p.settings.Design
	}
	p.Pin()
	if err := p.waitReady(ctx); err != nil {
		p.Stop()
		return nil, fmt.Errorf("%w: %s: %w%s", ErrServerStart, spec.Label, err, p.StderrSuffix())
	}
	p.Pin() // again: threads the runtime created while starting
	return p, nil
}

// exited reports whether the server has ended, and how.
func (p *serverProc) exited() (bool, string) {
	select {
	case <-p.Done():
		return true, p.How()
	default:
		return false, ""
	}
}
