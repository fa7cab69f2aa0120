package orchestrator

import (
	"context"

	"github.com/benchsuite/threads-vs-loop/loadgen"
)

// Engine is the load generator the runner drives: package loadgen's three functions
// behind an interface, so tests can run the orchestration with a fake.
type Engine interface {
	RunClosed(ctx context.Context, cfg loadgen.Config) (*loadgen.Result, error)
	RunOpen(ctx context.Context, cfg loadgen.Config) (*loadgen.Result, error)
	HoldIdle(ctx context.Context, url string, k int) (IdleHolder, error)
}

// IdleHolder is a set of idle keep-alive connections (loadgen.IdleConns).
type IdleHolder interface {
	Up() int
	Failed() int
	Close() error
}

// Loadgen is the real engine, package loadgen.
type Loadgen struct{}

// RunClosed calls loadgen.RunClosed.
func (Loadgen) RunClosed(ctx context.Context, cfg loadgen.Config) (*loadgen.Result, error) {
	return loadgen.RunClosed(ctx, cfg)
}

// RunOpen calls loadgen.RunOpen.
func (Loadgen) RunOpen(ctx context.Context, cfg loadgen.Config) (*loadgen.Result, error) {
	return loadgen.RunOpen(ctx, cfg)
}

// HoldIdle calls loadgen.HoldIdle.
func (Loadgen) HoldIdle(ctx context.Context, url string, k int) (IdleHolder, error) {
	h, err := loadgen.HoldIdle(ctx, url, k)
	if h == nil { // a nil *IdleConns must not become a non-nil interface
		return nil, err
	}
	return h, err
}
