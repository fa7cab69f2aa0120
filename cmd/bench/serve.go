package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"

	"github.com/benchsuite/threads-vs-loop/internal/rlimit"
	"github.com/benchsuite/threads-vs-loop/servers"
	"github.com/benchsuite/threads-vs-loop/servers/evented"
	_ "github.com/benchsuite/threads-vs-loop/servers/goroutine"
	_ "github.com/benchsuite/threads-vs-loop/servers/threaded"
	"github.com/benchsuite/threads-vs-loop/servers/workload"
)

const serveSynopsis = `serve --model MODEL [--addr 127.0.0.1:0] [flags]

Runs one server model until SIGINT or SIGTERM. The first line on stdout is
"listening on HOST:PORT", so a caller can ask for port 0 and read the port.`

func runServe(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", serveSynopsis, stdout)
	var cfg servers.Config
	model := fs.String("model", "", "server model: "+strings.Join(servers.Models(), ", "))
	fs.StringVar(&cfg.Addr, "addr", servers.DefaultAddr, "address to bind (loopback unless you name another)")
	fs.DurationVar(&cfg.IdleTimeout, "idle-timeout", servers.DefaultIdleTimeout, "close keep-alive connections idle this long")
	fs.IntVar(&cfg.Pool, "pool", 0, "threaded: pre-spawn N threads that take connections from a queue (0: a thread per connection)")
	fs.IntVar(&cfg.MaxThreads, "max-threads", servers.DefaultMaxThreads, "threaded: connection threads at most; beyond, 503 and close")
	fs.StringVar(&cfg.Wait, "wait", "netpoll", "threaded: how a thread waits for bytes: netpoll or read (blocking read(2))")
	fs.IntVar(&cfg.Loops, "loops", evented.DefaultLoops, "evented: event loops, each on its own thread (1 like Node, N like nginx workers)")
	fs.IntVar(&cfg.Workers, "workers", evented.DefaultWorkers, "evented: worker pool size for /file (and /cpu with --offload)")
	fs.BoolVar(&cfg.Offload, "offload", false, "evented: run /cpu on the worker pool instead of the loop")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file (go tool pprof)")
	procs := fs.Int("procs", 0, "GOMAXPROCS (0: loops+workers for evented, else the CPUs the process may run on)")
	if err := fs.parse(args); err != nil {
		return ignoreHelp(err)
	}
	if err := checkServeFlags(*model, cfg, *procs); err != nil {
		return err
	}
	if *procs == 0 && *model == "evented" {
		*procs = cfg.Loops + cfg.Workers // a P per thread that runs Go code: see servers/evented
	}
	if *procs > 0 {
		runtime.GOMAXPROCS(*procs)
	}
	if _, err := rlimit.RaiseNoFile(); err != nil {
		fmt.Fprintf(stderr, "bench serve: warning: %v\n", err)
	}
	if !servers.IsLoopback(cfg.Addr) {
		fmt.Fprintf(stderr, "bench serve: warning: %s is not a loopback address\n", cfg.Addr)
	}
	if *cpuprofile != "" {
		stop, err := startCPUProfile(*cpuprofile)
		if err != nil {
			return err
		}
		defer stop()
	}
	return serveUntilSignal(*model, cfg, stdout)
}

// startCPUProfile profiles the process until the returned stop is called.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func checkServeFlags(model string, cfg servers.Config, procs int) error {
	switch {
	case model == "":
		return usageError{"serve: --model is required (" + strings.Join(servers.Models(), ", ") + ")"}
	case !contains(servers.Models(), model):
		return usageError{fmt.Sprintf("serve: unknown model %q (have %s)", model, strings.Join(servers.Models(), ", "))}
	case cfg.Pool < 0 || cfg.MaxThreads < 1 || procs < 0 || cfg.Loops < 1 || cfg.Workers < 1:
		return usageError{"serve: --pool and --procs must be ≥ 0; --max-threads, --loops, --workers ≥ 1"}
	case cfg.Pool > cfg.MaxThreads:
		return usageError{"serve: --pool must not exceed --max-threads"}
	case cfg.Wait != "netpoll" && cfg.Wait != "read":
		return usageError{"serve: --wait must be netpoll or read"}
	case cfg.IdleTimeout <= 0:
		return usageError{"serve: --idle-timeout must be positive"}
	}
	return nil
}

func serveUntilSignal(model string, cfg servers.Config, stdout io.Writer) error {
	wl, err := workload.New()
	if err != nil {
		return err
	}
	defer wl.Close()
	cfg.Workload = wl
	srv, err := servers.New(model, cfg)
	if err != nil {
		return err
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	done := make(chan error, 1)
	go func() { done <- srv.Serve() }()
	fmt.Fprintf(stdout, "listening on %s\n", srv.Addr())
	select {
	case <-sigs:
		srv.Close()
		return <-done
	case err := <-done:
		srv.Close()
		return err
	}
}

func ignoreHelp(err error) error {
	if err == errHelp {
		return nil
	}
	return err
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
