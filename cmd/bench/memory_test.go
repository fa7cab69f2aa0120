//go:build linux

package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/benchsuite/threads-vs-loop/internal/rlimit"
)

// TestIdleConnectionMemory measures each model's RSS growth per idle keep-alive connection
// between 100 and 10000 connections (the C10K test), next to nginx's when it is installed.
// It asserts the claims the suite exists to show: the event loop's idle connection costs
// under 1 KB, a thread per connection costs ten times that or more.
// Run `go test -run IdleConnectionMemory -v ./cmd/bench` to see the figures.
func TestIdleConnectionMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("opens 10000 connections per model")
	}
	if _, err := rlimit.RaiseNoFile(); err != nil {
		t.Fatal(err)
	}
	const low, high = 100, 10000
	limits := map[string][2]float64{ // KB per connection: min, max
		"evented":   {0, 1},
		"goroutine": {1, 64},
		"threaded":  {10, 512},
		"nginx":     {0, 4},
	}
	for _, model := range []string{"evented", "goroutine", "threaded", "nginx"} {
		t.Run(model, func(t *testing.T) {
			pid, addr := startForMemory(t, model)
			conns := openIdle(t, addr, low)
			before := treeRSSKB(t, pid)
			conns = append(conns, openIdle(t, addr, high-low)...)
			after := treeRSSKB(t, pid)
			perConn := float64(after-before) / float64(high-low)
			t.Logf("%s: RSS %d KB with %d idle connections, %d KB with %d: %.2f KB per connection",
				model, before, low, after, len(conns), perConn)
			if lim := limits[model]; perConn < lim[0] || perConn > lim[1] {
				t.Errorf("%s: %.2f KB per idle connection, want %.0f..%.0f", model, perConn, lim[0], lim[1])
			}
		})
	}
}

// startForMemory starts a model with `bench serve`, or nginx with scripts/peers/nginx.sh
// (skipping when nginx is not installed), and returns the PID whose process tree to
// measure and the address.
func startForMemory(t *testing.T, model string) (int, string) {
	if model != "nginx" {
		p := startServe(t, "--model", model)
		return p.cmd.Process.Pid, p.addr
	}
	if _, err := exec.LookPath("nginx"); err != nil {
		t.Skip("nginx is not installed (apt-get install nginx-light)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	out, err := exec.Command(filepath.Join("..", "..", "scripts", "peers", "nginx.sh"), strconv.Itoa(port)).Output()
	if err != nil {
		t.Fatalf("nginx.sh: %v", err)
	}
	first, _, _ := strings.Cut(string(out), "\n") // then its settings line
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil {
		t.Fatalf("nginx.sh printed %q, want a PID first", out)
	}
	t.Cleanup(func() { // the worker too: killing only the master would orphan it
		for _, p := range append(childPIDs(pid), pid) {
			syscall.Kill(p, syscall.SIGKILL)
		}
	})
	return pid, fmt.Sprintf("127.0.0.1:%d", port)
}

// treeRSSKB sums VmRSS over pid and its descendants (nginx's master and worker).
func treeRSSKB(t *testing.T, pid int) int {
	t.Helper()
	total := statusField(t, pid, "VmRSS:")
	for _, child := range childPIDs(pid) {
		total += treeRSSKB(t, child)
	}
	return total
}

func childPIDs(pid int) []int {
	var kids []int
	tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	for _, task := range tasks {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", pid, task.Name()))
		for _, f := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(f); err == nil {
				kids = append(kids, n)
			}
		}
	}
	return kids
}

func statusField(t *testing.T, pid int, field string) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			n, _ := strconv.Atoi(strings.Fields(rest)[0])
			return n
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

func procThreads(t *testing.T, pid int) int { return statusField(t, pid, "Threads:") }
