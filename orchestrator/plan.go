package orchestrator

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/benchsuite/threads-vs-loop/loadgen"
	"github.com/benchsuite/threads-vs-loop/metrics"
)

// fdMargin is the descriptors a process needs besides its connections (listener, files,
// epoll, pipes), kept free when a level is checked against the open-file limit.
const fdMargin = 64

// serverStartEstimate is a server's start, for the ETA.
const serverStartEstimate = 300 * time.Millisecond

// defaultCapacityDuration is the capacity probe's window when the suite gives none.
const defaultCapacityDuration = 2 * time.Second

// PlanOptions are the run-time choices that shape a plan.
type PlanOptions struct {
	Quick            bool              // shorter windows and each scenario's quick levels
	Warmup, Duration time.Duration     // overrides of the suite's (0: keep)
	Repeats          int               // rounds of every scenario, overriding the suite's (0: keep)
	FDLimit          int               // open-file limit of client and servers (0: none)
	Unavailable      map[string]string // servers whose commands are missing, with the reason
	// Endpoints lists, for an external server, the endpoints it declares (SCRIPT
	// --endpoints); a step on any other is skipped with a note, never served by a
	// substitute. A server without an entry serves every endpoint (bench serve's models).
	Endpoints map[string][]string
}

// Step is one server × scenario × level × repeat: one row of summary.csv.
type Step struct {
	Index, Total int
	Server       ServerSpec
	Scenario     Scenario
	Repeat       int
	Level        float64 // as written in the suite
	Conns        int     // closed: connections; idle: the active connections; open: 0
	Idle         int     // idle: idle connections held beside the active ones
	Fraction     float64 // open: the fraction of the measured capacity (or of the reference probe) to offer (0: Rate)
	// Reference is the run's reference probe, for a step whose rate is a share of it
	// (Scenario.RateOf); the runner measures it once, as the run begins.
	Reference   *ReferenceProbe
	Rate        float64 // open without a capacity probe: the req/s to offer
	Warmup      time.Duration
	RampMax     time.Duration // closed: the ramp's bound (loadgen.Config.RampMax)
	Duration    time.Duration
	CapDuration time.Duration // open: the capacity probe's window, on the group's first step
	Restart     bool          // start a fresh server before this step
	// Peer is what the server started for this step is told of the steps it serves until
	// its next planned restart: peers size themselves by it (PEER_CONNECTIONS, PEER_ACTIVE,
	// PEER_PATHS; scripts/peers/README.md).
	Peer     PeerLoad
	Note     string        // how the step differs from the suite (clamped), for the CSV
	Skip     string        // why the step is not run; its row carries the reason
	Estimate time.Duration // planned wall time, for the ETA
}

// Plan expands a suite into its steps, in run order. Scenarios run in the suite's order;
// a point measured several times (repeats) is measured in interleaved rounds, so that a
// slow minute of the machine spreads over every server instead of landing on one: in a
// scenario that restarts the server per step, round by round at each level (every server
// at c=10, then every server at c=10 again, then c=100 …); in one that keeps a server
// for the whole scenario, round by round over the servers (each server's levels, then
// each server's again); every other round in the reverse order of servers (roundOrder).
// Servers left out (optional ones whose commands are missing) are returned with the
// reason, sorted by label.
func Plan(s *Suite, o PlanOptions) (steps []Step, leftOut []metrics.LeftOut) {
	t := planTimes(s, o)
	for label, why := range o.Unavailable {
		if s.server(label).Optional {
			leftOut = append(leftOut, metrics.LeftOut{Server: label, Why: why})
		}
	}
	sort.Slice(leftOut, func(i, j int) bool { return leftOut[i].Server < leftOut[j].Server })
	for _, sc := range s.Scenarios {
		levels := sc.Levels
		if o.Quick && len(sc.QuickLevels) > 0 {
			levels = sc.QuickLevels
		}
		add := func(label string, rep, i int) {
			if rep > 1 && len(s.RepeatOnly) > 0 && !slices.Contains(s.RepeatOnly, label) && !slices.Contains(sc.RepeatAlso, label) {
				return
			}
			if st, ok := t.planStep(s, sc, label, rep, levels[i], i, o); ok {
				steps = append(steps, st)
			}
		}
		rounds := s.rounds(sc, o.Quick)
		if o.Repeats > 0 {
			rounds = o.Repeats
		}
		if sc.Restart == RestartScenario {
			for rep := 1; rep <= rounds; rep++ {
				for _, label := range roundOrder(sc.Servers, rep) {
					for i := range levels {
						add(label, rep, i)
					}
				}
			}
			continue
		}
		for i := range levels {
			for rep := 1; rep <= rounds; rep++ {
				for _, label := range roundOrder(sc.Servers, rep) {
					add(label, rep, i)
				}
			}
		}
	}
	for i := range steps {
		steps[i].Index, steps[i].Total = i+1, len(steps)
	}
	for i, st := range steps { // the reference probe runs once, as the run begins
		if ref := st.Reference; ref != nil && st.Skip == "" {
			steps[i].Estimate += ref.Warmup + ref.Duration + serverStartEstimate
			break
		}
	}
	setPeerLoads(steps)
	return steps, leftOut
}

// roundOrder is the servers in the order round rep measures them: the suite's order in
// odd rounds, reversed in even ones (A B, then B A), so that whatever a round's position
// does to a server (the machine drifting across the round, the server measured just
// before) falls on each server as much before as after its neighbours. Two servers
// listed side by side (a model and its twin at the baseline's revision, scripts/gate.sh)
// swap places each round instead of one always going first.
func roundOrder(servers []string, rep int) []string {
	if rep%2 == 1 {
		return servers
	}
	out := slices.Clone(servers)
	slices.Reverse(out)
	return out
}

// rounds is how many times each point of sc is measured: the scenario's repeats, else
// --quick's, else the suite's (at least 1).
func (s *Suite) rounds(sc Scenario, quick bool) int {
	switch {
	case sc.Repeats > 0:
		return sc.Repeats
	case quick && s.Quick.Repeats > 0:
		return s.Quick.Repeats
	}
	return max(1, s.Repeats)
}

// planStep is the step of server label at the i-th level of sc in round rep, or false
// when the run leaves the server out of it.
func (t stepTimes) planStep(s *Suite, sc Scenario, label string, rep int, level float64, i int, o PlanOptions) (Step, bool) {
	spec := s.server(label)
	if extra := sc.ServerArgs[label]; len(extra) > 0 {
		spec.Args = append(slices.Clone(spec.Args), extra...)
	}
	why, missing := o.Unavailable[label]
	if missing && spec.Optional || o.Quick && slices.Contains(s.Quick.LeaveOut, label) {
		return Step{}, false
	}
	st := t.step(spec, sc, rep, level, i, o)
	if sc.RateOf == RateOfReference {
		st.Reference = s.referenceProbe(t.warmup)
	}
	if missing {
		st.Skip = "skipped: " + why
	} else if ep := unserved(sc, o.Endpoints, label); ep != "" && st.Skip == "" {
		st.Skip = fmt.Sprintf("skipped: %s does not serve %s", label, ep)
	}
	st.Estimate = st.estimate()
	return st, true
}

// stepTimes are a plan's warm-up, window, warm-up per 1000 loaded connections and ramp
// bound.
type stepTimes struct{ warmup, duration, perConns, rampMax time.Duration }

// DefaultRampMax is a closed step's ramp bound when the suite gives none: long enough
// for connects that a full accept queue dropped to be retried by the kernel (SYN
// retransmits after 1, 3 and 7 s), short enough that a server that never answers costs
// a step a few seconds more, not the run.
const DefaultRampMax = 15 * time.Second

// planTimes is the suite's times as the options change them: --quick's, and a warm-up or
// window given on the command line; such a warm-up takes no per-connection addition (a
// server's own warm-up may still lengthen it).
func planTimes(s *Suite, o PlanOptions) stepTimes {
	t := stepTimes{time.Duration(s.Warmup), time.Duration(s.Duration), time.Duration(s.WarmupPer1000), pick(s.RampMax, DefaultRampMax)}
	if o.Quick {
		t.warmup, t.duration = pick(s.Quick.Warmup, t.warmup), pick(s.Quick.Duration, t.duration)
	}
	if o.Warmup > 0 {
		t.warmup, t.perConns = o.Warmup, 0
	}
	if o.Duration > 0 {
		t.duration = o.Duration
	}
	return t
}

// step is the i-th level of spec in scenario sc, shaped and timed.
func (t stepTimes) step(spec ServerSpec, sc Scenario, rep int, level float64, i int, o PlanOptions) Step {
	duration := t.duration
	switch {
	case o.Duration > 0:
	case o.Quick && sc.QuickDuration > 0:
		duration = time.Duration(sc.QuickDuration)
	case !o.Quick && sc.Duration > 0:
		duration = time.Duration(sc.Duration)
	}
	st := Step{Server: spec, Scenario: sc, Repeat: rep, Level: level, Warmup: t.warmup, Duration: duration,
		RampMax: t.rampMax, Restart: i == 0 || sc.Restart != RestartScenario}
	st.shape(o.FDLimit)
	st.Warmup = max(t.warmup, spec.warmupAt(st.Conns+st.Idle))
	if spec.WarmupPer1000 == 0 {
		st.Warmup += t.perConns * time.Duration(st.Conns) / 1000
	}
	if sc.Kind == metrics.KindOpen && sc.Capacity != nil && i == 0 {
		st.CapDuration = capacityDuration(sc, o.Quick, duration)
	}
	return st
}

// connections is what the step holds open on the server: loaded, idle, and the
// background's concurrency. An open load (foreground or background) opens what it needs
// under its workers bound, which is not counted here but in active: a peer that sizes
// itself by connections alone (Apache worker) grows on demand beyond them.
func (st *Step) connections() int {
	n := st.Conns + st.Idle
	if b := st.Scenario.Background; b != nil {
		n += b.Concurrency
	}
	return n
}

// active is the most connections of the step that send requests at once: the closed
// load's, the open engine's workers bound (and the capacity probe's connections), and the
// background's concurrency (its workers bound, when open). Idle connections are not active
// once up, but the idle holder sets them up IdleSetUpConcurrency at a time, each with a
// request: an idle step counts that burst (every level of it, 0 too, so that a server
// sized by it is sized alike at every level and its memory slope is the connections').
func (st *Step) active() int {
	sc := st.Scenario
	n := st.Conns
	switch sc.Kind {
	case metrics.KindOpen:
		n = max(n, workersOr(sc.Workers))
	case metrics.KindIdle:
		n += loadgen.IdleSetUpConcurrency
	}
	if b := sc.Background; b != nil {
		if b.Rate > 0 {
			n += workersOr(b.Concurrency)
		} else {
			n += b.Concurrency
		}
	}
	return n
}

// workersOr is an open load's workers bound: n, or the engine's default.
func workersOr(n int) int {
	if n > 0 {
		return n
	}
	return loadgen.DefaultOpenMaxWorkers
}

// backgroundHeld is the most connections the scenario's background load opens.
func backgroundHeld(sc Scenario) int {
	if b := sc.Background; b != nil {
		return max(b.Concurrency, backgroundConns(b.Rate))
	}
	return 0
}

func pick(d Duration, def time.Duration) time.Duration {
	if d > 0 {
		return time.Duration(d)
	}
	return def
}

func capacityDuration(sc Scenario, quick bool, window time.Duration) time.Duration {
	d := pick(sc.Capacity.Duration, defaultCapacityDuration)
	if quick {
		d = min(d, window)
	}
	return d
}

// shape sets the connections the step asks for and clamps them to the open-file limit:
// the client holds every connection, and so does the server.
func (st *Step) shape(fdLimit int) {
	sc := st.Scenario
	bg := backgroundHeld(sc)
	switch sc.Kind {
	case metrics.KindClosed:
		st.Conns = int(st.Level)
	case metrics.KindIdle:
		st.Conns, st.Idle = sc.Active, int(st.Level)
	case metrics.KindOpen:
		if sc.RateOf == RateOfReference { // the rate is known once the run has measured the reference
			st.Fraction = st.Level
			bg += workersOr(sc.Workers)
			break
		}
		if sc.Capacity == nil { // its workers open what they need, as an open background does
			st.Rate = st.Level
			bg += max(sc.Workers, backgroundConns(st.Rate))
			break
		}
		st.Fraction = st.Level
		st.Conns = sc.Capacity.Concurrency // the probe's connections bound the fds needed
	}
	need := st.Conns + st.Idle + bg + fdMargin
	if fdLimit <= 0 || need <= fdLimit {
		return
	}
	room := fdLimit - fdMargin - bg
	switch sc.Kind {
	case metrics.KindIdle:
		room -= st.Conns
		if room >= 0 {
			st.Note = fmt.Sprintf("clamped from %d to %d idle connections: open-file limit %d", st.Idle, room, fdLimit)
			st.Idle = room
			return
		}
	case metrics.KindClosed:
		if room >= 1 {
			st.Note = fmt.Sprintf("clamped from %d to %d connections: open-file limit %d", st.Conns, room, fdLimit)
			st.Conns = room
			return
		}
	}
	st.Skip = fmt.Sprintf("skipped: needs %d descriptors, open-file limit %d", need, fdLimit)
}

// estimate is the step's planned wall time: warm-up and window, a server start when it
// restarts, the capacity probe, and opening the idle connections.
func (st *Step) estimate() time.Duration {
	if st.Skip != "" {
		return 0
	}
	d := st.Warmup + st.Duration + 300*time.Millisecond
	if st.Restart {
		d += serverStartEstimate
	}
	if st.CapDuration > 0 {
		d += st.Warmup + st.CapDuration
	}
	return d + time.Duration(st.Idle)*100*time.Microsecond
}

// LevelLabel is how a step's level reads in progress lines: "c=100", "idle=5000",
// "0.5×cap" (of the server's capacity), "0.01×ref" (of the run's reference probe).
func (st *Step) LevelLabel() string {
	switch st.Scenario.Kind {
	case metrics.KindIdle:
		return fmt.Sprintf("idle=%d", st.Idle)
	case metrics.KindOpen:
		if st.Rate > 0 {
			return fmt.Sprintf("%.0f req/s", st.Rate)
		}
		if st.Reference != nil {
			return strconv.FormatFloat(st.Fraction, 'f', -1, 64) + "×ref"
		}
		return strings.TrimSuffix(fmt.Sprintf("%.2f", st.Fraction), "0") + "×cap"
	}
	return fmt.Sprintf("c=%d", st.Conns)
}

// Summary is the plan in one line: steps per scenario and the planned time.
func Summary(steps []Step) string {
	var order []string
	count := map[string]int{}
	var total time.Duration
	for _, st := range steps {
		if count[st.Scenario.Name] == 0 {
			order = append(order, st.Scenario.Name)
		}
		count[st.Scenario.Name]++
		total += st.Estimate
	}
	parts := make([]string, len(order))
	for i, name := range order {
		parts[i] = fmt.Sprintf("%s %d", name, count[name])
	}
	return fmt.Sprintf("%d steps (%s), about %s", len(steps), strings.Join(parts, ", "), roundDuration(total))
}

func roundDuration(d time.Duration) time.Duration {
	return time.Duration(math.Round(d.Seconds())) * time.Second
}

// backgroundConns is the most connections an open-model background at rate may hold: the
// open engine's default bound on its workers.
func backgroundConns(rate float64) int {
	if rate <= 0 {
		return 0
	}
	return loadgen.DefaultOpenMaxWorkers
}

// unserved is the first endpoint of the scenario's loads (its path, its background's,
// its capacity probe's) that server does not declare, or "" when it serves them all.
func unserved(sc Scenario, declared map[string][]string, server string) string {
	list, ok := declared[server]
	if !ok {
		return ""
	}
	for _, p := range sc.paths() {
		if ep := Endpoint(p); !slices.Contains(list, ep) {
			return ep
		}
	}
	return ""
}

// paths is every request path of the scenario's loads: its own, its background's and its
// capacity probe's.
func (sc Scenario) paths() []string {
	paths := []string{sc.Path}
	if sc.Background != nil {
		paths = append(paths, pathOr(sc.Background.Path, sc.Path))
	}
	if sc.Capacity != nil {
		paths = append(paths, pathOr(sc.Capacity.Path, sc.Path))
	}
	return paths
}

// Endpoint is the endpoint a request path names: its path without the query, with "/"
// the same as "/hello".
func Endpoint(path string) string {
	p, _, _ := strings.Cut(path, "?")
	if p == "/" {
		return "/hello"
	}
	return p
}

// warmupAt is the server's own warm-up for a step of conns connections (0: none).
func (spec ServerSpec) warmupAt(conns int) time.Duration {
	return time.Duration(spec.Warmup) + time.Duration(spec.WarmupPer1000)*time.Duration(conns)/1000
}
