package claims

import (
	"fmt"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// role is a part a claim holds servers in. The suite says which server holds it (its
// "roles", in run.json's servers): a role is never filled by another server, so a claim
// about C threads is not decided by a Go stand-in.
type role struct {
	key  string // the suite's name of it (metrics.Role…)
	name string // what it is, for a SKIP line
	// required: the suite's verdict rests on this role, so a run without it has not shown
	// the claim, whatever the reason (SKIP, which --strict fails); a claim about an
	// optional server the run left out with a reason is N/A.
	required bool
}

// The roles, in one table: what each claim holds to what.
var (
	threadRef       = role{metrics.RoleThreadReference, "the thread reference (a real server, a thread per connection)", true}
	loopContender   = role{metrics.RoleLoopContender, "the event-loop contender", true}
	burnsOnLoop     = role{metrics.RoleBurnsOnLoop, "a server that runs its burns where it serves the others", false}
	burnsOffloaded  = role{metrics.RoleBurnsOffloaded, "a loop that hands its burns to a pool of threads", false}
	burnsTimeSliced = role{metrics.RoleBurnsTimeSliced, "a thread per connection the kernel time-slices", false}
	apache2008      = role{metrics.Role2008Threads, "the 2008 thread server (Apache httpd, worker MPM)", false}
	nginx2008       = role{metrics.Role2008Events, "the 2008 event server (nginx)", false}
	virtualThreads  = role{metrics.RoleVirtualThreads, "virtual threads (the runtime's, parked on a poller)", false}
	platformThreads = role{metrics.RolePlatformThreads, "the same server on platform (OS) threads", false}
)

// member is a server of the run in a role.
type member struct {
	role
	server string
}

// notHeld is the result of a claim whose role no server of the run's suite holds: a SKIP
// for a required role, else N/A (the suite does not ask the claim).
func notHeld(claim string, ro role) Result {
	why := fmt.Sprintf("no server of the run's suite holds the role %s, %s", ro.key, ro.name)
	if ro.required {
		return skip(claim, "%s", why)
	}
	return Result{NA, claim, why}
}

// one is the server that holds ro, a one-holder role; ok is false with notHeld's result
// when none does.
func (run Run) one(claim string, ro role) (m member, res Result, ok bool) {
	h := metrics.Holders(run.Servers, ro.key)
	if len(h) == 0 {
		return member{}, notHeld(claim, ro), false
	}
	return member{ro, h[0]}, Result{}, true
}

// each runs check for every server that holds ro, in the suite's order, or gives
// notHeld's result when none does.
func (run Run) each(claim string, ro role, check func(m member) []Result) []Result {
	h := metrics.Holders(run.Servers, ro.key)
	if len(h) == 0 {
		return []Result{notHeld(claim, ro)}
	}
	var out []Result
	for _, srv := range h {
		out = append(out, check(member{ro, srv})...)
	}
	return out
}

// sibling is the server of m's family that holds ro ("" when none): the loop an
// offloading server is set beside, the platform threads of a virtual-thread server.
func (run Run) sibling(m member, ro role) string {
	fam := metrics.FamilyOf(run.Servers, m.server)
	if fam == "" {
		return ""
	}
	for _, srv := range metrics.Holders(run.Servers, ro.key) {
		if srv != m.server && metrics.FamilyOf(run.Servers, srv) == fam {
			return srv
		}
	}
	return ""
}

// cast finds each member's rows in scenario. A member with no rows there gives a SKIP,
// or N/A when its role is not required and the run left its server out with a reason; ok
// is false then and res says which.
func cast(run Run, claim, scenario string, members ...member) (rows []series, res Result, ok bool) {
	for _, m := range members {
		s := rowsOf(run.Rows, m.server, scenario)
		if len(s) > 0 {
			rows = append(rows, s)
			continue
		}
		why, out := run.LeftOut[m.server]
		switch {
		case out && !m.required:
			return nil, Result{NA, claim, fmt.Sprintf("%s, %s, was left out of the run: %s", m.name, m.server, why)}, false
		case out:
			return nil, skip(claim, "%s, %s, was left out of the run (%s): the claim rests on it", m.name, m.server, why), false
		}
		return nil, skip(claim, "no %s rows of %s, %s", scenario, m.server, m.name), false
	}
	return rows, Result{}, true
}
