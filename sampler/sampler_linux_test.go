package sampler

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// With METRICS_TEST_THREADS=N the test binary holds N OS threads until killed: a tree
// like the threaded server's at N connections, for the sampler's benchmarks. The other
// helper modes are in kernel_linux_test.go.
func TestMain(m *testing.M) {
	if os.Getenv("METRICS_TEST_LISTEN") != "" {
		holdConnections()
		return
	}
	if n, err := strconv.Atoi(os.Getenv("METRICS_TEST_THREADS")); err == nil {
		holdThreads(n)
		return
	}
	if d, err := time.ParseDuration(os.Getenv("METRICS_TEST_BURN")); err == nil {
		burnCPU(d)
		return
	}
	os.Exit(m.Run())
}

// burnCPU spins until this process has spent d of CPU time, then returns (and exits).
// With METRICS_TEST_SAY_HALF=1 it prints "half" on stdout once it has spent d/2.
func burnCPU(d time.Duration) {
	var ru syscall.Rusage
	half := os.Getenv("METRICS_TEST_SAY_HALF") == "1"
	for x := uint64(1); ; x = x*6364136223846793005 + 1 {
		if x&0xffff == 0 {
			syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
			spent := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
			if half && spent >= d/2 {
				fmt.Println("half")
				half = false
			}
			if spent >= d {
				return
			}
		}
	}
}

func holdThreads(n int) {
	for range n { // and a descriptor per thread, as a connection's socket
		if _, err := syscall.Dup(0); err != nil {
			fmt.Println(err)
			return
		}
	}
	started := make(chan struct{})
	for range n {
		go func() {
			runtime.LockOSThread()
			started <- struct{}{}
			select {}
		}()
	}
	for range n {
		<-started
	}
	fmt.Println("ready")
	if rounds, err := strconv.Atoi(os.Getenv("METRICS_TEST_PINGPONG")); err == nil {
		pingPongOnRequest(rounds)
	}
	time.Sleep(time.Hour) // until killed (a timer, so the runtime sees no deadlock)
}

func skipUnlessProc(t testing.TB) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
}

func TestParseStat(t *testing.T) {
	// A command name with spaces and parentheses, as a process may name itself.
	line := "4242 (we(ird) ) name) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 125 0 0 20 0 7 0 98765 12345678 3000 18446744073709551615\n"
	ppid, state, err := parseStat([]byte(line))
	if err != nil || ppid != 17 || state != 'S' {
		t.Fatalf("parseStat = %d, %q, %v; want 17, 'S'", ppid, state, err)
	}
	for _, bad := range []string{"", "12 (x", "12 (x) S", "12 (x) S x 1", "12 (x) SS 1 1"} {
		if _, _, err := parseStat([]byte(bad)); err == nil {
			t.Errorf("parseStat(%q): no error", bad)
		}
	}
}

// startTree starts sh with two sleeping children: a tree of three processes, all there
// when it returns (the shell forks both before it says so).
func startTree(t testing.TB) *exec.Cmd {
	t.Helper()
	return startShell(t, "sleep 60 & sleep 60 & echo ready; wait")
}

// startShell runs script (which prints "ready" once its tree is up) in a process group
// of its own, killed with the test, and waits for its "ready".
func startShell(t testing.TB, script string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sh", "-c", script)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); cmd.Wait() })
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != "ready\n" {
		t.Fatalf("shell said %q", line)
	}
	return cmd
}

func TestSamplerSumsTheProcessTree(t *testing.T) {
	skipUnlessProc(t)
	cmd := startTree(t)
	s := New(cmd.Process.Pid, true)
	if err := s.Tick(); err != nil {
		t.Fatal(err)
	}
	smp := s.Samples()[0]
	if smp.Procs != 3 || smp.Threads < 3 || smp.RSSKB <= 0 || smp.FDs < 3 {
		t.Fatalf("tree sample %+v: want 3 processes, ≥ 3 threads, RSS > 0, ≥ 3 fds", smp)
	}
	if tree, err := ProcessTree(cmd.Process.Pid); err != nil || len(tree) != 3 || tree[0] != cmd.Process.Pid {
		t.Fatalf("ProcessTree = %v, %v: want the shell then its 2 children", tree, err)
	}
	single := New(cmd.Process.Pid, false)
	single.Tick()
	if got := single.Samples()[0]; got.Procs != 1 || got.RSSKB >= smp.RSSKB {
		t.Fatalf("root-only sample %+v: want 1 process and less RSS than the tree's %d KB", got, smp.RSSKB)
	}

	tree := New(cmd.Process.Pid, true)
	tree.Tick()
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	cmd.Wait()
	if err := tree.Tick(); !errors.Is(err, ErrProcessGone) || !tree.Gone() {
		t.Fatalf("after the root exited: Tick = %v, Gone = %v; want ErrProcessGone", err, tree.Gone())
	}
	if n := len(tree.Samples()); n != 1 {
		t.Fatalf("%d samples, want only the one taken before the exit", n)
	}
}

// TestSamplerCountsShortLivedChildren: a child forked after sampling began that burns
// 200 ms of CPU and is reaped between two readings (no scan of the tree ever sees it) is
// counted through its parent's reaped-children time; a child seen while it burns and
// reaped later is counted once, not twice.
func TestSamplerCountsShortLivedChildren(t *testing.T) {
	skipUnlessProc(t)
	const burn = 200 * time.Millisecond
	cmd := exec.Command("sh", "-c", `read a; "$0"; echo burned; read b; METRICS_TEST_SAY_HALF=1 "$0" & read c; wait; echo reaped; read d`, os.Args[0])
	cmd.Env = append(os.Environ(), "METRICS_TEST_BURN="+burn.String())
	stdin, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := bufio.NewReader(out)
	step := func(want string) { // let the shell go on, and wait for it to say it did
		t.Helper()
		io.WriteString(stdin, "go\n")
		if line, err := lines.ReadString('\n'); strings.TrimSpace(line) != want {
			t.Fatalf("said %q (%v), want %q", line, err, want)
		}
	}
	cpu := func(smps []Sample) (sum float64) {
		for _, smp := range smps {
			sum += smp.CPUDelta
		}
		return sum
	}
	s := New(cmd.Process.Pid, true)
	if err := s.Tick(); err != nil { // the baseline: the shell alone
		t.Fatal(err)
	}
	step("burned") // the child ran and was reaped between two readings
	s.Tick()
	if got := cpu(s.Samples()); got < 0.9*burn.Seconds() || got > 1.3*burn.Seconds() {
		t.Errorf("a child reaped between readings: %.3f s of CPU counted, want about %v", got, burn)
	}
	before := cpu(s.Samples())
	step("half") // the child, in the background, has burned half
	s.mu.Lock()
	s.refresh() // a scan of the tree sees it: its first reading counts that half
	s.mu.Unlock()
	s.Tick()
	if n := s.Samples()[len(s.Samples())-1].Procs; n != 2 {
		t.Fatalf("the scan saw %d processes, want the shell and its child", n)
	}
	step("reaped") // the rest, then the shell waits for it
	s.Tick()
	if got := cpu(s.Samples()) - before; got < 0.9*burn.Seconds() || got > 1.3*burn.Seconds() {
		t.Errorf("a child seen while burning, then reaped: %.3f s of CPU counted, want about %v once", got, burn)
	}
}

// TestParseStatTimes: the fields from the last ')' on, whatever the command name holds.
func TestParseStatTimes(t *testing.T) {
	line := "42 (a) b (c) S 7 42 42 0 -1 4194560 100 0 0 0 150 50 30 20 20 0 1 0 98765 1000 100 18446744073709551615\n"
	st, err := parseStatTimes([]byte(line))
	if err != nil || st.ppid != 7 || st.cpu != 2.0 || st.child != 0.5 || st.start != 98765 {
		t.Errorf("parseStatTimes = %+v, %v; want ppid 7, cpu 2 s, children 0.5 s, start 98765", st, err)
	}
	if _, err := parseStatTimes([]byte("42 (a) S 7 42")); err == nil {
		t.Error("a short stat parsed")
	}
	b := []byte(line)
	if n := testing.AllocsPerRun(100, func() { parseStatTimes(b) }); n != 0 {
		t.Errorf("%v allocations per parse, want 0", n)
	}
}

// TestSamplerSkipsAFailedRead: a read that fails for another reason than the root's exit
// (here this process is out of descriptors, so /proc cannot be opened) appends no sample,
// not one of zeros, and sampling resumes once reads work again.
func TestSamplerSkipsAFailedRead(t *testing.T) {
	skipUnlessProc(t)
	s := New(0, false)
	if err := s.Tick(); err != nil { // the first tick finds the members; the next reads only
		t.Fatal(err)
	}
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	low := lim
	low.Cur = 0 // every open fails with EMFILE until restored
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Skipf("cannot lower RLIMIT_NOFILE: %v", err)
	}
	err := s.Tick()
	if rerr := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); rerr != nil {
		t.Fatal(rerr)
	}
	if err == nil || errors.Is(err, ErrProcessGone) || s.Gone() {
		t.Fatalf("Tick without descriptors = %v, Gone = %v; want a read error, not gone", err, s.Gone())
	}
	if got := s.Samples(); len(got) != 1 {
		t.Fatalf("%d samples after a failed read, want only the first: %+v", len(got), got)
	}
	if err := s.Tick(); err != nil {
		t.Fatal(err)
	}
	if got := s.Samples(); len(got) != 2 || got[1].RSSKB <= 0 || got[1].Threads <= 0 {
		t.Fatalf("after the limit was restored: %+v, want a second real sample", got)
	}
}

func TestSamplerFollowsThisProcess(t *testing.T) {
	skipUnlessProc(t)
	s := New(0, false)
	s.Tick()

	dir := t.TempDir()
	const nfiles = 40
	for i := range nfiles {
		f, err := os.Create(filepath.Join(dir, strings.Repeat("f", i+1)))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
	}
	const threads = 20
	release := make(chan struct{})
	defer close(release)
	started := make(chan struct{})
	for range threads {
		go func() {
			runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
			started <- struct{}{}
			<-release
		}()
	}
	for range threads {
		<-started
	}
	// Fresh pages outside Go's heap, which may reuse memory an earlier test freed.
	ballast, err := syscall.Mmap(-1, 0, 64<<20, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(ballast)
	for i := 0; i < len(ballast); i += os.Getpagesize() {
		ballast[i] = 1 // touch every page so it is resident
	}
	s.Tick()

	got := s.Samples()
	before, after := got[0], got[1]
	if d := after.FDs - before.FDs; d < nfiles {
		t.Errorf("fds %d → %d: want +%d or more", before.FDs, after.FDs, nfiles)
	}
	if after.Threads < threads+1 { // each locked goroutine owns a thread; the test runs on another
		t.Errorf("threads %d → %d with %d locked goroutines", before.Threads, after.Threads, threads)
	}
	if d := after.RSSKB - before.RSSKB; d < 60<<10 {
		t.Errorf("RSS %d → %d KB after touching 64 MiB", before.RSSKB, after.RSSKB)
	}
}

// TestSamplerCPUMatchesRusage burns CPU between two samples: the sampler's CPU delta must
// agree with what getrusage says this process used, within /proc's 10 ms resolution.
func TestSamplerCPUMatchesRusage(t *testing.T) {
	skipUnlessProc(t)
	s := New(0, false)
	r0 := rusageSeconds(t)
	s.Tick()
	for rusageSeconds(t)-r0 < 0.3 {
		for i := 0; i < 1e5; i++ {
			_ = i * i
		}
	}
	s.Tick()
	r1 := rusageSeconds(t)
	got := s.Samples()[1]
	if got.CPUDelta < 0.3-0.03 || got.CPUDelta > r1-r0+0.03 {
		t.Fatalf("sampler CPU delta %.3f s, getrusage %.3f s", got.CPUDelta, r1-r0)
	}
	if got.CPUPct <= 0 {
		t.Fatalf("CPUPct = %v after burning CPU", got.CPUPct)
	}
}

func rusageSeconds(t *testing.T) float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// TestSwitchesCountEveryThread parks a locked thread 50 times: its voluntary switches
// must show in the tree's total, which /proc/PID/status (main thread only) would miss.
func TestSwitchesCountEveryThread(t *testing.T) {
	skipUnlessProc(t)
	s := New(0, false)
	before, err := s.Switches()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		for range 50 {
			time.Sleep(time.Millisecond)
		}
		close(done)
	}()
	<-done
	d, err := s.SwitchesSince(before)
	if err != nil {
		t.Fatal(err)
	}
	if d.Voluntary < 50 || !d.Known {
		t.Fatalf("voluntary switches +%d after 50 sleeps on one thread", d.Voluntary)
	}
	if got := (Switches{5, 9, true}).Sub(Switches{7, 4, true}); got != (Switches{0, 5, true}) {
		t.Fatalf("Sub = %+v, want negative deltas clamped to 0", got)
	}
}

// TestThreadReaderStaysInItsProcess: a thread is read under /proc/PID/task, so a TID of
// another process is not read as one of pid's (a TID reused meanwhile elsewhere).
func TestThreadReaderStaysInItsProcess(t *testing.T) {
	skipUnlessProc(t)
	other := startTree(t).Process.Pid
	var buf []byte
	if _, ok := readThreadSwitches(other, other, &buf); !ok {
		t.Fatalf("thread %d of process %d not read", other, other)
	}
	if sw, ok := readThreadSwitches(os.Getpid(), other, &buf); ok {
		t.Fatalf("thread %d read as this process's: %+v", other, sw)
	}
}

func TestSamplerStartStop(t *testing.T) {
	skipUnlessProc(t)
	s := New(0, true)
	s.Start(time.Millisecond)
	deadline := time.Now().Add(10 * time.Second)
	for len(s.Samples()) < 5 && time.Now().Before(deadline) {
		runtime.Gosched()
	}
	got := s.Stop()
	if len(got) < 5 {
		t.Fatalf("%d samples at 1 ms", len(got))
	}
	for i := 1; i < len(got); i++ {
		if !got[i].At.After(got[i-1].At) || got[i].Procs < 1 {
			t.Fatalf("sample %d: %+v after %+v", i, got[i], got[i-1])
		}
	}
	if n := len(s.Stop()); n != len(got) {
		t.Fatalf("sampling went on after Stop: %d samples, then %d", len(got), n)
	}
}

func TestSummarize(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	samples := []Sample{
		{At: at(0), RSSKB: 999999, Threads: 99, FDs: 99}, // before the window
		{At: at(100), RSSKB: 100, Threads: 5, FDs: 10, CPUDelta: 0.05},
		{At: at(200), RSSKB: 300, Threads: 9, FDs: 8, CPUDelta: 0.10},
		{At: at(300), RSSKB: 200, Threads: 7, FDs: 12, CPUDelta: 0.15},
		{At: at(400), RSSKB: 888888, Threads: 88, FDs: 88, CPUDelta: 9}, // after it
	}
	got := Summarize(samples, at(100), at(300))
	want := Summary{Samples: 3, RSSPeakKB: 300, RSSMeanKB: 200, ThreadsPeak: 9, FDsPeak: 12}
	cpu := got.CPUPct
	got.CPUPct = 0
	if got != want {
		t.Fatalf("Summarize = %+v, want %+v", got, want)
	}
	if cpu < 99.99 || cpu > 100.01 { // 0.3 s of CPU over the 0.3 s from the sample before
		t.Fatalf("CPUPct = %v, want 100", cpu)
	}
	if empty := Summarize(samples, at(500), at(600)); empty != (Summary{}) {
		t.Fatalf("no sample in range: %+v", empty)
	}
}

// startThreads starts the test binary holding n threads and returns its PID once they
// all exist.
func startThreads(b testing.TB, n int) int {
	pid, _, _, first := startHelper(b, "METRICS_TEST_THREADS="+strconv.Itoa(n))
	if first != "ready" {
		b.Fatalf("thread holder said %q", first)
	}
	return pid
}
