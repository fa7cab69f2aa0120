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
	b.Reset()
	writeSettings(&b, nil, rows)
	if !strings.Contains(b.String(), "has no run.json") {
		t.Errorf("without a manifest: %q", b.String())
	}
}
