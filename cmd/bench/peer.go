package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/benchsuite/threads-vs-loop/internal/wire"
)

const peerSynopsis = `peer --script SCRIPT [--port 0] [--cpus LIST] [--bind 0.0.0.0] [--env K=V]...
           [--timeout 1m] [--exit-on-stdin-eof]

Runs a peer server's script (scripts/peers/README.md's contract: SCRIPT PORT CPULIST) and
holds the server for as long as this command runs: a multi-host run starts it over ssh on
the server host. --port 0 picks a free port on the --bind address. The script runs in a
process group of its own, with PEER_BIND set to --bind and each --env in its environment.
Once the script has printed the server's PID, this prints "peer PID PORT" on stdout and
the script's settings line ("settings {}" if it printed none), then
waits for end of file on stdin (--exit-on-stdin-eof), SIGTERM, SIGINT or SIGHUP, or for
the server to exit, and stops the server: SIGTERM to its PID and to the script's group,
SIGKILL to both after 3 s, so that nothing the script started outlives the session.`

// peerStopGrace is how long the server has after SIGTERM before SIGKILL.
const peerStopGrace = 3 * time.Second

func runPeer(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("peer", peerSynopsis, stdout)
	var a wire.PeerArgs
	a.Bind(fs.FlagSet)
	eof := fs.Bool("exit-on-stdin-eof", false, "stop the server and exit when standard input closes (started over ssh)")
	if err := fs.parse(args); err != nil {
		return ignoreHelp(err)
	}
	script, port, cpus, bind, env, timeout := &a.Script, &a.Port, &a.CPUs, &a.Addr, a.Env, &a.Timeout
	if *script == "" || *port < 0 {
		return usageError{"peer: --script is required and --port must not be negative"}
	}
	// Caught, not ignored (an ignored signal stays ignored in the script's children): a
	// write to the closed session must not end this process before it stops the server.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	if *port == 0 {
		p, err := freePortOn(*bind)
		if err != nil {
			return fmt.Errorf("peer: %w", err)
		}
		*port = p
	}
	env = append(env, "PEER_BIND="+*bind)
	pid, pgid, settings, err := startPeerScript(*script, *port, *cpus, env, *timeout, stderr)
	if err != nil {
		return fmt.Errorf("peer: %w", err)
	}
	defer stopPeer(pid, pgid)
	if _, err := fmt.Fprint(stdout, wire.PeerStarted(pid, *port, settings)); err != nil {
		return fmt.Errorf("peer: %w", err)
	}
	var closed <-chan struct{} // nil, so never ready, unless the session's end is watched
	if *eof {
		closed = atEOF(stdin)
	}
	t := time.NewTicker(100 * time.Millisecond) // the server is not our child: /proc tells
	defer t.Stop()
	for {
		select {
		case <-closed:
			return nil
		case <-stop:
			return nil
		case <-t.C:
			if !procAlive(pid) {
				return fmt.Errorf("peer: the server (process %d) exited", pid)
			}
		}
	}
}

// freePortOn asks the kernel for a free TCP port on addr.
func freePortOn(addr string) (int, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(addr, "0"))
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// startPeerScript runs SCRIPT PORT CPUS in a process group of its own, its stderr to
// stderr, and returns the PID it prints and the group. On a time-out the group is killed.
func startPeerScript(script string, port int, cpus string, env []string, timeout time.Duration, stderr io.Writer) (pid, pgid int, settings string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, script, strconv.Itoa(port), cpus)
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	cmd.Stderr = stderr
	out, err := cmd.Output()
	if cmd.Process != nil {
		pgid = cmd.Process.Pid
	}
	if err != nil {
		if pgid > 0 {
			syscall.Kill(-pgid, syscall.SIGKILL)
		}
		return 0, 0, "", fmt.Errorf("%s: %w", script, err)
	}
	pid, settings, err = wire.ParsePeerScript(out)
	if err != nil {
		syscall.Kill(-pgid, syscall.SIGKILL)
		return 0, 0, "", fmt.Errorf("%s %w", script, err)
	}
	return pid, pgid, settings, nil
}

// stopPeer sends SIGTERM to the server and its group, waits up to peerStopGrace for the
// server to be gone (the contract: its helpers end with it), then sends SIGKILL to both,
// for anything left behind.
func stopPeer(pid, pgid int) {
	syscall.Kill(pid, syscall.SIGTERM)
	syscall.Kill(-pgid, syscall.SIGTERM)
	deadline := time.Now().Add(peerStopGrace)
	for time.Now().Before(deadline) && procAlive(pid) {
		time.Sleep(20 * time.Millisecond) // polling: nothing tells us when another's process exits
	}
	syscall.Kill(pid, syscall.SIGKILL)
	syscall.Kill(-pgid, syscall.SIGKILL)
}

// procAlive reports whether pid runs (a zombie does not).
func procAlive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := strings.LastIndexByte(string(b), ')')
	return i > 0 && i+2 < len(b) && b[i+2] != 'Z' && b[i+2] != 'X'
}
