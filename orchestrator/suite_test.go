package orchestrator

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/benchsuite/threads-vs-loop/loadgen"
	"github.com/benchsuite/threads-vs-loop/metrics"
)

func loadDefault(t *testing.T) *Suite {
	t.Helper()
	s, err := LoadSuite(filepath.Join("..", "suites", "default.json"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestDefaultSuitePlan checks the default suite against the issues: every model and real
// server on every scenario's levels it can serve, the full run inside its 20-minute
// budget, the quick run inside 3 minutes.
func TestDefaultSuitePlan(t *testing.T) {
	s := loadDefault(t)
	steps, leftOut := Plan(s, PlanOptions{FDLimit: 20000})
	if len(leftOut) != 0 {
		t.Fatalf("left out: %v", leftOut)
	}
	have := map[string]bool{}
	var total time.Duration
	for _, st := range steps {
		have[st.Server.Label+"/"+st.Scenario.Name+"/"+st.LevelLabel()] = true
		total += st.Estimate
		if st.Skip != "" || st.Note != "" {
			t.Errorf("step %d (%s %s %s) changed at a 20000 fd limit: %s%s", st.Index, st.Server.Label,
				st.Scenario.Name, st.LevelLabel(), st.Note, st.Skip)
		}
	}
	for _, model := range []string{"threaded", "evented", "goroutine"} {
		for _, want := range []string{"hello/c=10", "hello/c=8000", "idle/idle=0", "idle/idle=10000", "io/c=100",
			"io/c=4000", "hol/0.01×ref", "rate/0.5×cap", "rate/1.5×cap"} {
			if !have[model+"/"+want] {
				t.Errorf("no step %s/%s", model, want)
			}
		}
	}
	if !have["evented-offload/hol/0.01×ref"] || !have["evented-offload/rate/1.0×cap"] {
		t.Errorf("evented --offload missing where /cpu is requested")
	}
	for _, real := range []string{"nginx/hello/c=8000", "apache-worker/hello/c=8000", "node/hello/c=8000", "cthreads/hello/c=8000",
		"nginx/idle/idle=10000", "apache-worker/idle/idle=10000", "node/io/c=4000", "cthreads/io/c=4000",
		"node/hol/0.01×ref", "node-offload/hol/0.01×ref", "cthreads/rate/1.5×cap", "node-offload/rate/1.5×cap"} {
		if !have[real] {
			t.Errorf("no step %s", real)
		}
	}
	if total > 23*time.Minute { // a run took 1.2x its plan: 23 min planned leaves room for installs in 30
		t.Errorf("default suite planned at %v, over the 30-minute budget's margin", total)
	}
	quick, _ := Plan(s, PlanOptions{Quick: true, FDLimit: 20000})
	var qt time.Duration
	for _, st := range quick {
		qt += st.Estimate
		if want := map[bool]time.Duration{false: time.Second, true: 3 * time.Second}[st.Scenario.Name == "hol"]; st.Duration != want {
			t.Fatalf("quick step with a %v window", st.Duration)
		}
	}
	if qt > 7*time.Minute || len(quick) >= len(steps) { // planned; measured: see README. CI runs it within 20 minutes
		t.Errorf("quick: %d steps, %v planned; want fewer steps and under 7 minutes", len(quick), qt)
	}
}

func TestPlanClampsToTheFDLimit(t *testing.T) {
	s := loadDefault(t)
	steps, _ := Plan(s, PlanOptions{FDLimit: 5000})
	find := func(server, scenario string, level float64) Step {
		for _, st := range steps {
			if st.Server.Label == server && st.Scenario.Name == scenario && st.Level == level {
				return st
			}
		}
		t.Fatalf("no step %s %s %v", server, scenario, level)
		return Step{}
	}
	idle := find("threaded", "idle", 10000)
	if idle.Idle != 5000-fdMargin-10 || idle.Conns != 10 || !strings.Contains(idle.Note, "clamped from 10000") {
		t.Errorf("idle 10000 at limit 5000: %d idle, %d active, note %q", idle.Idle, idle.Conns, idle.Note)
	}
	hello := find("evented", "hello", 8000)
	if hello.Conns != 5000-fdMargin || !strings.Contains(hello.Note, "open-file limit 5000") {
		t.Errorf("hello 8000 at limit 5000: %d conns, note %q", hello.Conns, hello.Note)
	}
	if ok := find("evented", "hello", 4000); ok.Conns != 4000 || ok.Note != "" {
		t.Errorf("hello 4000 fits under 5000 yet: %+v", ok)
	}
	tiny, _ := Plan(s, PlanOptions{FDLimit: 50})
	for _, st := range tiny {
		if !strings.HasPrefix(st.Skip, "skipped: needs") || st.Estimate != 0 {
			t.Fatalf("at a 50-fd limit step %d runs: skip %q", st.Index, st.Skip)
		}
	}
}

func TestPlanRestartsAndLeavesOutOptionalServers(t *testing.T) {
	s := loadDefault(t)
	steps, leftOut := Plan(s, PlanOptions{Unavailable: map[string]string{"nginx": "nginx is not installed", "goroutine": "gone"}})
	if !slices.Equal(leftOut, []metrics.LeftOut{{Server: "nginx", Why: "nginx is not installed"}}) {
		t.Fatalf("left out: %+v", leftOut)
	}
	var gor int
	for i, st := range steps {
		if st.Index != i+1 || st.Total != len(steps) {
			t.Fatalf("step %d numbered %d/%d", i, st.Index, st.Total)
		}
		switch {
		case st.Server.Label == "nginx":
			t.Fatalf("optional nginx planned though unavailable")
		case st.Server.Label == "goroutine":
			gor++
			if st.Skip != "skipped: gone" {
				t.Fatalf("goroutine (not optional) runs though unavailable: %q", st.Skip)
			}
		}
		// a server's first step in a round (the round after ends where the next begins,
		// with the same server, its order reversed: a fresh start all the same)
		first := i == 0 || steps[i-1].Scenario.Name != st.Scenario.Name || steps[i-1].Server.Label != st.Server.Label ||
			steps[i-1].Repeat != st.Repeat
		if want := first || st.Scenario.Restart != RestartScenario; st.Restart != want {
			t.Fatalf("step %d (%s %s): restart %v, want %v", st.Index, st.Server.Label, st.Scenario.Name, st.Restart, want)
		}
		if st.Scenario.Kind == metrics.KindOpen && (st.CapDuration > 0) != (first && st.Scenario.Capacity != nil) {
			t.Fatalf("step %d: capacity probe %v, want one per server", st.Index, st.CapDuration)
		}
	}
	if gor == 0 {
		t.Fatal("goroutine steps dropped, want them kept with the reason")
	}
}

func TestPlanOverrides(t *testing.T) {
	s := loadDefault(t)
	if err := s.Select([]string{"evented"}, []string{"hello", "rate"}); err != nil {
		t.Fatal(err)
	}
	steps, _ := Plan(s, PlanOptions{Quick: true, Warmup: 7 * time.Millisecond, Duration: 9 * time.Millisecond})
	if len(steps) != 3*3+2 {
		t.Fatalf("%d steps, want evented's 3 quick hello levels 3 times each and 2 quick rate levels once", len(steps))
	}
	for _, st := range steps {
		if st.Server.Label != "evented" || st.Warmup != 7*time.Millisecond || st.Duration != 9*time.Millisecond {
			t.Fatalf("step %+v", st)
		}
	}
	if steps[9].CapDuration != 9*time.Millisecond {
		t.Fatalf("quick capacity probe %v, want the window's length", steps[3].CapDuration)
	}
}

// TestScenarioServerArgs: a scenario's server_args reach that scenario's steps only, and
// the GOMAXPROCS recorded for them follows the added --procs.
func TestScenarioServerArgs(t *testing.T) {
	s, err := ParseSuite([]byte(`{"duration":"1s","servers":[{"label":"threaded","model":"threaded","args":["--pool","0"]}],
		"scenarios":[{"name":"hello","kind":"closed","path":"/hello","servers":["threaded"],"levels":[1]},
		{"name":"hol","kind":"closed","path":"/hello","servers":["threaded"],"levels":[20],"server_args":{"threaded":["--procs","64"]}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	steps, _ := Plan(s, PlanOptions{})
	want0 := []string{"serve", "--model", "threaded", "--addr", "127.0.0.1:0", "--cpus", "0", "--pool", "0"}
	if got := steps[0].Server.ServeArgs("127.0.0.1:0", []int{0}); !slices.Equal(got, want0) {
		t.Errorf("hello: %q, want %q: the server's own args, pinned to its CPUs", got, want0)
	}
	if got := steps[1].Server.ServeArgs("127.0.0.1:0", []int{0}); !slices.Equal(got, append(want0, "--procs", "64")) {
		t.Errorf("hol: %q, want --procs 64 added", got)
	}
	if !slices.Equal(s.Servers[0].Args, []string{"--pool", "0"}) {
		t.Errorf("the suite's server spec was changed: %q", s.Servers[0].Args)
	}
}

func TestSuiteRejects(t *testing.T) {
	const head = `{"duration":"1s","servers":[{"label":"a","model":"goroutine"}],"scenarios":[`
	cases := map[string]string{
		"unknown field":      `{"duration":"1s","sevrers":[]}`,
		"no duration":        `{"servers":[],"scenarios":[]}`,
		"bad duration":       `{"duration":"fast"}`,
		"unknown server":     head + `{"name":"h","kind":"closed","path":"/hello","servers":["b"],"levels":[1]}]}`,
		"bad kind":           head + `{"name":"h","kind":"ajar","path":"/hello","servers":["a"],"levels":[1]}]}`,
		"half connection":    head + `{"name":"h","kind":"closed","path":"/hello","servers":["a"],"levels":[1.5]}]}`,
		"closed zero":        head + `{"name":"h","kind":"closed","path":"/hello","servers":["a"],"levels":[0]}]}`,
		"idle no active":     head + `{"name":"i","kind":"idle","path":"/hello","servers":["a"],"levels":[10]}]}`,
		"probe no conns":     head + `{"name":"r","kind":"open","path":"/cpu","servers":["a"],"levels":[0.5],"capacity":{"duration":"1s"}}]}`,
		"open zero rate":     head + `{"name":"r","kind":"open","path":"/cpu","servers":["a"],"levels":[0]}]}`,
		"fraction, no probe": head + `{"name":"r","kind":"open","path":"/cpu","servers":["a"],"levels":[0.5, 1.5]}]}`,
		"idle background":    head + `{"name":"i","kind":"idle","path":"/hello","active":1,"servers":["a"],"levels":[10],"background":{"rate":5}}]}`,
		"no levels":          head + `{"name":"h","kind":"closed","path":"/hello","servers":["a"],"levels":[]}]}`,
		"bad path":           head + `{"name":"h","kind":"closed","path":"hello","servers":["a"],"levels":[1]}]}`,
		"two sources":        `{"duration":"1s","servers":[{"label":"a","model":"goroutine","external":"x.sh"}]}`,
		"bench for external": `{"duration":"1s","servers":[{"label":"a","external":"x.sh","bench":"bin/bench"}]}`,
		"repeated label":     `{"duration":"1s","servers":[{"label":"a","model":"goroutine"},{"label":"a","model":"evented"}]}`,
		"unknown role":       `{"duration":"1s","servers":[{"label":"a","model":"goroutine","roles":["referee"]}]}`,
		"two references":     `{"duration":"1s","servers":[{"label":"a","model":"goroutine","roles":["thread-reference"]},{"label":"b","model":"threaded","roles":["thread-reference"]}]}`,
		"args for absent":    head + `{"name":"h","kind":"closed","path":"/hello","servers":["a"],"levels":[1],"server_args":{"b":["--procs","8"]}}]}`,
	}
	for name, in := range cases {
		if _, err := ParseSuite([]byte(in)); !errors.Is(err, ErrSuite) {
			t.Errorf("%s: err = %v, want ErrSuite", name, err)
		}
	}
	s := loadDefault(t)
	ids := s.Identities()
	if len(ids) != len(s.Servers) || metrics.FamilyOf(ids, "node-offload") != "node" ||
		!slices.Equal(metrics.Holders(ids, metrics.RoleThreadReference), []string{"cthreads"}) ||
		!slices.Equal(metrics.Holders(ids, metrics.RoleBurnsOnLoop), []string{"evented", "node", "java-virtual"}) {
		t.Errorf("the default suite's identities: %+v", ids)
	}
	if err := s.Select([]string{"apache"}, nil); !errors.Is(err, ErrSuite) || !strings.Contains(err.Error(), "threaded") {
		t.Errorf("Select(apache) = %v, want ErrSuite listing the servers", err)
	}
	if err := s.Select(nil, []string{"c10k"}); !errors.Is(err, ErrSuite) {
		t.Errorf("Select(c10k) = %v", err)
	}
}

func TestUnavailable(t *testing.T) {
	s := loadDefault(t)
	got := s.Unavailable(func(cmd string) (string, error) {
		if cmd == "nginx" {
			return "", errors.New("not found")
		}
		return "/usr/bin/" + cmd, nil
	})
	if len(got) != 1 || got["nginx"] != "nginx is not installed" {
		t.Fatalf("Unavailable = %v", got)
	}
}

// TestServeArgs: the suite's procs is passed on; otherwise serve chooses (and reports) the
// model's GOMAXPROCS itself, so nothing here recomputes a model's defaults.
func TestServeArgs(t *testing.T) {
	if got := (ServerSpec{Model: "goroutine", Procs: 3}).ServeArgs("127.0.0.1:0", nil); !slices.Contains(got, "--procs") || slices.Contains(got, "--cpus") {
		t.Errorf("procs 3, unpinned: %q", got)
	}
	if got := (ServerSpec{Model: "evented", Args: []string{"--loops", "3"}}).ServeArgs("127.0.0.1:0", nil); slices.Contains(got, "--procs") {
		t.Errorf("evented without procs: %q, want GOMAXPROCS left to serve", got)
	}
}

// TestPeersOnlyOnTheirEndpoints: a server that declares /hello only is never measured on
// /io (its step is a row with a note), whatever the scenario is called.
func TestPeersOnlyOnTheirEndpoints(t *testing.T) {
	s, err := ParseSuite([]byte(`{"duration":"1s","servers":[{"label":"peer","external":"x.sh"},{"label":"m","model":"goroutine"}],
		"scenarios":[{"name":"wait","kind":"closed","path":"/io?ms=20","servers":["peer","m"],"levels":[1]},
		{"name":"sweep","kind":"closed","path":"/","servers":["peer"],"levels":[1]},
		{"name":"blocking","kind":"closed","path":"/hello","background":{"path":"/cpu?us=10","rate":10},"servers":["peer"],"levels":[1]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	steps, _ := Plan(s, PlanOptions{Endpoints: map[string][]string{"peer": {"/hello"}}})
	want := []string{"skipped: peer does not serve /io", "", "", "skipped: peer does not serve /cpu"}
	for i, st := range steps {
		if st.Skip != want[i] {
			t.Errorf("step %d (%s %s): skip %q, want %q", i, st.Server.Label, st.Scenario.Name, st.Skip, want[i])
		}
	}
}

// TestServerWarmup: a server's own warm-up lengthens its steps' warm-up, never shortens it.
func TestServerWarmup(t *testing.T) {
	s, err := ParseSuite([]byte(`{"warmup":"1s","duration":"1s","servers":[{"label":"slow","model":"goroutine","warmup":"6s"},
		{"label":"quick","model":"goroutine","warmup":"100ms"}],
		"scenarios":[{"name":"h","kind":"closed","path":"/hello","servers":["slow","quick"],"levels":[1]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	steps, _ := Plan(s, PlanOptions{})
	if steps[0].Warmup != 6*time.Second || steps[1].Warmup != time.Second {
		t.Errorf("warm-ups %v, %v; want 6s (the server's) and 1s (the suite's)", steps[0].Warmup, steps[1].Warmup)
	}
}

// TestPeerLoads: a server started per step is told that step's connections, active
// connections and endpoints; one kept for a scenario is told the most any of its steps
// holds (background too) and every endpoint they ask for, at whichever step it is started
// (again, after a crash).
func TestPeerLoads(t *testing.T) {
	s, err := ParseSuite([]byte(`{"warmup":"1s","duration":"1s","servers":[{"label":"g","model":"goroutine"}],
		"scenarios":[{"name":"sweep","kind":"closed","path":"/hello","servers":["g"],"levels":[10,300]},
		{"name":"idle","kind":"idle","path":"/hello","active":5,"servers":["g"],"levels":[0,1000]},
		{"name":"kept","kind":"closed","path":"/hello","restart":"scenario","servers":["g"],"levels":[7,40],
		 "background":{"path":"/cpu?us=10","rate":10,"concurrency":20}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	steps, _ := Plan(s, PlanOptions{})
	var got, active []int
	for _, st := range steps {
		got, active = append(got, st.Peer.Conns), append(active, st.Peer.Active)
	}
	if want := []int{10, 300, 5, 1005, 60, 60}; !slices.Equal(got, want) {
		t.Fatalf("server connections per step %v, want %v", got, want)
	}
	// The idle holder's set-up burst is active beside an idle step's load (at every
	// level), and the background's 20 workers beside the closed load.
	burst := 5 + loadgen.IdleSetUpConcurrency
	if want := []int{10, 300, burst, burst, 60, 60}; !slices.Equal(active, want) {
		t.Fatalf("active connections per step %v, want %v", active, want)
	}
	if p := steps[0].Peer.Paths; !slices.Equal(p, []string{"/hello"}) {
		t.Errorf("paths of a hello step %v, want [/hello]", p)
	}
	if p := steps[4].Peer.Paths; !slices.Equal(p, []string{"/cpu", "/hello"}) {
		t.Errorf("paths of a step with a /cpu background %v, want [/cpu /hello]", p)
	}
	env := steps[4].Peer.Env()
	if want := []string{"PEER_CONNECTIONS=60", "PEER_ACTIVE=60", "PEER_PATHS=/cpu /hello"}; !slices.Equal(env, want) {
		t.Errorf("env %q, want %q", env, want)
	}
}

// TestPeerLoadOpen: an open scenario's active connections are the engine's workers bound
// (its own, or the default) and its background's.
func TestPeerLoadOpen(t *testing.T) {
	s, err := ParseSuite([]byte(`{"warmup":"1s","duration":"1s","servers":[{"label":"g","model":"goroutine"}],
		"scenarios":[{"name":"hol","kind":"open","path":"/hello","restart":"scenario","servers":["g"],"levels":[200],
		 "background":{"path":"/cpu?us=10","rate":5,"concurrency":20}},
		{"name":"w","kind":"open","path":"/hello","workers":50,"servers":["g"],"levels":[100]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	steps, _ := Plan(s, PlanOptions{})
	if got, want := steps[0].Peer.Active, loadgen.DefaultOpenMaxWorkers+20; got != want {
		t.Errorf("hol active %d, want %d (the default workers bound and the background's 20)", got, want)
	}
	if got := steps[1].Peer.Active; got != 50 {
		t.Errorf("active %d, want the scenario's 50 workers", got)
	}
}

// TestSuiteWarmupPerConnections: the suite's warm-up per 1000 connections lengthens every
// step by its loaded connections (idle ones are answered before the load), unless the
// server has its own.
func TestSuiteWarmupPerConnections(t *testing.T) {
	s, err := ParseSuite([]byte(`{"warmup":"1s","duration":"1s","warmup_per_1000_conns":"200ms",
		"servers":[{"label":"g","model":"goroutine"},{"label":"own","model":"goroutine","warmup_per_1000_conns":"1s"}],
		"scenarios":[{"name":"h","kind":"closed","path":"/hello","servers":["g","own"],"levels":[10,4000]},
		{"name":"i","kind":"idle","path":"/hello","active":10,"servers":["g"],"levels":[5000]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	steps, _ := Plan(s, PlanOptions{})
	var got []time.Duration
	for _, st := range steps {
		got = append(got, st.Warmup)
	}
	want := []time.Duration{1002 * time.Millisecond, time.Second, 1800 * time.Millisecond, 4 * time.Second, 1002 * time.Millisecond} // level by level
	if !slices.Equal(got, want) {
		t.Fatalf("warm-ups %v, want %v", got, want)
	}
}

// TestPlanInterleavesRounds: repeats are measured in rounds, level by level across the
// servers where each step restarts the server, server by server where a server stays for
// the scenario, every other round in the reverse order (b, a); repeat_only limits the rounds after the first to its servers, a
// scenario's repeats override the suite's, --quick takes the quick repeats, and
// --repeats overrides them all.
func TestPlanInterleavesRounds(t *testing.T) {
	s, err := ParseSuite([]byte(`{"duration":"1s","repeats":2,"repeat_only":["a","b"],"quick":{"repeats":3},
		"servers":[{"label":"a","model":"goroutine"},{"label":"b","model":"evented"},{"label":"c","model":"threaded"}],
		"scenarios":[{"name":"h","kind":"closed","path":"/hello","servers":["a","b","c"],"levels":[10,100]},
		{"name":"o","kind":"open","path":"/hello","restart":"scenario","servers":["a","b","c"],"levels":[5,6]},
		{"name":"i","kind":"idle","path":"/hello","active":1,"repeats":1,"servers":["a","b"],"levels":[0]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	order := func(quick bool, repeats ...int) []string {
		o := PlanOptions{Quick: quick}
		if len(repeats) > 0 {
			o.Repeats = repeats[0]
		}
		steps, _ := Plan(s, o)
		var out []string
		for _, st := range steps {
			out = append(out, fmt.Sprintf("%s:%s:%g:%d", st.Scenario.Name, st.Server.Label, st.Level, st.Repeat))
		}
		return out
	}
	want := []string{"h:a:10:1", "h:b:10:1", "h:c:10:1", "h:b:10:2", "h:a:10:2",
		"h:a:100:1", "h:b:100:1", "h:c:100:1", "h:b:100:2", "h:a:100:2",
		"o:a:5:1", "o:a:6:1", "o:b:5:1", "o:b:6:1", "o:c:5:1", "o:c:6:1", "o:b:5:2", "o:b:6:2", "o:a:5:2", "o:a:6:2",
		"i:a:0:1", "i:b:0:1"}
	if got := order(false); !slices.Equal(got, want) {
		t.Errorf("steps\n%v\nwant\n%v", got, want)
	}
	also, err := ParseSuite([]byte(strings.Replace(`{"duration":"1s","repeats":2,"repeat_only":["a"],
		"servers":[{"label":"a","model":"goroutine"},{"label":"b","model":"evented"},{"label":"c","model":"threaded"}],
		"scenarios":[{"name":"h","kind":"closed","path":"/hello","servers":["a","b","c"],"levels":[10],"repeat_also":["b"]},
		{"name":"k","kind":"closed","path":"/hello","servers":["a","b","c"],"levels":[10]}]}`, "\n", "", -1)))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	steps, _ := Plan(also, PlanOptions{})
	for _, st := range steps {
		got = append(got, fmt.Sprintf("%s:%s:%d", st.Scenario.Name, st.Server.Label, st.Repeat))
	}
	if want := []string{"h:a:1", "h:b:1", "h:c:1", "h:b:2", "h:a:2", "k:a:1", "k:b:1", "k:c:1", "k:a:2"}; !slices.Equal(got, want) {
		t.Errorf("repeat_also: %v, want b repeated in h only", got)
	}
	if _, err := ParseSuite([]byte(`{"duration":"1s","servers":[{"label":"a","model":"goroutine"}],"scenarios":[{"name":"h","kind":"closed","path":"/hello","servers":["a"],"levels":[10],"repeat_also":["z"]}]}`)); !errors.Is(err, ErrSuite) {
		t.Errorf("repeat_also of a server the scenario does not run: %v", err)
	}
	if got := order(true); len(got) != 2*7+2*7+2 {
		t.Errorf("--quick: %d steps (%v), want three rounds of a and b", len(got), got)
	}
	if got := order(true, 1); len(got) != 6+6+2 {
		t.Errorf("--repeats 1: %d steps (%v), want one round of every scenario", len(got), got)
	}
	if _, err := ParseSuite([]byte(`{"duration":"1s","repeat_only":["x"],"servers":[{"label":"a","model":"goroutine"}],
		"scenarios":[{"name":"h","kind":"closed","path":"/hello","servers":["a"],"levels":[1]}]}`)); !errors.Is(err, ErrSuite) {
		t.Errorf("repeat_only naming no server: %v, want ErrSuite", err)
	}
}

// TestCheckPeersLeavesOutWhatCannotRun: a peer whose --check fails (a JDK older than 21)
// is unavailable with the reason it printed; one whose check passes, or that the run does
// not use, is not asked or not added.
func TestCheckPeersLeavesOutWhatCannotRun(t *testing.T) {
	dir := t.TempDir()
	script := func(name, check string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n[ \"$1\" = --check ] && { "+check+"; }\nexit 0\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	old := script("old-jdk.sh", "echo 'JAVA_HOME=/jdk17 is Java 17: virtual threads need 21 or later'; exit 1")
	fine := script("fine.sh", "exit 0")
	unused := script("unused.sh", "exit 1")
	s := &Suite{Servers: []ServerSpec{{Label: "old", External: old}, {Label: "fine", External: fine}, {Label: "unused", External: unused}},
		Scenarios: []Scenario{{Name: "h", Servers: []string{"old", "fine"}}}}
	got := map[string]string{}
	s.CheckPeers(got)
	if len(got) != 1 || got["old"] != "JAVA_HOME=/jdk17 is Java 17: virtual threads need 21 or later" {
		t.Errorf("CheckPeers = %v, want only old, with the reason it printed", got)
	}
}

// TestEverySuiteFileParses: each suite file of suites/ is one the run accepts, and the
// example of a server of the user's own declares that server's identity.
func TestEverySuiteFileParses(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "suites", "*.json"))
	if err != nil || len(files) < 3 {
		t.Fatalf("suites: %v %v", files, err)
	}
	for _, f := range files {
		s, err := LoadSuite(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if filepath.Base(f) != "own-server.json" {
			continue
		}
		ids := s.Identities()
		if !slices.Equal(metrics.Holders(ids, metrics.RoleThreadReference), []string{"my-threads"}) || metrics.FamilyOf(ids, "my-threads") != "mine" {
			t.Errorf("own-server.json: %+v", ids)
		}
	}
}
