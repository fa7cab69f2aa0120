//go:build linux

package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestEventedOutOfDescriptors lowers a running evented server's RLIMIT_NOFILE, opens more
// connections than it has descriptors for, and checks that the loop does not spin on
// EMFILE while the extra connections wait in the backlog, and that it serves again once
// descriptors are free.
func TestEventedOutOfDescriptors(t *testing.T) {
	p := startServe(t, "--model", "evented")
	pid := p.cmd.Process.Pid
	open := openFDs(t, pid)
	lim := unix.Rlimit{Cur: uint64(open + 20), Max: uint64(open + 20)}
	if err := unix.Prlimit(pid, unix.RLIMIT_NOFILE, &lim, nil); err != nil {
		t.Fatalf("prlimit: %v", err)
	}
	// 60 connections for 20 free descriptors: the kernel completes every handshake (the
	// backlog), the server accepts about 20 and then meets EMFILE.
	var conns []net.Conn
	for range 60 {
		c, err := net.Dial("tcp", p.addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		c.Write([]byte("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"))
	}
	served, deadline := 0, time.Now().Add(time.Second) // bounds the wait for the unserved
	for _, c := range conns {
		c.SetReadDeadline(deadline)
		if readResponse(c) == nil {
			served++
		}
	}
	if served == 0 || served >= len(conns) {
		t.Fatalf("%d of %d connections served with ~20 descriptors free; the test did not reach EMFILE", served, len(conns))
	}
	// While out of descriptors with connections pending, the server's CPU use over a
	// window must be a small share of one core (a loop spinning on EMFILE takes all of it).
	cpu := cpuShare(t, pid, 500*time.Millisecond)
	t.Logf("%d of %d served; server CPU while out of descriptors: %.1f%% of a core", served, len(conns), 100*cpu)
	if cpu > 0.25 {
		t.Errorf("server used %.0f%% of a core while out of descriptors: the accept loop spins", 100*cpu)
	}
	for _, c := range conns {
		c.Close()
	}
	// Descriptors are free again: a new connection is served.
	c, err := net.Dial("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	c.Write([]byte("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"))
	if err := readResponse(c); err != nil {
		t.Fatalf("after descriptors were freed: %v", err)
	}
}

func openFDs(t *testing.T, pid int) int {
	entries, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// cpuShare is the process's CPU time (user+sys) over window, as a share of one core.
func cpuShare(t *testing.T, pid int, window time.Duration) float64 {
	before, start := procCPUTicks(t, pid), time.Now()
	time.Sleep(window) // a measuring window, not synchronisation
	after, elapsed := procCPUTicks(t, pid), time.Since(start)
	const ticksPerSecond = 100 // USER_HZ
	return float64(after-before) / ticksPerSecond / elapsed.Seconds()
}

func procCPUTicks(t *testing.T, pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	// Fields after the command name (which may hold spaces) start at field 3; utime and
	// stime are fields 14 and 15.
	fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return utime + stime
}
