package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestServedCopy: the models are served from a file of their own, the same bytes as the
// executable, executable by its owner, gone once the run removes it.
func TestServedCopy(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	path, remove, why := servedCopy(exe)
	if why != nil {
		t.Skipf("no copy here: %v", why)
	}
	if path == exe {
		t.Fatalf("servedCopy returned the executable itself")
	}
	a, errA := os.ReadFile(exe)
	b, errB := os.ReadFile(path)
	st, errS := os.Stat(path)
	if errA != nil || errB != nil || errS != nil || !bytes.Equal(a, b) || st.Mode().Perm()&0o100 == 0 {
		t.Fatalf("copy %s: same bytes %v, mode %v (%v %v %v)", path, bytes.Equal(a, b), st.Mode(), errA, errB, errS)
	}
	if pids := runningFrom(path); len(pids) > 0 {
		t.Errorf("processes %v run from the served copy before any model does: a model would share its pages", pids)
	}
	remove()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("after remove, %s: %v", path, err)
	}
}

// TestServedCopyKeeper: in /tmp the copy's own bench keep holds its folder, and removes it
// once the run's end of its stdin closes, as it does when the run is killed.
func TestServedCopyKeeper(t *testing.T) {
	if os.TempDir() != "/tmp" {
		t.Skip("the keeper holds folders in /tmp only")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := copyDir()
	if err != nil || !copiedDir.MatchString(dir) {
		t.Fatalf("copyDir = %q, %v: want /tmp/bench-XXXXXX", dir, err)
	}
	path := filepath.Join(dir, "keeper")
	if err := copyExecutable(exe, path); err != nil {
		t.Fatal(err)
	}
	stop, err := startKeeper(path, dir)
	if err != nil {
		os.RemoveAll(dir)
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the keeper removed the copy before its stdin closed: %v", err)
	}
	stop() // what the kernel does to the pipe when the run dies
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		os.RemoveAll(dir)
		t.Errorf("after the keeper's stdin closed, %s: %v", dir, err)
	}
}

// runningFrom is the PIDs whose executable is path (Linux; none elsewhere).
func runningFrom(path string) []string {
	procs, _ := filepath.Glob("/proc/[0-9]*")
	var out []string
	for _, p := range procs {
		if exe, err := os.Readlink(filepath.Join(p, "exe")); err == nil && exe == path {
			out = append(out, filepath.Base(p))
		}
	}
	return out
}
