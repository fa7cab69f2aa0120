package metrics

import "slices"

// ServerOrder is the order in which tables and charts list the suite's servers; a label
// not listed comes after these. Scenarios are listed in run order (as summary.csv has
// them), whatever their names.
var ServerOrder = []string{"threaded", "evented", "evented-offload", "goroutine",
	"cthreads", "apache-worker", "apache-prefork", "apache-event", "nginx", "node", "node-offload"}

// Rank is name's place in order, or len(order) for a name it does not list.
func Rank(order []string, name string) int {
	if i := slices.Index(order, name); i >= 0 {
		return i
	}
	return len(order)
}
