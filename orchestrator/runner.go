package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	"github.com/benchsuite/threads-vs-loop/internal/affinity"
	"github.com/benchsuite/threads-vs-loop/metrics"
)

// ErrInterrupted is returned when the run's context is cancelled (SIGINT, SIGTERM): every
// finished row is on disk and every server has been stopped.
var ErrInterrupted = errors.New("orchestrator: interrupted")

// Config is one run: the planned steps, where the results go, and the machine's split.
type Config struct {
	Steps      []Step   // from Plan
	Out        string   // the run folder: summary.csv, timeseries.csv, hgrm/ (rows are appended)
	RunID      string   // the CSV's run_id (default: Out's base name)
	Bench      string   // the bench binary that runs `bench serve`
	Env        []string // extra environment for the servers
	ServerCPUs []int    // the servers are pinned here (empty: not pinned)
	ClientCPUs []int    // where this process runs, recorded (the caller pins it)
	HostCPUs   int
	Engine     Engine
	Progress   io.Writer     // one line per step (nil: silent)
	Interval   time.Duration // sampler period (0: sampler.DefaultInterval, 10 Hz)
	Note       string        // added to every row's note, e.g. "server and client share CPU 0"
	// OnServer, when set, is called with each server's label and sampled PID as it starts.
	OnServer func(label string, pid int)
	// ServerHost, when set, is where the servers run (package orchestrator/sshhost: bench
	// serve over ssh, sampled there by bench sample); nil: this machine, as children.
	ServerHost ServerHost
	// LeftOut is the suite's servers the run leaves out, and why (Plan's), for run.json.
	LeftOut []metrics.LeftOut
	// Servers is what the suite declares of each of its servers (Suite.Identities), for
	// run.json: the charts' families and the claims' roles.
	Servers []metrics.ServerIdentity
}

// Report is what a run did.
type Report struct {
	Steps   int // steps with a row written
	Noted   int // rows with a note (clamped, skipped, server died, load failed)
	Failed  int // rows without a measurement
	Elapsed time.Duration
}

// runner is the state of one run. Steps run one after another on the caller's goroutine;
// a watcher goroutine stops the current server as soon as the context is cancelled.
type runner struct {
	cfg       Config
	launch    launcher
	capacity  map[string]capacity // server/scenario/repeat → the capacity probe's figures
	manifest  metrics.RunManifest // run.json: every server start with its settings
	reference *reference          // the run's reference probe, once measured

	mu  sync.Mutex
	srv *serverProc // the server running now, if any
}

// Run runs the steps in order, writing one summary row per step as it ends (flushed, so
// an interrupted run keeps every finished row), the sampler's ticks to timeseries.csv
// and each step's latency histogram to hgrm/. A server that dies mid-step gives a row
// with a note and is restarted for the next step; a cancelled ctx stops every server and
// returns ErrInterrupted.
func Run(ctx context.Context, cfg Config) (Report, error) {
	start := time.Now()
	if cfg.RunID == "" {
		cfg.RunID = filepath.Base(cfg.Out)
	}
	if cfg.Progress == nil {
		cfg.Progress = io.Discard
	}
	summary, series, err := openOutputs(cfg.Out)
	if err != nil {
		return Report{}, err
	}
	defer summary.Close()
	defer series.Close()

	r := &runner{cfg: cfg, capacity: map[string]capacity{}, manifest: planned(cfg),
		launch: launcher{host: serverHost(cfg), env: cfg.Env, cpus: cfg.ServerCPUs}}
	if err := metrics.WriteManifest(cfg.Out, r.manifest); err != nil {
		return Report{}, err
	}
	watched := make(chan struct{})
	stopWatch := context.AfterFunc(ctx, func() { defer close(watched); r.stopServer() })
	defer func() {
		if !stopWatch() {
			<-watched // cancelled: return only once the watcher has stopped the server
		}
	}()
	defer r.stopServer()

	r.measureReference(ctx)
	var rep Report
	var planned time.Duration
	for _, st := range cfg.Steps {
		if ctx.Err() != nil {
			break
		}
		stepStart := time.Now()
		res := r.step(ctx, st)
		if ctx.Err() != nil {
			break // interrupted mid-step: a partial window is not a row
		}
		if err := r.record(summary, series, res); err != nil {
			return rep, err
		}
		rep.Steps++
		if res.row.Note != "" {
			rep.Noted++
		}
		if res.failed {
			rep.Failed++
		}
		planned += st.Estimate
		r.progress(st, res, time.Since(stepStart), time.Since(start), planned)
	}
	rep.Elapsed = time.Since(start)
	if ctx.Err() != nil {
		return rep, fmt.Errorf("%w after %d of %d steps", ErrInterrupted, rep.Steps, len(cfg.Steps))
	}
	return rep, nil
}

// serverHost is where the run's servers start: Config.ServerHost, else this machine.
func serverHost(cfg Config) ServerHost {
	if cfg.ServerHost != nil {
		return cfg.ServerHost
	}
	return localHost{bench: cfg.Bench}
}

// planned is run.json as the run begins: every planned point and the servers left out.
func planned(cfg Config) metrics.RunManifest {
	m := metrics.RunManifest{LeftOut: cfg.LeftOut, Planned: make([]metrics.PlannedPoint, len(cfg.Steps)), Build: thisBuild(), Servers: cfg.Servers}
	for i, st := range cfg.Steps {
		m.Planned[i] = metrics.PlannedPoint{Server: st.Server.Label, Scenario: st.Scenario.Name,
			Kind: st.Scenario.Kind, Path: st.Scenario.Path, Level: st.Level, Repeat: st.Repeat, Skip: st.Skip}
	}
	return m
}

// thisBuild is this binary's source revision, or nil when it was built without one (go
// test, or go build outside a git checkout).
func thisBuild() *metrics.Build {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return nil
	}
	b := metrics.Build{Go: info.GoVersion}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	if b.Revision == "" {
		return nil
	}
	return &b
}

// openOutputs creates the run folder and opens its two CSV files for appending.
func openOutputs(dir string) (*metrics.CSVFile[metrics.SummaryRow], *metrics.CSVFile[metrics.TimeseriesRow], error) {
	if err := os.MkdirAll(filepath.Join(dir, "hgrm"), 0o755); err != nil {
		return nil, nil, fmt.Errorf("orchestrator: %w", err)
	}
	summary, err := metrics.CreateSummary(filepath.Join(dir, "summary.csv"))
	if err != nil {
		return nil, nil, err
	}
	series, err := metrics.CreateTimeseries(filepath.Join(dir, "timeseries.csv"))
	if err != nil {
		summary.Close()
		return nil, nil, err
	}
	return summary, series, nil
}

// server returns a running server for the step: the current one, or a fresh one when
// the step asks for a restart, the label changes or the current one has died. A server
// kept from the previous step is first given time to close that step's connections, so
// that no step inherits another's (settle).
func (r *runner) server(ctx context.Context, st Step) (*serverProc, error) {
	r.mu.Lock()
	cur := r.srv
	r.mu.Unlock()
	if cur != nil && !st.Restart && cur.label == st.Server.Label {
		if dead, _ := cur.exited(); !dead {
			cur.settleNote = cur.settle(ctx)
			return cur, nil
		}
	}
	r.stopServer()
	p, err := r.launch.start(ctx, st.Server, st.Peer)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.srv = p
	r.mu.Unlock()
	if ctx.Err() != nil { // cancelled while starting: the watcher may have run already
		r.stopServer()
		return nil, ctx.Err()
	}
	if r.cfg.OnServer != nil {
		r.cfg.OnServer(p.label, p.PID())
	}
	r.manifest.Starts = append(r.manifest.Starts, metrics.ServerStart{Server: p.label,
		Scenario: st.Scenario.Name, Level: st.Level, Settings: p.settings.Raw})
	if err := metrics.WriteManifest(r.cfg.Out, r.manifest); err != nil {
		fmt.Fprintf(r.cfg.Progress, "bench: %v\n", err) // the rows matter more: go on
	}
	return p, nil
}

// stopServer stops the current server, if any. It is safe to call from any goroutine.
func (r *runner) stopServer() {
	r.mu.Lock()
	p := r.srv
	r.srv = nil
	r.mu.Unlock()
	if p != nil {
		p.Stop()
	}
}

// record writes the step's summary row, its timeseries rows and its histogram.
func (r *runner) record(summary *metrics.CSVFile[metrics.SummaryRow], series *metrics.CSVFile[metrics.TimeseriesRow], res stepResult) error {
	if err := summary.Write(res.row); err != nil {
		return err
	}
	for _, ts := range res.series {
		if err := series.Write(ts); err != nil {
			return err
		}
	}
	return metrics.WriteHgrmFile(filepath.Join(r.cfg.Out, "hgrm"), res.row, res.latency)
}

// progress prints the step's line: what ran, what it measured, and the ETA, the
// remaining planned time scaled by how the run has kept to the plan so far.
func (r *runner) progress(st Step, res stepResult, took, elapsed, planned time.Duration) {
	row := res.row
	var remaining time.Duration
	for _, next := range r.cfg.Steps[st.Index:] {
		remaining += next.Estimate
	}
	if planned > 0 {
		remaining = time.Duration(float64(remaining) * float64(elapsed) / float64(planned))
	}
	line := fmt.Sprintf("[%*d/%d] %-15s %-5s %-11s %9.0f req/s  p99 %9s  RSS %7.1f MB  %5d threads  bound %-7s %4.1fs  ETA %s",
		digits(st.Total), st.Index, st.Total, row.Server, row.Scenario, st.LevelLabel(), row.RPS,
		time.Duration(row.P99us*1e3).Round(time.Microsecond), float64(row.RSSPeakKB)/1024, row.ThreadsPeak,
		orNone(string(row.Bound)), took.Seconds(), roundDuration(remaining))
	if row.Note != "" && row.Note != r.cfg.Note {
		line += "\n      note: " + row.Note
	}
	fmt.Fprintln(r.cfg.Progress, line)
}

func digits(n int) int { return len(fmt.Sprint(n)) }

// CPUList formats a CPU set for the CSV.
func CPUList(cpus []int) string { return affinity.Format(cpus) }

func orNone(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
