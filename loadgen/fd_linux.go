//go:build linux

package loadgen

import (
	"fmt"
	"os"

	"github.com/benchsuite/threads-vs-loop/internal/rlimit"
)

// fdSlack is descriptors kept free for everything else the process opens.
const fdSlack = 64

// CheckFDs raises RLIMIT_NOFILE to the hard limit and reports ErrFDLimit if n more
// sockets would not fit under it beside the descriptors already open. Every engine checks
// its own connections; a caller running several at once checks their sum first.
func CheckFDs(n int) error { return reserveFDs(n) }

func reserveFDs(n int) error {
	limit, err := rlimit.RaiseNoFile()
	if err != nil {
		return fmt.Errorf("loadgen: %w", err)
	}
	open := 0
	if fds, err := os.ReadDir("/proc/self/fd"); err == nil {
		open = len(fds)
	}
	if uint64(open+n+fdSlack) > limit {
		return fmt.Errorf("%w: %d connections with %d descriptors open and %d kept spare, limit %d (raise the hard limit: ulimit -Hn)",
			ErrFDLimit, n, open, fdSlack, limit)
	}
	return nil
}
