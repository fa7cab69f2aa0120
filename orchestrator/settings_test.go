package orchestrator

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/benchsuite/threads-vs-loop/internal/wire"
	"github.com/benchsuite/threads-vs-loop/loadgen"
	"github.com/benchsuite/threads-vs-loop/metrics"
)

// fakeSizedPeer is a peer script that records what it was told of the load, serves with
// the test binary (as bench serve), and prints a settings line naming a log.
const fakeSizedPeer = `#!/bin/sh
d=$(dirname "$0")
echo "$PEER_CONNECTIONS|$PEER_ACTIVE|$PEER_PATHS|$FAKE_SWITCH" > "$d/env"
ORCH_TEST_SERVE=1 "$FAKE_BENCH" serve --model goroutine --addr 127.0.0.1:$1 </dev/null >/dev/null 2>&1 &
echo $!
echo "settings {\"fake\":true,\"log\":\"$d/log\",\"log_drops\":\"will shutdown\"}"
`

// fakeLoggingPeer writes the fake sized peer's script into a temporary folder (it writes
// its env there and names dir/log as its log) and returns it, the folder, and a function
// that appends a line to that log, as the server would.
func fakeLoggingPeer(t *testing.T) (script, dir string, appendLog func(string)) {
	t.Helper()
	skipUnlessLinux(t)
	dir = t.TempDir()
	script = filepath.Join(dir, "peer.sh")
	if err := os.WriteFile(script, []byte(fakeSizedPeer), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FAKE_BENCH", os.Args[0])
	log := filepath.Join(dir, "log")
	return script, dir, func(line string) {
		f, err := os.OpenFile(log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			t.Error(err)
			return
		}
		defer f.Close()
		f.WriteString(line + "\n")
	}
}

// TestPeerSettingsAndDrops: a peer is told the step's load (PEER_CONNECTIONS, PEER_ACTIVE,
// PEER_PATHS) and its suite env; its settings line goes into run.json; the lines of its
// log that say it closed held connections are counted in the window only, into the note.
func TestPeerSettingsAndDrops(t *testing.T) {
	script, dir, appendLog := fakeLoggingPeer(t)
	suite := `{"duration": "300ms", "warmup": "200ms",
	  "servers": [{"label": "p", "external": "` + script + `", "env": {"FAKE_SWITCH": "on"}}],
	  "scenarios": [{"name": "hello", "kind": "closed", "path": "/hello", "servers": ["p"], "levels": [3],
	    "background": {"path": "/cpu?us=10", "concurrency": 2}}]}`
	eng := &fakeEngine{
		before: func(int, loadgen.Config) { appendLog("will shutdown 3 keep-alive connections (in the warm-up)") },
		during: func(int) {
			appendLog("All workers are busy, will shutdown 2 keep-alive connections")
			appendLog("an unrelated line")
			appendLog("will shutdown 1 keep-alive connections")
		},
	}
	cfg := testConfig(t, plan(t, suite), eng)
	if rep, err := Run(context.Background(), cfg); err != nil || rep.Failed != 0 {
		t.Fatalf("Run = %+v, %v", rep, err)
	}
	for _, c := range eng.calls { // beside a background, the ramp ends by the shared window
		if c.RampMax != 0 {
			t.Errorf("a load beside a background was let ramp past its warm-up: %+v", c)
		}
	}
	env, _ := os.ReadFile(filepath.Join(dir, "env"))
	if want := "5|5|/cpu /hello|on\n"; string(env) != want {
		t.Errorf("the peer was told %q, want %q", env, want)
	}
	rows := readSummary(t, cfg.Out)
	// Two calls (foreground and background) each wrote 1 line in the warm-up and 2 in the
	// window.
	if len(rows) != 1 || !strings.Contains(rows[0].Note, "closing connections it held 4 times in the window") {
		t.Errorf("note %q, want the 4 drop lines of the window (not the warm-up's 2)", rows[0].Note)
	}
	m, err := metrics.ReadManifest(cfg.Out)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Planned) != 1 || m.Planned[0] != (metrics.PlannedPoint{Server: "p", Scenario: "hello", Kind: metrics.KindClosed, Path: "/hello", Level: 3, Repeat: 1}) {
		t.Errorf("run.json planned %+v, want the one point", m.Planned)
	}
	if len(m.Starts) != 1 || m.Starts[0].Server != "p" || m.Starts[0].Scenario != "hello" || m.Starts[0].Level != 3 {
		t.Fatalf("run.json starts %+v, want the one start of p", m.Starts)
	}
	var got struct{ Fake bool }
	if err := json.Unmarshal(m.Starts[0].Settings, &got); err != nil || !got.Fake {
		t.Errorf("settings %s (%v), want the peer's line", m.Starts[0].Settings, err)
	}
}

// TestWindowDropsUnknown: no log named, or a load that ended before the window began,
// gives no count (not a zero).
func TestWindowDropsUnknown(t *testing.T) {
	p := &serverProc{Server: &localServer{}}
	if _, ok := p.windowDrops(context.Background(), fixedWindow(time.Now()), 0)(); ok {
		t.Error("a server without a log gave a count")
	}
	p.settings = wire.Settings{Log: filepath.Join(t.TempDir(), "log"), LogDrops: "x"}
	if _, ok := p.windowDrops(context.Background(), fixedWindow(time.Now().Add(time.Hour)), time.Hour)(); ok {
		t.Error("a load that ended before the window gave a count")
	}
}

// TestWindowFollowsTheRamp: a closed load whose ramp outlasts the warm-up begins its
// window later than the warm-up after the call; what is read over the window (here the
// peer's log of dropped connections) is read over the window the engine reports, and the
// row says how long the ramp took.
func TestWindowFollowsTheRamp(t *testing.T) {
	script, _, appendLog := fakeLoggingPeer(t)
	suite := `{"duration": "300ms", "warmup": "100ms", "ramp_max": "5s",
	  "servers": [{"label": "p", "external": "` + script + `"}],
	  "scenarios": [{"name": "hello", "kind": "closed", "path": "/hello", "servers": ["p"], "levels": [3]}]}`
	eng := &fakeEngine{ramp: 600 * time.Millisecond,
		before: func(int, loadgen.Config) { appendLog("will shutdown 3 keep-alive connections (in the ramp)") },
		during: func(int) { appendLog("will shutdown 2 keep-alive connections (in the window)") },
	}
	cfg := testConfig(t, plan(t, suite), eng)
	if rep, err := Run(context.Background(), cfg); err != nil || rep.Failed != 0 {
		t.Fatalf("Run = %+v, %v", rep, err)
	}
	rows := readSummary(t, cfg.Out)
	if len(eng.calls) != 1 || eng.calls[0].RampMax != 5*time.Second {
		t.Fatalf("calls %+v, want one with the suite's ramp bound", eng.calls)
	}
	for _, want := range []string{"closing connections it held 1 times in the window", "after a ramp of 600ms"} {
		if len(rows) != 1 || !strings.Contains(rows[0].Note, want) {
			t.Errorf("note %q, want %q", rows[0].Note, want)
		}
	}
}
