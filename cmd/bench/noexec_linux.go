package main

import "golang.org/x/sys/unix"

// noExec reports whether dir's file system is mounted noexec (a copy there cannot run).
func noExec(dir string) bool {
	var st unix.Statfs_t
	return unix.Statfs(dir, &st) == nil && st.Flags&unix.ST_NOEXEC != 0
}
