// Package child starts and watches the suite's child processes: the servers under test
// (`bench serve`, a peer's script) and the ssh sessions that run bench on other hosts.
// Spawn forks them from one OS thread that never exits, so a child's parent-death signal
// (Attr) is not fired when the Go runtime retires a thread; Tail keeps the end of a
// child's stderr for error messages and lets a caller wait for a line there.
package child
