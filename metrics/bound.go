package metrics

import "github.com/benchsuite/threads-vs-loop/internal/affinity"

// Bound says which side limited a measured point. A chart never passes off the client's
// limit as the server's, nor the server's saturation as the client's.
type Bound string

// The bounds.
const (
	BoundServer  Bound = "server"  // the server was at its limit, the client was not
	BoundClient  Bound = "client"  // the load generator was at its limit: the figure may be its own
	BoundBoth    Bound = "both"    // both were at their limits: the figure is a lower bound of either
	BoundNeither Bound = "neither" // neither was: the load asked for was delivered and served
)

// The thresholds of Judge, in one place.
const (
	// BoundCPUShare: a side that used this share of the CPUs it may run on (the server's
	// CPU set, or the client's) was at its limit.
	BoundCPUShare = 0.90
	// RateShortShare: an open-model load that sent less than this share of its offered
	// rate fell behind.
	RateShortShare = 0.95
)

// Judge decides a point's bound from each side's CPU, as a share of the CPUs that side
// may use (1.0 = every one of them busy), and, for an open-model load, whether the server
// held back the offered rate (every worker of the load generator was waiting on it while
// requests fell due, so they went out late or not at all).
func Judge(serverShare, clientShare float64, serverHeldBack bool) Bound {
	return boundOf(serverShare >= BoundCPUShare || serverHeldBack, clientShare >= BoundCPUShare)
}

func boundOf(server, client bool) Bound {
	switch {
	case server && client:
		return BoundBoth
	case client:
		return BoundClient
	case server:
		return BoundServer
	}
	return BoundNeither
}

// ClientLimited reports whether the client was (one of) the limit(s).
func (b Bound) ClientLimited() bool { return b == BoundClient || b == BoundBoth }

// ServerLimited reports whether the server was (one of) the limit(s).
func (b Bound) ServerLimited() bool { return b == BoundServer || b == BoundBoth }

// Combine is the bound of several repeats of one point: a side that limited any repeat
// limited the point.
func Combine(bounds ...Bound) Bound {
	var server, client bool
	for _, b := range bounds {
		server = server || b.ServerLimited()
		client = client || b.ClientLimited()
	}
	return boundOf(server, client)
}

// cpuCount is how many CPUs a CPU list such as "0", "1-3" or "0,2" names (0 if empty or
// not a list).
func cpuCount(list string) int {
	cpus, _ := affinity.Parse(list)
	return len(cpus)
}

// inferBound fills bound and the CPU shares of a row written before those columns: from
// the CPU percentages (of one core) over the CPU lists, and client_bound.
func inferBound(r *SummaryRow) {
	if r.Bound != "" {
		return
	}
	if n := cpuCount(r.ServerCPUs); n > 0 && r.ServerCPUShare == 0 {
		r.ServerCPUShare = r.ServerCPUPct / 100 / float64(n)
	}
	if n := cpuCount(r.ClientCPUs); n > 0 && r.ClientCPUShare == 0 {
		r.ClientCPUShare = r.ClientCPUPct / 100 / float64(n)
	}
	client := r.ClientCPUShare
	if r.ClientBound {
		client = 1 // the old verdict also counted an open load that fell behind as the client's
	}
	r.Bound = Judge(r.ServerCPUShare, client, false)
}
