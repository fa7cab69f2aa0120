//go:build !linux

package evented

import (
	"errors"

	"github.com/benchsuite/threads-vs-loop/servers"
)

func init() { servers.Register("evented", New) }

// New reports that the evented model is built on epoll and needs Linux.
func New(servers.Config) (servers.Server, error) {
	return nil, errors.New("evented: the model uses epoll and needs Linux")
}
