//go:build !linux

package orchestrator

import "syscall"

// childAttr puts a bench serve child in its own process group (no parent-death signal
// outside Linux: a runner killed with SIGKILL leaves its server running).
func childAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// groupAttr puts an external server's script in its own process group.
func groupAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }
