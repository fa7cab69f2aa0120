package affinity

import "github.com/benchsuite/threads-vs-loop/internal/cpulist"

// ErrBadList is returned by Parse for a malformed CPU list.
var ErrBadList = cpulist.ErrBadList

// Parse reads a CPU list like "0", "1-3" or "0,2-3" (the taskset -c syntax) into sorted,
// distinct CPU numbers (cpulist.Parse). An empty string is an empty list.
func Parse(s string) ([]int, error) { return cpulist.Parse(s) }

// Format writes cpus as a CPU list, collapsing runs: [0 1 2 5] → "0-2,5".
func Format(cpus []int) string { return cpulist.Format(cpus) }
