package metrics

import "slices"

// The order in which tables and charts list the suite's scenarios and servers; a name not
// listed comes after these.
var (
	ScenarioOrder = []string{"hello", "idle", "io", "hol", "rate"}
	ServerOrder   = []string{"threaded", "evented", "evented-offload", "goroutine", "nginx", "cthreads"}
)

// Rank is name's place in order, or len(order) for a name it does not list.
func Rank(order []string, name string) int {
	if i := slices.Index(order, name); i >= 0 {
		return i
	}
	return len(order)
}
