package metrics

import (
	"math"

	"github.com/benchsuite/threads-vs-loop/internal/cpulist"
)

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

// The thresholds of Judge and JudgeLoad, in one place (with starvedRunqShare).
const (
	// BoundCPUShare: a side that used this share of the CPUs it may run on (the server's
	// CPU set, or the client's) was at its limit.
	BoundCPUShare = 0.90
	// RateShortShare: an open-model load that sent less than this share of its offered
	// rate fell behind.
	RateShortShare = 0.95
	// BackgroundShortShare: an open background load (hol's burns) that completed less
	// than this share of the requests due in its window did not deliver the load the
	// claims about the foreground assume.
	BackgroundShortShare = 0.90
)

// Judge decides a point's bound from each side's CPU, as a share of the CPUs that side
// may use (1.0 = every one of them busy), and, for an open-model load, whether the server
// held back the offered rate (every worker of the load generator was waiting on it while
// requests fell due, so they went out late or not at all). It is JudgeLoad without the
// server's starvation (rows of CSVs written before it was measured).
func Judge(serverShare, clientShare float64, serverHeldBack bool) Bound {
	return JudgeLoad(Load{ServerShare: serverShare, ClientShare: clientShare, ServerHeldBack: serverHeldBack})
}

// Load is what JudgeLoad reads of a measured point. Shares are of the CPUs a side may use
// over the measured window (1.0 = every one of them, all the time).
type Load struct {
	ServerShare, ClientShare float64 // each side's own CPU
	ServerHeldBack           bool    // an open-model load the server held back (Judge)

	// The server's starvation (0 when not measured: never starved). ServerCPUsBusy is
	// the share of the time its CPUs were busy, whoever ran there (/proc/stat: all but
	// idle and iowait); ServerRunqShare the time its threads waited runnable on a run
	// queue (schedstat's run_delay, summed over every thread of its tree).
	ServerCPUsBusy, ServerRunqShare float64
}

// JudgeLoad decides a point's bound. A side that used BoundCPUShare of its CPUs or more
// was at its limit. So was a starved server (Starved): on a machine shared with other
// work (a noisy neighbour, or a CPU hog emulating a slower machine) a saturated server
// gets only part of its CPUs, so its own share stays low (about 0.5 beside one busy
// loop) while it is the limit all the same.
func JudgeLoad(l Load) Bound {
	server := l.ServerShare >= BoundCPUShare || l.ServerHeldBack || Starved(l.ServerShare, l.ServerCPUsBusy, l.ServerRunqShare)
	return boundOf(server, l.ClientShare >= BoundCPUShare)
}

// Starved reports whether a server was starved of CPU: its CPUs were busy (by anyone, it
// or another program) at least BoundCPUShare of the time, its threads waited runnable at
// least 1 − BoundCPUShare of its CPUs' time, and it wanted the CPU (ran, or waited to)
// at least BoundCPUShare of the time (serverShare + runqShare): a saturated server's
// demand, not a lightly loaded one's occasional wait beside a busy neighbour. Then it had
// work it could not run for want of CPU as often as a saturated server stands idle,
// while nothing left its CPUs free: the CPU, not the load, limited it. Busy CPUs without waiting threads
// are another program's business (the server kept up); waiting without busy CPUs is the
// server's own threads queueing behind one another in bursts, which its CPU share judges.
func Starved(serverShare, cpusBusy, runqShare float64) bool {
	return cpusBusy >= BoundCPUShare && runqShare >= starvedRunqShare && serverShare+runqShare >= BoundCPUShare
}

// starvedRunqShare is 1 − BoundCPUShare, rounded to the 3 decimals of the CSV's
// server_runq_share (1 − 0.9 is 0.09999999999999998 in binary: a row reading 0.1 passes).
var starvedRunqShare = math.Round((1-BoundCPUShare)*1000) / 1000

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
	cpus, _ := cpulist.Parse(list)
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
