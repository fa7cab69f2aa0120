package plots

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// writeSettings lists how each server was configured (run.json): for each server, each
// distinct set of settings it reported (its instance's log path aside), with the steps it
// was started for. A run without run.json (made before it existed) says so.
func writeSettings(w io.Writer, m *metrics.RunManifest, rows []metrics.SummaryRow) {
	fmt.Fprintf(w, "## How each server was configured\n\n")
	if m == nil {
		fmt.Fprintf(w, "_This run has no %s: its servers' settings were not recorded._\n\n", metrics.ManifestFile)
		return
	}
	fmt.Fprintf(w, "Each server's own report of its effective settings when it started (bench serve's "+
		"settings line, a peer script's; scripts/peers/README.md says why each peer setting is what it is), "+
		"and the steps it was started for.\n\n")
	if ref := m.Reference; ref != nil {
		fmt.Fprintf(w, "The run's reference probe, measured as it began (a scenario with rate_of \"reference\" offers a share of it, "+
			"the same rate to every server): %s on `%s` at %d connections for %gs: %.0f req/s. %s\n\n",
			md(ref.Server), md(ref.Path), ref.Concurrency, ref.DurationS, ref.RPS, md(ref.Note))
	}
	for _, server := range serversInOrder(rows, m) {
		var order []string
		used := map[string][]string{}
		for _, s := range m.Starts {
			if s.Server != server {
				continue
			}
			key := settingsText(s.Settings)
			if _, ok := used[key]; !ok {
				order = append(order, key)
			}
			used[key] = append(used[key], fmt.Sprintf("%s %s", s.Scenario, plain(s.Level)))
		}
		for _, key := range order {
			fmt.Fprintf(w, "- **%s** (%s): `%s`\n", md(server), md(strings.Join(used[key], ", ")), md(key))
		}
	}
	fmt.Fprintln(w)
}

// settingsText is the settings object as one line, without the instance's "log".
func settingsText(raw json.RawMessage) string {
	var fields map[string]json.RawMessage
	if len(raw) == 0 || json.Unmarshal(raw, &fields) != nil {
		return "{}"
	}
	delete(fields, "log")
	b, err := json.Marshal(fields) // keys sorted
	if err != nil {
		return "{}"
	}
	var out bytes.Buffer
	if json.Compact(&out, b) != nil {
		return string(b)
	}
	return out.String()
}

// serversInOrder is the servers of the manifest, in the order the rows name them first
// (then any server that has no row).
func serversInOrder(rows []metrics.SummaryRow, m *metrics.RunManifest) []string {
	var order []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			order = append(order, s)
		}
	}
	inManifest := map[string]bool{}
	for _, s := range m.Starts {
		inManifest[s.Server] = true
	}
	for _, r := range rows {
		if inManifest[r.Server] {
			add(r.Server)
		}
	}
	for _, s := range m.Starts {
		add(s.Server)
	}
	return order
}

// writeCoverage says, from run.json, which servers the run left out and why, and which
// planned points have no row (an interrupted run): "left out", "missing" and "not
// planned" are then told apart.
func writeCoverage(w io.Writer, m *metrics.RunManifest, rows []metrics.SummaryRow) {
	if m == nil {
		return
	}
	for _, l := range m.LeftOut {
		fmt.Fprintf(w, "- %s was left out of the run: %s.\n", md(l.Server), md(l.Why))
	}
	// Rows carry the level they measured (idle connections held, the rate offered), not the
	// suite's: count rows against planned points per server, scenario and repeat.
	key := func(server, scenario string, repeat int) string {
		return fmt.Sprintf("%s %s (repeat %d)", server, scenario, repeat)
	}
	rowsOf := map[string]int{}
	for _, r := range rows {
		rowsOf[key(r.Server, r.Scenario, r.Repeat)]++
	}
	planned, order := map[string]int{}, []string{}
	for _, p := range m.Planned {
		k := key(p.Server, p.Scenario, p.Repeat)
		if planned[k] == 0 {
			order = append(order, k)
		}
		planned[k]++
	}
	var missing []string
	for _, k := range order {
		if n := planned[k] - rowsOf[k]; n > 0 {
			missing = append(missing, fmt.Sprintf("%s: %d of %d", k, n, planned[k]))
		}
	}
	if len(missing) > 0 {
		more := ""
		if len(missing) > 10 {
			missing, more = missing[:10], fmt.Sprintf(" and %d more", len(missing)-10)
		}
		fmt.Fprintf(w, "- Points planned with no row (the run was interrupted, or rows are missing): %s%s.\n",
			md(strings.Join(missing, "; ")), more)
	}
}
