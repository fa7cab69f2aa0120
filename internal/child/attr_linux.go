package child

import "syscall"

// Attr puts a child in its own process group and has the kernel kill it should this
// process die without stopping it (start it with Spawn).
func Attr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// GroupAttr puts a child (an external server's script) in its own process group.
func GroupAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }
