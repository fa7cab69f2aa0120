//go:build !linux

package sampler

// runqDelay needs Linux's taskstats (runq_linux.go); the time waited runnable is unknown
// elsewhere (there is no /proc either).
func (c *taskstatsConn) runqDelay(int) (int64, error) { return 0, errNeedsLinux }

// cpusOf needs Linux's sched_getaffinity: every CPU is taken.
func cpusOf(int) []int { return nil }
