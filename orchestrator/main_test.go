package orchestrator

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/benchsuite/threads-vs-loop/internal/affinity"
	"github.com/benchsuite/threads-vs-loop/loadgen"
	"github.com/benchsuite/threads-vs-loop/servers"
	_ "github.com/benchsuite/threads-vs-loop/servers/evented"
	_ "github.com/benchsuite/threads-vs-loop/servers/goroutine"
	_ "github.com/benchsuite/threads-vs-loop/servers/threaded"
	"github.com/benchsuite/threads-vs-loop/servers/workload"
)

// The test binary doubles as `bench serve`: with ORCH_TEST_SERVE=1 it serves a model the
// way cmd/bench's serve does (first stdout line "listening on HOST:PORT", stop on
// SIGTERM; then the "settings" line), so the runner starts real server processes without building the CLI.
func TestMain(m *testing.M) {
	if os.Getenv("ORCH_TEST_SERVE") == "1" {
		if err := serveForTest(os.Args[1:]); err != nil {
			fmt.Fprintln(os.Stderr, "serve:", err)
			os.Exit(1)
		}
		return
	}
	os.Exit(m.Run())
}

func serveForTest(args []string) error {
	if len(args) == 0 || args[0] != "serve" {
		return fmt.Errorf("want serve, got %q", args)
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	model := fs.String("model", "", "")
	addr := fs.String("addr", "", "")
	procs := fs.Int("procs", 0, "")
	cpuList := fs.String("cpus", "", "")
	offload := fs.Bool("offload", false, "")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	wl, err := workload.New()
	if err != nil {
		return err
	}
	defer wl.Close()
	srv, err := servers.New(*model, servers.Config{Addr: *addr, Workload: wl, Offload: *offload})
	if err != nil {
		return err
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	go srv.Serve()
	if *procs == 0 { // as bench serve chooses
		cpus, _ := affinity.Parse(*cpuList)
		*procs = servers.Procs(*model, servers.Config{Offload: *offload}, max(len(cpus), 1))
	}
	fmt.Printf("listening on %s\nsettings {\"model\":%q,\"gomaxprocs\":%d}\n", srv.Addr(), *model, *procs)
	<-sigs
	return srv.Close()
}

// testConfig is a run of steps against test-binary servers, driven by eng.
func testConfig(t *testing.T, steps []Step, eng Engine) Config {
	return Config{Steps: steps, Out: t.TempDir(), Bench: os.Args[0], Env: []string{"ORCH_TEST_SERVE=1"},
		HostCPUs: 2, Engine: eng, Interval: 10 * time.Millisecond, Progress: io.Discard}
}

// fakeEngine stands in for loadgen: it checks that the server answers the URL it is
// given, then waits out warm-up and window (or ctx) and reports made-up figures. before,
// when set, runs first with the 1-based call number; during, half-way through the window.
type fakeEngine struct {
	mu     sync.Mutex
	calls  []loadgen.Config
	idle   []int
	before func(call int, cfg loadgen.Config)
	during func(call int)
	ramp   time.Duration // a closed load's ramp before its warm-up (loadgen.Config.RampMax)
}

func (f *fakeEngine) record(cfg loadgen.Config) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, cfg)
	return len(f.calls)
}

func (f *fakeEngine) RunClosed(ctx context.Context, cfg loadgen.Config) (*loadgen.Result, error) {
	return f.run(ctx, cfg, "closed")
}

func (f *fakeEngine) RunOpen(ctx context.Context, cfg loadgen.Config) (*loadgen.Result, error) {
	return f.run(ctx, cfg, "open")
}

func (f *fakeEngine) run(ctx context.Context, cfg loadgen.Config, engine string) (*loadgen.Result, error) {
	n := f.record(cfg)
	began := time.Now() // as the engines do, the window begins Warmup (after the ramp) after the start
	lead := cfg.Warmup
	if engine == "closed" && cfg.RampMax > 0 {
		lead += min(f.ramp, cfg.RampMax)
	}
	if cfg.OnWindow != nil {
		cfg.OnWindow(began.Add(lead))
	}
	if f.before != nil {
		f.before(n, cfg)
	}
	if err := getURL(cfg.URL); err != nil {
		return nil, err
	}
	h := hdrhistogram.New(1, 60_000_000, 3)
	for v := int64(100); v <= 1000; v++ {
		h.RecordValue(v) // p50 ≈ 550 µs, p99 ≈ 991 µs
	}
	res := &loadgen.Result{Engine: engine, Requests: 901, Latency: h, Elapsed: cfg.Duration, ClientCPUPct: 12, ConnsUp: cfg.Concurrency,
		Began: began, WindowStart: began.Add(lead),
		Windows: []loadgen.Window{{Start: 0, Requests: 500, P99: 990 * time.Microsecond},
			{Start: cfg.Duration / 2, Requests: 401, P99: 995 * time.Microsecond}}}
	if engine == "open" {
		res.OfferedRPS = cfg.Rate
	}
	end := time.After(lead + cfg.Duration)
	if f.during != nil {
		select {
		case <-time.After(lead + cfg.Duration/2):
			f.during(n)
		case <-ctx.Done():
		}
	}
	select {
	case <-end:
		return res, nil
	case <-ctx.Done():
		res.Requests /= 2
		return res, ctx.Err()
	}
}

func (f *fakeEngine) HoldIdle(ctx context.Context, url string, k int) (IdleHolder, error) {
	f.mu.Lock()
	f.idle = append(f.idle, k)
	f.mu.Unlock()
	if err := getURL(url); err != nil {
		return nil, err
	}
	return fakeIdle(k - k/10), nil // a tenth fail, so the row's note must say so
}

type fakeIdle int

func (h fakeIdle) Up() int      { return int(h) }
func (h fakeIdle) Failed() int  { return int(h) / 9 }
func (h fakeIdle) Close() error { return nil }

// getURL sends one GET and wants a 200.
func getURL(url string) error {
	hostPath, ok := strings.CutPrefix(url, "http://")
	if !ok {
		return fmt.Errorf("url %q", url)
	}
	host, path, _ := strings.Cut(hostPath, "/")
	c, err := net.DialTimeout("tcp", host, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(c, "GET /%s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", path)
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "HTTP/1.1 200") {
		return fmt.Errorf("GET %s: %q", url, line)
	}
	return nil
}
