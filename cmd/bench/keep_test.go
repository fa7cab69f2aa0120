package main

import (
	"bufio"
	"crypto/rand"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// copiedBench makes a folder named as install names its copies (/tmp/bench-XXXXXX) and,
// when withExe, copies this test binary into it as bench.
func copiedBench(t *testing.T, withExe bool) (dir, exe string) {
	t.Helper()
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 6)
	rand.Read(b)
	for i := range b {
		b[i] = alnum[int(b[i])%len(alnum)]
	}
	dir = "/tmp/bench-" + string(b)
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	exe = filepath.Join(dir, "bench")
	if !withExe {
		return dir, exe
	}
	src, err := os.Open(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(exe, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, exe
}

// startKeep runs exe keep --dir dir as a coordinator does, its stdin a pipe.
func startKeep(t *testing.T, exe, dir string) (*exec.Cmd, io.WriteCloser, *bufio.Reader, chan error) {
	t.Helper()
	cmd := exec.Command(exe, "keep", "--dir", dir, "--exit-on-stdin-eof")
	cmd.Env = append(os.Environ(), "BENCH_AS_MAIN=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() { cmd.Process.Kill() })
	return cmd, stdin, bufio.NewReader(stdout), done
}

// waitDone is a started bench command's end, within 20 s of being told to stop.
func waitDone(t *testing.T, what string, done chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(20 * time.Second):
		t.Fatalf("%s still runs 20 s after it was told to stop", what)
		return nil
	}
}

// The keeper removes the folder it runs from when its stdin reaches end of file: what
// happens when the coordinator's ssh session ends, however the coordinator ended.
func TestKeepRemovesItsFolderAtEOF(t *testing.T) {
	dir, exe := copiedBench(t, true)
	_, stdin, stdout, done := startKeep(t, exe, dir)
	if line, err := stdout.ReadString('\n'); err != nil || line != "keeping "+dir+"\n" {
		t.Fatalf("first line %q (%v), want \"keeping %s\"", line, err, dir)
	}
	if _, err := os.Stat(exe); err != nil {
		t.Fatalf("the copy is gone while the session lasts: %v", err)
	}
	stdin.Close()
	if err := waitDone(t, "bench keep", done); err != nil {
		t.Fatalf("bench keep: %v", err)
	}
	if _, err := os.Lstat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s still there after the keeper's session ended (%v)", dir, err)
	}
}

// A folder that is not the one the keeper runs from is left alone, even when named like
// a copy: the keeper refuses at once.
func TestKeepLeavesOtherFoldersAlone(t *testing.T) {
	dir, exe := copiedBench(t, true)
	other, _ := copiedBench(t, false)
	cmd, stdin, _, done := startKeep(t, exe, other)
	defer stdin.Close()
	if err := waitDone(t, "bench keep", done); err == nil || cmd.ProcessState.ExitCode() != 1 {
		t.Errorf("bench keep --dir %s (not its own folder): %v, want exit status 1", other, err)
	}
	for _, d := range []string{dir, other} {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("%s: %v, want it left alone", d, err)
		}
	}
}

func TestKeepable(t *testing.T) {
	dir, exe := copiedBench(t, true)
	if err := keepable(dir, exe); err != nil {
		t.Fatalf("keepable(%s, %s) = %v", dir, exe, err)
	}
	link := dir[:len(dir)-1] + map[bool]string{true: "x", false: "y"}[dir[len(dir)-1] != 'x'] // a copy's name
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(link)
	for _, bad := range []string{"/tmp", "/tmp/bench-", "/tmp/bench-abc12", dir + "/", dir + "/..", "/var" + dir, "tmp/" + filepath.Base(dir), link} {
		if err := keepable(bad, exe); err == nil {
			t.Errorf("keepable(%q) = nil, want a refusal", bad)
		}
	}
	if err := keepable(dir, os.Args[0]); !errors.Is(err, errNotOurs) {
		t.Errorf("keepable of a bench that runs elsewhere = %v, want errNotOurs", err)
	}
}
