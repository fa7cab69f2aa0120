//go:build !linux

package affinity

import (
	"errors"
	"runtime"
)

// Pin needs Linux's sched_setaffinity; elsewhere it is an error unless cpus is empty.
func Pin(pid int, cpus []int) error {
	if len(cpus) == 0 {
		return nil
	}
	return errors.New("affinity: CPU pinning needs Linux")
}

// Allowed returns every CPU elsewhere.
func Allowed() ([]int, error) {
	cpus := make([]int, runtime.NumCPU())
	for i := range cpus {
		cpus[i] = i
	}
	return cpus, nil
}
