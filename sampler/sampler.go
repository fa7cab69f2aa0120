package sampler

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/shirou/gopsutil/v4/process"
)

// DefaultInterval is the sampler's period: 10 Hz.
const DefaultInterval = 100 * time.Millisecond

// treeEvery is how many ticks pass between two scans of /proc for the tree's members: a
// scan reads every process's stat, so it runs at 1 Hz while the members are read at 10 Hz.
// A process forked between two scans is read from the next one; its CPU is counted from
// its start (read), and one that ended between two scans through its parent's
// reaped-children time.
const treeEvery = 10

// gopsutil reads the boot time (all of /proc/stat) for every process's creation time
// (NewProcess reads it) unless told to keep it. Set before any sampler runs.
func init() { process.EnableBootTimeCache(true) }

// Sample is one reading of a process tree (or of one process), summed over its members.
type Sample struct {
	At       time.Time
	Procs    int   // processes read
	RSSKB    int64 // resident set, summed
	Threads  int
	FDs      int
	CPUDelta float64 // user+system CPU seconds since the previous sample (0 for the first)
	CPUPct   float64 // CPUDelta over the wall time since the previous sample, % of one core

	// Kernel memory the tree holds, and PSS (what each includes: kernel.go, sockets_linux.go).
	PageTablesKB int64 // VmPTE, summed
	KStacksKB    int64 // threads × the kernel stack size (0 on an unknown architecture)
	SocketKB     int64 // bytes queued in the tree's TCP sockets; carried between readings
	PSSKB        int64 // proportional set size, summed; carried between readings
	SocketRead   bool  // SocketKB was read at this tick (else it is the last reading's)
	PSSRead      bool  // PSSKB was read at this tick (else it is the last reading's)

	// Starvation (runq.go): RunqDelta is the seconds the tree's threads waited runnable
	// on a run queue since the previous reading of it (0 at the first), RunqRead whether
	// it was read at this tick (else the next reading covers this tick too). CPUsBusy
	// and CPUsTime are the busy and elapsed seconds of the CPUs the root may run on,
	// whoever ran there, summed over those CPUs, since the previous sample.
	RunqDelta          float64
	RunqRead           bool
	CPUsBusy, CPUsTime float64
}

// KernelKB is the estimate of the kernel memory the tree holds at this sample.
func (s Sample) KernelKB() int64 { return s.PageTablesKB + s.KStacksKB + s.SocketKB }

// Sampler reads a process, or a process and all its descendants, at a fixed interval.
// Create it with New, Start it, Stop it; Samples may be read at any time.
type Sampler struct {
	root int
	tree bool

	mu      sync.Mutex
	samples []Sample
	gone    bool
	members []*process.Process // root first; refreshed every treeEvery ticks
	last    map[int32]cpuMark  // per member: the previous reading, for CPU deltas
	// began is when the first reading was taken, in clock ticks since boot: a member
	// first seen later but started after it has all its CPU counted (else only what it
	// spent after its first reading).
	began int64
	// unreaped is, per parent, the CPU of its children that left the tree, as last read:
	// when its reaped-children time (cutime+cstime) grows, that much of the growth had
	// been counted already.
	unreaped map[int32]float64
	ticks    int
	extra    extraReadings // PSS and sockets, read at a lower rate (kernel.go)
	runq     runqReader    // the time waited runnable, the CPUs' busy time (runq.go)
	buf      []byte        // for /proc files read by hand

	procSwitches bool // read context switches from /proc only, not taskstats (tests)
	stop         chan struct{}
	done         chan struct{}
}

// cpuMark is a member's CPU seconds and its reaped children's at the previous sample, its
// parent, and its start time: a PID reused by another process starts a new baseline.
type cpuMark struct {
	start      int64
	cpu, child float64
	ppid       int32
}

// New samples pid (0: this process); with tree, its descendants too (nginx's
// master and workers, a forking server). The client samples itself without tree, so the
// servers it started are not counted as its own.
func New(pid int, tree bool) *Sampler {
	if pid == 0 {
		pid = os.Getpid()
	}
	return &Sampler{root: pid, tree: tree, last: map[int32]cpuMark{}, unreaped: map[int32]float64{},
		runq: runqReader{marks: map[int32]runqMark{}}}
}

// Start takes a first sample at once, then one every interval (DefaultInterval if ≤ 0)
// on its own goroutine until Stop.
func (s *Sampler) Start(interval time.Duration) {
	if interval <= 0 {
		interval = DefaultInterval
	}
	s.extra.interval = interval
	s.stop, s.done = make(chan struct{}), make(chan struct{})
	s.Tick()
	go func() {
		defer close(s.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				s.Tick()
			}
		}
	}()
}

// Stop ends sampling and returns every sample taken.
func (s *Sampler) Stop() []Sample {
	if s.stop != nil {
		close(s.stop)
		<-s.done
		s.stop = nil
	}
	return s.Samples()
}

// Samples returns a copy of the samples so far.
func (s *Sampler) Samples() []Sample {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sample(nil), s.samples...)
}

// Gone reports whether the root process has exited; no sample is taken after that.
func (s *Sampler) Gone() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gone
}

// Tick takes one sample now and appends it. It returns ErrProcessGone once the root has
// exited. When the root cannot be read for another reason (e.g. this process is out of
// descriptors), it returns that error and appends nothing: a sample of zeros would drag
// the means down and put a zero row in timeseries.csv.
func (s *Sampler) Tick() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gone {
		return ErrProcessGone
	}
	var err error
	if s.ticks%treeEvery == 0 {
		err = s.refresh()
	}
	s.ticks++
	var smp Sample
	if err == nil {
		smp, err = s.read()
	}
	if errors.Is(err, ErrProcessGone) {
		s.gone = true
		return err
	}
	if err != nil {
		return err // the CPU baseline is kept: the next sample's delta covers this tick
	}
	s.extra.read(&smp, s.members, &s.buf)
	s.runq.readBusy(&smp)
	if n := len(s.samples); n > 0 && smp.CPUDelta > 0 {
		if dt := smp.At.Sub(s.samples[n-1].At).Seconds(); dt > 0 {
			smp.CPUPct = 100 * smp.CPUDelta / dt
		}
	}
	s.samples = append(s.samples, smp)
	return err
}

// refresh finds the tree's members again (the root alone without tree). Its only error is
// the root's exit (ErrProcessGone); if the scan fails, the root alone is read until the
// next one, and any other error about the root is left for read to report.
func (s *Sampler) refresh() error {
	pids := []int{s.root}
	if s.tree {
		if t, err := descendants(s.root); err == nil {
			pids = t
		}
	}
	members := make([]*process.Process, 0, len(pids))
	for i, pid := range pids {
		p, err := process.NewProcess(int32(pid)) // p holds the PID even on error
		if err != nil {
			if i > 0 {
				continue // exited since the scan
			}
			if err = procError(int32(pid), err); errors.Is(err, ErrProcessGone) {
				return err
			}
		}
		members = append(members, p)
	}
	s.members = members
	s.runq.cpus = cpusOf(s.root)
	return nil
}

// read sums the members' readings. Members that have exited since the last refresh are
// dropped; only the root's exit is an error. CPU: a member read before counts what it
// spent since; one first seen that started after the first reading counts all it spent
// (forked mid-window, between two scans of the tree); and a member's reaped-children time
// counts the children that ran and were waited for between readings, less what their
// own readings counted.
func (s *Sampler) read() (Sample, error) {
	smp := Sample{At: time.Now()}
	if s.began == 0 {
		s.began, _ = bootTicks(&s.buf) // 0 if unknown: no member is then taken as new
	}
	seen := make(map[int32]cpuMark, len(s.members))
	order := make([]int32, 0, len(s.members))
	for i, p := range s.members {
		r, err := readMember(p, &s.buf)
		if err != nil {
			if i == 0 {
				return smp, err
			}
			if prev, ok := s.last[p.Pid]; ok && !errors.Is(err, ErrProcessGone) {
				seen[p.Pid] = prev // not read this time, not gone: its baseline stands
			}
			continue
		}
		seen[p.Pid] = cpuMark{r.start, r.cpu, r.child, int32(r.ppid)}
		order = append(order, p.Pid)
		smp.Procs++
		smp.RSSKB += r.rssKB
		smp.Threads += r.threads
		smp.FDs += r.fds
		smp.PageTablesKB += r.vmPTEKB
	}
	s.departed(seen) // first: a parent may have reaped them since the last reading
	for _, pid := range order {
		smp.CPUDelta += s.cpuSince(pid, seen[pid])
	}
	smp.RunqDelta, smp.RunqRead = s.runq.read(order, seen, s.began, s.extra.interval)
	s.last = seen // the first reading only sets the baseline: its CPUDelta is 0
	smp.KStacksKB = int64(smp.Threads) * kernelStackKB
	return smp, nil
}

// childCPU is reaped-children time as this sampler counts it: a tree's, since its
// members' children are its members; not a lone process's (the client: the servers it
// started and reaped are not its CPU).
func (s *Sampler) childCPU(sec float64) float64 {
	if !s.tree {
		return 0
	}
	return sec
}

// departed hands what the readings of each member that left the tree saw (its CPU, its
// reaped children's, and its own unreaped children's) to its parent, whose reaped-children
// time will show it whole. A member leaves before its parent when both did.
func (s *Sampler) departed(seen map[int32]cpuMark) {
	gone := map[int32]cpuMark{}
	for pid, m := range s.last {
		if _, ok := seen[pid]; !ok {
			gone[pid] = m
		}
	}
	for len(gone) > 0 {
		n := len(gone)
		for pid, m := range gone {
			if hasChildIn(gone, pid) {
				continue // its departed children first
			}
			s.handUp(pid, m)
			delete(gone, pid)
		}
		if len(gone) == n { // a loop of parents (reused PIDs): take them in any order
			for pid, m := range gone {
				s.handUp(pid, m)
				delete(gone, pid)
			}
		}
	}
}

// handUp credits departed member pid's counted CPU to its parent's unreaped children.
func (s *Sampler) handUp(pid int32, m cpuMark) {
	s.unreaped[m.ppid] += m.cpu + m.child + s.unreaped[pid]
	delete(s.unreaped, pid)
}

func hasChildIn(members map[int32]cpuMark, pid int32) bool {
	for child, m := range members {
		if m.ppid == pid && child != pid {
			return true
		}
	}
	return false
}

// cpuSince is the CPU member pid spent since the previous reading (its own, and its
// children's that it reaped meanwhile and that were not counted while they ran).
func (s *Sampler) cpuSince(pid int32, now cpuMark) float64 {
	prev, ok := s.last[pid]
	if !ok || prev.start != now.start {
		delete(s.unreaped, pid) // a new process (or a reused PID): nothing of it was counted
		if len(s.last) > 0 && s.began > 0 && now.start > s.began {
			return now.cpu + s.childCPU(now.child) // started after the first reading: all of it
		}
		return 0 // the baseline
	}
	d := max(0, now.cpu-prev.cpu)
	if reaped := s.childCPU(now.child - prev.child); reaped > 0 {
		counted := min(reaped, s.unreaped[pid])
		s.unreaped[pid] -= counted
		d += reaped - counted
	}
	return d
}

// memberReading is what one tick reads of one process.
type memberReading struct {
	rssKB   int64
	vmPTEKB int64
	threads int
	fds     int
	statTimes
}

// readMember reads one process: RSS from /proc/PID/statm through gopsutil, its CPU and
// its reaped children's (summed over threads by the kernel), parent and start time from
// /proc/PID/stat by hand (gopsutil's Times has no children's time), threads and page
// tables from /proc/PID/status (readStatus), and descriptors by countFDs. A process
// without an address space (a zombie, or one exiting) is ErrProcessGone.
func readMember(p *process.Process, buf *[]byte) (memberReading, error) {
	mem, err := p.MemoryInfo()
	if err != nil {
		return memberReading{}, procError(p.Pid, err)
	}
	if mem.VMS == 0 {
		return memberReading{}, fmt.Errorf("%w: pid %d is a zombie", ErrProcessGone, p.Pid)
	}
	st, err := readStatus(p.Pid, buf)
	if err != nil {
		return memberReading{}, err
	}
	b, err := readProcFile(fmt.Sprintf("%s/%d/stat", procRoot, p.Pid), buf)
	if err != nil {
		return memberReading{}, procError(p.Pid, err)
	}
	times, err := parseStatTimes(b)
	if err != nil {
		return memberReading{}, fmt.Errorf("sampler: pid %d: %w", p.Pid, err)
	}
	r := memberReading{rssKB: int64(mem.RSS / 1024), vmPTEKB: st.vmPTEKB, threads: st.threads, statTimes: times}
	if fds, err := countFDs(p); err == nil { // another user's descriptors may be hidden
		r.fds = fds
	}
	return r, nil
}

// currentMembers is the tree as of the last refresh, root first.
func (s *Sampler) currentMembers() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.members) == 0 {
		return []int{s.root}
	}
	pids := make([]int, len(s.members))
	for i, p := range s.members {
		pids[i] = int(p.Pid)
	}
	return pids
}

// Summary is what a measured window's samples say.
type Summary struct {
	Samples     int
	RSSPeakKB   int64
	RSSMeanKB   int64
	ThreadsPeak int
	FDsPeak     int
	CPUPct      float64 // mean CPU over the window, percent of one core

	// KernelPeakKB is the highest Sample.KernelKB of the window, and PageTablesKB,
	// KStacksKB and SocketKB its parts at that sample (kernel.go says what each holds).
	KernelPeakKB, PageTablesKB, KStacksKB, SocketKB int64
	PSSPeakKB                                       int64 // the highest PSS sum of the window

	// RunqPct is the mean time the tree's threads waited runnable, percent of one core
	// (as CPUPct), over the time the window's readings of it cover; CPUsBusy the share of
	// the window the CPUs the root may run on were busy, whoever ran there (runq.go).
	// RunqKnown and CPUsBusyKnown are false when they were not read (not Linux, no
	// schedstat, a remote sampler that does not send them): the figures are then 0.
	RunqPct                  float64
	CPUsBusy                 float64
	RunqKnown, CPUsBusyKnown bool
}

// Summarize reduces the samples taken in [from, to] (inclusive). CPU is the sum of the
// samples' CPU deltas over the time they cover, and so is the wait (summarizeRunq).
func Summarize(samples []Sample, from, to time.Time) Summary {
	var sum Summary
	var rssTotal int64
	var cpu float64
	var first, last time.Time
	for i, smp := range samples {
		if smp.At.Before(from) || smp.At.After(to) {
			continue
		}
		if sum.Samples == 0 {
			first = smp.At
			if i > 0 { // the first sample's delta covers the time since the one before
				first = samples[i-1].At
			}
		}
		last = smp.At
		sum.Samples++
		rssTotal += smp.RSSKB
		cpu += smp.CPUDelta
		sum.RSSPeakKB = max(sum.RSSPeakKB, smp.RSSKB)
		sum.ThreadsPeak = max(sum.ThreadsPeak, smp.Threads)
		sum.FDsPeak = max(sum.FDsPeak, smp.FDs)
		sum.PSSPeakKB = max(sum.PSSPeakKB, smp.PSSKB)
		if k := smp.KernelKB(); k > sum.KernelPeakKB {
			sum.KernelPeakKB, sum.PageTablesKB, sum.KStacksKB, sum.SocketKB = k, smp.PageTablesKB, smp.KStacksKB, smp.SocketKB
		}
	}
	if sum.Samples > 0 {
		sum.RSSMeanKB = rssTotal / int64(sum.Samples)
	}
	if d := last.Sub(first).Seconds(); d > 0 {
		sum.CPUPct = 100 * cpu / d
	}
	q := summarizeRunq(samples, from, to)
	sum.RunqPct, sum.RunqKnown, sum.CPUsBusy, sum.CPUsBusyKnown = q.runqPct, q.runqKnown, q.busy, q.busyKnown
	return sum
}
