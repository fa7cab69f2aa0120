package orchestrator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// Reading a suite file and checking it: what it names exists, its levels can be run, its
// servers' roles are known; and choosing from it what a run uses (Select, Unavailable,
// CheckPeers, Endpoints).

// LoadSuite reads and checks a suite file. Unknown fields are errors, so a typo does not
// silently fall back to a default.
func LoadSuite(path string) (*Suite, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSuite, err)
	}
	return ParseSuite(b)
}

// ParseSuite decodes and checks a suite.
func ParseSuite(b []byte) (*Suite, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var s Suite
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSuite, err)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// Validate checks that every scenario names known servers and has levels the engines
// can run.
func (s *Suite) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrSuite}, a...)...)
	}
	if s.Duration <= 0 {
		return bad("duration must be positive")
	}
	labels := map[string]bool{}
	for _, sv := range s.Servers {
		switch {
		case sv.Label == "" || labels[sv.Label]:
			return bad("server label %q empty or repeated", sv.Label)
		case (sv.Model == "") == (sv.External == ""):
			return bad("server %s: give exactly one of model and external", sv.Label)
		case sv.Bench != "" && sv.Model == "":
			return bad("server %s: bench names the binary of a model; an external server has its script", sv.Label)
		}
		labels[sv.Label] = true
	}
	if err := s.validateRoles(); err != nil {
		return bad("%v", err)
	}
	if s.Repeats < 0 || s.Quick.Repeats < 0 {
		return bad("repeats must be 0 or more")
	}
	for _, label := range s.RepeatOnly {
		if !labels[label] {
			return bad("repeat_only: no server %q", label)
		}
	}
	if ref := s.Reference; ref != nil && (!labels[ref.Server] || s.server(ref.Server).Model == "" || !strings.HasPrefix(ref.Path, "/") || ref.Concurrency < 1) {
		return bad("reference: needs a built-in model of the suite (there in every run), a path starting with / and concurrency ≥ 1")
	}
	for i := range s.Scenarios {
		sc := &s.Scenarios[i]
		if err := sc.Background.resolveBurn(); err != nil {
			return bad("scenario %q: %v", sc.Name, err)
		}
		if sc.RateOf != "" && (sc.RateOf != RateOfReference || s.Reference == nil || sc.Kind != metrics.KindOpen || sc.Capacity != nil) {
			return bad("scenario %q: rate_of %q needs rate_of \"reference\", an open scenario without a capacity probe, and the suite's reference", sc.Name, sc.RateOf)
		}
		for _, label := range sc.RepeatAlso {
			if !slices.Contains(sc.Servers, label) {
				return bad("scenario %q: repeat_also names %q, which the scenario does not run", sc.Name, label)
			}
		}
		if err := sc.validate(labels); err != nil {
			return bad("scenario %q: %v", sc.Name, err)
		}
	}
	return nil
}

// validateRoles checks that every role is known and that a one-holder role has one holder.
func (s *Suite) validateRoles() error {
	held := map[string]string{}
	for _, sv := range s.Servers {
		for _, r := range sv.Roles {
			switch {
			case !metrics.KnownRole(r):
				return fmt.Errorf("server %s: unknown role %q (known: %s)", sv.Label, r, strings.Join(metrics.Roles, ", "))
			case metrics.OneHolderRole(r) && held[r] != "" && held[r] != sv.Label:
				return fmt.Errorf("role %s is held by %s and %s: one server holds it", r, held[r], sv.Label)
			}
			held[r] = sv.Label
		}
	}
	return nil
}

// Identities is what the suite declares of each of its servers (design, family, roles),
// in its order, for run.json.
func (s *Suite) Identities() []metrics.ServerIdentity {
	out := make([]metrics.ServerIdentity, len(s.Servers))
	for i, sv := range s.Servers {
		out[i] = metrics.ServerIdentity{Server: sv.Label, Design: sv.Design, Family: sv.Family, Roles: sv.Roles}
	}
	return out
}

func (sc *Scenario) validate(labels map[string]bool) error {
	switch {
	case sc.Name == "" || !strings.HasPrefix(sc.Path, "/"):
		return errors.New("needs a name and a path starting with /")
	case !sc.Kind.Valid():
		return fmt.Errorf("kind must be one of %v", metrics.Kinds)
	case sc.Restart != "" && sc.Restart != RestartStep && sc.Restart != RestartScenario:
		return fmt.Errorf("restart must be %s or %s", RestartStep, RestartScenario)
	case len(sc.Levels) == 0 || len(sc.Servers) == 0:
		return errors.New("needs servers and levels")
	case sc.Repeats < 0:
		return errors.New("repeats must be 0 or more")
	case sc.Kind == metrics.KindIdle && sc.Active < 1:
		return errors.New("an idle scenario needs active ≥ 1")
	case sc.Kind == metrics.KindOpen && sc.Capacity != nil && sc.Capacity.Concurrency < 1:
		return errors.New("an open scenario's capacity probe needs concurrency ≥ 1")
	case sc.Kind == metrics.KindOpen && sc.RateOf == RateOfReference && slices.Max(append(slices.Clone(sc.Levels), sc.QuickLevels...)) > 1:
		return errors.New("rate_of reference: levels are shares of the reference probe's req/s, want 0 < level ≤ 1")
	case sc.Kind == metrics.KindOpen && sc.Capacity == nil && sc.RateOf == "" && slices.Min(append(slices.Clone(sc.Levels), sc.QuickLevels...)) < 1:
		return errors.New("an open scenario without a capacity probe offers its levels as req/s: want levels ≥ 1 (or a capacity probe for fractions)")
	case sc.Background != nil && (sc.Kind == metrics.KindIdle || (sc.Background.Concurrency < 1 && sc.Background.Rate <= 0)):
		return errors.New("background needs a closed or open scenario and a rate > 0 or concurrency ≥ 1")
	}
	for _, l := range append(slices.Clone(sc.Levels), sc.QuickLevels...) {
		if l < 0 || (sc.Kind != metrics.KindOpen && (l != float64(int(l)) || (sc.Kind == metrics.KindClosed && l < 1))) || (sc.Kind == metrics.KindOpen && l <= 0) {
			return fmt.Errorf("level %v: want whole connections (≥ 1 for closed) or a positive fraction or rate (open)", l)
		}
	}
	for _, name := range sc.Servers {
		if !labels[name] {
			return fmt.Errorf("unknown server %q", name)
		}
	}
	for name := range sc.ServerArgs {
		if !slices.Contains(sc.Servers, name) {
			return fmt.Errorf("server_args for %q, which the scenario does not run", name)
		}
	}
	return nil
}

// Select keeps only the named servers and scenarios (nil keeps all). A name that is not
// in the suite is an error.
func (s *Suite) Select(servers, scenarios []string) error {
	var have []string
	for _, sv := range s.Servers {
		have = append(have, sv.Label)
	}
	var names []string
	for _, sc := range s.Scenarios {
		names = append(names, sc.Name)
	}
	if err := known("server", servers, have); err != nil {
		return err
	}
	if err := known("scenario", scenarios, names); err != nil {
		return err
	}
	kept := s.Scenarios[:0]
	for _, sc := range s.Scenarios {
		if len(scenarios) > 0 && !slices.Contains(scenarios, sc.Name) {
			continue
		}
		if len(servers) > 0 {
			sc.Servers = slices.DeleteFunc(slices.Clone(sc.Servers), func(l string) bool { return !slices.Contains(servers, l) })
		}
		if len(sc.Servers) > 0 {
			kept = append(kept, sc)
		}
	}
	s.Scenarios = kept
	return nil
}

// Unavailable lists the servers whose required commands are missing, with the reason.
// lookPath is exec.LookPath, replaceable in tests.
func (s *Suite) Unavailable(lookPath func(string) (string, error)) map[string]string {
	if lookPath == nil {
		lookPath = exec.LookPath
	}
	out := map[string]string{}
	for _, sv := range s.Servers {
		for _, cmd := range sv.Requires {
			if _, err := lookPath(cmd); err != nil {
				out[sv.Label] = cmd + " is not installed"
				break
			}
		}
	}
	return out
}

// server returns the spec labelled label.
func (s *Suite) server(label string) ServerSpec {
	for _, sv := range s.Servers {
		if sv.Label == label {
			return sv
		}
	}
	return ServerSpec{Label: label}
}

// peerCheckTimeout bounds a peer's --check: a check that hangs is a check that failed.
const peerCheckTimeout = 30 * time.Second

// CheckPeers asks each external server of the suite that the run uses, and that
// unavailable does not already leave out, whether it can run here (`SCRIPT --check`: a
// peer may need more than commands on PATH, as the Java peers need a JDK of 21 or later);
// one that cannot is added to unavailable with the reason it printed. An optional server
// is then left out of the run with that reason; a required one fails the plan.
func (s *Suite) CheckPeers(unavailable map[string]string) {
	used := s.Used()
	for _, sv := range s.Servers {
		if sv.External == "" || unavailable[sv.Label] != "" || !used[sv.Label] {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), peerCheckTimeout)
		out, err := exec.CommandContext(ctx, sv.External, "--check").CombinedOutput()
		cancel()
		if err != nil {
			why := strings.TrimSpace(string(out))
			if why == "" {
				why = sv.External + " --check failed: " + err.Error()
			}
			unavailable[sv.Label] = why
		}
	}
}

// Endpoints asks each external server of the suite which endpoints it serves (`SCRIPT
// --endpoints`, one line of paths). A script that cannot say is an error: measuring a
// server on an endpoint it does not serve would measure its 404s.
func (s *Suite) Endpoints(skip map[string]string) (map[string][]string, error) {
	out := map[string][]string{}
	used := s.Used()
	for _, sv := range s.Servers {
		if sv.External == "" || skip[sv.Label] != "" || !used[sv.Label] {
			continue
		}
		b, err := exec.Command(sv.External, "--endpoints").Output()
		if err != nil {
			return nil, fmt.Errorf("%w: %s --endpoints: %v", ErrSuite, sv.External, err)
		}
		out[sv.Label] = strings.Fields(string(b))
	}
	return out, nil
}

// known is an error naming the first of asked that is not among have (what is a server
// or a scenario).
func known(what string, asked, have []string) error {
	for _, name := range asked {
		if !slices.Contains(have, name) {
			return fmt.Errorf("%w: no %s %q (have %s)", ErrSuite, what, name, strings.Join(have, ", "))
		}
	}
	return nil
}
