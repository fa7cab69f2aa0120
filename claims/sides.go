package claims

import (
	"fmt"
	"slices"
	"strings"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// DesignThreads is the design column of a thread-per-connection server.
const DesignThreads = "threads"

// threadServers are the thread-per-connection servers (design threads) with rows in
// scenario, in the order they first appear. A claim against threads is held against the
// best of them, so that a slow stand-in can never make it.
func threadServers(rows []metrics.SummaryRow, scenario string) []string {
	var out []string
	for _, r := range rows {
		if r.Scenario == scenario && r.Design == DesignThreads && !slices.Contains(out, r.Server) {
			out = append(out, r.Server)
		}
	}
	return out
}

// best is the candidate whose figure is best (lowest when lower, else highest), with its
// figure; ok is false when no candidate has one.
func best(candidates []string, figure func(server string) (float64, bool), lower bool) (name string, x float64, ok bool) {
	for _, c := range candidates {
		v, has := figure(c)
		if !has {
			continue
		}
		if !ok || (lower && v < x) || (!lower && v > x) {
			name, x, ok = c, v, true
		}
	}
	return name, x, ok
}

// among says which servers a threads figure was the best of: "cthreads, the fastest of
// threaded, cthreads".
func among(name, how string, candidates []string) string {
	if len(candidates) < 2 {
		return name
	}
	return name + ", the " + how + " of " + strings.Join(candidates, ", ")
}

// unreliable says why a claim's figure cannot be trusted, from the rows it was read from:
// more than 1 % of requests failed, or a row measured nothing; "" when they are sound.
func (s series) unreliable() string {
	for _, r := range s {
		total := r.Requests + r.Errors
		switch {
		case total == 0:
			return r.Server + " " + r.LevelText() + " measured no request"
		case float64(r.Errors) > 0.01*float64(total):
			return fmt.Sprintf("%s %s: %.1f %% of requests failed", r.Server, r.LevelText(), 100*float64(r.Errors)/float64(total))
		}
	}
	return ""
}

// checked marks res Unreliable when a series it was read from is (series.unreliable).
func checked(res Result, used ...series) Result {
	if res.Status == Skip {
		return res
	}
	for _, s := range used {
		if why := s.unreliable(); why != "" {
			res.Status, res.Detail = Unreliable, res.Detail+"; unreliable: "+why
			return res
		}
	}
	return res
}

// reliableOnly keeps the candidates whose rows of scenario (with figure has) are sound
// (series.unreliable), so one server's failed requests neither decide nor spoil a claim
// about the best of them; it says which it left out.
func reliableOnly(rows []metrics.SummaryRow, scenario string, cands []string, has func(metrics.SummaryRow) float64) (kept []string, note string) {
	var out []string
	for _, c := range cands {
		if rowsOf(rows, c, scenario, has).unreliable() == "" {
			kept = append(kept, c)
		} else {
			out = append(out, c)
		}
	}
	if len(out) > 0 {
		note = "; left out, its rows unreliable: " + strings.Join(out, ", ")
	}
	if len(kept) == 0 {
		return cands, note // none is sound: the claim is read from them and marked unreliable
	}
	return kept, note
}
