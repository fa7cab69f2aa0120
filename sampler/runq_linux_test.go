package sampler

import (
	"math"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// skipUnlessSchedstat skips a test on a kernel without per-thread schedstat files
// (CONFIG_SCHED_INFO off) or without /proc.
func skipUnlessSchedstat(t testing.TB) {
	t.Helper()
	skipUnlessProc(t)
	if _, err := os.Stat("/proc/self/task/" + strconv.Itoa(unix.Gettid()) + "/schedstat"); err != nil {
		t.Skip("no schedstat:", err)
	}
}

// startBurner starts a shell spinning in a busy loop, pinned to cpu, killed with the
// test. The shell has one thread, so pinning its PID pins all of it.
func startBurner(t *testing.T, cpu int) int {
	t.Helper()
	cmd := exec.Command("sh", "-c", "while :; do :; done")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); cmd.Wait() })
	var set unix.CPUSet
	set.Set(cpu)
	if err := unix.SchedSetaffinity(cmd.Process.Pid, &set); err != nil {
		t.Fatal(os.NewSyscallError("sched_setaffinity", err))
	}
	return cmd.Process.Pid
}

// sampleWindow samples pid's tree at 10 Hz for window and returns the summary: its CPU
// and its wait as shares of one CPU, and its CPUs' busy share.
func sampleWindow(t *testing.T, pid int, procOnly bool, window time.Duration) Summary {
	t.Helper()
	s := New(pid, true)
	s.runq.procOnly = procOnly
	s.Start(DefaultInterval)
	time.Sleep(window) // the sampling window itself
	samples := s.Stop()
	if len(samples) < 2 {
		t.Fatalf("%d samples", len(samples))
	}
	return Summarize(samples, samples[0].At, samples[len(samples)-1].At)
}

// TestStarvedBurnerWaitsRunnable: a busy loop alone on a CPU hardly waits runnable; the
// same loop sharing its CPU with a second one gets about half of it (CPU share well
// below metrics.BoundCPUShare) and waits runnable the rest, on a CPU busy all the time: Starved.
// Only relations that hold on a shared machine are asserted (another program on the CPU
// only adds to the wait), with up to three tries (the second burner stopped for the
// window alone) since that load comes and goes. Both ways of reading the wait are tried:
// the kernel's sum (taskstats, where permitted) and thread by thread.
func TestStarvedBurnerWaitsRunnable(t *testing.T) {
	skipUnlessSchedstat(t)
	cpus := cpusOf(0)
	if len(cpus) == 0 {
		t.Skip("affinity unknown")
	}
	cpu := cpus[len(cpus)-1]
	for _, procOnly := range []bool{false, true} {
		name := map[bool]string{false: "taskstats", true: "threads"}[procOnly]
		t.Run(name, func(t *testing.T) {
			if ts, err := openTaskstats(); !procOnly && err != nil {
				t.Skip(err)
			} else if ts != nil {
				ts.close()
			}
			a := startBurner(t, cpu)
			var b int
			for try := 1; ; try++ { // another program's load on the CPU may change between windows
				if b > 0 {
					syscall.Kill(b, syscall.SIGSTOP) // alone again
				}
				alone := sampleWindow(t, a, procOnly, time.Second)
				if b == 0 {
					b = startBurner(t, cpu)
				}
				syscall.Kill(b, syscall.SIGCONT)
				shared := sampleWindow(t, a, procOnly, time.Second)
				msg := checkStarved(alone, shared)
				t.Logf("try %d: alone: cpu %.0f%%, runq %.0f%%, CPU %d busy %.0f%%; sharing: cpu %.0f%%, runq %.0f%%, busy %.0f%%%s",
					try, alone.CPUPct, alone.RunqPct, cpu, 100*alone.CPUsBusy, shared.CPUPct, shared.RunqPct, 100*shared.CPUsBusy, msg)
				if msg == "" {
					return
				}
				if try == 3 {
					t.Fatal(msg)
				}
			}
		})
	}
}

// checkStarved says what is wrong with a burner's windows alone and sharing its CPU, "" if
// nothing. A busy loop always runs or waits to: its CPU and its wait add up to the window.
func checkStarved(alone, shared Summary) string {
	switch {
	case !alone.RunqKnown || !shared.RunqKnown || !shared.CPUsBusyKnown:
		return ": the wait or the busy time was not read"
	case shared.RunqPct < 20 || shared.RunqPct <= alone.RunqPct:
		return ": sharing its CPU, the burner did not wait well above 0 and above alone"
	case math.Abs(alone.CPUPct+alone.RunqPct-100) > 20 || math.Abs(shared.CPUPct+shared.RunqPct-100) > 20:
		return ": a busy loop is on its CPU or waiting for it: its CPU and its wait do not add up to the window"
	case shared.CPUPct/100 >= 0.8*metrics.BoundCPUShare:
		return ": sharing its CPU, the burner used not well below metrics.BoundCPUShare of it"
	case !metrics.Starved(shared.CPUPct/100, shared.CPUsBusy, shared.RunqPct/100):
		return ": sharing its CPU, the burner was not judged starved"
	}
	return ""
}

// TestTaskstatsRunqMatchesThreads: the kernel's sum of the wait for a process of 300
// threads, read before and after its threads' schedstat files are summed, brackets that
// sum (the counts only grow, and no thread exits meanwhile).
func TestTaskstatsRunqMatchesThreads(t *testing.T) {
	skipUnlessSchedstat(t)
	ts, err := openTaskstats()
	if err != nil {
		t.Skip(err)
	}
	defer ts.close()
	pid := startThreads(t, 300)
	first, err := ts.runqDelay(pid)
	if err != nil {
		t.Fatal(err)
	}
	q := runqReader{tsOff: true}
	m, err := q.readMember(int32(pid))
	if err != nil {
		t.Fatal(err)
	}
	last, err := ts.runqDelay(pid)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("taskstats %d then %d ns, %d threads summed %d ns", first, last, len(m.threads), m.all())
	if len(m.threads) < 300 || m.all() < first || m.all() > last {
		t.Fatal("the threads' sum is not between the two kernel sums")
	}
	if _, err := ts.runqDelay(1 << 30); err == nil {
		t.Fatal("no error for a process that does not exist")
	}
}

// TestCPUStatOfThisMachine: /proc/stat lists every CPU this process may use, and a
// second reading's busy time is within its elapsed time.
func TestCPUStatOfThisMachine(t *testing.T) {
	skipUnlessProc(t)
	var buf []byte
	a, err := readCPUStat(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cpusOf(0) {
		if c >= len(a.read) || !a.read[c] {
			t.Errorf("CPU %d is not in /proc/stat", c)
		}
	}
	var b cpuStat
	for deadline := time.Now().Add(5 * time.Second); ; { // until a clock tick has passed
		if b, err = readCPUStat(&buf); err != nil {
			t.Fatal(err)
		}
		if _, total := b.since(a, nil); total > 0 || time.Now().After(deadline) {
			break
		}
		runtime.Gosched()
	}
	busy, total := b.since(a, nil)
	if total <= 0 || busy < 0 || busy > total {
		t.Errorf("busy %v s of %v s", busy, total)
	}
}

// BenchmarkRunqRead is the cost of one reading of a process's time waited runnable, and
// that at 10 readings a second: thread by thread (every /proc/PID/task/TID/schedstat)
// against the kernel's sum (taskstats, socket opened per reading as the sampler does),
// at 10 to 9000 threads (the Go runtime of the helper stops at 10,000); and of /proc/stat, read at every tick for the CPUs' busy time.
func BenchmarkRunqRead(b *testing.B) {
	skipUnlessSchedstat(b)
	var buf []byte
	b.Run("proc-stat", func(b *testing.B) {
		cpuPerOp(b, 10, func() {
			for b.Loop() {
				if _, err := readCPUStat(&buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	for _, n := range []int{10, 1000, 4000, 9000} {
		pid := int32(startThreads(b, n))
		b.Run("threads="+strconv.Itoa(n)+"/schedstat-each-thread", func(b *testing.B) {
			q := runqReader{tsOff: true}
			cpuPerOp(b, 10, func() {
				for b.Loop() {
					if m, err := q.readMember(pid); err != nil || len(m.threads) < n {
						b.Fatal(err, len(m.threads))
					}
				}
			})
		})
		b.Run("threads="+strconv.Itoa(n)+"/taskstats", func(b *testing.B) {
			if ts, err := openTaskstats(); err != nil {
				b.Skip(err)
			} else {
				ts.close()
			}
			cpuPerOp(b, 10, func() {
				for b.Loop() {
					ts, err := openTaskstats()
					if err != nil {
						b.Fatal(err)
					}
					if _, err := ts.runqDelay(int(pid)); err != nil {
						b.Fatal(err)
					}
					ts.close()
				}
			})
		})
	}
}
