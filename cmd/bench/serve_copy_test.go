package main

import (
	"bytes"
	"os"
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
	remove()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("after remove, %s: %v", path, err)
	}
}
