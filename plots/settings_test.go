package plots

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// TestWriteSettings: each server's distinct settings, its log aside, with the steps it was
// started for, in the order the rows name the servers.
func TestWriteSettings(t *testing.T) {
	rows := []metrics.SummaryRow{{Server: "nginx"}, {Server: "apache-event"}}
	m := &metrics.RunManifest{Starts: []metrics.ServerStart{
		{Server: "apache-event", Scenario: "hello", Level: 10, Settings: json.RawMessage(`{"threads":64,"log":"/tmp/a/error.log"}`)},
		{Server: "apache-event", Scenario: "hello", Level: 100, Settings: json.RawMessage(`{"threads":64,"log":"/tmp/b/error.log"}`)},
		{Server: "apache-event", Scenario: "hello", Level: 8000, Settings: json.RawMessage(`{"threads":8266,"log":"/tmp/c/error.log"}`)},
		{Server: "nginx", Scenario: "hello", Level: 10, Settings: json.RawMessage(`{"worker_processes":1}`)},
	}}
	var b bytes.Buffer
	writeSettings(&b, m, rows)
	got := b.String()
	for _, want := range []string{
		"- **nginx** (hello 10): `{\"worker_processes\":1}`",
		"- **apache-event** (hello 10, hello 100): `{\"threads\":64}`",
		"- **apache-event** (hello 8000): `{\"threads\":8266}`",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	if strings.Index(got, "**nginx**") > strings.Index(got, "**apache-event**") || strings.Contains(got, "/tmp/") {
		t.Errorf("order or log paths wrong:\n%s", got)
	}
	m.Reference = &metrics.ReferenceProbe{Server: "evented", Path: "/hello", Concurrency: 32, DurationS: 2, RPS: 201234, Note: "reference probe: evented on /hello"}
	b.Reset()
	writeSettings(&b, m, rows)
	if !strings.Contains(b.String(), "evented on `/hello` at 32 connections for 2s: 201234 req/s.") {
		t.Errorf("the reference probe is not reported:\n%s", b.String())
	}
	b.Reset()
	writeSettings(&b, nil, rows)
	if !strings.Contains(b.String(), "has no run.json") {
		t.Errorf("without a manifest: %q", b.String())
	}
}

// TestWriteCoverage: the servers left out, with why, and the planned points without rows
// (counted per server, scenario and repeat: rows carry the level they measured).
func TestWriteCoverage(t *testing.T) {
	rows := []metrics.SummaryRow{{Server: "evented", Scenario: "idle", Kind: metrics.KindIdle, IdleConns: 4990, Repeat: 1}}
	m := &metrics.RunManifest{
		LeftOut: []metrics.LeftOut{{Server: "java-virtual", Why: "no JDK 21 or later"}},
		Planned: []metrics.PlannedPoint{
			{Server: "evented", Scenario: "idle", Level: 5000, Repeat: 1},
			{Server: "evented", Scenario: "idle", Level: 10000, Repeat: 1},
			{Server: "nginx", Scenario: "hello", Level: 10, Repeat: 1},
		},
	}
	var b bytes.Buffer
	writeCoverage(&b, m, rows)
	got := b.String()
	for _, want := range []string{"java-virtual was left out of the run: no JDK 21 or later.",
		"evented idle (repeat 1): 1 of 2; nginx hello (repeat 1): 1 of 1."} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in %q", want, got)
		}
	}
}
