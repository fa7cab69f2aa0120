package metrics

import "slices"

// ServerIdentity is what a suite declares of one of its servers, beyond how to start it:
// how it waits for its connections (its design), the family it is drawn with (a colour
// shared by the servers of one runtime: "java" for platform and virtual threads), and
// the roles it holds in the claims. run.json lists every server of the suite with it,
// those the run left out too, so that a user's own server takes part in the charts and
// the claims by a line of a suite file, with no change to the code.
type ServerIdentity struct {
	Server string   `json:"server"`
	Design string   `json:"design,omitempty"`
	Family string   `json:"family,omitempty"`
	Roles  []string `json:"roles,omitempty"`
}

// The roles a server may hold in the claims (package claims states each claim's
// principle). A one-holder role is held by at most one server of a suite.
const (
	// RoleThreadReference is the real thread-per-connection server the claims hold
	// threads to (one holder).
	RoleThreadReference = "thread-reference"
	// RoleLoopContender is the event loop the claims hold loops to (one holder).
	RoleLoopContender = "loop-contender"
	// RoleBurnsOnLoop: the server runs a CPU burn on the thread that serves the other
	// connections (a loop, or virtual threads on one carrier): they stall behind it.
	RoleBurnsOnLoop = "burns-on-loop"
	// RoleBurnsOffloaded: an event loop that hands each burn to a pool of threads.
	RoleBurnsOffloaded = "burns-offloaded"
	// RoleBurnsTimeSliced: a thread per connection the kernel time-slices, so a burn
	// holds only its own connection.
	RoleBurnsTimeSliced = "burns-time-sliced"
	// Role2008Threads and Role2008Events are the two servers of the seed's 2008 graphs
	// (Apache's worker MPM and nginx; one holder each).
	Role2008Threads = "2008-threads"
	Role2008Events  = "2008-events"
	// RoleVirtualThreads is a server whose threads are the runtime's, parked on a poller
	// (Java's virtual threads); it is compared with the RolePlatformThreads server of its
	// family, the same code on OS threads.
	RoleVirtualThreads  = "virtual-threads"
	RolePlatformThreads = "platform-threads"
)

// Roles is every role, in the order the claims read them.
var Roles = []string{RoleThreadReference, RoleLoopContender, RoleBurnsOnLoop, RoleBurnsOffloaded,
	RoleBurnsTimeSliced, Role2008Threads, Role2008Events, RoleVirtualThreads, RolePlatformThreads}

// OneHolderRole says whether at most one server of a suite may hold role.
func OneHolderRole(role string) bool {
	switch role {
	case RoleThreadReference, RoleLoopContender, Role2008Threads, Role2008Events:
		return true
	}
	return false
}

// KnownRole says whether role is one of Roles.
func KnownRole(role string) bool { return slices.Contains(Roles, role) }

// LegacyIdentities are the default suite's servers as it declares them (suites/default.json,
// without the Java peers, which came after): a run whose run.json lists no servers (one
// made before suites declared them) is read with these.
var LegacyIdentities = []ServerIdentity{
	{Server: "threaded", Design: "threads", Family: "go", Roles: []string{RoleBurnsTimeSliced}},
	{Server: "evented", Design: "events", Family: "go", Roles: []string{RoleLoopContender, RoleBurnsOnLoop}},
	{Server: "evented-offload", Design: "events", Family: "go", Roles: []string{RoleBurnsOffloaded}},
	{Server: "goroutine", Design: "goroutines", Family: "go"},
	{Server: "cthreads", Design: "threads", Family: "c", Roles: []string{RoleThreadReference, RoleBurnsTimeSliced}},
	{Server: "apache-worker", Design: "threads", Family: "apache", Roles: []string{Role2008Threads}},
	{Server: "apache-event", Design: "hybrid", Family: "apache"},
	{Server: "apache-prefork", Design: "processes", Family: "apache"},
	{Server: "nginx", Design: "events", Family: "nginx", Roles: []string{Role2008Events}},
	{Server: "node", Design: "events", Family: "node", Roles: []string{RoleBurnsOnLoop}},
	{Server: "node-offload", Design: "events", Family: "node", Roles: []string{RoleBurnsOffloaded}},
}

// Identities is the run's servers as its manifest lists them, or LegacyIdentities for a
// run whose manifest lists none.
func (m RunManifest) Identities() []ServerIdentity {
	if len(m.Servers) > 0 {
		return m.Servers
	}
	return LegacyIdentities
}

// Holders is the servers of ids that hold role, in the suite's order.
func Holders(ids []ServerIdentity, role string) []string {
	var out []string
	for _, id := range ids {
		if slices.Contains(id.Roles, role) {
			out = append(out, id.Server)
		}
	}
	return out
}

// FamilyOf is server's family in ids, "" when it has none.
func FamilyOf(ids []ServerIdentity, server string) string {
	for _, id := range ids {
		if id.Server == server {
			return id.Family
		}
	}
	return ""
}
