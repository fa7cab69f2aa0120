package servertest_test

import (
	"errors"
	"testing"
	"time"

	"github.com/benchsuite/threads-vs-loop/servers"
	"github.com/benchsuite/threads-vs-loop/servers/servertest"
	"github.com/benchsuite/threads-vs-loop/servers/workload"

	_ "github.com/benchsuite/threads-vs-loop/servers/evented"
	_ "github.com/benchsuite/threads-vs-loop/servers/goroutine"
	_ "github.com/benchsuite/threads-vs-loop/servers/threaded"
)

// models is every model configuration the suite runs against: a registered model name and
// the Config it starts with. A new model adds its rows here (and a blank import above).
var models = []struct {
	name  string
	model string
	cfg   servers.Config
}{
	{"threaded", "threaded", servers.Config{}},
	{"threaded-netpoll", "threaded", servers.Config{Wait: "netpoll"}},
	// The pool caps concurrent connections: it must hold the suite's busiest moment.
	{"threaded-pool", "threaded", servers.Config{Pool: 256}},
	{"goroutine", "goroutine", servers.Config{}},
	{"evented", "evented", servers.Config{}},
	{"evented-2loops", "evented", servers.Config{Loops: 2}},
	{"evented-offload", "evented", servers.Config{Offload: true, Workers: 2}},
}

func TestModels(t *testing.T) {
	for _, m := range models {
		if m.cfg.Pool > 0 && m.cfg.Pool < servertest.MaxConns {
			t.Fatalf("%s: pool %d is below servertest.MaxConns (%d)", m.name, m.cfg.Pool, servertest.MaxConns)
		}
		t.Run(m.name, func(t *testing.T) {
			servertest.Run(t, func(t *testing.T) string { return start(t, m.model, m.cfg) })
		})
	}
}

// idleTimeout is the short idle timeout TestIdleTimeout starts the models with.
const idleTimeout = 500 * time.Millisecond

func TestIdleTimeout(t *testing.T) {
	for _, m := range models {
		t.Run(m.name, func(t *testing.T) {
			cfg := m.cfg
			cfg.IdleTimeout = idleTimeout
			servertest.RunIdleTimeout(t, idleTimeout, func(t *testing.T) string { return start(t, m.model, cfg) })
		})
	}
}

// start launches the model on 127.0.0.1:0 and shuts it down when the test ends.
func start(t *testing.T, model string, cfg servers.Config) string {
	t.Helper()
	wl, err := workload.New()
	if err != nil {
		t.Fatalf("workload: %v", err)
	}
	cfg.Addr, cfg.Workload = "127.0.0.1:0", wl
	srv, err := servers.New(model, cfg)
	if err != nil {
		wl.Close()
		t.Fatalf("servers.New(%q): %v", model, err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve() }()
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("%s: Close: %v", model, err)
		}
		if err := <-done; err != nil {
			t.Errorf("%s: Serve: %v", model, err)
		}
		wl.Close()
	})
	return srv.Addr().String()
}

// TestUnknownModel checks the registry refuses a name no package registered.
func TestUnknownModel(t *testing.T) {
	_, err := servers.New("no-such-model", servers.Config{Workload: &workload.Workload{}})
	if !errors.Is(err, servers.ErrUnknownModel) {
		t.Fatalf("servers.New(unknown) = %v, want ErrUnknownModel", err)
	}
}
