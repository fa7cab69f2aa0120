package sampler

import (
	"errors"
	"os"
	"os/exec"
	"slices"
	"testing"

	"golang.org/x/sys/unix"
)

// TestSamplerZombieIsGone: a root that has exited but is not reaped yet (a zombie, as a
// server is until the orchestrator waits for it) counts as gone.
func TestSamplerZombieIsGone(t *testing.T) {
	skipUnlessProc(t)
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	s := New(cmd.Process.Pid, true)
	if err := s.Tick(); err != nil {
		t.Fatal(err)
	}
	cmd.Process.Kill()
	var info unix.Siginfo // wait until it is a zombie, without reaping it
	if err := unix.Waitid(unix.P_PID, cmd.Process.Pid, &info, unix.WEXITED|unix.WNOWAIT, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Tick(); !errors.Is(err, ErrProcessGone) || !s.Gone() {
		t.Fatalf("zombie root: Tick = %v, Gone = %v; want ErrProcessGone", err, s.Gone())
	}
	if tree, err := ProcessTree(os.Getpid()); err != nil || slices.Contains(tree, cmd.Process.Pid) {
		t.Fatalf("ProcessTree = %v, %v: want no zombie child %d", tree, err, cmd.Process.Pid)
	}
}
