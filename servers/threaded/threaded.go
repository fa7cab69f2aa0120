package threaded

import (
	"errors"
	"net"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/benchsuite/threads-vs-loop/internal/http1"
	"github.com/benchsuite/threads-vs-loop/servers"
)

func init() { servers.Register("threaded", New) }

// Ways a connection's thread waits for bytes (Config.Wait).
const (
	WaitNetpoll = servers.WaitNetpoll
	WaitRead    = servers.WaitRead
)

// threadHeadroom is how many threads the runtime may have beyond the connection threads
// (sysmon, GC workers, the accept loop's thread, threads in syscalls).
const threadHeadroom = 256

// server is the thread-per-connection model.
type server struct {
	cfg     servers.Config
	ln      net.Listener // *net.TCPListener (netpoll) or *blockingListener (read)
	loop    servers.ConnLoop
	threads atomic.Int64  // connection threads alive (without a pool)
	queue   chan net.Conn // pool mode: accepted connections waiting for a pool thread
	qclose  sync.Once
	serving atomic.Bool
	conns   servers.Tracker

	// read mode without a pool: spare threads accept (spare.go)
	stop     chan struct{} // closed by Close or by a spare's fatal accept error
	stopOnce sync.Once
	fatal    error
	idle     atomic.Int64 // spare threads in (or on their way to) accept(2)
	spawnMu  sync.Mutex   // orders the first spares before Close's wait (serveSpares)
	closing  atomic.Bool
}

// New binds the listener and, with cfg.Pool > 0, starts the pool's threads.
func New(cfg servers.Config) (servers.Server, error) {
	switch cfg.Wait {
	case "":
		cfg.Wait = WaitRead
	case WaitNetpoll, WaitRead:
	default:
		return nil, errors.New("threaded: wait must be netpoll or read, not " + string(cfg.Wait))
	}
	if cfg.Pool > cfg.MaxThreads {
		return nil, errors.New("threaded: pool larger than max-threads")
	}
	tl, err := servers.Listen(cfg.Addr)
	if err != nil {
		return nil, err
	}
	var ln net.Listener = tl
	if cfg.Wait == WaitRead {
		if ln, err = newBlockingListener(tl); err != nil {
			tl.Close()
			return nil, err
		}
		growProcs(cfg.Pool + 1) // the accept loop's thread holds a P in accept(2)
	}
	// The cap is the server's (503 or queue), never the runtime's fatal thread exhaustion:
	// in the read mode a collection may add a thread per P besides the connection threads.
	debug.SetMaxThreads(max(3*cfg.MaxThreads+threadHeadroom, 10000))
	s := &server{cfg: cfg, ln: ln, stop: make(chan struct{})}
	s.loop = servers.ConnLoop{Workload: cfg.Workload, IdleTimeout: cfg.IdleTimeout, SleepIO: sleepThread}
	if cfg.Wait == WaitRead {
		s.loop.SleepIO = sleepKernel
	}
	if cfg.Pool > 0 {
		s.queue = make(chan net.Conn, cfg.Pool)
		for range cfg.Pool {
			s.conns.Go(s.poolThread)
		}
	}
	return s, nil
}

func (s *server) Addr() net.Addr { return s.ln.Addr() }

// Serve is the accept loop.
func (s *server) Serve() error {
	s.serving.Store(true)
	defer s.closeQueue()
	if s.cfg.Wait == WaitRead && s.queue == nil {
		return s.serveSpares()
	}
	if bl, ok := s.ln.(*blockingListener); ok {
		// accept(2) blocks this thread: lock it, so no other goroutine waits behind it.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		defer bl.release()
	}
	return servers.AcceptLoop(s.ln, s.dispatch)
}

// closeQueue ends the pool threads' wait for connections; it runs once the accept loop is
// over (or Close found it never started).
func (s *server) closeQueue() {
	if s.queue != nil {
		s.qclose.Do(func() { close(s.queue) })
	}
}

// dispatch gives an accepted connection a thread: a new one, a pool thread through the
// queue, or none (503) when MaxThreads are busy.
func (s *server) dispatch(c net.Conn) {
	if s.queue != nil {
		s.queue <- c // full queue: accept waits, the kernel backlog holds the rest
		return
	}
	if s.threads.Load() >= int64(s.cfg.MaxThreads) {
		refuse(c)
		return
	}
	s.threads.Add(1)
	s.conns.Go(func() { s.connThread(c) })
}

// refuse answers 503 and closes, lingering on a goroutine of its own so the accept loop
// goes on: the thread cap is reached.
func refuse(c net.Conn) {
	go func() {
		c.SetWriteDeadline(time.Now().Add(time.Second))
		if _, err := c.Write(http1.AppendError(nil, 503)); err == nil {
			servers.Linger(c.(servers.Conn), nil)
		}
		c.Close()
		if fc, ok := c.(*fdConn); ok {
			fc.release()
		}
	}()
}

// connThread owns an OS thread for the life of one connection. It never unlocks, so the
// runtime ends the thread when the goroutine returns: the thread exits with its connection.
func (s *server) connThread(c net.Conn) {
	runtime.LockOSThread()
	defer s.threads.Add(-1)
	s.serveConn(c)
}

// poolThread is one of the --pool threads: it takes connections from the queue for ever.
func (s *server) poolThread() {
	runtime.LockOSThread()
	for c := range s.queue {
		s.serveConn(c)
	}
}

func (s *server) serveConn(c net.Conn) {
	if fc, ok := c.(*fdConn); ok {
		defer fc.release()
	} else {
		defer c.Close()
	}
	if !s.conns.Add(c) {
		return
	}
	defer s.conns.Remove(c)
	s.loop.Serve(c.(servers.Conn))
}

// Close stops accepting, shuts every connection down and waits for their threads.
func (s *server) Close() error {
	s.spawnMu.Lock()
	s.closing.Store(true)
	s.spawnMu.Unlock()
	err := s.ln.Close()
	s.stopOnce.Do(func() { close(s.stop) })
	if !s.serving.Load() {
		s.closeQueue()
	}
	s.conns.CloseAll()
	if bl, ok := s.ln.(*blockingListener); ok && (s.queue == nil || !s.serving.Load()) {
		bl.release() // every spare has returned from accept(2)
	}
	return err
}
