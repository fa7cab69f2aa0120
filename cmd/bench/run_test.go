package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/benchsuite/threads-vs-loop/metrics"
	"github.com/benchsuite/threads-vs-loop/sampler"
)

func TestRunBadFlagsExitTwoWithOneLine(t *testing.T) {
	suite := filepath.Join("..", "..", "suites", "default.json")
	for _, args := range [][]string{
		{"run", "--bogus"},
		{"run", "--suite", filepath.Join(t.TempDir(), "none.json")},
		{"run", "--suite", suite, "--models", "apache"},
		{"run", "--suite", suite, "--scenarios", "c10k"},
		{"run", "--suite", suite, "--server-cpus", "x"},
		{"run", "--suite", suite, "--client-cpus", "4096"},
		{"run", "--suite", suite, "--duration", "-1s"},
		{"run", "--suite", suite, "extra"},
		{"run", "--suite", suite, "--out", filepath.Dir(goodRun), "--scenarios", "hello", "--models", "goroutine"},
	} {
		var stdout, stderr bytes.Buffer
		code := exitCode(run(args, noStdin{}, &stdout, &stderr), &stderr)
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		if code != 2 || len(lines) != 1 || lines[0] == "" || stdout.Len() != 0 {
			t.Errorf("bench %v: exit %d, stderr %q, stdout %q; want exit 2 and one line", args, code, stderr.String(), stdout.String())
		}
	}
}

func TestRunHelpExplainsEveryFlag(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := exitCode(run([]string{"run", "-h"}, noStdin{}, &stdout, &stderr), &stderr); code != 0 {
		t.Fatalf("run -h: exit %d", code)
	}
	for _, flag := range []string{"suite", "out", "quick", "models", "scenarios", "duration", "warmup", "server-cpus", "client-cpus", "dry-run"} {
		if !strings.Contains(stdout.String(), "-"+flag) {
			t.Errorf("run -h does not explain --%s", flag)
		}
	}
}

func TestRunDryRunPlansTheQuickSuite(t *testing.T) {
	var stdout, stderr bytes.Buffer
	args := []string{"run", "--dry-run", "--quick", "--suite", filepath.Join("..", "..", "suites", "default.json"),
		"--models", "threaded,evented", "--scenarios", "hello"}
	if err := run(args, noStdin{}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	out := stdout.String()
	if !strings.Contains(out, "18 steps (hello 18)") || !strings.Contains(out, "threaded        hello  c=4000") { // 3 levels, 3 rounds
		t.Fatalf("dry run:\n%s", out)
	}
}

// A suite of one server and two levels: 2 connections, then 64, so a test can tell the
// second step's load has begun by the server's descriptors.
const twoStepSuite = `{
  "warmup": "300ms", "duration": "1s",
  "servers": [{"label": "goroutine", "model": "goroutine"}],
  "scenarios": [{"name": "hello", "kind": "closed", "path": "/hello", "restart": "scenario",
                 "servers": ["goroutine"], "levels": [2, 64, 3]}]
}`

// benchRun starts `bench run` on a suite as a process, as make bench does.
func benchRun(t *testing.T) (cmd *exec.Cmd, out string, stdout *bytes.Buffer) {
	t.Helper()
	dir := t.TempDir()
	suite := filepath.Join(dir, "suite.json")
	if err := os.WriteFile(suite, []byte(twoStepSuite), 0o644); err != nil {
		t.Fatal(err)
	}
	out = filepath.Join(dir, "run")
	cmd = exec.Command(os.Args[0], "run", "--suite", suite, "--out", out)
	cmd.Env = append(os.Environ(), "BENCH_AS_MAIN=1")
	stdout = &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = stdout, stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, out, stdout
}

// secondStepServer waits until the first row is written and the server holds the second
// step's 64 connections, and returns the server's PID.
func secondStepServer(t *testing.T, runPID int, out string, log *bytes.Buffer) int {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		tree, _ := sampler.ProcessTree(runPID)
		for _, pid := range tree[min(1, len(tree)):] { // the server, beside the served copy's keeper
			cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
			if !bytes.Contains(cmdline, []byte("serve\x00")) || len(summaryRows(t, out)) != 1 {
				continue
			}
			if fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid)); err == nil && len(fds) >= 64 {
				return pid
			}
		}
		time.Sleep(5 * time.Millisecond) // polling /proc for the condition, not a fixed wait
	}
	t.Fatalf("the second step's load never reached the server; output:\n%s", log)
	return 0
}

func summaryRows(t *testing.T, out string) []metrics.SummaryRow {
	t.Helper()
	f, err := os.Open(filepath.Join(out, "summary.csv"))
	if err != nil {
		return nil
	}
	defer f.Close()
	rows, err := metrics.ReadSummary(f)
	if err != nil && !errors.Is(err, metrics.ErrSchema) {
		t.Fatal(err)
	}
	if err != nil {
		return nil // the header is being written
	}
	return rows
}

func gone(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	i := bytes.LastIndexByte(b, ')')
	return i > 0 && i+2 < len(b) && (b[i+2] == 'Z' || b[i+2] == 'X')
}

func waitExit(t *testing.T, cmd *exec.Cmd, log *bytes.Buffer) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("bench run did not finish; output:\n%s", log)
		return nil
	}
}

// TestRunSurvivesServerKill SIGKILLs the server while the second step's load runs: the
// run goes on, that row says the server died, and the third step runs on a new server.
func TestRunSurvivesServerKill(t *testing.T) {
	if runtime.GOOS != "linux" || testing.Short() {
		t.Skip("runs bench run with real servers and loads (linux)")
	}
	cmd, out, log := benchRun(t)
	srv := secondStepServer(t, cmd.Process.Pid, out, log)
	syscall.Kill(srv, syscall.SIGKILL)
	if err := waitExit(t, cmd, log); err != nil {
		t.Fatalf("bench run: %v; output:\n%s", err, log)
	}
	rows := summaryRows(t, out)
	if len(rows) != 3 {
		t.Fatalf("%d rows, want 3; output:\n%s", len(rows), log)
	}
	if !strings.Contains(rows[1].Note, "server died mid-step (signal: killed)") {
		t.Errorf("killed step's note %q", rows[1].Note)
	}
	if strings.Contains(rows[2].Note, "died") || rows[2].Requests == 0 || rows[2].Concurrency != 3 ||
		rows[2].ThreadsPeak == 0 || rows[2].CtxVol+rows[2].CtxInvol == 0 || rows[2].GoMaxProcs != 1 {
		t.Errorf("step after the kill: %+v", rows[2])
	}
	if !strings.Contains(log.String(), "[3/3] goroutine") {
		t.Errorf("no progress line for step 3:\n%s", log)
	}
}

// TestRunSIGINTLeavesNoChild interrupts bench run mid-step: it exits, no server
// survives it, and summary.csv parses with the finished row.
func TestRunSIGINTLeavesNoChild(t *testing.T) {
	if runtime.GOOS != "linux" || testing.Short() {
		t.Skip("runs bench run with real servers and loads (linux)")
	}
	cmd, out, log := benchRun(t)
	srv := secondStepServer(t, cmd.Process.Pid, out, log)
	tree, _ := sampler.ProcessTree(cmd.Process.Pid) // the server and the served copy's keeper
	cmd.Process.Signal(syscall.SIGINT)
	err := waitExit(t, cmd, log)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(log.String(), "interrupted after 1 of 3 steps") {
		t.Fatalf("bench run after SIGINT: %v; output:\n%s", err, log)
	}
	if !gone(srv) {
		t.Fatalf("server %d survived bench run", srv)
	}
	for _, pid := range tree[min(1, len(tree)):] {
		if !gone(pid) {
			t.Errorf("child %d of bench run survived it", pid)
		}
	}
	if rows := summaryRows(t, out); len(rows) != 1 || rows[0].Concurrency != 2 {
		t.Fatalf("summary.csv after SIGINT: %+v", rows)
	}
}
