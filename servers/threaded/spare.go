package threaded

import (
	"errors"
	"net"
	"runtime"
	"time"

	"golang.org/x/sys/unix"
)

// SpareThreads is how many threads wait in accept(2) for the next connection in the read
// mode without a pool, as Apache keeps spare threads (MinSpareThreads, 75 by default).
const SpareThreads = 16

// MaxSpareThreads is how many threads may wait in accept(2) before a thread whose
// connection ended exits instead of joining them. A thread's exit costs the Go runtime a
// walk of its list of all threads under the scheduler's lock: 8,000 connections closing at
// once took over 10 s to exit and stalled the rest meanwhile, so threads are kept: a server
// holds as many threads as its busiest moment, until it closes.
const MaxSpareThreads = 1 << 20

// acceptBackoff is how long a spare thread rests when the process is out of descriptors.
const acceptBackoff = 10 * time.Millisecond

// spareThread is a thread blocked in accept(2). The kernel wakes one spare per new
// connection, and that thread serves the connection itself, starting a spare in its place
// when fewer than SpareThreads wait: accepting costs the connection one wake-up, where a
// single accept loop that hands connections to new threads costs two and, with thousands
// of runnable threads, waits for the kernel's scheduler twice. When its connection ends,
// the thread goes back to accept(2), as Apache's threads do, unless MaxSpareThreads
// already wait there; then it ends. Beyond MaxThreads connection threads the spare answers
// 503 and stays a spare.
func (s *server) spareThread() {
	runtime.LockOSThread()
	for {
		s.idle.Add(1)
		c, err := s.ln.Accept()
		idle := s.idle.Add(-1)
		if err != nil {
			if s.acceptFailed(err) {
				return
			}
			continue
		}
		n := s.threads.Add(1)
		if n > int64(s.cfg.MaxThreads) {
			s.threads.Add(-1)
			refuse(c)
			continue
		}
		growProcs(int(n+idle) + 1)
		if idle < SpareThreads {
			s.goSpare()
			// The new spare waits in this thread's run queue, which this locked thread
			// never runs: left there, it waits for the runtime's one spinning thread to
			// steal it, so spares are replaced one after another. Yielding hands the P,
			// with the spare on it, to a new thread at once.
			runtime.Gosched()
		}
		s.serveConn(c)
		s.threads.Add(-1)
		if s.idle.Load() >= MaxSpareThreads {
			return // the runtime ends a locked thread whose goroutine returns
		}
	}
}

// acceptFailed handles an accept error: true when the spare is to end (the listener is
// closed, or an error Serve returns), false to try again.
func (s *server) acceptFailed(err error) bool {
	switch {
	case errors.Is(err, net.ErrClosed):
		return true
	case errors.Is(err, unix.EMFILE), errors.Is(err, unix.ENFILE), errors.Is(err, unix.ENOBUFS),
		errors.Is(err, unix.ENOMEM):
		time.Sleep(acceptBackoff)
		return false
	}
	s.stopOnce.Do(func() { s.fatal = err; close(s.stop) })
	return true
}

// serveSpares starts the spare threads and waits until Close, or until a spare meets an
// error other than the listener's closing.
func (s *server) serveSpares() error {
	growProcs(SpareThreads)
	// Under spawnMu, so that the first spares are counted before Close waits, or not
	// started at all once Close has begun (they would call accept(2) on a released
	// descriptor). Replacements do without the lock (goSpare): a mutex there made
	// thousands of new connection threads queue for it, each hand-over a futex wake-up.
	s.spawnMu.Lock()
	if !s.closing.Load() {
		for range SpareThreads {
			s.conns.Go(s.spareThread)
		}
	}
	s.spawnMu.Unlock()
	<-s.stop
	return s.fatal
}

// goSpare starts a spare thread in place of one that took a connection, unless Close has
// begun. The caller is itself a tracked thread, so Close's wait cannot be over before this
// one is counted, and Close releases the listener only after the wait.
func (s *server) goSpare() {
	if !s.closing.Load() {
		s.conns.Go(s.spareThread)
	}
}
