//go:build !linux

package orchestrator

import "errors"

// pinnedTo needs Linux's sched_getaffinity.
func pinnedTo(int) ([]int, error) { return nil, errors.New("CPU affinity needs Linux") }
