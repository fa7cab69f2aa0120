package sampler

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"

	"github.com/shirou/gopsutil/v4/process"
	"golang.org/x/sys/unix"
)

// Memory that RSS does not show. RSS counts the pages mapped into a process's address
// space; the kernel also holds memory on the process's behalf that no RSS includes. The
// sampler estimates three parts of it, summed over the tree (Sample.PageTablesKB,
// KStacksKB, SocketKB; their sum at its peak is Summary.KernelPeakKB):
//
//   - Page tables: VmPTE of /proc/PID/status, the process's page-table pages (all levels).
//     Exact. It grows with the memory touched, 8 bytes a 4 KiB page, and with threads
//     through their stacks: each thread's stack lies in a 2 MiB region of its own, so
//     needs a page-table page of its own (4 KiB; a process of 4000 pthreads shows
//     ~16 MB of VmPTE). Threads share their process's page tables.
//   - Kernel stacks: threads × kernelStackKB, the kernel's THREAD_SIZE: 16 KiB on amd64
//     (THREAD_SIZE_ORDER 2 of 4 KiB pages; 32 KiB in a KASAN kernel), arm64, riscv64,
//     ppc64(le), s390x, loong64 and mips64, or a page where pages are larger (arm64 and
//     ppc64 with 64 KiB pages map a whole page per stack); 8 KiB on 386, arm and mips.
//     Every thread has exactly one, so the figure is exact but for KASAN kernels;
//     /proc/PID/status has no per-process figure (/proc/meminfo's KernelStack is the
//     machine's total, which the tests use to check the constant). On another
//     architecture it is 0 (unknown). Not counted: each thread's task_struct (5.9 KB on
//     the test machine's 6.18 kernel, from /proc/slabinfo), its pid entry (192 B) and,
//     with VMAP_STACK, the vmalloc bookkeeping of its stack: ~6-7 KB a thread more.
//   - Socket buffers (sockets_linux.go): the bytes queued in the tree's TCP sockets.
//
// PSS (Sample.PSSKB) is not kernel memory: it is RSS with each shared page divided among
// the processes that map it (/proc/PID/smaps_rollup), so a tree's sum does not count
// nginx's or a forking server's shared pages once per process.

// kernelStackKB is the kernel stack of one thread on this architecture, 0 if unknown.
var kernelStackKB = stackKB(runtime.GOARCH, os.Getpagesize())

func stackKB(arch string, pageSize int) int64 {
	switch arch {
	case "arm64", "ppc64", "ppc64le":
		return max(16, int64(pageSize)/1024)
	case "amd64", "riscv64", "s390x", "loong64", "mips64", "mips64le":
		return 16
	case "386", "arm", "mips", "mipsle":
		return 8
	}
	return 0
}

// procStatus is what a tick reads of /proc/PID/status.
type procStatus struct {
	threads int
	vmPTEKB int64
}

// readProcFile reads a /proc file into buf (grown as needed) with one open and as few
// reads as it takes, and returns the bytes read.
func readProcFile(path string, buf *[]byte) ([]byte, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, os.NewSyscallError("open", err)
	}
	defer unix.Close(fd)
	if len(*buf) == 0 {
		*buf = make([]byte, 4096)
	}
	n := 0
	for {
		if n == len(*buf) {
			*buf = append(*buf, make([]byte, len(*buf))...)
		}
		m, err := unix.Read(fd, (*buf)[n:])
		if err != nil {
			return nil, os.NewSyscallError("read", err)
		}
		if m == 0 {
			return (*buf)[:n], nil
		}
		n += m
	}
}

// readStatus reads the thread count and VmPTE of /proc/PID/status. A process without an
// address space (a zombie, a kernel thread) has no VmPTE line: vmPTEKB stays 0.
func readStatus(pid int32, buf *[]byte) (procStatus, error) {
	b, err := readProcFile(fmt.Sprintf("%s/%d/status", procRoot, pid), buf)
	if err != nil {
		return procStatus{}, procError(pid, err)
	}
	var st procStatus
	threads := false
	for len(b) > 0 {
		var line []byte
		line, b = nextLine(b)
		switch {
		case bytes.HasPrefix(line, []byte("VmPTE:")):
			st.vmPTEKB, err = kbField(line[len("VmPTE:"):])
		case bytes.HasPrefix(line, []byte("Threads:")):
			var n int64
			n, err = strconv.ParseInt(string(bytes.TrimSpace(line[len("Threads:"):])), 10, 64)
			st.threads, threads = int(n), true
		}
		if err != nil {
			return procStatus{}, fmt.Errorf("sampler: pid %d status: %w", pid, err)
		}
	}
	if !threads {
		return procStatus{}, fmt.Errorf("sampler: pid %d status has no Threads line", pid)
	}
	return st, nil
}

// kbField parses "   1234 kB".
func kbField(b []byte) (int64, error) {
	b = bytes.TrimSpace(b)
	b = bytes.TrimSpace(bytes.TrimSuffix(b, []byte("kB")))
	return strconv.ParseInt(string(b), 10, 64)
}

// readPSS reads the proportional set size of pid from /proc/PID/smaps_rollup (Linux ≥
// 4.14). The kernel walks every mapping's page tables to produce it, so its cost grows
// with the process's resident pages: the sampler reads it at pssEvery.
func readPSS(pid int32, buf *[]byte) (int64, error) {
	b, err := readProcFile(fmt.Sprintf("%s/%d/smaps_rollup", procRoot, pid), buf)
	if err != nil {
		return 0, procError(pid, err)
	}
	i := bytes.Index(b, []byte("\nPss:"))
	if i < 0 {
		return 0, fmt.Errorf("sampler: pid %d smaps_rollup has no Pss line", pid)
	}
	line := b[i+len("\nPss:"):]
	if j := bytes.IndexByte(line, '\n'); j >= 0 {
		line = line[:j]
	}
	kb, err := kbField(line)
	if err != nil {
		return 0, fmt.Errorf("sampler: pid %d smaps_rollup: %w", pid, err)
	}
	return kb, nil
}

// extraBudget is the share of one core that each of the costlier readings (PSS, socket
// buffers) may take: after a reading that took c (wall time), the next waits
// c/extraBudget, in ticks. At 10 Hz a reading under 0.5 ms is made at every tick; the
// 9 ms smaps_rollup of a process of 4000 threads (8000 mappings) every ~1.8 s; a socket
// dump, 1-60 ms with the number of TCP sockets on the machine (sockets_linux.go), every 0.2 to
// 12 s. Samples in between carry the last reading (their PSSRead or SocketRead is false);
// the first tick reads both. A window shorter than the period may hold no fresh reading:
// its figure is then the last one before it.
const extraBudget = 0.005

// extraReadings reads the tree's PSS and socket buffers at the rate extraBudget allows.
type extraReadings struct {
	interval      time.Duration // the sampler's (0: DefaultInterval)
	pss, sock     throttle
	pssKB, sockKB int64
	sockOff       bool // sock_diag is unavailable: not tried again
	sockets       socketReader
	pids          []int32
}

// throttle skips ticks after a costly reading.
type throttle struct{ skip int }

func (t *throttle) due() bool {
	if t.skip > 0 {
		t.skip--
		return false
	}
	return true
}

func (t *throttle) took(cost, interval time.Duration) {
	t.skip = int(float64(cost)/(extraBudget*float64(interval))+0.5) - 1
}

// read fills smp's PSS and socket figures: read now if due, else the last reading's.
func (e *extraReadings) read(smp *Sample, members []*process.Process, buf *[]byte) {
	interval := e.interval
	if interval <= 0 {
		interval = DefaultInterval
	}
	if e.pss.due() {
		start := time.Now()
		var kb int64
		for _, p := range members {
			if v, err := readPSS(p.Pid, buf); err == nil { // exited since: not counted
				kb += v
			}
		}
		e.pssKB, smp.PSSRead = kb, true
		e.pss.took(time.Since(start), interval)
	}
	if !e.sockOff && e.sock.due() {
		e.pids = e.pids[:0]
		for _, p := range members {
			e.pids = append(e.pids, p.Pid)
		}
		b, cost, err := e.sockets.read(e.pids)
		if err != nil {
			e.sockOff = true
		}
		e.sockKB, smp.SocketRead = (b+1023)/1024, err == nil
		e.sock.took(cost, interval)
	}
	smp.PSSKB, smp.SocketKB = e.pssKB, e.sockKB
}

// nextLine splits b at its first newline: the line before it and the rest after it (the
// whole of b and nil when there is none).
func nextLine(b []byte) (line, rest []byte) {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i], b[i+1:]
	}
	return b, nil
}
