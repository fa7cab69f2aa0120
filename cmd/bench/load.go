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

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/benchsuite/threads-vs-loop/internal/affinity"
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

// loadOptions is the parsed command line of `bench load`.
type loadOptions struct {
	cfg      loadgen.Config
	engine   string
	rate     string
	idle     int
	cpus     []int
	hdr      string
	json     bool
	setConns bool // -c given explicitly
	startAt  string
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
	if o.startAt == "stdin" {
		if err := readStart(stdin, &o.cfg); err != nil {
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
	fs, cpus := newLoadFlags(o, stdout)
	if err := fs.parse(args); err != nil {
		return nil, err
	}
	fs.Visit(func(f *flag.Flag) { o.setConns = o.setConns || f.Name == "c" })
	list, err := affinity.Parse(*cpus)
	if err != nil {
		return nil, usageError{"load: --cpus: " + err.Error()}
	}
	o.cpus = list
	if o.startAt != "" && o.startAt != "stdin" {
		ns, err := strconv.ParseInt(o.startAt, 10, 64)
		if err != nil || ns <= 0 {
			return nil, usageError{"load: --start-at: want Unix nanoseconds or stdin"}
		}
		o.cfg.StartAt = time.Unix(0, ns)
	}
	return o, checkLoadFlags(o)
}

// newLoadFlags declares every flag of `bench load` into o; the CPU list comes back raw.
func newLoadFlags(o *loadOptions, stdout io.Writer) (*cliFlags, *string) {
	fs := newFlagSet("load", loadSynopsis, stdout)
	fs.StringVar(&o.cfg.URL, "url", "", "target, e.g. http://127.0.0.1:8080/hello (required)")
	fs.StringVar(&o.engine, "engine", "closed", "closed (saturation, as wrk), open (constant rate, vegeta) or vegeta (vegeta's closed loop, for comparison)")
	fs.IntVar(&o.cfg.Concurrency, "c", 10, "closed: connections (0 with --idle: only hold idle ones); open: the most vegeta workers ("+strconv.Itoa(loadgen.DefaultOpenMaxWorkers)+" unless given)")
	fs.StringVar(&o.rate, "rate", "", "open: requests per second, or A:B for a linear ramp from A to B over warm-up + duration")
	fs.DurationVar(&o.cfg.Duration, "duration", 10*time.Second, "the measured window")
	fs.DurationVar(&o.cfg.Warmup, "warmup", 2*time.Second, "load before the window, not counted")
	fs.DurationVar(&o.cfg.Timeout, "timeout", loadgen.DefaultTimeout, "per request; a request unanswered this long is a timeout error")
	fs.DurationVar(&o.cfg.Grace, "grace", 0, "open: a request due in the window counts in requests and req/s only if it completed by the window's end plus this; one completed later is late (its latency still recorded)")
	fs.IntVar(&o.cfg.Pipeline, "pipeline", 1, "closed: requests in flight per connection")
	fs.IntVar(&o.cfg.Loops, "loops", 0, "closed: event loops, each on its own thread (0: one per CPU the client may use)")
	fs.BoolVar(&o.cfg.Ramp, "ramp", false, "closed: each connection makes one request and waits, within the warm-up, until all have been answered once, so the server holds them all when the window begins (bench run does this; wrk does not)")
	fs.DurationVar(&o.cfg.RampMax, "ramp-max", 0, "closed, with --ramp: let the ramp outlast the warm-up, up to this long; the warm-up then begins once every connection has been answered (bench run: 15s; 0: the ramp ends by the window)")
	fs.IntVar(&o.idle, "idle", 0, "hold this many idle keep-alive connections (each made one request) during the load")
	cpus := fs.String("cpus", "", "pin the whole client process to these CPUs, e.g. 1 or 1-3 (taskset -c syntax)")
	fs.StringVar(&o.hdr, "hdr", "", "write the latency percentile distribution to this file, HdrHistogram .hgrm text, values in microseconds (as bench run's hgrm/ files)")
	fs.BoolVar(&o.json, "json", false, "print the result as JSON (latencies in microseconds)")
	fs.BoolVar(&o.cfg.AllowRemote, "allow-remote", false, "permit a target that is not a loopback address")
	fs.StringVar(&o.startAt, "start-at", "", "begin the warm-up at this wall-clock instant, Unix nanoseconds; \"stdin\": read \"UNIX_NANOS [WARMUP]\" from the first line of stdin (bench run's client hosts start together)")
	fs.BoolVar(&o.eof, "exit-on-stdin-eof", false, "stop when standard input closes (started over ssh by bench run)")
	return fs, cpus
}

func checkLoadFlags(o *loadOptions) error {
	c := &o.cfg
	switch {
	case c.URL == "":
		return usageError{"load: --url is required"}
	case o.engine != "closed" && o.engine != "open" && o.engine != "vegeta":
		return usageError{fmt.Sprintf("load: unknown engine %q (closed, open or vegeta)", o.engine)}
	case c.Duration <= 0 || c.Timeout <= 0 || c.Warmup < 0 || c.Grace < 0:
		return usageError{"load: --duration and --timeout must be positive, --warmup and --grace not negative"}
	case c.Concurrency < 0 || o.idle < 0 || c.Loops < 0 || c.Pipeline < 1:
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
	case o.engine == "open":
		return checkOpenFlags(o)
	case o.rate != "":
		return usageError{"load: --rate is for --engine open"}
	case c.Grace != 0:
		return usageError{"load: --grace is for --engine open"}
	case o.engine == "vegeta" && (c.Concurrency < 1 || c.Pipeline != 1 || c.Loops != 0 || c.Ramp):
		return usageError{"load: --engine vegeta needs -c ≥ 1 and takes no --pipeline, --loops or --ramp"}
	case c.Concurrency == 0 && o.idle == 0:
		return usageError{"load: nothing to do: -c 0 and no --idle"}
	}
	return nil
}

func checkOpenFlags(o *loadOptions) error {
	c := &o.cfg
	switch {
	case o.rate == "":
		return usageError{"load: --engine open needs --rate"}
	case c.Pipeline != 1 || c.Loops != 0 || c.Ramp:
		return usageError{"load: --pipeline, --loops and --ramp are for the closed engine"}
	case o.setConns && c.Concurrency < 1:
		return usageError{"load: -c (the most vegeta workers) must be ≥ 1"}
	}
	if !o.setConns {
		c.Concurrency = 0 // loadgen's default worker bound
	}
	from, to, ramp := strings.Cut(o.rate, ":")
	a, errA := strconv.ParseFloat(from, 64)
	b, errB := a, error(nil)
	if ramp {
		b, errB = strconv.ParseFloat(to, 64)
	}
	if errA != nil || errB != nil || !(a > 0 && a < 1e9) || !(b > 0 && b < 1e9) {
		return usageError{fmt.Sprintf("load: --rate %q: want R or A:B, positive requests per second", o.rate)}
	}
	c.Rate, c.RateEnd = a, 0
	if ramp {
		c.RateEnd = b
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
	conns := o.cfg.Concurrency
	if o.engine == "open" && conns == 0 {
		conns = loadgen.DefaultOpenMaxWorkers
	}
	if err := loadgen.CheckFDs(conns + o.idle); err != nil {
		if errors.Is(err, loadgen.ErrFDLimit) {
			return usageError{"load: " + strings.TrimPrefix(err.Error(), "loadgen: ")}
		}
		return err
	}
	return nil
}

// holdIdle sets up the idle connections, if any, and says how that went on stderr.
func holdIdle(ctx context.Context, o *loadOptions, stderr io.Writer) (*loadgen.IdleConns, error) {
	if o.idle == 0 {
		return nil, nil
	}
	idle, err := loadgen.Hold(ctx, o.cfg, o.idle)
	if err != nil {
		return nil, fmt.Errorf("load: idle connections: %w", err)
	}
	fmt.Fprintf(stderr, "idle: %d up, %d failed\n", idle.Up(), idle.Failed())
	return idle, nil
}

// runEngine runs the chosen engine; with -c 0 it only waits (warm-up + duration) while
// the idle connections are held.
func runEngine(ctx context.Context, o *loadOptions) (*loadgen.Result, error) {
	switch {
	case o.engine == "open":
		return loadgen.RunOpen(ctx, o.cfg)
	case o.engine == "vegeta":
		return loadgen.RunVegetaClosed(ctx, o.cfg)
	case o.cfg.Concurrency > 0:
		return loadgen.RunClosed(ctx, o.cfg)
	}
	t := time.NewTimer(o.cfg.Warmup + o.cfg.Duration)
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
	id := metrics.Hist{Server: o.cfg.URL, Scenario: "bench load", Kind: metrics.KindClosed, Level: float64(res.Connections), Repeat: 1}
	if res.Engine == loadgen.EngineOpen {
		id.Kind, id.Level = metrics.KindOpen, res.OfferedRPS
	}
	if err := metrics.WriteHgrm(f, id, res.Latency); err != nil { // µs, as every .hgrm of the suite
		f.Close()
		return fmt.Errorf("load: %s: %w", path, err)
	}
	return f.Close()
}

// loadJSON is `bench load --json`: latencies in microseconds.
type loadJSON struct {
	Engine         string       `json:"engine"`
	URL            string       `json:"url"`
	Connections    int          `json:"connections"`
	Loops          int          `json:"loops,omitempty"`
	Pipeline       int          `json:"pipeline,omitempty"`
	OfferedRPS     float64      `json:"offered_rps,omitempty"`
	AchievedRPS    float64      `json:"achieved_rps,omitempty"`
	DurationS      float64      `json:"duration_s"`
	Requests       int64        `json:"requests"`
	RPS            float64      `json:"rps"`
	Due            int64        `json:"due"`  // open: requests due in the window (requests + late + errors)
	Sent           int64        `json:"sent"` // open: of those, sent before the window's end
	Late           int64        `json:"late"` // open: succeeded after the window's end plus --grace
	Errors         errorsJSON   `json:"errors"`
	Reconnects     int64        `json:"reconnects"`
	ConnsUp        int          `json:"conns_up"`
	RateShort      bool         `json:"rate_short"`
	WorkersExhaust bool         `json:"workers_exhausted"`
	PeakBusy       int          `json:"peak_busy,omitempty"`
	Note           string       `json:"note,omitempty"`
	WarmupRequests int64        `json:"warmup_requests"`
	LatencyUS      latencyJSON  `json:"latency_us"`
	ClientCPUPct   float64      `json:"client_cpu_pct"`
	ClientCPUs     int          `json:"client_cpus"`
	ClientBound    bool         `json:"client_bound"`
	BoundReason    string       `json:"bound_reason,omitempty"`
	CPUShared      bool         `json:"cpu_shared,omitempty"`
	Idle           *idleJSON    `json:"idle,omitempty"`
	Windows        []windowJSON `json:"windows"`
	// BeganUnixNS is when the warm-up began (the window began warm-up later), and Hist
	// the latency histogram, hdrhistogram-go's compressed encoding in base64: a
	// multi-host run merges the client hosts' histograms from it.
	BeganUnixNS int64  `json:"began_unix_ns,omitempty"`
	Hist        string `json:"hist,omitempty"`
	// SuccessHist is the successful responses' histogram when it is not Hist (open).
	SuccessHist string `json:"success_hist,omitempty"`
}

type errorsJSON struct {
	Connect int64 `json:"connect"`
	Reset   int64 `json:"reset"`
	Timeout int64 `json:"timeout"`
	Status  int64 `json:"status"`
	Parse   int64 `json:"parse"`
	Unsent  int64 `json:"unsent"`
	Total   int64 `json:"total"`
}

type latencyJSON struct {
	P50  int64 `json:"p50"`
	P90  int64 `json:"p90"`
	P99  int64 `json:"p99"`
	P999 int64 `json:"p999"`
	Max  int64 `json:"max"`
}

type idleJSON struct {
	Up      int `json:"up"`
	Failed  int `json:"failed"`
	Dropped int `json:"dropped"`
}

type windowJSON struct {
	StartMS  int64 `json:"start_ms"`
	Requests int64 `json:"requests"`
	Errors   int64 `json:"errors"`
	P99US    int64 `json:"p99_us"`
}

func toJSON(o *loadOptions, res *loadgen.Result, idle *loadgen.IdleConns) loadJSON {
	out := loadJSON{Engine: loadgen.EngineIdle, URL: o.cfg.URL}
	if o.idle > 0 {
		out.Idle = &idleJSON{Up: idle.Up(), Failed: idle.Failed(), Dropped: idle.Dropped()}
	}
	if res == nil {
		return out
	}
	us := func(q float64) int64 { return res.Quantile(q).Microseconds() }
	e := res.Errors
	out.Engine, out.Connections, out.Loops = res.Engine, res.Connections, res.Loops
	if res.Engine == loadgen.EngineClosed {
		out.Pipeline = max(1, o.cfg.Pipeline)
	}
	out.OfferedRPS, out.AchievedRPS = res.OfferedRPS, res.AchievedRPS
	out.DurationS, out.Requests, out.RPS = res.Elapsed.Seconds(), res.Requests, res.RPS()
	out.Due, out.Sent, out.Late = res.Due, res.Sent, res.Late
	out.Errors = errorsJSON{e.Connect, e.Reset, e.Timeout, e.Status, e.Parse, e.Unsent, e.Total()}
	out.Reconnects, out.WarmupRequests, out.ConnsUp = res.Reconnects, res.WarmupRequests, res.ConnsUp
	out.RateShort, out.WorkersExhaust, out.PeakBusy, out.Note = res.RateShort, res.WorkersExhausted, res.PeakBusy, res.Note
	out.LatencyUS = latencyJSON{us(50), us(90), us(99), us(99.9), res.Max().Microseconds()}
	out.ClientCPUPct, out.ClientCPUs = res.ClientCPUPct, res.ClientCPUs
	out.ClientBound, out.BoundReason, out.CPUShared = res.ClientBound, res.BoundReason, res.CPUShared
	out.BeganUnixNS = res.Began.UnixNano()
	out.Hist, out.SuccessHist = encodeHist(res.Latency), ""
	if res.SuccessLatency != nil && res.SuccessLatency != res.Latency {
		out.SuccessHist = encodeHist(res.SuccessLatency)
	}
	out.Windows = make([]windowJSON, len(res.Windows))
	for i, w := range res.Windows {
		out.Windows[i] = windowJSON{w.Start.Milliseconds(), w.Requests, w.Errors, w.P99.Microseconds()}
	}
	return out
}

// encodeHist is h in hdrhistogram-go's V2 compressed encoding (base64), or "".
func encodeHist(h *hdrhistogram.Histogram) string {
	if h == nil {
		return ""
	}
	b, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		return ""
	}
	return string(b)
}

func writeLoadOutput(w io.Writer, o *loadOptions, res *loadgen.Result, idle *loadgen.IdleConns) error {
	if o.json {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(toJSON(o, res, idle))
	}
	if res != nil {
		writeSummary(w, o, res)
	}
	if o.idle > 0 {
		fmt.Fprintf(w, "  Idle          %d up, %d failed, %d dropped\n", idle.Up(), idle.Failed(), idle.Dropped())
	}
	return nil
}

// writeSummary prints the result the way wrk does, give or take.
func writeSummary(w io.Writer, o *loadOptions, res *loadgen.Result) {
	switch res.Engine {
	case loadgen.EngineOpen:
		fmt.Fprintf(w, "open engine: %.0f req/s offered, at most %d workers -> %s\n", res.OfferedRPS, res.Connections, o.cfg.URL)
	case loadgen.EngineVegetaClosed:
		fmt.Fprintf(w, "vegeta closed loop: %d workers -> %s\n", res.Connections, o.cfg.URL)
	default:
		fmt.Fprintf(w, "closed engine: %d connections, %d loop(s), pipeline %d -> %s\n", res.Connections, res.Loops, max(1, o.cfg.Pipeline), o.cfg.URL)
	}
	fmt.Fprintf(w, "  %s measured after %s warm-up\n", res.Elapsed.Round(time.Millisecond), o.cfg.Warmup)
	fmt.Fprintf(w, "  Requests/sec  %.2f  (%d requests, %d errors)\n", res.RPS(), res.Requests, res.Errors.Total())
	if res.Engine == loadgen.EngineOpen {
		fmt.Fprintf(w, "  Sent/sec      %.2f  (latency counts from each request's scheduled time)\n", res.AchievedRPS)
		fmt.Fprintf(w, "  Due/Sent      %d due, %d sent, %d late  (requests: due and completed by the window's end + %s)\n",
			res.Due, res.Sent, res.Late, o.cfg.Grace)
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
