package orchestrator

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// ErrSuite is returned for a suite file that cannot be run as written.
var ErrSuite = errors.New("orchestrator: bad suite")

// Restart policies: a fresh server for every step, or one per scenario.
const (
	RestartStep     = "step"
	RestartScenario = "scenario"
)

// Suite is a suite file (suites/*.json): the servers, the scenarios and their levels. A
// suite is data, so a sweep is changed by editing JSON, not code.
type Suite struct {
	Description string   `json:"description"`
	Warmup      Duration `json:"warmup"` // load before each measured window, discarded
	// WarmupPer1000 lengthens every step's warm-up by this much per 1000 loaded
	// connections: more load before the window for a server holding more connections.
	// (It was how a server that accepts one connection at a time under load came to hold
	// them all before the window began, before the ramp waited for that: RampMax.) Idle
	// connections are answered before the load starts and take none. A server's own
	// warmup_per_1000_conns replaces it.
	WarmupPer1000 Duration `json:"warmup_per_1000_conns"`
	// RampMax bounds a closed step's ramp: each connection makes one request and the
	// warm-up begins once every one has been answered, or RampMax after the load began if
	// some never are (the row then says how many were; 0: DefaultRampMax).
	RampMax  Duration `json:"ramp_max"`
	Duration Duration `json:"duration"` // each measured window
	// Repeats is how many times every point is measured (0 = 1), in interleaved rounds
	// (Plan), so a slow minute of the machine spreads over every server.
	Repeats int `json:"repeats"`
	// RepeatOnly, when set, names the servers that are repeated; the others are measured
	// once (a suite that cannot afford every server's repeats repeats the gated ones).
	RepeatOnly []string     `json:"repeat_only"`
	Quick      QuickConfig  `json:"quick"` // what --quick changes
	Servers    []ServerSpec `json:"servers"`
	Scenarios  []Scenario   `json:"scenarios"`
	Hosts      *Hosts       `json:"hosts"` // where the servers and the load run (nil: all here)
	// Reference is the run's reference probe, measured once as the run begins: a scenario
	// with rate_of "reference" offers its levels as shares of what it measured, so its
	// load follows this machine's speed and is the same for every server of the run.
	Reference *Reference `json:"reference"`
}

// Reference is a closed probe of one server of the suite (a built-in model, so that it
// is there in every run): its req/s on Path at Concurrency connections for Duration.
type Reference struct {
	Server      string   `json:"server"`
	Path        string   `json:"path"`
	Concurrency int      `json:"concurrency"`
	Duration    Duration `json:"duration"` // default 2s
}

// RateOfReference is Scenario.RateOf for levels that are shares of the reference probe.
const RateOfReference = "reference"

// MaxBackgroundCPUShare is the most of one CPU a background of burns may take. The
// claims read a loop that is busy with burns, not one that is saturated: at a quarter of
// a CPU, a machine (or a share of one) half as fast still has half its CPU left for the
// foreground, so the verdict does not change with the machine's speed.
const MaxBackgroundCPUShare = 0.25

// Hosts says where a run's parts run: the server on one host, the load generator on one
// or more, each "local" or an ssh destination (user@host, a ~/.ssh/config alias), with
// the CPUs to use there (a taskset list; empty: as bench run's defaults here, unpinned
// elsewhere). bench run's --server-host and --client-hosts override it.
type Hosts struct {
	Server  HostSpec   `json:"server"`
	Clients []HostSpec `json:"clients"`
}

// Local is the host name of this machine in a hosts list.
const Local = "local"

// IsLocal reports whether dest names this machine.
func IsLocal(dest string) bool { return dest == "" || dest == Local }

// HostSpec is one host of Hosts.
type HostSpec struct {
	Dest string `json:"dest"` // "local" or an ssh destination
	CPUs string `json:"cpus"` // taskset -c list on that host
}

// QuickConfig is the short version of a suite (bench run --quick): shorter windows, and
// each scenario's QuickLevels.
type QuickConfig struct {
	Warmup   Duration `json:"warmup"`
	Duration Duration `json:"duration"`
	LeaveOut []string `json:"leave_out"` // servers the quick version does not run
	Repeats  int      `json:"repeats"`   // rounds under --quick (0: the suite's)
}

// ServerSpec is one server under test: a model of `bench serve`, or an external server
// started by a script.
type ServerSpec struct {
	Label string   `json:"label"` // the CSV's server column
	Model string   `json:"model"` // bench serve --model; empty for an external server
	Args  []string `json:"args"`  // extra bench serve flags, e.g. ["--offload"]
	Procs int      `json:"procs"` // bench serve --procs; 0: the model's default (launcher.serveProcs)
	// Bench is the bench binary whose `bench serve` runs this model (empty: the run's own;
	// a path with a slash is relative to the working directory, a bare name is looked up
	// on PATH). scripts/gate.sh runs the
	// baseline revision's models this way, beside the code under test in the same run.
	// Local servers only.
	Bench string `json:"bench"`
	// External is a script run as `SCRIPT PORT CPULIST` that starts the server and prints
	// the PID of the process to sample and stop (its process tree is sampled: nginx's
	// master and workers). A relative path is relative to the working directory.
	External string `json:"external"`
	// Design is how the server waits for its connections (threads, events, goroutines,
	// processes, virtual-threads): an external server's design column, and every
	// server's identity in run.json (a model's rows carry what bench serve reports).
	Design string `json:"design"`
	// Family groups servers of one runtime in the charts (one colour: "java" for its
	// platform and virtual threads); Roles are the parts the server holds in the claims
	// (metrics.Roles: "thread-reference", "burns-on-loop" …). run.json lists both, so a
	// server of the user's own takes part in the charts and claims by its suite line.
	Family string   `json:"family"`
	Roles  []string `json:"roles"`
	// Warmup, when longer than the suite's, is this server's warm-up before each window:
	// a server that grows its workers on demand, and is not sized for the step by what the
	// orchestrator tells it (PEER_CONNECTIONS …), needs it to reach a level of thousands of
	// connections before it is measured there.
	Warmup Duration `json:"warmup"`
	// WarmupPer1000 adds this much warm-up per 1000 connections of the step (loaded and
	// idle): the time such a server takes to grow to the level.
	WarmupPer1000 Duration `json:"warmup_per_1000_conns"`
	// Requires lists commands that must be on PATH; a server missing one is left out of
	// the run with a message (Optional) or is an error.
	Requires []string `json:"requires"`
	Optional bool     `json:"optional"`
	// Env is added to the server's environment: a peer's own switches (APACHE_HELLO=file
	// keeps Apache's previous /hello, for a before-and-after run).
	Env map[string]string `json:"env"`
}

// EnvList is spec's Env as K=V, sorted.
func (spec ServerSpec) EnvList() []string {
	var env []string
	for k, v := range spec.Env {
		env = append(env, k+"="+v)
	}
	slices.Sort(env)
	return env
}

// Scenario is one sweep: a request, how it is driven, and the levels to visit.
type Scenario struct {
	Name        string       `json:"name"` // the CSV's scenario column
	Kind        metrics.Kind `json:"kind"` // closed, idle (levels: idle connections), open (levels: fractions of capacity, or req/s without a capacity probe)
	Path        string       `json:"path"` // request path, e.g. /hello or /io?ms=20
	Servers     []string     `json:"servers"`
	Levels      []float64    `json:"levels"`
	QuickLevels []float64    `json:"quick_levels"` // levels under --quick (default: Levels)
	Restart     string       `json:"restart"`      // step (default) or scenario
	// Repeats overrides the suite's repeats for this scenario (0: the suite's): a figure
	// whose spread is already small (idle memory) need not be measured again.
	Repeats int `json:"repeats"`
	// RepeatAlso names servers this scenario repeats beside the suite's repeat_only: a
	// claim that reads one of them here rests on the median of its repeats, as the claim's
	// other servers' figures do, not on one run.
	RepeatAlso []string `json:"repeat_also"`
	// Duration is this scenario's window (0: the suite's; --quick's and a command-line
	// --duration win): an open scenario's tail needs longer than a closed point's median.
	Duration Duration `json:"duration"`
	// QuickDuration is this scenario's window under --quick (a command-line --duration
	// wins): a tail percentile needs enough of the rare events behind it (hol's burns).
	QuickDuration Duration `json:"quick_duration"`
	Active        int      `json:"active"`     // idle: connections under load beside the idle ones
	Workers       int      `json:"workers"`    // open: vegeta's worker bound (0: the engine's default)
	Background    *Load    `json:"background"` // a second load run alongside; its figures go in the bg_ columns
	Capacity      *Load    `json:"capacity"`   // open: how the server's capacity is measured (none: levels are req/s)
	// RateOf "reference": an open scenario's levels are shares of the run's reference
	// probe (Suite.Reference), the same rate for every server of the run.
	RateOf string `json:"rate_of"`
	// ServerArgs adds bench serve flags for some servers in this scenario only, e.g. hol
	// runs threaded with more Ps so the kernel, not Go's scheduler, time-slices its threads.
	ServerArgs map[string][]string `json:"server_args"`
}

// Load is a load beside the measured one (hol's CPU-burning requests) or the capacity
// probe of an open scenario. A background with a rate is open-model: the same offered
// work for every server, whatever the server does to it; without one it is closed-loop.
type Load struct {
	Path        string   `json:"path"`        // default: the scenario's path
	Concurrency int      `json:"concurrency"` // closed: connections; open: the most vegeta workers (0: the default)
	Rate        float64  `json:"rate"`        // background: requests per second offered (open model)
	Duration    Duration `json:"duration"`    // capacity probe's window (default 2s)
	// Burn and CPUShare define a background by the work it gives the server, the same on
	// any machine: requests of /cpu?us=Burn (Burn of the burning thread's CPU time, as every
	// server calibrates it) at CPUShare/Burn per second, so that the burns take CPUShare of
	// one CPU (at most MaxBackgroundCPUShare). Path and Rate are then derived, not given.
	Burn     Duration `json:"burn"`
	CPUShare float64  `json:"cpu_share"`
}

// BurnUs is the CPU time each of the load's requests burns, in µs (0: not a burn).
func (l *Load) BurnUs() float64 {
	if l == nil {
		return 0
	}
	return float64(time.Duration(l.Burn).Microseconds())
}

// resolveBurn derives a burn background's path and rate.
func (l *Load) resolveBurn() error {
	if l == nil || (l.Burn == 0 && l.CPUShare == 0) {
		return nil
	}
	switch {
	case l.Burn <= 0 || time.Duration(l.Burn) < time.Microsecond || time.Duration(l.Burn) > time.Second:
		return errors.New("a background's burn must be 1µs to 1s")
	case l.CPUShare <= 0 || l.CPUShare > MaxBackgroundCPUShare:
		return fmt.Errorf("a background's cpu_share must be above 0 and at most %v (MaxBackgroundCPUShare: the claims read a busy loop, not a saturated one)", MaxBackgroundCPUShare)
	}
	rate := l.CPUShare / time.Duration(l.Burn).Seconds()
	if (l.Rate > 0 && l.Rate != rate) || (l.Path != "" && l.Path != burnPath(l.Burn)) { // set by an earlier Validate, or given
		return errors.New("a background with a burn takes neither path nor rate: they follow from burn and cpu_share")
	}
	l.Path, l.Rate = burnPath(l.Burn), rate
	return nil
}

func burnPath(d Duration) string {
	return fmt.Sprintf("/cpu?us=%d", time.Duration(d).Microseconds())
}

// Duration is a time.Duration written as a Go duration string ("1s", "500ms") in JSON.
type Duration time.Duration

// UnmarshalJSON reads "1.5s".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration: want a string like \"5s\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// Used is the servers some scenario runs, by label.
func (s *Suite) Used() map[string]bool {
	used := map[string]bool{}
	for _, sc := range s.Scenarios {
		for _, l := range sc.Servers {
			used[l] = true
		}
	}
	return used
}
