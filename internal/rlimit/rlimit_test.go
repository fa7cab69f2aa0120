package rlimit

import (
	"testing"

	"golang.org/x/sys/unix"
)

// TestRaiseNoFileRaisesTheSoftLimitToTheHard: from a lowered soft limit, RaiseNoFile
// returns the hard limit, and the process's soft limit is then that.
func TestRaiseNoFileRaisesTheSoftLimitToTheHard(t *testing.T) {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	if lim.Max < 128 {
		t.Skipf("hard limit %d leaves no room to lower the soft one", lim.Max)
	}
	t.Cleanup(func() { unix.Setrlimit(unix.RLIMIT_NOFILE, &lim) })
	low := unix.Rlimit{Cur: 64, Max: lim.Max}
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &low); err != nil {
		t.Fatal(err)
	}
	got, err := RaiseNoFile()
	if err != nil {
		t.Fatal(err)
	}
	var now unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &now); err != nil {
		t.Fatal(err)
	}
	if got != lim.Max || now.Cur != lim.Max {
		t.Errorf("RaiseNoFile returned %d, soft limit now %d; want the hard limit %d", got, now.Cur, lim.Max)
	}
}
