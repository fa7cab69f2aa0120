package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/benchsuite/threads-vs-loop/internal/affinity"
	"github.com/benchsuite/threads-vs-loop/internal/wire"
	"github.com/benchsuite/threads-vs-loop/loadgen"
	"github.com/benchsuite/threads-vs-loop/metrics"
)

const loadSynopsis = `load --url URL [--engine closed|open|vegeta] [-c N | --rate R[:R2]] [flags]

Drives a server and prints a wrk-like summary (or JSON with --json).
  closed: N persistent connections, one request in flight each (--pipeline D for D),
          from epoll loops on locked threads; req/s is what the server sustains.
  open:   vegeta at a constant rate (or a linear ramp R:R2 over warm-up + duration);
          latency counts from each request's scheduled send time, so stalls show;
          requests and req/s count those due in the window that completed by its end
          (plus --grace), so req/s never exceeds the rate; later ones are "late".
  vegeta: vegeta's own closed loop with -c workers (rate 0), only to compare with closed.
  --idle K holds K idle keep-alive connections beside the load, or alone with -c 0.
Only loopback targets unless --allow-remote. A result marked "client bound" means the
client, not the server, may have been the limit.`

// loadOptions is the parsed command line of `bench load`: the flags bench run writes for
// a client host (wire.LoadArgs), and this command's own.
type loadOptions struct {
	wire.LoadArgs
	cpus     []int // LoadArgs.CPUs, read
	hdr      string
	setConns bool // -c given explicitly
	eof      bool
}

func runLoad(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	o, err := parseLoadFlags(args, stdout)
	if err != nil {
		return ignoreHelp(err)
	}
	if err := prepareClient(o); err != nil {
		return err
	}
	if o.StartAt == "stdin" {
		if err := readStart(stdin, &o.Config); err != nil {
			return fmt.Errorf("load: --start-at stdin: %w", err)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if o.eof { // after the handler: the SIGTERM it sends must stop the load, not kill it
		watchStdin(stdin)
	}
	idle, err := holdIdle(ctx, o, stderr)
	if err != nil {
		return err
	}
	defer idle.Close()
	res, runErr := runEngine(ctx, o)
	if res == nil && runErr != nil {
		return runErr
	}
	if err := writeLoadOutput(stdout, o, res, idle); err != nil {
		return err
	}
	if o.hdr != "" && res != nil {
		if err := writeHgrm(o.hdr, res, o); err != nil {
			return err
		}
	}
	if errors.Is(runErr, context.Canceled) {
		return nil // interrupted: what was measured is printed
	}
	return runErr
}

func parseLoadFlags(args []string, stdout io.Writer) (*loadOptions, error) {
	o := &loadOptions{}
	fs := newLoadFlags(o, stdout)
	if err := fs.parse(args); err != nil {
		return nil, err
	}
	fs.Visit(func(f *flag.Flag) { o.setConns = o.setConns || f.Name == "c" })
	list, err := affinity.Parse(o.CPUs)
	if err != nil {
		return nil, usageError{"load: --cpus: " + err.Error()}
	}
	o.cpus = list
	if err := o.Resolve(); err != nil {
		return nil, usageError{"load: " + strings.TrimPrefix(err.Error(), "wire: ")}
	}
	return o, checkLoadFlags(o)
}

// newLoadFlags declares every flag of `bench load` into o: wire.LoadArgs's, then this
// command's own.
func newLoadFlags(o *loadOptions, stdout io.Writer) *cliFlags {
	fs := newFlagSet("load", loadSynopsis, stdout)
	o.Bind(fs.FlagSet)
	fs.StringVar(&o.hdr, "hdr", "", "write the latency percentile distribution to this file, HdrHistogram .hgrm text, values in microseconds (as bench run's hgrm/ files)")
	fs.BoolVar(&o.eof, "exit-on-stdin-eof", false, "stop when standard input closes (started over ssh by bench run)")
	return fs
}

func checkLoadFlags(o *loadOptions) error {
	c := &o.Config
	switch {
	case c.URL == "":
		return usageError{"load: --url is required"}
	case o.Engine != "closed" && o.Engine != "open" && o.Engine != "vegeta":
		return usageError{fmt.Sprintf("load: unknown engine %q (closed, open or vegeta)", o.Engine)}
	case c.Duration <= 0 || c.Timeout <= 0 || c.Warmup < 0 || c.Grace < 0 || c.RampMax < 0:
		return usageError{"load: --duration and --timeout must be positive, --warmup, --grace and --ramp-max not negative"}
	case c.Concurrency < 0 || o.Idle < 0 || c.Loops < 0 || c.Pipeline < 1:
		return usageError{"load: -c, --idle and --loops must be ≥ 0, --pipeline ≥ 1"}
	}
	if err := loadgen.CheckTarget(c.URL, c.AllowRemote); err != nil {
		if errors.Is(err, loadgen.ErrNotLoopback) {
			return usageError{"load: " + c.URL + " is not a loopback address (use --allow-remote to load a remote host)"}
		}
		return usageError{"load: " + strings.TrimPrefix(err.Error(), "loadgen: ")}
	}
	switch {
	case c.RampMax != 0 && !c.Ramp:
		return usageError{"load: --ramp-max bounds --ramp: give both"}
	case o.Engine == "open":
		return checkOpenFlags(o)
	case o.Rate != "":
		return usageError{"load: --rate is for --engine open"}
	case c.Grace != 0:
		return usageError{"load: --grace is for --engine open"}
	case o.Engine == "vegeta" && (c.Concurrency < 1 || c.Pipeline != 1 || c.Loops != 0 || c.Ramp):
		return usageError{"load: --engine vegeta needs -c ≥ 1 and takes no --pipeline, --loops or --ramp"}
	case c.Concurrency == 0 && o.Idle == 0:
		return usageError{"load: nothing to do: -c 0 and no --idle"}
	}
	return nil
}

func checkOpenFlags(o *loadOptions) error {
	c := &o.Config
	switch {
	case o.Rate == "":
		return usageError{"load: --engine open needs --rate"}
	case c.Pipeline != 1 || c.Loops != 0 || c.Ramp:
		return usageError{"load: --pipeline, --loops and --ramp are for the closed engine"}
	case c.Concurrency < 0:
		return usageError{"load: -c (the most vegeta workers, 0 for the default) must not be negative"}
	}
	if !o.setConns {
		c.Concurrency = 0 // loadgen's default worker bound
	}
	return nil
}

// prepareClient pins the process and checks the descriptors the run needs fit the limit.
func prepareClient(o *loadOptions) error {
	if len(o.cpus) > 0 {
		if err := affinity.Pin(0, o.cpus); err != nil {
			return fmt.Errorf("load: %w", err)
		}
	}
	conns := o.Config.Concurrency
	if o.Engine == "open" && conns == 0 {
		conns = loadgen.DefaultOpenMaxWorkers
	}
	if err := loadgen.CheckFDs(conns + o.Idle); err != nil {
		if errors.Is(err, loadgen.ErrFDLimit) {
			return usageError{"load: " + strings.TrimPrefix(err.Error(), "loadgen: ")}
		}
		return err
	}
	return nil
}

// holdIdle sets up the idle connections, if any, and says how that went on stderr.
func holdIdle(ctx context.Context, o *loadOptions, stderr io.Writer) (*loadgen.IdleConns, error) {
	if o.Idle == 0 {
		return nil, nil
	}
	idle, err := loadgen.Hold(ctx, o.Config, o.Idle)
	if err != nil {
		return nil, fmt.Errorf("load: idle connections: %w", err)
	}
	fmt.Fprint(stderr, wire.IdleLine(idle.Up(), idle.Failed()))
	return idle, nil
}

// runEngine runs the chosen engine; with -c 0 it only waits (warm-up + duration) while
// the idle connections are held.
func runEngine(ctx context.Context, o *loadOptions) (*loadgen.Result, error) {
	switch {
	case o.Engine == "open":
		return loadgen.RunOpen(ctx, o.Config)
	case o.Engine == "vegeta":
		return loadgen.RunVegetaClosed(ctx, o.Config)
	case o.Config.Concurrency > 0:
		return loadgen.RunClosed(ctx, o.Config)
	}
	t := time.NewTimer(o.Config.Warmup + o.Config.Duration)
	defer t.Stop()
	select {
	case <-t.C:
		return nil, nil
	case <-ctx.Done():
		return nil, nil
	}
}

func writeHgrm(path string, res *loadgen.Result, o *loadOptions) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	id := metrics.Hist{Server: o.Config.URL, Scenario: "bench load", Kind: metrics.KindClosed, Level: float64(res.Connections), Repeat: 1}
	if res.Engine == loadgen.EngineOpen {
		id.Kind, id.Level = metrics.KindOpen, res.OfferedRPS
	}
	if err := metrics.WriteHgrm(f, id, res.Latency); err != nil { // µs, as every .hgrm of the suite
		f.Close()
		return fmt.Errorf("load: %s: %w", path, err)
	}
	return f.Close()
}

func writeLoadOutput(w io.Writer, o *loadOptions, res *loadgen.Result, idle *loadgen.IdleConns) error {
	if o.JSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(wire.NewLoadReply(o.Config.URL, o.Config.Pipeline, res, idle))
	}
	if res != nil {
		writeSummary(w, o, res)
	}
	if o.Idle > 0 {
		fmt.Fprintf(w, "  Idle          %d up, %d failed, %d dropped\n", idle.Up(), idle.Failed(), idle.Dropped())
	}
	return nil
}

// writeSummary prints the result the way wrk does, give or take.
func writeSummary(w io.Writer, o *loadOptions, res *loadgen.Result) {
	switch res.Engine {
	case loadgen.EngineOpen:
		fmt.Fprintf(w, "open engine: %.0f req/s offered, at most %d workers -> %s\n", res.OfferedRPS, res.Connections, o.Config.URL)
	case loadgen.EngineVegetaClosed:
		fmt.Fprintf(w, "vegeta closed loop: %d workers -> %s\n", res.Connections, o.Config.URL)
	default:
		fmt.Fprintf(w, "closed engine: %d connections, %d loop(s), pipeline %d -> %s\n", res.Connections, res.Loops, max(1, o.Config.Pipeline), o.Config.URL)
	}
	fmt.Fprintf(w, "  %s measured after %s warm-up\n", res.Elapsed.Round(time.Millisecond), o.Config.Warmup)
	fmt.Fprintf(w, "  Requests/sec  %.2f  (%d requests, %d errors)\n", res.RPS(), res.Requests, res.Errors.Total())
	if res.Engine == loadgen.EngineOpen {
		fmt.Fprintf(w, "  Sent/sec      %.2f  (latency counts from each request's scheduled time)\n", res.AchievedRPS)
		fmt.Fprintf(w, "  Due/Sent      %d due, %d sent, %d late  (requests: due and completed by the window's end + %s)\n",
			res.Due, res.Sent, res.Late, o.Config.Grace)
	}
	fmt.Fprintf(w, "  Latency       p50 %s  p90 %s  p99 %s  p99.9 %s  max %s\n", fmtLatency(res.Quantile(50)),
		fmtLatency(res.Quantile(90)), fmtLatency(res.Quantile(99)), fmtLatency(res.Quantile(99.9)), fmtLatency(res.Max()))
	e := res.Errors
	fmt.Fprintf(w, "  Errors        connect %d, reset %d, timeout %d, non-2xx %d, parse %d, unsent %d\n",
		e.Connect, e.Reset, e.Timeout, e.Status, e.Parse, e.Unsent)
	fmt.Fprintf(w, "  Connections   %d up as the window began, %d reconnects\n", res.ConnsUp, res.Reconnects)
	if res.Engine == loadgen.EngineOpen {
		fmt.Fprintf(w, "  Workers       at most %d of %d busy; workers exhausted %v, rate short %v\n",
			res.PeakBusy, res.Connections, res.WorkersExhausted, res.RateShort)
		if res.Note != "" {
			fmt.Fprintf(w, "  Note          %s\n", res.Note)
		}
	}
	bound := ""
	if res.ClientBound {
		bound = "  CLIENT BOUND: " + res.BoundReason
	}
	fmt.Fprintf(w, "  Client CPU    %.0f%% of one core, %d CPU(s) allowed%s\n", res.ClientCPUPct, res.ClientCPUs, bound)
}

func fmtLatency(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return strconv.FormatInt(d.Microseconds(), 10) + "µs"
	case d < time.Second:
		return strconv.FormatFloat(float64(d)/1e6, 'f', 2, 64) + "ms"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + "s"
}
