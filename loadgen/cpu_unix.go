//go:build unix

package loadgen

import (
	"time"

	"golang.org/x/sys/unix"
)

// processCPU is the user + system CPU this process has used (getrusage RUSAGE_SELF).
func processCPU() time.Duration {
	var ru unix.Rusage
	if unix.Getrusage(unix.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
