package sshhost

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/benchsuite/threads-vs-loop/internal/wire"
	"github.com/benchsuite/threads-vs-loop/loadgen"
)

// hostResult is one client host's part of a load.
type hostResult struct {
	host string // "" when the host had no share
	out  *wire.LoadReply
	err  error
}

// mergeResults merges the hosts' results into one: counts summed, histograms merged,
// the window the longest host's, the client CPU the busiest host's (its share of its
// CPUs decides the bound), ClientBound if any host was. The note gives each host's
// requests and CPU, the skew between the instants their windows began (lead: how long
// and when the first window began (warmup: the hosts' warm-up), and the hosts that failed.
func mergeResults(parts []hostResult, warmup time.Duration) (*loadgen.Result, string, error) {
	res := &loadgen.Result{}
	var notes, failed []string
	var errs []error
	var began []time.Time
	busiest := -1.0
	for _, p := range parts {
		switch {
		case p.host == "":
			continue
		case p.out == nil:
			failed = append(failed, fmt.Sprintf("client host %s dropped: %v", p.host, p.err))
			errs = append(errs, fmt.Errorf("%s: %w", p.host, p.err))
			continue
		}
		o := p.out
		if err := o.AddTo(res); err != nil {
			return nil, "", fmt.Errorf("%s: %w", p.host, err)
		}
		if o.BeganUnixNS > 0 {
			began = append(began, time.Unix(0, o.BeganUnixNS))
		}
		if share := o.ClientCPUPct / 100 / float64(max(1, o.ClientCPUs)); share > busiest {
			busiest, res.ClientCPUPct, res.ClientCPUs = share, o.ClientCPUPct, o.ClientCPUs
		}
		if o.ClientBound {
			res.ClientBound = true
			res.BoundReason = strings.TrimSpace(res.BoundReason + " " + p.host + ": " + o.BoundReason)
		}
		notes = append(notes, fmt.Sprintf("%s %d req, CPU %.0f%% of %d", p.host, o.Requests, o.ClientCPUPct, o.ClientCPUs))
	}
	if len(notes) == 0 {
		return nil, strings.Join(failed, "; "), errors.Join(errs...)
	}
	note := "client hosts: " + strings.Join(notes, ", ")
	switch {
	case len(began) > 1:
		note += fmt.Sprintf("; windows began within %v of each other, the first at unix_ns=%d",
			skew(began).Round(time.Microsecond), slices.MinFunc(began, time.Time.Compare).Add(warmup).UnixNano())
	case len(began) == 1:
		note += fmt.Sprintf("; window began at unix_ns=%d", began[0].Add(warmup).UnixNano())
	}
	return res, strings.Join(append([]string{note}, failed...), "; "), nil
}

// skew is the spread of the instants.
func skew(ts []time.Time) time.Duration {
	lo, hi := slices.MinFunc(ts, time.Time.Compare), slices.MaxFunc(ts, time.Time.Compare)
	return hi.Sub(lo)
}
