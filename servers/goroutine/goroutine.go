package goroutine

import (
	"net"
	"time"

	"github.com/benchsuite/threads-vs-loop/servers"
)

func init() { servers.Register("goroutine", New) }

// server is the goroutine-per-connection model.
type server struct {
	ln    *net.TCPListener
	loop  servers.ConnLoop
	conns servers.Tracker
}

// New binds the listener.
func New(cfg servers.Config) (servers.Server, error) {
	ln, err := servers.Listen(cfg.Addr)
	if err != nil {
		return nil, err
	}
	s := &server{ln: ln}
	s.loop = servers.ConnLoop{Workload: cfg.Workload, IdleTimeout: cfg.IdleTimeout, SleepIO: time.Sleep}
	return s, nil
}

func (s *server) Addr() net.Addr { return s.ln.Addr() }

// Serve is the accept loop: a goroutine per connection.
func (s *server) Serve() error {
	return servers.AcceptLoop(s.ln, func(c net.Conn) {
		s.conns.Go(func() { s.serveConn(c) })
	})
}

func (s *server) serveConn(c net.Conn) {
	defer c.Close()
	if !s.conns.Add(c) {
		return
	}
	defer s.conns.Remove(c)
	s.loop.Serve(c.(*net.TCPConn))
}

// Close stops accepting, closes every connection and waits for their goroutines.
func (s *server) Close() error {
	err := s.ln.Close()
	s.conns.CloseAll()
	return err
}
