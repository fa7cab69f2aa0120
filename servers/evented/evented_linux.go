//go:build linux

package evented

import (
	"errors"
	"net"
	"sync"

	"github.com/benchsuite/threads-vs-loop/internal/rlimit"
	"github.com/benchsuite/threads-vs-loop/servers"
)

func init() { servers.Register("evented", New) }

// server is the evented model: Loops event loops, each on its own locked OS thread with its
// own epoll and listening socket (SO_REUSEPORT), and one worker pool they share.
type server struct {
	cfg     servers.Config
	addr    *net.TCPAddr
	loops   []*eventLoop
	workers *workerPool

	once    sync.Once
	stopped chan struct{} // closed when every loop has returned
	err     error
}

// New binds one listening socket per loop and starts the worker pool.
func New(cfg servers.Config) (servers.Server, error) {
	cfg = servers.WithDefaults(cfg)
	fds, addr, err := listenSockets(cfg.Addr, cfg.Loops)
	if err != nil {
		return nil, err
	}
	limit, _ := rlimit.RaiseNoFile()
	s := &server{cfg: cfg, addr: addr, stopped: make(chan struct{})}
	s.workers = newWorkerPool(cfg.Workload, cfg.Workers, int(min(limit, 1<<16)))
	for i, fd := range fds {
		l, err := newEventLoop(s, fd)
		if err != nil {
			closeAll(fds[i:])
			s.closeLoops()
			s.workers.stop()
			return nil, err
		}
		s.loops = append(s.loops, l)
	}
	return s, nil
}

func (s *server) Addr() net.Addr { return s.addr }

// Serve runs every loop, each on its own locked OS thread, until Close.
func (s *server) Serve() error {
	var wg sync.WaitGroup
	errs := make([]error, len(s.loops))
	for i, l := range s.loops {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = l.run()
		}()
	}
	wg.Wait()
	s.once.Do(func() { close(s.stopped) })
	return errors.Join(errs...)
}

// Close stops the loops (each closes its connections and listening socket), then the
// worker pool, then the loops' wake-up descriptors, which workers may write until then.
func (s *server) Close() error {
	for _, l := range s.loops {
		l.stop()
	}
	started := false
	for _, l := range s.loops {
		started = started || l.started.Load()
	}
	if started {
		<-s.stopped
	} else {
		for _, l := range s.loops {
			l.shutdown()
		}
	}
	s.workers.stop()
	s.closeLoops()
	return nil
}

func (s *server) closeLoops() {
	for _, l := range s.loops {
		l.closeWake()
	}
}
