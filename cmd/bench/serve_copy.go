package main

import (
	"bufio"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
)

// servedCopy copies the bench executable exe into a new temporary folder and returns the
// copy's path and a function that removes the folder. bench run serves the Go models
// from the copy: a model started from exe itself shares its code pages with this process,
// the load generator, and its PSS counted only half of them (5 MB less than the same
// server from a file of its own, a fifth of evented's memory with 5000 idle connections),
// which the real servers, started from their own files, never get. Where no copy can be
// made or run (no temporary folder, one mounted noexec), exe and a reason are returned,
// and the memory figures of the models carry that share. In /tmp a `bench keep` holds the
// folder and removes it when this process ends, SIGKILL included; it runs from a second
// copy beside the served one (keeper), so it shares no page with the models either.
func servedCopy(exe string) (path string, remove func(), why error) {
	none := func() {}
	dir, err := copyDir()
	if err != nil {
		return exe, none, err
	}
	remove = func() { os.RemoveAll(dir) }
	if noExec(dir) {
		remove()
		return exe, none, fmt.Errorf("%s is mounted noexec", filepath.Dir(dir))
	}
	path = filepath.Join(dir, "bench")
	if err := copyExecutable(exe, path); err != nil {
		remove()
		return exe, none, err
	}
	keeper := filepath.Join(dir, "keeper")
	if copiedDir.MatchString(dir) && copyExecutable(exe, keeper) == nil {
		if stop, err := startKeeper(keeper, dir); err == nil {
			remove = func() { stop(); os.RemoveAll(dir) }
		}
	}
	return path, remove, nil
}

// copyDir makes the folder for the copy: /tmp/bench-XXXXXX, the name bench keep accepts,
// when the temporary folder is /tmp; else a temporary folder of the usual kind.
func copyDir() (string, error) {
	if os.TempDir() != "/tmp" {
		return os.MkdirTemp("", "bench-serve-")
	}
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	for range 100 {
		b := make([]byte, 6)
		rand.Read(b)
		for i := range b {
			b[i] = letters[int(b[i])%len(letters)]
		}
		dir := "/tmp/bench-" + string(b)
		if err := os.Mkdir(dir, 0o700); !os.IsExist(err) {
			return dir, err
		}
	}
	return os.MkdirTemp("", "bench-serve-")
}

// startKeeper runs `KEEPER keep --dir DIR` (KEEPER a copy of bench inside DIR), in its own
// process group, with its stdin a pipe that only this process holds: when this process
// ends, however it ends, the pipe closes and keep removes DIR. stop closes the pipe and
// waits for keep.
func startKeeper(keeper, dir string) (stop func(), err error) {
	cmd := exec.Command(keeper, "keep", "--dir", dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // a terminal's ^C is not for it
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		in.Close()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	br := bufio.NewReader(out)
	line, _ := br.ReadString('\n')
	drained := make(chan struct{})
	go func() { io.Copy(io.Discard, br); close(drained) }()
	stop = func() { in.Close(); <-drained; cmd.Wait() } // Wait once stdout is read to its end
	if !strings.HasPrefix(line, "keeping ") {
		stop()
		return nil, fmt.Errorf("bench keep: %q", line)
	}
	return stop, nil
}

func copyExecutable(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
