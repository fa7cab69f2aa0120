package compare

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// setupWarnings names what differs between how the two runs were made: the measured
// window, the warm-up, the CPUs of host, server and client, and each server's
// GOMAXPROCS. Figures of runs made differently may differ for that reason alone.
func setupWarnings(base, cur []metrics.SummaryRow) []string {
	var out []string
	for _, f := range []struct {
		what string
		get  func(metrics.SummaryRow) string
	}{
		{"measured window (s)", func(r metrics.SummaryRow) string { return strconv.FormatFloat(r.DurationS, 'f', 0, 64) }},
		{"warm-up (s)", func(r metrics.SummaryRow) string { return strconv.FormatFloat(r.WarmupS, 'f', -1, 64) }},
		{"host CPUs", func(r metrics.SummaryRow) string { return strconv.Itoa(r.HostCPUs) }},
		{"server CPUs", func(r metrics.SummaryRow) string { return r.ServerCPUs }},
		{"client CPUs", func(r metrics.SummaryRow) string { return r.ClientCPUs }},
	} {
		if b, c := usual(base, f.get), usual(cur, f.get); b != c {
			out = append(out, fmt.Sprintf("%s differ: base %s, new %s", f.what, orNone(b), orNone(c)))
		}
	}
	return append(out, procsWarnings(base, cur)...)
}

// procsWarnings names the servers whose usual GOMAXPROCS differs between the runs.
func procsWarnings(base, cur []metrics.SummaryRow) []string {
	procs := func(rows []metrics.SummaryRow) map[string]string {
		by := map[string][]metrics.SummaryRow{}
		for _, r := range rows {
			by[r.Server] = append(by[r.Server], r)
		}
		out := map[string]string{}
		for s, g := range by {
			out[s] = usual(g, func(r metrics.SummaryRow) string { return strconv.Itoa(r.GoMaxProcs) })
		}
		return out
	}
	b, c := procs(base), procs(cur)
	var out []string
	for s, pb := range b {
		if pc, ok := c[s]; ok && pb != pc {
			out = append(out, fmt.Sprintf("%s's GOMAXPROCS differs: base %s, new %s", s, pb, pc))
		}
	}
	sort.Strings(out)
	return out
}

// usual is the most common value of f over rows (ties: the smallest).
func usual(rows []metrics.SummaryRow, f func(metrics.SummaryRow) string) string {
	count := map[string]int{}
	best := ""
	for _, r := range rows {
		v := f(r)
		count[v]++
		if c := count[v]; c > count[best] || c == count[best] && v < best {
			best = v
		}
	}
	return best
}

func orNone(s string) string {
	if s == "" || s == "0" {
		return "(not recorded)"
	}
	return s
}
