//go:build linux

package threaded

import (
	"time"

	"golang.org/x/sys/unix"
)

// sleepThread waits for /io by blocking this OS thread in nanosleep(2), as a thread waiting
// on a database would; it does not hand the wait to the Go scheduler.
func sleepThread(d time.Duration) {
	ts := unix.NsecToTimespec(d.Nanoseconds())
	for unix.Nanosleep(&ts, &ts) == unix.EINTR {
	}
}
