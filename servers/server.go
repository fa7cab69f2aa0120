package servers

import (
	"errors"
	"fmt"
	"net"
	"sort"
	"sync"
	"time"

	"github.com/benchsuite/threads-vs-loop/servers/workload"
)

// Server is one running model. New binds the listener; Serve blocks until Close.
type Server interface {
	// Addr is the bound address (useful with port 0).
	Addr() net.Addr
	// Serve accepts and serves connections until Close; it returns nil after Close.
	Serve() error
	// Close stops accepting, closes every connection and waits for them to finish.
	Close() error
}

// Config is what `bench serve` passes to a model. Fields a model does not use are ignored.
type Config struct {
	Addr        string             // host:port to bind; DefaultAddr when empty
	Workload    *workload.Workload // required
	IdleTimeout time.Duration      // close a keep-alive connection idle this long; 0 = DefaultIdleTimeout

	// threaded
	Pool       int      // pre-spawned threads taking connections from a queue; 0 = a thread per connection
	MaxThreads int      // connection threads at most; 0 = DefaultMaxThreads
	Wait       WaitMode // how a thread waits for bytes (WaitRead by default)

	// evented
	Loops   int  // event loops (each on its own OS thread)
	Workers int  // worker pool size for /file (and /cpu with Offload)
	Offload bool // run /cpu on the worker pool instead of the loop
}

// Defaults.
const (
	DefaultAddr        = "127.0.0.1:0"
	DefaultIdleTimeout = 60 * time.Second
	DefaultMaxThreads  = 20000
)

// ErrUnknownModel is returned by New for a name no package registered.
var ErrUnknownModel = errors.New("servers: unknown model")

// Factory builds a model from a Config; it binds the listener but serves nothing yet.
type Factory func(Config) (Server, error)

var (
	registryMu sync.Mutex
	registry   = map[string]Factory{}
)

// Register makes a model available by name; model packages call it from init.
func Register(name string, f Factory) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[name]; dup {
		panic("servers: model registered twice: " + name)
	}
	registry[name] = f
}

// Models lists the registered model names, sorted.
func Models() []string {
	registryMu.Lock()
	defer registryMu.Unlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// New builds the named model.
func New(name string, cfg Config) (Server, error) {
	registryMu.Lock()
	f := registry[name]
	registryMu.Unlock()
	if f == nil {
		return nil, fmt.Errorf("%w %q (have %v)", ErrUnknownModel, name, Models())
	}
	if cfg.Workload == nil {
		return nil, errors.New("servers: Config.Workload is nil")
	}
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	return f(WithDefaults(cfg))
}

// Listen binds a TCP listener with a deep accept backlog source (the kernel's somaxconn).
func Listen(addr string) (*net.TCPListener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("servers: %w", err)
	}
	return ln.(*net.TCPListener), nil
}

// IsLoopback reports whether host:port names a loopback address (127.0.0.0/8, ::1,
// localhost).
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
