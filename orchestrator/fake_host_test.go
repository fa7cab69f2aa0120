package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/benchsuite/threads-vs-loop/internal/wire"
	"github.com/benchsuite/threads-vs-loop/sampler"
)

// fakeHost is a ServerHost that starts no process: each server is an in-process HTTP
// listener on 127.0.0.1:0 and its samples are made up, so the runner's planning and
// recording are tested without a server, a /proc or a CPU set.
type fakeHost struct {
	mu      sync.Mutex
	starts  []ServerStart
	running []*fakeServer
	refuse  map[string]bool // labels whose start fails
	dieIn   map[string]int  // label → the 1-based step of that server whose load sees it die
}

func (h *fakeHost) StartServer(_ context.Context, s ServerStart) (Server, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.starts = append(h.starts, s)
	if h.refuse[s.Spec.Label] {
		return nil, errors.New("refused by the test")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &fakeServer{ln: ln, done: make(chan struct{}), rssKB: 1000 * int64(len(h.starts))}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "Hello, World!") })
	p.srv = &http.Server{Handler: mux}
	go p.srv.Serve(ln)
	h.running = append(h.running, p)
	return p, nil
}

// fakeServer is one fakeHost server; Stop (or die) closes its listener and ends it.
type fakeServer struct {
	ln    net.Listener
	srv   *http.Server
	rssKB int64 // what its samples report: 1000 KB times its start's number
	once  sync.Once
	done  chan struct{}
	how   string
}

func (p *fakeServer) PID() int                { return 1 }
func (p *fakeServer) Addr() string            { return p.ln.Addr().String() }
func (p *fakeServer) Settings() wire.Settings { return wire.Settings{Design: "fake", GoMaxProcs: 1} }
func (p *fakeServer) Done() <-chan struct{}   { return p.done }
func (p *fakeServer) How() string             { return p.how }
func (p *fakeServer) StderrSuffix() string    { return "" }
func (p *fakeServer) Pin()                    {}
func (p *fakeServer) OpenFDs() int            { return 4 }
func (p *fakeServer) Local() bool             { return false }
func (p *fakeServer) Stop()                   { p.end("stopped") }
func (p *fakeServer) Sampler() TreeSampler    { return &fakeSampler{rssKB: p.rssKB} }

func (p *fakeServer) end(how string) {
	p.once.Do(func() {
		p.how = how
		p.srv.Close()
		close(p.done)
	})
}

// fakeSampler reports a sample every interval from Start to Stop: the server's RSS and
// half a core of CPU.
type fakeSampler struct {
	rssKB    int64
	start    time.Time
	interval time.Duration
}

func (s *fakeSampler) Start(interval time.Duration) { s.start, s.interval = time.Now(), interval }

func (s *fakeSampler) Stop() []sampler.Sample {
	var out []sampler.Sample
	for t := s.start; t.Before(time.Now()); t = t.Add(s.interval) {
		out = append(out, sampler.Sample{At: t, Procs: 1, RSSKB: s.rssKB, Threads: 3, FDs: 4,
			CPUDelta: s.interval.Seconds() / 2, CPUPct: 50})
	}
	return out
}

func (s *fakeSampler) Switches() (sampler.SwitchReading, error) {
	return sampler.SwitchReading{}, errNoFakeSwitches
}

func (s *fakeSampler) SwitchesSince(sampler.SwitchReading) (sampler.Switches, error) {
	return sampler.Switches{}, errNoFakeSwitches
}

var errNoFakeSwitches = errors.New("the fake host reads no context switches")

// dyingEngine is fakeEngine whose server dies half-way through the given calls.
func dyingEngine(h *fakeHost, calls ...int) *fakeEngine {
	return &fakeEngine{during: func(n int) {
		if slices.Contains(calls, n) {
			h.mu.Lock()
			p := h.running[len(h.running)-1]
			h.mu.Unlock()
			p.end("killed by the test")
		}
	}}
}

// fakeConfig is a run of suite on a fakeHost.
func fakeConfig(t *testing.T, suite string, h *fakeHost, eng Engine) Config {
	cfg := testConfig(t, plan(t, suite), eng)
	cfg.ServerHost, cfg.Bench, cfg.Env = h, "", []string{"FROM_THE_RUN=1"}
	cfg.ServerCPUs = []int{0}
	return cfg
}

// closeTo reports whether got is within 15 % of want.
func closeTo(got, want float64) bool { return math.Abs(got-want) <= 0.15*want }

// labelsOf is the rows' server/level/repeat, in order.
func labelsOf(cfg Config) []string {
	var out []string
	for _, st := range cfg.Steps {
		out = append(out, fmt.Sprintf("%s/%s/%v/%d", st.Server.Label, st.Scenario.Name, st.Level, st.Repeat))
	}
	return out
}

// noteOf is the note of the row of label at level (the first such row).
func noteOf(cfg Config, rowsNote []string, label string) string {
	for i, st := range cfg.Steps {
		if st.Server.Label == label {
			return rowsNote[i]
		}
	}
	return "no row of " + label
}

func hasAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
