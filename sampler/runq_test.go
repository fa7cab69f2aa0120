package sampler

import (
	"math"
	"testing"
	"time"
)

func TestSchedstatWait(t *testing.T) {
	for in, want := range map[string]int64{"5114342 1894204 4\n": 1894204, "1 2 3": 2, " 7 0 0\n": 0} {
		if got, ok := schedstatWait([]byte(in)); !ok || got != want {
			t.Errorf("schedstatWait(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "12\n", "1 x 3"} {
		if _, ok := schedstatWait([]byte(bad)); ok {
			t.Errorf("schedstatWait(%q): no error", bad)
		}
	}
}

// TestCPUStat: per-CPU lines only; busy is total less idle and iowait; guest time is not
// counted twice; a CPU missing from either reading, or not asked for, is left out; a
// counter that went back counts nothing.
func TestCPUStat(t *testing.T) {
	//             user nice sys idle iowait irq softirq steal guest guest_nice
	before := "cpu  300 0 100 800 0 0 0 0 0 0\n" +
		"cpu0 100 0 50 400 10 0 0 0 50 0\n" +
		"cpu1 200 0 50 400 0 0 0 0 0 0\n" +
		"cpu3 10 0 0 10 0 0 0 0 0 0\n" +
		"intr 12345 1 2 3\nctxt 999\n"
	after := "cpu  0 0 0 0 0 0 0 0 0 0\n" +
		"cpu0 150 0 60 430 20 5 5 10 90 0\n" + // +50 +10 +30 idle +10 iowait +5 +5 +10 steal
		"cpu1 300 0 50 400 0 0 0 0 0 0\n" + // +100 busy
		"cpu2 1 1 1 1 1 1 1 1 0 0\n"
	a, err := parseCPUStat([]byte(before))
	if err != nil {
		t.Fatal(err)
	}
	b, err := parseCPUStat([]byte(after))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		cpus        []int
		busy, total float64
	}{
		{[]int{0}, 0.80, 1.20},
		{[]int{1}, 1.00, 1.00},
		{[]int{0, 1, 2, 3}, 1.80, 2.20}, // 2 and 3 are in one reading only
		{nil, 1.80, 2.20},
	} {
		busy, total := b.since(a, c.cpus)
		if math.Abs(busy-c.busy) > 1e-9 || math.Abs(total-c.total) > 1e-9 {
			t.Errorf("CPUs %v: busy %v of %v s, want %v of %v", c.cpus, busy, total, c.busy, c.total)
		}
	}
	if busy, total := a.since(b, []int{0, 1}); busy != 0 || total != 0 {
		t.Errorf("counters that went back: busy %v of %v s, want 0", busy, total)
	}
	for _, bad := range []string{"", "cpu 1 2 3 4 5 6 7 8\n", "cpu0 1 2 3\n", "cpu0 1 2 3 4 5 6 7 x\n"} {
		if _, err := parseCPUStat([]byte(bad)); err == nil {
			t.Errorf("parseCPUStat(%q): no error", bad)
		}
	}
}

// TestRunqMarkSince: a thread's wait since its previous reading, a thread born since whole,
// a thread gone nothing; the kernel's sum never counts a fall back twice.
func TestRunqMarkSince(t *testing.T) {
	prev := runqMark{threads: map[int]int64{1: 100, 2: 50, 3: 70}}
	now := runqMark{threads: map[int]int64{1: 160, 3: 60, 4: 25}} // 2 exited; 3 read lower
	if d := now.since(prev); d != 60+0+25 {
		t.Errorf("thread by thread: %d ns, want 85", d)
	}
	if now.threads[3] != 70 {
		t.Errorf("thread 3's high-water mark %d, want 70", now.threads[3])
	}
	if d := now.all(); d != 160+70+25 {
		t.Errorf("all: %d, want 255", d)
	}
	sum := []int64{1000, 1500, 1400, 1450, 1600} // an exited thread counted twice, briefly
	want := []int64{500, 0, 0, 100}
	mark := runqMark{byTGID: true, total: sum[0]}
	var counted int64
	for i, v := range sum[1:] {
		now := runqMark{byTGID: true, total: v}
		d := now.since(mark)
		if d != want[i] {
			t.Errorf("kernel's sum %d after %d: %d ns, want %d", v, mark.total, d, want[i])
		}
		counted += d
		mark = now
	}
	if counted != sum[len(sum)-1]-sum[0] {
		t.Errorf("counted %d ns in all, want %d", counted, sum[len(sum)-1]-sum[0])
	}
}

// TestSummarizeRunq: the wait read in the window over the time its readings cover, from
// the reading before the window's first (here one before the window, readings every
// other tick); the busy share over the CPUs' elapsed time in the window; nothing read,
// nothing known.
func TestSummarizeRunq(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * 100 * time.Millisecond) }
	var samples []Sample
	for i := range 11 {
		s := Sample{At: at(i), CPUsBusy: 0.1, CPUsTime: 0.1}
		if i%2 == 0 { // read every other tick: each reading covers 200 ms
			s.RunqRead, s.RunqDelta = true, 0.1
		}
		if i == 0 {
			s.RunqDelta, s.CPUsBusy, s.CPUsTime = 0, 0, 0 // the baseline
		}
		if i >= 6 {
			s.CPUsBusy = 0.05
		}
		samples = append(samples, s)
	}
	q := summarizeRunq(samples, at(3), at(9)) // readings 4, 6, 8 in the window: from 2 to 8
	if !q.runqKnown || math.Abs(q.runqPct-50) > 1e-9 {
		t.Errorf("runq %v%% (known %v), want 50%%", q.runqPct, q.runqKnown)
	}
	if !q.busyKnown || math.Abs(q.busy-(3*0.1+4*0.05)/0.7) > 1e-9 {
		t.Errorf("busy %v (known %v), want %v", q.busy, q.busyKnown, (3*0.1+4*0.05)/0.7)
	}
	q = summarizeRunq(samples, at(0), at(10)) // from the baseline
	if !q.runqKnown || math.Abs(q.runqPct-50) > 1e-9 {
		t.Errorf("whole: runq %v%%, want 50%%", q.runqPct)
	}
	if q = summarizeRunq(samples, at(5), at(5)); q.runqKnown || !q.busyKnown {
		t.Errorf("a window without a reading of the wait: %+v, want it unknown and the busy share known", q)
	}
	if q = summarizeRunq([]Sample{{At: t0}}, t0, t0); q.runqKnown || q.busyKnown {
		t.Errorf("one sample: %+v, want nothing known", q)
	}
}
