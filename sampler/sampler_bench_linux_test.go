package sampler

import (
	"fmt"
	"net"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/shirou/gopsutil/v4/process"
)

// cpuPerOp reports the CPU time (user+system, every thread of this process) that b's loop
// used per iteration, and that cost at perSecond iterations a second as a percentage of
// one core. Wall time (ns/op) also counts waiting for a busy CPU; this does not.
func cpuPerOp(b *testing.B, perSecond float64, loop func()) {
	b.Helper()
	before := rusageCPU(b)
	loop()
	perOp := (rusageCPU(b) - before) / float64(b.N)
	b.ReportMetric(perOp*1e6, "cpu-µs/op")
	if perSecond > 0 {
		b.ReportMetric(perOp*perSecond*100, fmt.Sprintf("core%%@%gHz", perSecond))
	}
}

func rusageCPU(b *testing.B) float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// BenchmarkSamplerTick is the sampler's CPU per tick, with the 1 Hz tree scan and the
// throttled PSS and socket readings amortised, and that at 10 ticks a second (the issue's
// budget: under 2% of one core): a process of threads OS threads and as many descriptors
// (the threaded server at that many connections), a shell with two children (nginx's
// master and two workers), and a process holding 10,000 loopback connections.
func BenchmarkSamplerTick(b *testing.B) {
	skipUnlessProc(b)
	for _, tc := range []struct {
		name string
		pid  func(b *testing.B) int
	}{
		{"threads=10", func(b *testing.B) int { return startThreads(b, 10) }},
		{"threads=4000", func(b *testing.B) int { return startThreads(b, 4000) }},
		{"procs=3", func(b *testing.B) int { return startTree(b).Process.Pid }},
		{"sockets=10000", func(b *testing.B) int { return startConnections(b, 10000) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			s := New(tc.pid(b), true)
			cpuPerOp(b, 10, func() {
				for b.Loop() {
					if err := s.Tick(); err != nil {
						b.Fatal(err)
					}
					s.samples = s.samples[:0]
				}
			})
		})
	}
}

// startConnections starts a process holding n loopback connections, this process holding
// their other ends, and returns its PID once it has accepted them all.
func startConnections(b *testing.B, n int) int {
	pid, _, _, addr := startHelper(b, "METRICS_TEST_LISTEN=1")
	for range n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { c.Close() })
	}
	p, err := process.NewProcess(int32(pid))
	if err != nil {
		b.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); ; {
		if fds, err := countFDs(p); err == nil && fds >= n {
			return pid
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d connections not accepted within a minute", n)
		}
		runtime.Gosched()
	}
}

// BenchmarkExtraReadings is the cost of one reading of PSS and of the socket buffers,
// which the sampler makes at the rate extraBudget allows (see kernel.go).
func BenchmarkExtraReadings(b *testing.B) {
	skipUnlessProc(b)
	threads := startThreads(b, 4000)
	conns := startConnections(b, 10000)
	idle, _, _, _ := startHelper(b, "METRICS_TEST_LISTEN=1")
	var buf []byte
	var steady, alone socketReader
	for _, c := range []struct {
		name string
		f    func() error
	}{
		{"pss/threads=4000", func() error { _, err := readPSS(int32(threads), &buf); return err }},
		{"sockets/conns=10000/first", func() error { // finding the listeners: every descriptor read
			_, _, err := (&socketReader{}).read([]int32{int32(conns)})
			return err
		}},
		{"sockets/conns=10000/next", func() error { _, _, err := steady.read([]int32{int32(conns)}); return err }},
		{"sockets/conns=0/next", func() error { _, _, err := alone.read([]int32{int32(idle)}); return err }},
	} {
		b.Run(c.name, func(b *testing.B) {
			cpuPerOp(b, 0, func() {
				for b.Loop() {
					if err := c.f(); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// BenchmarkSwitches is the cost of a step's two context-switch readings of a 4000-thread
// process: through taskstats where permitted, else unknown (over switchReadMax threads).
func BenchmarkSwitches(b *testing.B) {
	skipUnlessProc(b)
	s := New(startThreads(b, 4000), true)
	s.Tick()
	cpuPerOp(b, 0, func() {
		for b.Loop() {
			r, err := s.Switches()
			if err != nil {
				b.Fatal(err)
			}
			if _, err := s.SwitchesSince(r); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkHandVsGopsutil measures what stays hand-written against the gopsutil call it
// would be, on a process of 4000 threads and 4000 descriptors (see procfs.go).
func BenchmarkHandVsGopsutil(b *testing.B) {
	skipUnlessProc(b)
	pid := startThreads(b, 4000)
	var buf []byte
	p, err := process.NewProcess(int32(pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		hz   float64 // how often the sampler needs it
		f    func() error
	}{
		{"fds/stat-size", 10, func() error { _, err := countFDs(p); return err }},
		{"fds/gopsutil-NumFDs", 10, func() error { _, err := p.NumFDs(); return err }},
		{"tree/one-scan", 1, func() error { _, err := descendants(pid); return err }},
		{"tree/gopsutil-Children", 1, func() error { _, err := p.Children(); return err }},
		{"status/by-hand", 10, func() error { _, err := readStatus(int32(pid), &buf); return err }},
		{"status/gopsutil-NumThreads", 10, func() error { _, err := p.NumThreads(); return err }},
		{"tids/readdir", 0, func() error { _, err := taskIDs(pid); return err }},
		{"tids/gopsutil-Threads", 0, func() error { _, err := p.Threads(); return err }},
		{"ctxsw/gopsutil-NumCtxSwitches-one-thread", 0, func() error { _, err := p.NumCtxSwitches(); return err }},
	} {
		b.Run(c.name, func(b *testing.B) {
			cpuPerOp(b, c.hz, func() {
				for b.Loop() {
					if err := c.f(); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
