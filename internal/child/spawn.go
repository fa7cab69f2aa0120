package child

import (
	"runtime"
	"sync"
)

// Spawn runs start (an exec.Cmd's Start) on one OS thread that never exits: Linux sends
// a child its Pdeathsig when the thread that forked it ends, and the Go runtime may end
// threads.
func Spawn(start func() error) error {
	spawnOnce.Do(func() {
		go func() {
			runtime.LockOSThread() // never unlocked: this thread lives as long as the process
			for f := range spawnReqs {
				f()
			}
		}()
	})
	errc := make(chan error, 1)
	spawnReqs <- func() { errc <- start() }
	return <-errc
}

var (
	spawnOnce sync.Once
	spawnReqs = make(chan func())
)
