package sampler

import (
	"errors"
	"fmt"
	"syscall"
	"time"
)

// Starvation: a server on CPUs shared with other work (a noisy neighbour, a CPU hog
// emulating a slower machine) may be the limit though its own CPU share stays low
// (metrics.Starved). Each tick therefore also reads two figures (runq.go, cpustat.go):
//
//   - the time the tree's threads waited runnable on a run queue: sched_info.run_delay,
//     field 2 of /proc/PID/task/TID/schedstat (field 1 is the time on CPU), summed over
//     every thread of every member (/proc/PID/schedstat alone is the main thread's).
//     Read in the first of two ways that works: taskstats (runq_linux.go), the kernel's
//     own sum over every thread of a process, the live ones' and the exited ones', in
//     one netlink round trip a process (it needs CAP_NET_ADMIN, as the switches' reading,
//     switches.go); else thread by thread from /proc. Either is made at most at the rate
//     runqBudget allows (about 0.2% of a core). CPU per reading on the 2-core test
//     machine (BenchmarkRunqRead): taskstats 45 µs at 10 threads, 0.17 ms at 1000 (a
//     reading every tick), 0.44 ms at 4000 (every other tick), 0.73 ms at 9000 (every
//     4th); thread by thread ~16 µs a thread: 1.6 ms at 100 threads (every ~0.8 s), 16
//     ms at 1000 (every ~8 s; at every tick it would take 16% of a core, 1.5 cores at
//     9000), so a short window of a server of many threads has no figure that way. A
//     reading covers the time since the previous one, and Summarize divides the wait by
//     the time its readings cover; a window without a reading has no figure (RunqKnown
//     false). Thread by thread, a thread that exits takes its wait since the previous
//     reading with it; no delta is ever negative (a thread's count only rises; the
//     kernel's sum, which may fall back when a thread exits, is counted from its
//     high-water mark).
//   - the busy time of the CPUs the root may run on (its affinity, read at every scan of
//     the tree), whoever ran there: /proc/stat's per-CPU lines, busy = total − idle −
//     iowait (steal counts as busy: the CPU was not free for the server).
//
// A member's wait is counted as its CPU is: since its previous reading; from its start if
// it started after the first reading (forked mid-window); from its first reading
// otherwise. A member that left the tree takes its wait since its previous reading with
// it (no parent inherits a child's wait, as it does its CPU).

// runqBudget is the share of one core the readings of the wait may take: after a reading
// that took c (wall time), the next waits c/runqBudget, in ticks (as extraBudget, lower:
// the sampler's tick stays under 2% of a core at 4000 threads, BenchmarkSamplerTick).
const runqBudget = 0.002

// runqReader reads the tree's time waited runnable, and the busy time of its CPUs.
type runqReader struct {
	ts       *taskstatsConn // open during a reading by taskstats (each opens and closes it)
	tsOff    bool           // taskstats is unavailable or failed: /proc from now on
	procOnly bool           // never use taskstats (tests)
	marks    map[int32]runqMark
	readings int      // readings made
	slow     throttle // the rate of the readings (runqBudget)
	cpus     []int    // the CPUs the root may run on (nil: every CPU)
	stat     cpuStat
	buf      []byte
}

// runqMark is one member's wait at its previous reading, in nanoseconds: the kernel's sum
// (byTGID), or thread by thread (threads), and its start time (a reused PID is another
// process).
type runqMark struct {
	start   int64
	byTGID  bool
	total   int64
	threads map[int]int64 // tid → run_delay
}

// since is the wait of now's process since prev, its earlier reading of the same kind,
// never negative: a count that fell back (a thread that exited between the kernel's two
// sums) is not counted again until it has risen past its high-water mark, which now
// keeps. A thread born since counts whole.
func (now *runqMark) since(prev runqMark) int64 {
	if now.byTGID {
		d := max(0, now.total-prev.total)
		now.total = max(now.total, prev.total)
		return d
	}
	var d int64
	for tid, v := range now.threads {
		p := prev.threads[tid]
		d += max(0, v-p)
		now.threads[tid] = max(v, p)
	}
	return d
}

// all is the whole wait of a process (one born since the first reading).
func (now runqMark) all() int64 {
	if now.byTGID {
		return now.total
	}
	var d int64
	for _, v := range now.threads {
		d += v
	}
	return d
}

// read reads the wait of the members read at this tick (starts: their start times),
// and returns the seconds waited since the previous reading, and whether it read (else
// the next reading covers this tick too). began is when the sampler's first reading was
// taken, in clock ticks since boot (0 if unknown).
func (q *runqReader) read(order []int32, starts map[int32]cpuMark, began int64, interval time.Duration) (float64, bool) {
	if !q.slow.due() {
		return 0, false
	}
	t0 := time.Now()
	if !q.tsOff { // opened for each reading: a sampler that is never stopped holds no socket
		if q.procOnly {
			q.tsOff = true
		} else if q.ts, _ = openTaskstats(); q.ts == nil {
			q.tsOff = true
		}
		defer q.close()
	}
	marks := make(map[int32]runqMark, len(order))
	var ns int64
	for _, pid := range order {
		start := starts[pid].start
		prev, had := q.marks[pid]
		now, err := q.readMember(pid)
		if err != nil {
			if had && !errors.Is(err, ErrProcessGone) {
				marks[pid] = prev // not read this time, not gone: its baseline stands
			}
			continue
		}
		now.start = start
		switch {
		case had && prev.start == start && prev.byTGID == now.byTGID:
			ns += now.since(prev)
		case q.readings > 0 && began > 0 && start > began:
			ns += now.all() // started after the first reading: all of it
		}
		marks[pid] = now
	}
	q.marks = marks
	q.readings++
	if interval <= 0 {
		interval = DefaultInterval
	}
	q.slow.skip = int(float64(time.Since(t0))/(runqBudget*float64(interval))+0.5) - 1
	return float64(ns) / 1e9, true
}

// readMember reads one process's wait: by taskstats while it works, else thread by
// thread. A process gone is ErrProcessGone.
func (q *runqReader) readMember(pid int32) (runqMark, error) {
	if q.ts != nil {
		ns, err := q.ts.runqDelay(int(pid))
		if err == nil {
			return runqMark{byTGID: true, total: ns}, nil
		}
		if errors.Is(err, syscall.ESRCH) {
			return runqMark{}, fmt.Errorf("%w: pid %d", ErrProcessGone, pid)
		}
		q.ts.close() // not permitted, or broken: /proc from now on
		q.ts, q.tsOff = nil, true
	}
	tids, err := taskIDs(int(pid))
	if err != nil {
		return runqMark{}, err
	}
	m := runqMark{threads: make(map[int]int64, len(tids))}
	for _, tid := range tids {
		if v, ok := readThreadRunq(int(pid), tid, &q.buf); ok {
			m.threads[tid] = v
		}
	}
	return m, nil
}

// close releases the taskstats socket.
func (q *runqReader) close() {
	if q.ts != nil {
		q.ts.close()
		q.ts = nil
	}
}

// readThreadRunq reads field 2 of /proc/PID/task/TID/schedstat (the nanoseconds thread
// tid waited runnable): false if the thread has exited or the file is missing (a kernel
// without CONFIG_SCHED_INFO).
func readThreadRunq(pid, tid int, buf *[]byte) (int64, bool) {
	b, err := readProcFile(fmt.Sprintf("%s/%d/task/%d/schedstat", procRoot, pid, tid), buf)
	if err != nil {
		return 0, false
	}
	return schedstatWait(b)
}

// schedstatWait parses the second of a schedstat line's three numbers.
func schedstatWait(b []byte) (int64, bool) {
	var f [3][]byte
	n := 0
	for i := 0; i < len(b) && n < 3; {
		for i < len(b) && (b[i] == ' ' || b[i] == '\n') {
			i++
		}
		j := i
		for j < len(b) && b[j] != ' ' && b[j] != '\n' {
			j++
		}
		if j > i {
			f[n] = b[i:j]
			n++
		}
		i = j
	}
	if n < 2 {
		return 0, false
	}
	return parseUint(f[1])
}

// runqSummary is what a window's samples say of the tree's wait and its CPUs' busy time.
type runqSummary struct {
	runqPct   float64 // mean wait, percent of one core
	runqKnown bool    // some reading of the wait fell in the window
	busy      float64 // share of the time the CPUs were busy
	busyKnown bool
}

// summarizeRunq reduces the samples taken in [from, to]: the wait read in the window over
// the time its readings cover (from the reading before the window's first, which may be
// a tick or more before from, to the window's last), and the CPUs' busy time over their
// elapsed time.
func summarizeRunq(samples []Sample, from, to time.Time) runqSummary {
	var sum runqSummary
	var wait, busy, total float64
	var prev, first, last time.Time // readings of the wait
	for _, smp := range samples {
		in := !smp.At.Before(from) && !smp.At.After(to)
		if in {
			busy += smp.CPUsBusy
			total += smp.CPUsTime
		}
		if !smp.RunqRead {
			continue
		}
		if in {
			if first.IsZero() {
				first = smp.At
				if !prev.IsZero() {
					first = prev
				}
			}
			last = smp.At
			wait += smp.RunqDelta
		}
		prev = smp.At
	}
	if d := last.Sub(first).Seconds(); d > 0 {
		sum.runqPct, sum.runqKnown = 100*wait/d, true
	}
	if total > 0 {
		sum.busy, sum.busyKnown = min(1, busy/total), true
	}
	return sum
}
