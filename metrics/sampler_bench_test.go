package metrics

import (
	"fmt"
	"syscall"
	"testing"

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

// BenchmarkSamplerTick is the sampler's CPU per tick, with the 1 Hz tree scan amortised,
// and that at 10 ticks a second (the budget: under 2% of one core): a process of
// threads OS threads and as many descriptors (the threaded server at that many
// connections), and a shell with two children (nginx's master and two workers).
func BenchmarkSamplerTick(b *testing.B) {
	skipUnlessProc(b)
	for _, tc := range []struct {
		name string
		pid  func(b *testing.B) int
	}{
		{"threads=10", func(b *testing.B) int { return startThreads(b, 10) }},
		{"threads=4000", func(b *testing.B) int { return startThreads(b, 4000) }},
		{"procs=3", func(b *testing.B) int { return startTree(b).Process.Pid }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			s := NewSampler(tc.pid(b), true)
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

// BenchmarkSwitches is the cost of a step's two context-switch readings of a 4000-thread
// process: through taskstats where permitted, else unknown (over switchReadMax threads).
func BenchmarkSwitches(b *testing.B) {
	skipUnlessProc(b)
	s := NewSampler(startThreads(b, 4000), true)
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
