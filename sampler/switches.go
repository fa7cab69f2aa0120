package sampler

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"syscall"
)

// A process's context switches are the sum over its threads: /proc/PID/status counts the
// main thread's only (a thread that slept 500 times adds 0 there). They are read, per
// process of the tree, in the first of two ways that works:
//
//   - taskstats (taskstats_linux.go): the kernel's own sum over every thread, exact, one netlink
//     round trip a process (~30 µs) at any thread count. It needs CAP_NET_ADMIN.
//   - thread by thread: each thread's /proc/PID/task/TID/status, ~17 µs a thread here
//     (read at the window's start and end on the orchestrator's CPUs). Every thread is
//     read, so a thread that switched is never missed, up to switchReadMax threads in the
//     tree; beyond, the figure is unknown (Switches.Known false, an empty cell) rather
//     than an estimate: an even sample of 256 of 10,000 idle threads read 0 while the few
//     that served requests switched thousands of times, and which threads will run is not
//     known when the window starts.
//
// A thread that exits during the window takes its switches with it in the second way,
// not in the first (the kernel keeps the exited threads' sum).
const switchReadMax = 2048

// Switches are context switches summed over every thread of every process of a tree.
// Known is false when they could not all be counted: the figures are then not to be used.
type Switches struct {
	Voluntary, Involuntary int64
	Known                  bool
}

// Sub is the switches made between an earlier reading and s, never negative; known if
// both are.
func (s Switches) Sub(earlier Switches) Switches {
	return Switches{max(0, s.Voluntary-earlier.Voluntary), max(0, s.Involuntary-earlier.Involuntary),
		s.Known && earlier.Known}
}

func (s Switches) add(d Switches) Switches {
	return Switches{s.Voluntary + d.Voluntary, s.Involuntary + d.Involuntary, s.Known && d.Known}
}

// SwitchReading is one reading of a tree's context switches, to be compared with a
// later one by Sampler.SwitchesSince.
type SwitchReading struct {
	procs map[int]procSwitches
}

// procSwitches is one process's reading: the kernel's total (byTGID), or thread by
// thread, or nothing (unknown: too many threads to read).
type procSwitches struct {
	byTGID  bool
	total   Switches
	unknown bool
	threads map[int]Switches // tid → counts
}

// switchSource reads processes' switches for one reading of the tree.
type switchSource struct {
	ts     *taskstatsConn // nil: thread by thread
	budget int            // threads that may still be read from /proc
	buf    []byte
}

// newSwitchSource opens taskstats unless told to read /proc only.
func newSwitchSource(procOnly bool) *switchSource {
	src := &switchSource{budget: switchReadMax}
	if !procOnly {
		src.ts, _ = openTaskstats() // unavailable: thread by thread
	}
	return src
}

func (src *switchSource) close() {
	if src.ts != nil {
		src.ts.close()
	}
}

// read reads pid's switches, by the kernel's sum if possible (and wanted).
func (src *switchSource) read(pid int, threadwise bool) (procSwitches, error) {
	if src.ts != nil && !threadwise {
		sw, err := src.ts.switches(pid)
		if err == nil {
			return procSwitches{byTGID: true, total: sw}, nil
		}
		if errors.Is(err, syscall.ESRCH) {
			return procSwitches{}, fmt.Errorf("%w: pid %d", ErrProcessGone, pid)
		}
		src.ts.close() // not permitted, or broken: /proc from now on
		src.ts = nil
	}
	tids, err := taskIDs(pid)
	if err != nil {
		return procSwitches{}, err
	}
	if len(tids) > src.budget {
		src.budget = 0
		return procSwitches{unknown: true}, nil
	}
	src.budget -= len(tids)
	ps := procSwitches{threads: make(map[int]Switches, len(tids))}
	for _, tid := range tids {
		if sw, ok := readThreadSwitches(pid, tid, &src.buf); ok {
			ps.threads[tid] = sw
		}
	}
	return ps, nil
}

// Switches reads the context switches of the tree's current members.
func (s *Sampler) Switches() (SwitchReading, error) {
	src := newSwitchSource(s.procSwitches)
	defer src.close()
	r := SwitchReading{procs: map[int]procSwitches{}}
	for i, pid := range s.currentMembers() {
		ps, err := src.read(pid, false)
		if err != nil {
			if i == 0 {
				return r, err
			}
			continue
		}
		r.procs[pid] = ps
	}
	return r, nil
}

// SwitchesSince is the context switches the tree made since the earlier reading. A
// process is read the same way as before; one born since counts whole; one that has
// exited since takes its switches with it. The result is unknown if any process's is.
func (s *Sampler) SwitchesSince(earlier SwitchReading) (Switches, error) {
	src := newSwitchSource(s.procSwitches)
	defer src.close()
	total := Switches{Known: true}
	for i, pid := range s.currentMembers() {
		before, seen := earlier.procs[pid]
		if before.unknown {
			total.Known = false
			continue
		}
		now, err := src.read(pid, seen && !before.byTGID)
		if err != nil {
			if i == 0 {
				return Switches{}, err
			}
			continue
		}
		if seen && now.byTGID != before.byTGID { // taskstats failed since: not comparable
			total.Known = false
			continue
		}
		total = total.add(now.since(before))
	}
	return total, nil
}

// since is the switches of one process since an earlier reading (the zero reading for a
// process born since).
func (now procSwitches) since(before procSwitches) Switches {
	switch {
	case now.unknown:
		return Switches{}
	case now.byTGID:
		prev := before.total // zero for a process born since
		prev.Known = true
		return now.total.Sub(prev)
	}
	d := Switches{Known: true}
	for tid, sw := range now.threads {
		prev := before.threads[tid] // a thread born since: all of it
		prev.Known = true
		sw.Known = true
		d = d.add(sw.Sub(prev))
	}
	return d
}

// readThreadSwitches reads the context switches of thread tid of pid from
// /proc/PID/task/TID/status, where a TID cannot name another process's thread: false if
// the thread has exited.
func readThreadSwitches(pid, tid int, buf *[]byte) (Switches, bool) {
	b, err := readProcFile(fmt.Sprintf("%s/%d/task/%d/status", procRoot, pid, tid), buf)
	if err != nil {
		return Switches{}, false
	}
	vol, ok1 := statusCount(b, "\nvoluntary_ctxt_switches:")
	invol, ok2 := statusCount(b, "\nnonvoluntary_ctxt_switches:")
	return Switches{Voluntary: vol, Involuntary: invol}, ok1 && ok2
}

// statusCount parses the number after key (a line's start) in a status file.
func statusCount(b []byte, key string) (int64, bool) {
	i := bytes.Index(b, []byte(key))
	if i < 0 {
		return 0, false
	}
	v := b[i+len(key):]
	if j := bytes.IndexByte(v, '\n'); j >= 0 {
		v = v[:j]
	}
	n, err := strconv.ParseInt(string(bytes.TrimSpace(v)), 10, 64)
	return n, err == nil
}
