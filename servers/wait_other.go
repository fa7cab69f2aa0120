//go:build !linux

package servers

// DefaultWait is the threaded model's wait mode when none is given: the read mode needs
// Linux's syscalls, so elsewhere the netpoll mode.
const DefaultWait = WaitNetpoll
