package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"

	"github.com/benchsuite/threads-vs-loop/internal/affinity"
	"github.com/benchsuite/threads-vs-loop/internal/rlimit"
	"github.com/benchsuite/threads-vs-loop/internal/wire"
	"github.com/benchsuite/threads-vs-loop/servers"
	_ "github.com/benchsuite/threads-vs-loop/servers/evented"
	_ "github.com/benchsuite/threads-vs-loop/servers/goroutine"
	"github.com/benchsuite/threads-vs-loop/servers/threaded"
	"github.com/benchsuite/threads-vs-loop/servers/workload"
)

const serveSynopsis = `serve --model MODEL [--addr 127.0.0.1:0] [--cpus LIST] [flags]

Runs one server model until SIGINT or SIGTERM. The first line on stdout is
"listening on HOST:PORT", so a caller can ask for port 0 and read the port; the
second is "settings {JSON}": the model, its GOMAXPROCS, CPUs and model settings as
chosen (defaults applied), for the caller to record. With --cpus the server pins
itself before it calibrates /cpu, so /cpu?us=N is the same work wherever it runs.`

func runServe(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", serveSynopsis, stdout)
	var cfg servers.Config
	var sa wire.ServeArgs
	sa.Bind(fs.FlagSet, servers.Models(), servers.DefaultAddr)
	model, procs, cpuList := &sa.Model, &sa.Procs, &sa.CPUs
	fs.DurationVar(&cfg.IdleTimeout, "idle-timeout", servers.DefaultIdleTimeout, "close keep-alive connections idle this long")
	fs.IntVar(&cfg.Pool, "pool", 0, "threaded: pre-spawn N threads that take connections from a queue (0: a thread per connection)")
	fs.IntVar(&cfg.MaxThreads, "max-threads", servers.DefaultMaxThreads, "threaded: connection threads at most; beyond, 503 and close")
	wait := fs.String("wait", string(servers.DefaultWait), "threaded: how a thread waits for bytes: read (blocking read(2), a P per thread, GC off) or netpoll")
	fs.IntVar(&cfg.Loops, "loops", servers.DefaultLoops, "evented: event loops, each on its own thread (1 like Node, N like nginx workers)")
	fs.IntVar(&cfg.Workers, "workers", servers.DefaultWorkers, "evented: worker pool size for /file (and /cpu with --offload)")
	fs.BoolVar(&cfg.Offload, "offload", false, "evented: run /cpu on the worker pool instead of the loop")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file (go tool pprof)")
	eof := fs.Bool("exit-on-stdin-eof", false, "stop when standard input closes (started over ssh by bench run)")
	counts := fs.String("count-log", "", "write \"UNIX_NANOS RESPONSES\" to this file every millisecond (the server's own count)")
	if err := fs.parse(args); err != nil {
		return ignoreHelp(err)
	}
	cfg.Addr = sa.Addr
	if *counts != "" {
		stop, err := countLog(*counts)
		if err != nil {
			return fmt.Errorf("serve: --count-log: %w", err)
		}
		defer stop()
	}
	cfg.Wait = servers.WaitMode(*wait)
	if err := checkServeFlags(*model, cfg, *procs); err != nil {
		return err
	}
	cpus, err := affinity.Parse(*cpuList)
	if err != nil {
		return usageError{"serve: --cpus: " + err.Error()}
	}
	if err := affinity.Pin(0, cpus); err != nil {
		return err
	}
	if *procs == 0 {
		*procs = servers.Procs(*model, cfg, allowedCPUs())
	}
	runtime.GOMAXPROCS(*procs) // threaded --wait read grows it with its threads
	if *model == "threaded" && cfg.Wait == servers.WaitRead {
		threaded.KeepGCOff(cfg.MaxThreads) // see servers/threaded/doc.go
	}
	if _, err := rlimit.RaiseNoFile(); err != nil {
		fmt.Fprintf(stderr, "bench serve: warning: %v\n", err)
	}
	if !servers.IsLoopback(cfg.Addr) && !*eof { // bench run's server host: the address is chosen
		fmt.Fprintf(stderr, "bench serve: warning: %s is not a loopback address\n", cfg.Addr)
	}
	if *cpuprofile != "" {
		stop, err := startCPUProfile(*cpuprofile)
		if err != nil {
			return err
		}
		defer stop()
	}
	cfg = servers.WithDefaults(cfg)
	settings := servers.Settings{Model: *model, Design: servers.Design(*model), GoMaxProcs: runtime.GOMAXPROCS(0), CPUs: affinity.Format(cpus)}
	switch *model {
	case "threaded":
		settings.Wait, settings.Pool = cfg.Wait, cfg.Pool
	case "evented":
		settings.Loops, settings.Workers, settings.Offload = cfg.Loops, cfg.Workers, cfg.Offload
	}
	return serveUntilSignal(settings, cfg, *eof, stdin, stdout)
}

// allowedCPUs is how many CPUs this process may run on (after --cpus).
func allowedCPUs() int {
	if cpus, err := affinity.Allowed(); err == nil && len(cpus) > 0 {
		return len(cpus)
	}
	return runtime.NumCPU()
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
	case !slices.Contains(servers.WaitModes, cfg.Wait):
		return usageError{"serve: --wait must be netpoll or read"}
	case cfg.IdleTimeout <= 0:
		return usageError{"serve: --idle-timeout must be positive"}
	}
	return nil
}

func serveUntilSignal(settings servers.Settings, cfg servers.Config, eof bool, stdin io.Reader, stdout io.Writer) error {
	wl, err := workload.New()
	if err != nil {
		return err
	}
	defer wl.Close()
	cfg.Workload = wl
	srv, err := servers.New(settings.Model, cfg)
	if err != nil {
		return err
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	if eof { // after the handler: the SIGTERM it sends is a clean stop
		watchStdin(stdin)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve() }()
	hello, err := wire.Listening(srv.Addr().String(), settings)
	if err != nil {
		srv.Close()
		return err
	}
	fmt.Fprint(stdout, hello)
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
