//go:build !linux

package threaded

import "time"

// sleepThread waits for /io. Off Linux it is time.Sleep: the goroutine stays locked to its
// thread, so the thread still serves no one else meanwhile.
func sleepThread(d time.Duration) { time.Sleep(d) }
