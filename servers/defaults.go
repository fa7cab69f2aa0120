package servers

// Each model's defaults, computed here and nowhere else: `bench serve` applies them and
// reports what it chose (Settings), and whoever started it records what it was told.

// Event-loop defaults, as Node (one loop) and libuv (UV_THREADPOOL_SIZE=4) have them.
const (
	DefaultLoops   = 1
	DefaultWorkers = 4
)

// Wait modes of the threaded model: how a connection's thread waits for bytes.
type WaitMode string

const (
	WaitNetpoll WaitMode = "netpoll" // through net.Conn: the thread sleeps until the runtime's netpoller readies it
	WaitRead    WaitMode = "read"    // a blocking read(2) on a blocking socket, a P per thread
)

// WaitModes lists the wait modes `bench serve --wait` accepts.
var WaitModes = []WaitMode{WaitNetpoll, WaitRead}

// WithDefaults fills the fields of cfg a model uses and that are unset.
func WithDefaults(cfg Config) Config {
	if cfg.Loops <= 0 {
		cfg.Loops = DefaultLoops
	}
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.Wait == "" {
		cfg.Wait = DefaultWait // see servers/threaded/doc.go
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.MaxThreads <= 0 {
		cfg.MaxThreads = DefaultMaxThreads
	}
	return cfg
}

// Procs is the GOMAXPROCS a model runs with when not told: GOMAXPROCS is a CPU token, and
// a locked thread needs one to run Go code. The evented model gets one per loop and
// worker thread (each runs Go code, and the kernel, not Go's 10 ms preemption, should
// time-slice them, as it does libuv's threads); the others get the CPUs they may run on.
func Procs(model string, cfg Config, cpus int) int {
	cfg = WithDefaults(cfg)
	if model == "evented" {
		return cfg.Loops + cfg.Workers
	}
	return max(1, cpus)
}

// How a server waits for its connections: the CSV's design column, which the claims read
// to find, say, the fastest thread-per-connection server of a run.
const (
	DesignThreads    = "threads"    // an OS thread per connection (Apache worker, C pthreads)
	DesignEvents     = "events"     // event loops over epoll (nginx, Node)
	DesignGoroutines = "goroutines" // Go's runtime: goroutines over its netpoller
	DesignProcesses  = "processes"  // a process per connection (Apache prefork)
	// DesignVirtualThreads: a runtime's threads per connection, parked on its poller and
	// run by a few carrier OS threads (Java's virtual threads); no model of this package
	// has it, a suite declares it for a peer.
	DesignVirtualThreads = "virtual-threads"
)

// Design is the design of a model of this package's registry.
func Design(model string) string {
	switch model {
	case "threaded":
		return DesignThreads
	case "evented":
		return DesignEvents
	case "goroutine":
		return DesignGoroutines
	}
	return ""
}

// Settings is what `bench serve` chose, printed as a JSON line after "listening on", so
// the caller records the model's settings instead of recomputing them.
type Settings struct {
	Model      string   `json:"model"`
	Design     string   `json:"design"`
	GoMaxProcs int      `json:"gomaxprocs"`
	CPUs       string   `json:"cpus,omitempty"` // the CPU list it pinned itself to
	Wait       WaitMode `json:"wait,omitempty"`
	Pool       int      `json:"pool,omitempty"`
	Loops      int      `json:"loops,omitempty"`
	Workers    int      `json:"workers,omitempty"`
	Offload    bool     `json:"offload,omitempty"`
}
