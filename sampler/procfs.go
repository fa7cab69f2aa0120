package sampler

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strconv"
	"syscall"

	"github.com/shirou/gopsutil/v4/process"
)

// What the sampler still reads from /proc by hand, each where gopsutil's process package
// is measurably too slow or lacks the datum (figures from BenchmarkHandVsGopsutil on the
// 2-core test machine, CPU time per call):
//
//   - the tree: one scan of /proc/*/stat finds every descendant (1.3-1.8 ms for ~80
//     processes); Process.Children globs /proc/[0-9]*/stat, listing every /proc/PID
//     directory on the way, and finds one level per call (5.7-6.8 ms each, so ~20 ms per
//     scan for nginx's master and two workers: 2% of a core at 1 Hz on its own);
//   - descriptors: since Linux 6.2 the size of /proc/PID/fd is the count, one stat(2)
//     (~14 µs at 4000 descriptors); Process.NumFDs lists the directory (3.5 ms at 4000
//     descriptors, 3.5% of a core at 10 Hz). NumFDs is the fallback on older kernels;
//   - a process's threads: gopsutil lists them only through Process.Threads, which reads
//     every thread's stat (150 ms at 4000 threads); taskIDs only lists /proc/PID/task;
//   - /proc/PID/status: Process.NumThreads parses every line into a struct (26-27 µs),
//     and has no VmPTE; readStatus (kernel.go) picks Threads and VmPTE (13 µs);
//   - the time threads waited runnable: gopsutil has no schedstat reader (runq.go; the
//     kernel's sum through taskstats, else every thread's schedstat file, ~16 µs each),
//     and the per-CPU lines of /proc/stat are parsed in place (cpustat.go, ~19 µs a
//     reading on 2 CPUs) rather than into gopsutil's cpu.TimesStat.

// ErrProcessGone is returned when the sampled process (the root of the tree) has exited.
var ErrProcessGone = errors.New("sampler: process has exited")

// procRoot is where procfs is mounted.
const procRoot = "/proc"

// procError maps an error reading pid's /proc files: a process that no longer exists is
// ErrProcessGone.
func procError(pid int32, err error) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ESRCH) || errors.Is(err, process.ErrorProcessNotRunning) {
		return fmt.Errorf("%w: pid %d", ErrProcessGone, pid)
	}
	return fmt.Errorf("sampler: pid %d: %w", pid, err)
}

// parseStat reads the parent PID and the state of a /proc/PID/stat line. The command name
// (field 2) is in parentheses and may itself hold spaces and parentheses, so fields are
// counted from the last ')'.
func parseStat(b []byte) (ppid int, state byte, err error) {
	open, end := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if open < 1 || end < open || end+2 > len(b) {
		return 0, 0, errors.New("malformed stat")
	}
	f := bytes.Fields(b[end+2:]) // f[0] is field 3 (state), f[1] field 4 (ppid)
	if len(f) < 2 || len(f[0]) != 1 {
		return 0, 0, errors.New("stat has too few fields")
	}
	ppid, err = strconv.Atoi(string(f[1]))
	if err != nil {
		return 0, 0, fmt.Errorf("stat field 4: %w", err)
	}
	return ppid, f[0][0], nil
}

// clockTicks is USER_HZ, the unit of the times in /proc/PID/stat: 100 on every Linux ABI.
const clockTicks = 100

// statTimes is what the sampler reads of /proc/PID/stat besides the state.
type statTimes struct {
	ppid  int
	cpu   float64 // utime+stime, seconds: the process's own CPU, all its threads
	child float64 // cutime+cstime, seconds: the children it has waited for
	start int64   // starttime, clock ticks since boot
}

// parseStatTimes reads fields 4 (ppid), 14–17 (utime, stime, cutime, cstime) and 22
// (starttime) of a /proc/PID/stat line, counted from the last ')' as parseStat does.
func parseStatTimes(b []byte) (statTimes, error) {
	end := bytes.LastIndexByte(b, ')')
	if end < 0 || end+2 > len(b) {
		return statTimes{}, errors.New("malformed stat")
	}
	var v [20]int64 // v[i] is field i+3
	rest := b[end+2:]
	for i := range v {
		rest = bytes.TrimLeft(rest, " ")
		n := bytes.IndexByte(rest, ' ')
		if n < 0 {
			n = len(rest)
		}
		if n == 0 {
			return statTimes{}, errors.New("stat has too few fields")
		}
		switch i + 3 { // only the fields read: no other is parsed
		case 4, 14, 15, 16, 17, 22:
			x, ok := parseUint(rest[:n])
			if !ok {
				return statTimes{}, fmt.Errorf("stat field %d: %q is not a number", i+3, rest[:n])
			}
			v[i] = x
		}
		rest = rest[n:]
	}
	return statTimes{ppid: int(v[1]), cpu: float64(v[11]+v[12]) / clockTicks,
		child: float64(v[13]+v[14]) / clockTicks, start: v[19]}, nil
}

// parseUint reads a decimal number of at most 18 digits, without allocating (the sampler
// reads every member's stat ten times a second).
func parseUint(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var x int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		x = x*10 + int64(c-'0')
	}
	return x, true
}

// bootTicks is the time since boot in clock ticks (the first figure of /proc/uptime), the
// clock of stat's starttime.
func bootTicks(buf *[]byte) (int64, error) {
	b, err := readProcFile(procRoot+"/uptime", buf)
	if err != nil {
		return 0, fmt.Errorf("sampler: %w", err)
	}
	secs, _, _ := bytes.Cut(bytes.TrimSpace(b), []byte(" "))
	f, err := strconv.ParseFloat(string(secs), 64)
	if err != nil {
		return 0, fmt.Errorf("sampler: /proc/uptime: %w", err)
	}
	return int64(f * clockTicks), nil
}

// descendants returns root and every live process below it, root first (breadth first),
// from one scan of /proc/*/stat. Zombies and processes that exit during the scan are left
// out.
func descendants(root int) ([]int, error) {
	entries, err := os.ReadDir(procRoot)
	if err != nil {
		return nil, fmt.Errorf("sampler: %w", err)
	}
	kids := map[int][]int{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == root {
			continue
		}
		b, err := os.ReadFile(fmt.Sprintf("%s/%d/stat", procRoot, pid))
		if err != nil {
			continue // exited while we scanned
		}
		if ppid, state, err := parseStat(b); err == nil && state != 'Z' && state != 'X' {
			kids[ppid] = append(kids[ppid], pid)
		}
	}
	tree := []int{root}
	for i := 0; i < len(tree); i++ {
		sort.Ints(kids[tree[i]])
		tree = append(tree, kids[tree[i]]...)
	}
	return tree, nil
}

// ProcessTree returns pid and every process below it, pid first.
func ProcessTree(pid int) ([]int, error) { return descendants(pid) }

// countFDs counts the open descriptors of p: the size of /proc/PID/fd where the kernel
// reports the count there (Linux ≥ 6.2), else gopsutil's listing of the directory.
func countFDs(p *process.Process) (int, error) {
	fi, err := os.Stat(fmt.Sprintf("%s/%d/fd", procRoot, p.Pid))
	if err == nil && fi.Size() > 0 {
		return int(fi.Size()), nil
	}
	n, err := p.NumFDs()
	if err != nil {
		return 0, procError(p.Pid, err)
	}
	return int(n), nil
}

// taskIDs lists the threads of pid, in ascending order (the runtime's own threads, made
// at start, first).
func taskIDs(pid int) ([]int, error) {
	entries, err := os.ReadDir(fmt.Sprintf("%s/%d/task", procRoot, pid))
	if err != nil {
		return nil, procError(int32(pid), err)
	}
	tids := make([]int, 0, len(entries))
	for _, e := range entries {
		if tid, err := strconv.Atoi(e.Name()); err == nil {
			tids = append(tids, tid)
		}
	}
	sort.Ints(tids)
	return tids, nil
}
