package orchestrator

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

const referenceSuite = `{
  "duration": "200ms", "warmup": "20ms",
  "reference": {"server": "evented", "path": "/hello", "concurrency": 4, "duration": "200ms"},
  "servers": [{"label": "evented", "model": "evented"}, {"label": "goroutine", "model": "goroutine"}],
  "scenarios": [
    {"name": "hol", "kind": "open", "path": "/hello", "restart": "scenario", "rate_of": "reference",
     "background": {"burn": "2ms", "cpu_share": 0.25, "concurrency": 2},
     "servers": ["goroutine", "evented"], "levels": [0.5]}
  ]
}`

// TestReferenceProbeSetsTheRate: the reference probe runs once, first, on its own server;
// every server of the scenario is offered the same share of what it measured; the
// background's path and rate follow from its burn and CPU share, and a request completing
// within one burn of the window's end counts.
func TestReferenceProbeSetsTheRate(t *testing.T) {
	skipUnlessLinux(t)
	steps := plan(t, referenceSuite)
	eng := &fakeEngine{}
	cfg := testConfig(t, steps, eng)
	rep, err := Run(context.Background(), cfg)
	if err != nil || rep.Steps != 2 || rep.Failed != 0 {
		t.Fatalf("Run = %+v, %v", rep, err)
	}
	calls := eng.calls
	if len(calls) != 5 || calls[0].Concurrency != 4 || calls[0].Rate != 0 || !strings.HasSuffix(calls[0].URL, "/hello") {
		t.Fatalf("calls %+v: want the closed reference probe first, then a foreground and a background per server", calls)
	}
	ref := 901 / 0.2 // the fake engine's 901 requests in the probe's 200 ms
	for _, c := range calls[1:] {
		switch {
		case strings.HasSuffix(c.URL, "/cpu?us=2000"):
			if math.Abs(c.Rate-125) > 1e-9 || c.Grace != 2*time.Millisecond {
				t.Errorf("background %+v: want 125 req/s (a quarter of a CPU in 2 ms burns) and 2 ms of grace", c)
			}
		case math.Abs(c.Rate-0.5*ref) > 1e-6 || c.Grace != 2*time.Millisecond:
			t.Errorf("foreground %+v: want %.1f req/s and 2 ms of grace", c, 0.5*ref)
		}
	}
	for _, r := range readSummary(t, cfg.Out) {
		if r.ReferenceRPS != math.Round(ref) || r.BgBurnUs != 2000 || !strings.Contains(r.Note, "× the reference probe: evented on /hello") {
			t.Errorf("%s: reference_rps %v, bg_burn_us %v, note %q", r.Server, r.ReferenceRPS, r.BgBurnUs, r.Note)
		}
	}
	m, err := metrics.ReadManifest(cfg.Out)
	if err != nil || m.Reference == nil || m.Reference.RPS != ref || m.Reference.Server != "evented" {
		t.Errorf("run.json reference %+v, %v", m.Reference, err)
	}
}

func TestSuiteRejectsBadBurnsAndReferences(t *testing.T) {
	const head = `{"duration":"1s","servers":[{"label":"a","model":"goroutine"}],`
	for name, in := range map[string]string{
		"share over a quarter":  head + `"scenarios":[{"name":"h","kind":"open","path":"/hello","servers":["a"],"levels":[10],"background":{"burn":"50ms","cpu_share":0.5}}]}`,
		"burn and rate":         head + `"scenarios":[{"name":"h","kind":"open","path":"/hello","servers":["a"],"levels":[10],"background":{"burn":"50ms","cpu_share":0.25,"rate":7}}]}`,
		"burn without share":    head + `"scenarios":[{"name":"h","kind":"open","path":"/hello","servers":["a"],"levels":[10],"background":{"burn":"50ms"}}]}`,
		"rate_of, no reference": head + `"scenarios":[{"name":"h","kind":"open","path":"/hello","servers":["a"],"levels":[0.1],"rate_of":"reference"}]}`,
		"share over 1":          head + `"reference":{"server":"a","path":"/hello","concurrency":4},"scenarios":[{"name":"h","kind":"open","path":"/hello","servers":["a"],"levels":[2],"rate_of":"reference"}]}`,
		"unknown reference":     head + `"reference":{"server":"b","path":"/hello","concurrency":4},"scenarios":[]}`,
		"external reference":    `{"duration":"1s","servers":[{"label":"a","external":"x.sh"}],"reference":{"server":"a","path":"/hello","concurrency":4},"scenarios":[]}`,
	} {
		if _, err := ParseSuite([]byte(in)); !errors.Is(err, ErrSuite) {
			t.Errorf("%s: err = %v, want ErrSuite", name, err)
		}
	}
	s, err := ParseSuite([]byte(referenceSuite))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(); err != nil { // validating twice keeps the derived path and rate
		t.Errorf("second Validate: %v", err)
	}
}
