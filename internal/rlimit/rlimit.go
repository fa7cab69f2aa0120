package rlimit

import (
	"os"

	"golang.org/x/sys/unix"
)

// RaiseNoFile raises the soft RLIMIT_NOFILE to the hard limit and returns the new soft
// limit.
func RaiseNoFile() (uint64, error) {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		return 0, os.NewSyscallError("getrlimit", err)
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
			return 0, os.NewSyscallError("setrlimit", err)
		}
	}
	return lim.Cur, nil
}
