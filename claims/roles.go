package claims

import "fmt"

// role is a part a claim holds one server in, by its label in the suite. A role is never
// filled by another server: a claim about C threads is not decided by a Go stand-in.
type role struct {
	name   string // what the role is, for a SKIP line
	server string // the suite's label of the server that holds it
	// required: the suite's verdict rests on this role, so a run without it has not shown
	// the claim, whatever the reason (SKIP, which --strict fails); a claim about an
	// optional server the run left out with a reason is N/A.
	required bool
}

// The roles, in one table: which server each claim holds to what.
var (
	threadRef     = role{"the thread reference (C, a pthread per connection)", "cthreads", true}
	loopContender = role{"the event-loop contender (the suite's epoll reactor)", "evented", true}
	nodeLoop      = role{"Node's single loop", "node", false}
	goOffload     = role{"the Go loop that offloads its burns", "evented-offload", true}
	nodeOffload   = role{"Node with its burns on worker_threads", "node-offload", false}
	apache2008    = role{"the 2008 thread server (Apache httpd, worker MPM)", "apache-worker", false}
	nginx2008     = role{"the 2008 event server (nginx)", "nginx", false}
)

// offloadLoops pairs each offloading server with the loop that runs the burns itself.
var offloadLoops = map[role]role{goOffload: loopContender, nodeOffload: nodeLoop}

// cast finds each role's rows in scenario. A role with no rows there gives a SKIP, or
// N/A when the role is not required and the run left its server out with a reason; ok
// is false then and res says which.
func cast(run Run, claim, scenario string, roles ...role) (rows []series, res Result, ok bool) {
	for _, ro := range roles {
		s := rowsOf(run.Rows, ro.server, scenario)
		if len(s) > 0 {
			rows = append(rows, s)
			continue
		}
		why, out := run.LeftOut[ro.server]
		switch {
		case out && !ro.required:
			return nil, Result{NA, claim, fmt.Sprintf("%s, %s, was left out of the run: %s", ro.name, ro.server, why)}, false
		case out:
			return nil, skip(claim, "%s, %s, was left out of the run (%s): the claim rests on it", ro.name, ro.server, why), false
		}
		return nil, skip(claim, "no %s rows of %s, %s", scenario, ro.server, ro.name), false
	}
	return rows, Result{}, true
}
