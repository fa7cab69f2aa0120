package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/benchsuite/threads-vs-loop/metrics"
	"github.com/benchsuite/threads-vs-loop/orchestrator"
	"github.com/benchsuite/threads-vs-loop/orchestrator/sshhost"
)

// fakePeer is a peer script whose "server" ignores SIGTERM (only SIGKILL stops it) and
// which leaves a helper in its process group; it records its arguments and environment
// in args and the helper's PID in helper.
const fakePeer = `#!/bin/sh
d=$(dirname "$0")
echo "$1 $2 $PEER_BIND $PEER_CONNECTIONS" > "$d/args"
sleep 600 </dev/null >/dev/null 2>&1 &
echo $! > "$d/helper"
sh -c 'trap "" TERM; exec sleep 600' </dev/null >/dev/null 2>&1 &
echo $!
echo 'settings {"fake":1}'
`

// startBenchPeer runs bench peer on the fake script and reads its "peer PID PORT" line
// and the script's settings line, forwarded.
func startBenchPeer(t *testing.T) (dir string, pid, port int, stdin io.WriteCloser, done chan error) {
	t.Helper()
	dir = t.TempDir()
	script := filepath.Join(dir, "fake.sh")
	if err := os.WriteFile(script, []byte(fakePeer), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "peer", "--script", script, "--port", "0", "--cpus", "0",
		"--bind", "127.0.0.1", "--env", "PEER_CONNECTIONS=7", "--exit-on-stdin-eof")
	cmd.Env = append(os.Environ(), "BENCH_AS_MAIN=1")
	stdin, _ = cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done = make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() { cmd.Process.Kill() })
	br := bufio.NewReader(out)
	line, err := br.ReadString('\n')
	if _, err2 := fmt.Sscanf(line, "peer %d %d", &pid, &port); err != nil || err2 != nil || pid <= 0 || port <= 0 {
		t.Fatalf("first line %q (%v), want \"peer PID PORT\"", line, err)
	}
	if line, err := br.ReadString('\n'); line != "settings {\"fake\":1}\n" {
		t.Errorf("second line %q (%v), want the script's settings line", line, err)
	}
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	return dir, pid, port, stdin, done
}

// bench peer picks a free port, hands the script PORT CPULIST, PEER_BIND and the --env
// variables, and at end of file on stdin stops the server (SIGKILL once SIGTERM is
// ignored) and its group: nothing outlives the session.
func TestPeerStopsTheServerAtEOF(t *testing.T) {
	dir, pid, port, stdin, done := startBenchPeer(t)
	args, _ := os.ReadFile(filepath.Join(dir, "args"))
	if want := fmt.Sprintf("%d 0 127.0.0.1 7\n", port); string(args) != want {
		t.Errorf("the script got %q, want %q", args, want)
	}
	helper, _ := os.ReadFile(filepath.Join(dir, "helper"))
	hpid, _ := strconv.Atoi(strings.TrimSpace(string(helper)))
	if !procAlive(pid) || hpid <= 0 || !procAlive(hpid) {
		t.Fatalf("server %d alive %v, helper %d alive %v: want both running", pid, procAlive(pid), hpid, procAlive(hpid))
	}
	stdin.Close()
	if err := waitDone(t, "bench peer", done); err != nil {
		t.Errorf("bench peer: %v", err)
	}
	if procAlive(pid) || procAlive(hpid) {
		t.Errorf("after bench peer: server %d alive %v, helper %d alive %v", pid, procAlive(pid), hpid, procAlive(hpid))
	}
}

// A server that exits by itself ends bench peer with an error (the run's "server died").
func TestPeerEndsWhenTheServerExits(t *testing.T) {
	_, pid, _, stdin, done := startBenchPeer(t)
	defer stdin.Close()
	syscall.Kill(pid, syscall.SIGKILL)
	if err := waitDone(t, "bench peer", done); err == nil {
		t.Error("bench peer exited 0 after its server died")
	}
}

// A peer on a server host (this machine as "local", through the same shell lines ssh
// runs): PeersOn asks the host whether each peer can run and what it serves (a peer that
// cannot is left out with the reason), the run starts nginx through bench peer, samples
// it there with bench sample, and stops it with the session.
func TestRunPeerOnServerHost(t *testing.T) {
	if _, err := exec.LookPath("nginx"); err != nil {
		t.Skip("nginx is not installed")
	}
	t.Setenv("BENCH_AS_MAIN", "1") // bench peer and bench sample run this test binary as main
	dir := t.TempDir()
	ghost := filepath.Join(dir, "ghost.sh")
	if err := os.WriteFile(ghost, []byte("#!/bin/sh\n[ \"$1\" = --check ] && echo missing ghostd\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	nginx, _ := filepath.Abs("../../scripts/peers/nginx.sh")
	suitePath := filepath.Join(dir, "suite.json")
	// A window long enough for bench sample, started over the session as the step begins
	// (a race-built binary on a loaded machine), to take its samples in it.
	suite := fmt.Sprintf(`{"duration": "1s", "warmup": "500ms",
	  "servers": [{"label": "nginx", "external": %q, "requires": ["nginx"]},
	              {"label": "ghost", "external": %q, "optional": true},
	              {"label": "twin", "model": "goroutine", "bench": %q}],
	  "scenarios": [{"name": "hello", "kind": "closed", "path": "/hello", "servers": ["nginx", "ghost", "twin"], "levels": [2]}]}`, nginx, ghost, os.Args[0])
	if err := os.WriteFile(suitePath, []byte(suite), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := orchestrator.LoadSuite(suitePath)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	host, err := sshhost.Connect(ctx, sshhost.SSH{}, orchestrator.Local, nil)
	if err != nil {
		t.Fatal(err)
	}
	unavailable := s.Unavailable(nil)
	eps, err := sshhost.PeersOn(ctx, s, host, unavailable)
	if err != nil || strings.Join(eps["nginx"], " ") != "/hello" || !strings.Contains(unavailable["ghost"], "missing ghostd") ||
		!strings.Contains(unavailable["twin"], "does not run") {
		t.Fatalf("PeersOn: endpoints %v, unavailable %v, %v", eps, unavailable, err)
	}
	steps, leftOut := orchestrator.Plan(s, orchestrator.PlanOptions{Unavailable: unavailable, Endpoints: eps})
	if len(steps) != 2 || len(leftOut) != 1 || !strings.Contains(steps[1].Skip, "does not run") {
		t.Fatalf("%d steps, left out %q: want nginx's step, twin's skipped and ghost left out", len(steps), leftOut)
	}
	if steps[0].Server.Label != "nginx" {
		t.Fatalf("first step %s, want nginx's", steps[0].Server.Label)
	}
	var pids []int
	cfg := orchestrator.Config{Steps: steps[:1], Out: filepath.Join(dir, "run"), Bench: os.Args[0], ServerHost: host,
		HostCPUs: runtime.NumCPU(), Engine: orchestrator.Loadgen{}, OnServer: func(_ string, pid int) { pids = append(pids, pid) }}
	if rep, err := orchestrator.Run(ctx, cfg); err != nil || rep.Failed != 0 {
		t.Fatalf("Run = %+v, %v", rep, err)
	}
	f, err := os.Open(filepath.Join(cfg.Out, "summary.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := metrics.ReadSummary(f)
	if err != nil || len(rows) != 1 {
		t.Fatalf("rows %+v, %v", rows, err)
	}
	if r := rows[0]; r.Requests == 0 || r.Errors != 0 || r.RSSPeakKB <= 0 || r.ThreadsPeak < 2 {
		t.Errorf("nginx row: %d requests, %d errors, RSS %d KB, %d threads: want requests, no error, the tree sampled there",
			r.Requests, r.Errors, r.RSSPeakKB, r.ThreadsPeak)
	}
	if len(pids) != 1 || procAlive(pids[0]) {
		t.Errorf("nginx PIDs %v: want one, stopped with its session", pids)
	}
}
