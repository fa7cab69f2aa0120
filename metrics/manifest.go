package metrics

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ManifestFile is the run folder's manifest: what a run did beyond its rows.
const ManifestFile = "run.json"

// RunManifest is run.json: the points the run planned (a point without a row was
// planned and not measured: the run was interrupted, or its row is missing), the servers
// the suite names that it left out and why, and every server start with the settings the
// server reported (bench serve's settings line, a peer script's), so that a reader sees
// how each server was configured at each step without opening a script.
type RunManifest struct {
	Planned []PlannedPoint `json:"planned"`
	LeftOut []LeftOut      `json:"left_out"`
	Starts  []ServerStart  `json:"starts"`
	// Reference is the run's reference probe, when a scenario's rate is a share of it.
	Reference *ReferenceProbe `json:"reference,omitempty"`
	// Build is the bench build that made the run, when go build stamped its revision.
	Build *Build `json:"build,omitempty"`
	// Servers is every server of the suite with what the suite declares of it (its
	// design, family and roles), those left out too; empty in a run made before it.
	Servers []ServerIdentity `json:"servers,omitempty"`
}

// Build is the source a bench binary was built from, as go build stamps it from git
// (vcs.revision, vcs.modified): the CI gate rebuilds a committed baseline's revision to
// measure it again beside the code under test, on the same machine.
type Build struct {
	Revision string `json:"revision"`
	Modified bool   `json:"modified"` // the tree had changes the revision does not hold
	Go       string `json:"go"`
}

// ReferenceProbe is what a run's reference probe measured: the req/s of one server on one
// request at a fixed concurrency, as the run began (Note says how, or why it failed).
type ReferenceProbe struct {
	Server      string  `json:"server"`
	Path        string  `json:"path"`
	Concurrency int     `json:"concurrency"`
	DurationS   float64 `json:"duration_s"`
	RPS         float64 `json:"rps"`
	Note        string  `json:"note"`
}

// PlannedPoint is one planned step: the row it will write, by its identity. Skip says why
// the step will be skipped (its row then carries that note), if it will.
type PlannedPoint struct {
	Server   string  `json:"server"`
	Scenario string  `json:"scenario"`
	Kind     Kind    `json:"kind"`
	Path     string  `json:"path"`
	Level    float64 `json:"level"`
	Repeat   int     `json:"repeat"`
	Skip     string  `json:"skip,omitempty"`
}

// LeftOut is a server of the suite the run does not run at all, and why (an optional
// server whose commands are missing here).
type LeftOut struct {
	Server string `json:"server"`
	Why    string `json:"why"`
}

// PlannedServers is the servers with a planned point in the run.
func (m RunManifest) PlannedServers() map[string]bool {
	out := map[string]bool{}
	for _, p := range m.Planned {
		out[p.Server] = true
	}
	return out
}

// LeftOutByServer is left-out servers as server → why.
func LeftOutByServer(list []LeftOut) map[string]string {
	out := make(map[string]string, len(list))
	for _, l := range list {
		out[l.Server] = l.Why
	}
	return out
}

// ServerStart is one start of a server: for the step it was started for, the settings it
// reported (a JSON object; empty when it reported none).
type ServerStart struct {
	Server   string          `json:"server"`
	Scenario string          `json:"scenario"`
	Level    float64         `json:"level"`
	Settings json.RawMessage `json:"settings,omitempty"`
}

// WriteManifest writes dir/run.json whole, through a temporary file, so that a reader
// (or an interrupted run) never sees half of it.
func WriteManifest(dir string, m RunManifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("metrics: run manifest: %w", err)
	}
	tmp := filepath.Join(dir, ManifestFile+".tmp")
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("metrics: run manifest: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, ManifestFile)); err != nil {
		return fmt.Errorf("metrics: run manifest: %w", err)
	}
	return nil
}

// ReadManifest reads dir/run.json. A run made before the manifest existed has none: that
// is an error wrapping os.ErrNotExist.
func ReadManifest(dir string) (RunManifest, error) {
	var m RunManifest
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return m, fmt.Errorf("metrics: run manifest: %w", err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("metrics: run manifest %s: %w", filepath.Join(dir, ManifestFile), err)
	}
	for i, s := range m.Starts {
		if s.Server == "" {
			return m, fmt.Errorf("metrics: run manifest: start %d names no server: %w", i+1, errBadManifest)
		}
	}
	return m, nil
}

var errBadManifest = errors.New("metrics: bad run manifest")
