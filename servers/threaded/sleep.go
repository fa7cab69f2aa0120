package threaded

import (
	"time"

	"golang.org/x/sys/unix"
)

// sleepThread waits for /io with the connection's OS thread blocked and doing nothing
// else, as a thread waiting on a database is. In the netpoll mode the goroutine is locked
// to the thread, so time.Sleep parks the thread itself (in futex(2)) until the timer fires,
// and hands its P to the other threads at once. A blocking nanosleep(2) there would keep
// the P until the runtime's sysmon takes it back: measured with wrk at c=1000 on
// /io?ms=50 (one CPU), that serialised the sleeps into 3.0k req/s, against 13.4k with
// time.Sleep (and 19.3k for the evented model's loop timers).
func sleepThread(d time.Duration) { time.Sleep(d) }

// sleepKernel is the read mode's /io wait: nanosleep(2), as a C thread sleeps. Every thread
// has a P of its own there (see growProcs), so holding it while asleep starves no one; and
// time.Sleep would cost two P hand-offs and a timer on one of thousands of Ps, which the
// runtime finds by scanning them: at c=1000 on /io?ms=50, 1.7k req/s against 9.9k for the
// netpoll mode's time.Sleep.
func sleepKernel(d time.Duration) {
	ts := unix.NsecToTimespec(d.Nanoseconds())
	for unix.Nanosleep(&ts, &ts) == unix.EINTR {
	}
}
