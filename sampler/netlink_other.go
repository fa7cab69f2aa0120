//go:build !linux

package sampler

import (
	"errors"
	"time"
)

// errNeedsLinux: socket-buffer and taskstats readings use Linux's netlink.
var errNeedsLinux = errors.New("sampler: needs Linux's netlink")

// socketReader reads nothing outside Linux (sockets_linux.go has the reader).
type socketReader struct{}

func (r *socketReader) read([]int32) (int64, time.Duration, error) { return 0, 0, errNeedsLinux }

// taskstatsConn is unavailable outside Linux (taskstats_linux.go has it).
type taskstatsConn struct{}

func openTaskstats() (*taskstatsConn, error)            { return nil, errNeedsLinux }
func (c *taskstatsConn) close()                         {}
func (c *taskstatsConn) switches(int) (Switches, error) { return Switches{}, errNeedsLinux }
