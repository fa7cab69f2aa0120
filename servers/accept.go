package servers

import (
	"errors"
	"io"
	"net"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// acceptBackoff is how long an accept loop rests when the process is out of descriptors:
// the pending connection stays in the backlog instead of the loop spinning on EMFILE.
const acceptBackoff = 10 * time.Millisecond

// AcceptLoop accepts connections from ln and hands each to handle, on the calling
// goroutine, until ln is closed (it then returns nil).
func AcceptLoop(ln net.Listener, handle func(net.Conn)) error {
	for {
		c, err := ln.Accept()
		switch {
		case err == nil:
			handle(c)
		case errors.Is(err, net.ErrClosed):
			return nil
		case errors.Is(err, unix.EMFILE), errors.Is(err, unix.ENFILE), errors.Is(err, unix.ENOBUFS),
			errors.Is(err, unix.ENOMEM), errors.Is(err, unix.ECONNABORTED):
			time.Sleep(acceptBackoff)
		default:
			return err
		}
	}
}

// Tracker remembers a server's live connections so Close can shut them all down, and
// waits for their goroutines.
type Tracker struct {
	mu     sync.Mutex
	conns  map[io.Closer]struct{}
	closed bool
	wg     sync.WaitGroup
}

// Go runs serve on a new goroutine counted by Wait.
func (t *Tracker) Go(serve func()) {
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		serve()
	}()
}

// Add registers c; it is false (and c is not registered) once CloseAll has run.
func (t *Tracker) Add(c io.Closer) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return false
	}
	if t.conns == nil {
		t.conns = map[io.Closer]struct{}{}
	}
	t.conns[c] = struct{}{}
	return true
}

// Remove forgets c.
func (t *Tracker) Remove(c io.Closer) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.conns, c)
}

// CloseAll closes every registered connection, refuses later ones, and waits for every
// goroutine started with Go.
func (t *Tracker) CloseAll() {
	t.mu.Lock()
	t.closed = true
	for c := range t.conns {
		c.Close()
	}
	t.conns = nil
	t.mu.Unlock()
	t.wg.Wait()
}
