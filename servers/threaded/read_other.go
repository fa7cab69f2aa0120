//go:build !linux

package threaded

import (
	"errors"
	"net"
	"time"
)

// The read mode (a blocking read(2) and accept(2) per thread) is built on Linux's
// syscalls; elsewhere the model runs in the netpoll mode only.

var errReadNeedsLinux = errors.New("threaded: --wait read needs Linux; use --wait netpoll")

type blockingListener struct{ ln *net.TCPListener }

func newBlockingListener(*net.TCPListener) (*blockingListener, error) { return nil, errReadNeedsLinux }

func (l *blockingListener) Accept() (net.Conn, error) { return nil, errReadNeedsLinux }
func (l *blockingListener) Close() error              { return nil }
func (l *blockingListener) Addr() net.Addr            { return l.ln.Addr() }
func (l *blockingListener) isClosed() bool            { return true }
func (l *blockingListener) release()                  {}

func sleepKernel(d time.Duration) { time.Sleep(d) }
