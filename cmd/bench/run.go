package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/benchsuite/threads-vs-loop/internal/affinity"
	"github.com/benchsuite/threads-vs-loop/internal/rlimit"
	"github.com/benchsuite/threads-vs-loop/metrics"
	"github.com/benchsuite/threads-vs-loop/orchestrator"
	"github.com/benchsuite/threads-vs-loop/orchestrator/sshhost"
)

const runSynopsis = `run [--suite suites/default.json] [--out DIR] [--quick] [--models LIST]
           [--scenarios LIST] [--duration D] [--warmup D] [--repeats N] [--server-cpus LIST] [--client-cpus LIST]
           [--server-host DEST[=CPUS]] [--client-hosts DEST[=CPUS][,...]] [--ssh-config FILE]

Runs a suite (a JSON file: servers, scenarios, levels). Each step starts the server as a
child ("bench serve", or nginx through scripts/peers/nginx.sh), pins it to the server CPUs,
waits until it answers GET /hello, warms up, measures one window with the load generator
(this process, pinned to the client CPUs), samples the server's process tree and this
process at 10 Hz, and appends a row to DIR/summary.csv (flushed at once), the samples to
DIR/timeseries.csv and the latency distribution to DIR/hgrm/<server>_<scenario>_<level>.hgrm.
timeseries.csv has one row per 10 Hz sample of each window; its rps and p99_us are those
of the load generator's one-second window holding the sample (0 when none does). One
progress line per step. Without --out, DIR is results/<UTC time>/ and results/latest
points at it; --out must not hold a run already. A server that dies mid-step gives a row with a note and is restarted;
SIGINT or SIGTERM stops every server and keeps every finished row.

LIST is comma-separated: server labels or scenario names of the suite; CPU lists as
taskset -c writes them ("0", "1-3", "0,2").

Across machines: --server-host runs the servers on DEST (an ssh destination: user@host or
a ~/.ssh/config alias), sampled there; --client-hosts runs the load from each DEST (or
"local") with its share, the histograms merged. bench is copied to each host that lacks
this build (and removed at the end, by a keeper on each host even if this process is
killed); peer scripts are copied to the server host with it and run there (bench peer).
The suite's "hosts" section says the same.`

// runFlags are bench run's command line.
type runFlags struct {
	suite, out, models, scenarios, serverCPUs, clientCPUs string
	quick, dryRun                                         bool
	repeats                                               int
	duration, warmup                                      time.Duration
	hosts                                                 hostFlags
	multi                                                 *multiHost // the connected hosts; nil: everything here
}

func runRun(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("run", runSynopsis, stdout)
	var f runFlags
	fs.StringVar(&f.suite, "suite", "suites/default.json", "the suite file")
	fs.StringVar(&f.out, "out", "", "the run folder (created; rows are appended); default results/<UTC time>/, with results/latest")
	fs.BoolVar(&f.quick, "quick", false, "the suite's quick version: its quick windows and each scenario's quick_levels")
	fs.StringVar(&f.models, "models", "", "run only these servers (labels of the suite, e.g. threaded,evented)")
	fs.StringVar(&f.scenarios, "scenarios", "", "run only these scenarios (e.g. hello,idle)")
	fs.DurationVar(&f.duration, "duration", 0, "measured window of every step (default: the suite's)")
	fs.DurationVar(&f.warmup, "warmup", 0, "warm-up before every window, discarded (default: the suite's)")
	fs.IntVar(&f.repeats, "repeats", 0, "rounds of every scenario's points, overriding the suite's (default: the suite's; 1 for a first look)")
	fs.StringVar(&f.serverCPUs, "server-cpus", "", "CPUs the servers are pinned to (default: the first CPU this process may use)")
	fs.StringVar(&f.clientCPUs, "client-cpus", "", "CPUs this process, the load generator, is pinned to (default: the others)")
	fs.BoolVar(&f.dryRun, "dry-run", false, "print the planned steps and exit")
	fs.StringVar(&f.hosts.serverHost, "server-host", "", "run the servers on this ssh destination (DEST or DEST=CPULIST; default: here)")
	fs.StringVar(&f.hosts.clientHosts, "client-hosts", "", "run the load from these hosts, comma-separated: local or ssh destinations, each DEST or DEST=CPULIST")
	fs.StringVar(&f.hosts.sshConfig, "ssh-config", "", "ssh -F this file (default: ssh's own configuration)")
	fs.StringVar(&f.hosts.remoteBench, "remote-bench", "bench", "the bench installed on the hosts, used when it is this build")
	if err := fs.parse(args); err != nil {
		return ignoreHelp(err)
	}
	suite, err := orchestrator.LoadSuite(f.suite)
	if err != nil {
		return usageError{"run: --suite: " + err.Error()}
	}
	if err := suite.Select(splitList(f.models), splitList(f.scenarios)); err != nil {
		return usageError{"run: " + err.Error()}
	}
	if f.duration < 0 || f.warmup < 0 || f.repeats < 0 {
		return usageError{"run: --duration, --warmup and --repeats must not be negative"}
	}
	server, client, cpuNote, err := splitCPUs(f.serverCPUs, f.clientCPUs)
	if err != nil {
		return err
	}
	fdLimit, err := rlimit.RaiseNoFile()
	if err != nil {
		fmt.Fprintf(stderr, "bench run: warning: %v\n", err)
	}
	hosts, err := chooseHosts(f.hosts, suite.Hosts)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	unavailable := suite.Unavailable(nil)
	var endpoints map[string][]string
	if hosts != nil && !f.dryRun {
		// Across machines the peers run on the server host: their scripts are copied
		// there and asked there whether they can run and what they serve.
		if f.multi, err = connectHosts(ctx, hosts, f.hosts, stdout); err != nil {
			return err
		}
		defer f.multi.close()
		if endpoints, err = sshhost.PeersOn(ctx, suite, f.multi.server, unavailable); err != nil {
			return fmt.Errorf("run: %w", err)
		}
	} else {
		suite.CheckPeers(unavailable)
		if endpoints, err = suite.Endpoints(unavailable); err != nil {
			return err
		}
	}
	steps, leftOut := orchestrator.Plan(suite, orchestrator.PlanOptions{Quick: f.quick, Warmup: f.warmup,
		Duration: f.duration, Repeats: f.repeats, FDLimit: int(min(fdLimit, 1<<30)), Unavailable: unavailable, Endpoints: endpoints})
	if f.dryRun {
		printPlan(stdout, steps, leftOut)
		return nil
	}
	return runSuite(ctx, f, plannedRun{steps, leftOut, suite.Identities()}, server, client, cpuNote, int(fdLimit), stdout)
}

// plannedRun is what Plan made of the suite, with what the suite declares of its servers.
type plannedRun struct {
	steps   []orchestrator.Step
	leftOut []metrics.LeftOut
	servers []metrics.ServerIdentity
}

func runSuite(ctx context.Context, f runFlags, plan plannedRun, server, client []int, cpuNote string, fdLimit int, stdout io.Writer) error {
	steps, leftOut := plan.steps, plan.leftOut
	dir, err := runDir(f.out)
	if err != nil {
		return err
	}
	bench, err := os.Executable()
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	if f.multi == nil {
		served, remove, why := servedCopy(bench)
		defer remove()
		if why != nil { // said on every row: the Go models' memory reads low
			cpuNote = orchestrator.JoinNotes(cpuNote, fmt.Sprintf("the Go models ran from this bench itself, sharing its pages with the load generator (%v)", why))
		}
		bench = served
		// Across machines this process only coordinates; here it is the load generator.
		if err := affinity.Pin(0, client); err != nil {
			return fmt.Errorf("run: pin the client: %w", err)
		}
	}
	// A P for each CPU, and at least one more than the most loops a step runs at once (hol
	// runs two closed engines side by side): a loop that must wait for a P would add its
	// wait to the latency it measures.
	runtime.GOMAXPROCS(max(len(client), 3))
	fmt.Fprintf(stdout, "bench run: %s: %s\n", f.suite, orchestrator.Summary(steps))
	if f.multi != nil {
		server, client, cpuNote = nil, nil, ""
		fmt.Fprintf(stdout, "bench run: across machines, open-file limit %d here → %s\n", fdLimit, dir)
	} else {
		fmt.Fprintf(stdout, "bench run: server CPUs %s, client CPUs %s, open-file limit %d → %s\n",
			affinity.Format(server), affinity.Format(client), fdLimit, dir)
	}
	for _, l := range leftOut {
		fmt.Fprintf(stdout, "bench run: %s left out: %s\n", l.Server, l.Why)
	}
	if cpuNote != "" {
		fmt.Fprintf(stdout, "bench run: %s\n", cpuNote)
	}
	cfg := orchestrator.Config{Steps: steps, Out: dir, Bench: bench,
		ServerCPUs: server, ClientCPUs: client, HostCPUs: runtime.NumCPU(), Engine: orchestrator.Loadgen{},
		Progress: stdout, Note: cpuNote, LeftOut: leftOut, Servers: plan.servers}
	if f.multi != nil {
		f.multi.configure(&cfg)
	}
	rep, err := orchestrator.Run(ctx, cfg)
	fmt.Fprintf(stdout, "bench run: %d rows in %s (%d with a note, %d without a measurement) → %s\n",
		rep.Steps, rep.Elapsed.Round(time.Second), rep.Noted, rep.Failed, filepath.Join(dir, "summary.csv"))
	switch {
	case err != nil:
		return fmt.Errorf("run: %w", err)
	case rep.Steps > 0 && rep.Failed == rep.Steps:
		return errors.New("run: no step measured anything (see the notes in summary.csv)")
	}
	return nil
}

// runDir is --out, or a new results/<UTC time>/ with results/latest pointing at it. A
// folder that already holds a run is refused: its rows and ours would be read as one run
// (as repeats of each other) by every reader.
func runDir(out string) (string, error) {
	if out != "" {
		if _, err := os.Stat(filepath.Join(out, "summary.csv")); err == nil {
			return "", usageError{fmt.Sprintf("run: --out %s already holds a run (summary.csv): choose a new folder", out)}
		}
		return out, os.MkdirAll(out, 0o755)
	}
	name := time.Now().UTC().Format("20060102T150405Z")
	dir := filepath.Join("results", name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("run: %w", err)
	}
	latest := filepath.Join("results", "latest")
	os.Remove(latest)
	if err := os.Symlink(name, latest); err != nil {
		return "", fmt.Errorf("run: %w", err)
	}
	return dir, nil
}

// splitCPUs chooses the server and client CPU sets: by default the first CPU this
// process may use for the servers and the others for the client. On one CPU both share
// it, and the returned note says so (it goes on every row).
func splitCPUs(serverFlag, clientFlag string) (server, client []int, note string, err error) {
	allowed, err := affinity.Allowed()
	if err != nil {
		return nil, nil, "", fmt.Errorf("run: %w", err)
	}
	if server, err = affinity.Parse(serverFlag); err != nil {
		return nil, nil, "", usageError{"run: --server-cpus: " + err.Error()}
	}
	if client, err = affinity.Parse(clientFlag); err != nil {
		return nil, nil, "", usageError{"run: --client-cpus: " + err.Error()}
	}
	for _, c := range append(slices.Clone(server), client...) {
		if !slices.Contains(allowed, c) {
			return nil, nil, "", usageError{fmt.Sprintf("run: CPU %d is not available (this process may use %s)", c, affinity.Format(allowed))}
		}
	}
	if len(server) == 0 {
		server = allowed[:1]
	}
	if len(client) == 0 {
		client = slices.DeleteFunc(slices.Clone(allowed), func(c int) bool { return slices.Contains(server, c) })
	}
	if len(client) == 0 {
		client = server
	}
	var shared []int
	for _, c := range client {
		if slices.Contains(server, c) {
			shared = append(shared, c)
		}
	}
	if len(shared) > 0 {
		note = fmt.Sprintf("server and client share CPU %s", affinity.Format(shared))
	}
	return server, client, note, nil
}

func printPlan(w io.Writer, steps []orchestrator.Step, leftOut []metrics.LeftOut) {
	for _, l := range leftOut {
		msg := l.Server + " left out: " + l.Why
		fmt.Fprintln(w, msg)
	}
	for _, st := range steps {
		fmt.Fprintf(w, "%3d %-15s %-6s %-12s %s\n", st.Index, st.Server.Label, st.Scenario.Name, st.LevelLabel(),
			strings.TrimPrefix(st.Note+"; "+st.Skip, "; "))
	}
	fmt.Fprintln(w, orchestrator.Summary(steps))
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
