//go:build !linux

package child

import "syscall"

// Attr puts a child in its own process group (no parent-death signal outside Linux: a
// runner killed with SIGKILL leaves its server running).
func Attr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// GroupAttr puts a child (an external server's script) in its own process group.
func GroupAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }
