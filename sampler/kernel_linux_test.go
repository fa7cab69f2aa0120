package sampler

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// holdConnections (METRICS_TEST_LISTEN=1) listens on loopback, prints its address and
// holds every connection it accepts without reading from it, until killed.
func holdConnections() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ln.Addr())
	var held []net.Conn
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		held = append(held, c)
	}
}

// pingPongOnRequest (METRICS_TEST_PINGPONG=rounds, beside METRICS_TEST_THREADS) answers
// each line on stdin by having two OS threads hand a token to each other rounds times,
// each blocking once a round, then says "done".
func pingPongOnRequest(rounds int) {
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		ping, pong := make(chan struct{}), make(chan struct{})
		go func() {
			runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
			for range rounds {
				<-ping
				pong <- struct{}{}
			}
		}()
		runtime.LockOSThread()
		for range rounds {
			ping <- struct{}{}
			<-pong
		}
		runtime.UnlockOSThread()
		fmt.Println("done")
	}
}

// startHelper starts the test binary in a helper mode and returns it with its stdin and
// stdout, once it has printed its first line (returned too).
func startHelper(t testing.TB, env ...string) (pid int, in io.Writer, out *bufio.Reader, first string) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), env...)
	w, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	r, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	out = bufio.NewReader(r)
	first, err = out.ReadString('\n')
	if err != nil {
		t.Fatalf("helper %v said %q: %v", env, first, err)
	}
	return cmd.Process.Pid, w, out, strings.TrimSpace(first)
}

func meminfoKB(t *testing.T, key string) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(b, []byte("\n"+key))
	if i < 0 {
		t.Skipf("no %s in /proc/meminfo", key)
	}
	line, _, _ := bytes.Cut(b[i+1+len(key):], []byte("\n"))
	kb, err := kbField(line)
	if err != nil {
		t.Fatal(err)
	}
	return kb
}

func tickOnce(t *testing.T, s *Sampler) Sample {
	t.Helper()
	if err := s.Tick(); err != nil {
		t.Fatal(err)
	}
	got := s.Samples()
	return got[len(got)-1]
}

// TestKernelStacksFollowThreads starts a process of 2000 threads: its KStacksKB is its
// threads × the architecture's stack size, and the machine's KernelStack (/proc/meminfo)
// grows by about as much, which checks the constant against the running kernel. Other
// programs start and end threads meanwhile (go test runs other packages' tests, which
// start thousands, beside this one), so up to twenty tries are made: one in a quiet
// moment is enough, and a wrong constant fails every one.
func TestKernelStacksFollowThreads(t *testing.T) {
	skipUnlessProc(t)
	if kernelStackKB == 0 {
		t.Skipf("kernel stack size unknown on %s", runtime.GOARCH)
	}
	for try := 1; ; try++ {
		before := meminfoKB(t, "KernelStack:")
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), "METRICS_TEST_THREADS=2000")
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if line, _ := bufio.NewReader(out).ReadString('\n'); line != "ready\n" {
			t.Fatalf("thread holder said %q", line)
		}
		after := meminfoKB(t, "KernelStack:")
		smp := tickOnce(t, New(cmd.Process.Pid, false))
		cmd.Process.Kill()
		cmd.Wait()
		if smp.Threads < 2000 || smp.KStacksKB != int64(smp.Threads)*kernelStackKB {
			t.Fatalf("%d threads, KStacksKB %d: want threads × %d", smp.Threads, smp.KStacksKB, kernelStackKB)
		}
		grew := after - before
		t.Logf("KernelStack +%d KB; sampler: %d threads, %d KB", grew, smp.Threads, smp.KStacksKB)
		if grew >= smp.KStacksKB*3/4 && grew <= smp.KStacksKB*5/4 {
			return
		}
		if try == 20 {
			t.Fatalf("KernelStack grew %d KB while the sampler counts %d KB for the process", grew, smp.KStacksKB)
		}
	}
}

// TestPageTablesFollowMappings touches 64 MiB of fresh small pages in this process: its
// page tables grow by 8 bytes a page, 128 KiB.
func TestPageTablesFollowMappings(t *testing.T) {
	skipUnlessProc(t)
	s := New(0, false)
	before := tickOnce(t, s)
	const size = 64 << 20
	m, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(m)
	if err := syscall.Madvise(m, syscall.MADV_NOHUGEPAGE); err != nil { // a huge page needs no PTEs
		t.Fatal(err)
	}
	for i := 0; i < size; i += os.Getpagesize() {
		m[i] = 1
	}
	after := tickOnce(t, s)
	want := int64(size / os.Getpagesize() * 8 / 1024)
	t.Logf("page tables %d → %d KB", before.PageTablesKB, after.PageTablesKB)
	if d := after.PageTablesKB - before.PageTablesKB; d < want*9/10 {
		t.Fatalf("page tables %d → %d KB after touching 64 MiB: want +%d KB", before.PageTablesKB, after.PageTablesKB, want)
	}
}

// TestPSSDividesSharedPages: a shell holds 16 MiB in a variable and forks a subshell,
// which shares those pages. RSS counts them in both processes; the PSS sum once.
func TestPSSDividesSharedPages(t *testing.T) {
	skipUnlessProc(t)
	cmd := startShell(t, `x=$(head -c 16777216 /dev/zero | tr '\0' a); (while :; do sleep 60; done) & echo ready; wait`)
	smp := tickOnce(t, New(cmd.Process.Pid, true))
	if !smp.PSSRead || smp.Procs < 2 || smp.RSSKB < 32<<10 {
		t.Fatalf("%+v: want PSS read, ≥ 2 processes and ≥ 32 MiB of RSS", smp)
	}
	t.Logf("%d processes: RSS %d KB, PSS %d KB", smp.Procs, smp.RSSKB, smp.PSSKB)
	if smp.PSSKB <= 0 || smp.PSSKB > smp.RSSKB-12<<10 {
		t.Fatalf("PSS %d KB, RSS %d KB: the 16 MiB both shells map should count once", smp.PSSKB, smp.RSSKB)
	}
}

// inodeBytes is the reference for a process's socket buffers: its own sockets, matched by
// inode (every descriptor read), whatever their ports.
func inodeBytes(t *testing.T, pid int) int64 {
	set := map[uint32]struct{}{}
	if err := socketInodes(int32(pid), set); err != nil {
		t.Fatal(err)
	}
	var total int64
	err := diagDump(bothFamilies, ^uint32(0), nil, func(msg []byte) {
		if _, ok := set[binary.NativeEndian.Uint32(msg[inetDiagMsgInodeOff:])]; ok {
			total += queuedBytes(msg[sizeofInetDiagMsg:])
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return total
}

// TestSocketBuffersOfTheTree: a child accepts connections and never reads. 32 KiB sent on
// each of 16 sits in its receive queues, and a 4 MiB write on one more fills that one and
// then this process's send queue. The child's SocketKB is what its own sockets hold (the
// reference matches them by inode), not the sending side's.
func TestSocketBuffersOfTheTree(t *testing.T) {
	skipUnlessProc(t)
	pid, _, _, addr := startHelper(t, "METRICS_TEST_LISTEN=1")
	s := New(pid, false)
	if smp := tickOnce(t, s); !smp.SocketRead || smp.SocketKB > 64 {
		t.Fatalf("listener alone: %+v", smp)
	}
	const conns, size = 16, 32 << 10
	for i := range conns + 1 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if i == conns {
			go c.Write(make([]byte, 4<<20)) // blocks until the deferred Close
		} else if _, err := c.Write(make([]byte, size)); err != nil {
			t.Fatal(err)
		}
	}
	want := int64(conns * size / 1024)
	var smp Sample
	var mine, last int64
	// Until all are accepted and the full socket's queue has stopped growing (two readings
	// alike), so that the reference read after it sees the same bytes.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		s.extra.sock = throttle{} // read at every tick, whatever the last reading cost
		smp, mine = tickOnce(t, s), inodeBytes(t, os.Getpid())
		if smp.SocketRead && smp.SocketKB >= want && mine >= 256<<10 && smp.SocketKB == last {
			break
		}
		last = smp.SocketKB
		runtime.Gosched()
	}
	ref := inodeBytes(t, pid) / 1024
	t.Logf("child's sockets %d KB (by inode %d KB) for %d KB unread and a full one; this side's %d KB",
		smp.SocketKB, ref, want, mine/1024)
	if smp.SocketKB < want || mine < 256<<10 {
		t.Fatalf("child's sockets hold %d KB, this side's %d KB: want ≥ %d KB and ≥ 256 KB", smp.SocketKB, mine/1024, want)
	}
	if d := smp.SocketKB - ref; d < -ref/10 || d > ref/10 {
		t.Fatalf("child's sockets %d KB, %d KB by inode", smp.SocketKB, ref)
	}
}

// TestSwitchesCountTheThreadsThatRan: in a process of 3000 idle threads, two threads
// block on each other 1000 times each. Through taskstats the figure counts them; from
// /proc, beyond switchReadMax threads, it is unknown, not 0; below it, it counts them.
func TestSwitchesCountTheThreadsThatRan(t *testing.T) {
	skipUnlessProc(t)
	const rounds = 1000
	for _, tc := range []struct {
		name      string
		threads   int
		procOnly  bool
		wantKnown bool
	}{
		{"taskstats", 3000, false, true},
		{"proc/too-many-threads", 3000, true, false},
		{"proc/every-thread", 100, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.procOnly {
				if _, err := openTaskstats(); err != nil {
					t.Skip(err)
				}
			}
			pid, in, out, _ := startHelper(t, "METRICS_TEST_THREADS="+strconv.Itoa(tc.threads),
				"METRICS_TEST_PINGPONG="+strconv.Itoa(rounds))
			s := New(pid, false)
			s.procSwitches = tc.procOnly
			before, err := s.Switches()
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(in, "go")
			if line, err := out.ReadString('\n'); line != "done\n" {
				t.Fatalf("helper said %q, %v", line, err)
			}
			d, err := s.SwitchesSince(before)
			if err != nil {
				t.Fatal(err)
			}
			if d.Known != tc.wantKnown {
				t.Fatalf("%+v: want Known %v", d, tc.wantKnown)
			}
			t.Logf("%+v", d)
			// Each thread blocks once a round, 2000, and wakes the runtime's spinning threads:
			// ~5000 seen. The 3000 idle threads add nothing.
			if d.Known && (d.Voluntary < rounds || d.Voluntary > 20*rounds) {
				t.Fatalf("%d voluntary switches for %d rounds between two threads", d.Voluntary, rounds)
			}
		})
	}
}

// TestTaskstatsMatchesThreads: the kernel's sum for a process of 300 threads, read after
// its threads' /proc counts are summed, holds that sum: every live thread is counted, not
// one. It may hold more: a thread that exited before (a runtime's helper) keeps its
// switches in the process's sum and has no /proc entry to be summed from, so the sum read
// before is not a lower bound (it once read 1453 against the live threads' 1417).
func TestTaskstatsMatchesThreads(t *testing.T) {
	skipUnlessProc(t)
	ts, err := openTaskstats()
	if err != nil {
		t.Skip(err)
	}
	defer ts.close()
	pid := startThreads(t, 300)
	tids, err := taskIDs(pid)
	if err != nil {
		t.Fatal(err)
	}
	first, err := ts.switches(pid)
	if err != nil {
		t.Fatal(err)
	}
	var sum Switches
	var buf []byte
	for _, tid := range tids {
		sw, ok := readThreadSwitches(pid, tid, &buf)
		if !ok {
			t.Fatalf("thread %d not read", tid)
		}
		sum.Voluntary, sum.Involuntary = sum.Voluntary+sw.Voluntary, sum.Involuntary+sw.Involuntary
	}
	last, err := ts.switches(pid)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("taskstats %+v then %+v, %d threads summed %+v", first, last, len(tids), sum)
	if sum.Voluntary < 300 || sum.Voluntary > last.Voluntary || sum.Involuntary > last.Involuntary ||
		first.Voluntary > last.Voluntary || first.Involuntary > last.Involuntary {
		t.Fatal("the kernel's sum does not hold the threads' sum, or went down")
	}
	if _, err := ts.switches(1 << 30); err == nil {
		t.Fatal("no error for a process that does not exist")
	}
}

func TestThrottle(t *testing.T) {
	var th throttle
	th.took(9*time.Millisecond, 100*time.Millisecond) // 9 ms at 0.5% of a core: every 1.8 s
	n := 1
	for !th.due() {
		n++
	}
	if n != 18 {
		t.Fatalf("next reading after %d ticks, want 18", n)
	}
	th.took(300*time.Microsecond, 100*time.Millisecond)
	if !th.due() {
		t.Fatal("a 0.3 ms reading should be made at every tick")
	}
}

// TestSummarizeKernel: the kernel peak is the sample with the highest sum, its parts are
// that sample's (not each part's own peak), and PSS has its own peak.
func TestSummarizeKernel(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	samples := []Sample{
		{At: at(0), PageTablesKB: 9999, PSSKB: 9999}, // before the window
		{At: at(100), PageTablesKB: 100, KStacksKB: 500, SocketKB: 50, PSSKB: 700},
		{At: at(200), PageTablesKB: 120, KStacksKB: 480, SocketKB: 10, PSSKB: 900}, // 610
		{At: at(300), PageTablesKB: 90, KStacksKB: 400, SocketKB: 300, PSSKB: 800}, // 790: the peak
		{At: at(400), PageTablesKB: 9999, SocketKB: 9999, PSSKB: 9999},             // after it
	}
	got := Summarize(samples, at(100), at(300))
	if got.KernelPeakKB != 790 || got.PageTablesKB != 90 || got.KStacksKB != 400 || got.SocketKB != 300 {
		t.Fatalf("kernel peak %d = %d + %d + %d; want 790 = 90 + 400 + 300",
			got.KernelPeakKB, got.PageTablesKB, got.KStacksKB, got.SocketKB)
	}
	if got.PSSPeakKB != 900 {
		t.Fatalf("PSS peak %d, want 900", got.PSSPeakKB)
	}
}

func TestStackKBPerArch(t *testing.T) {
	for _, c := range []struct {
		arch string
		page int
		want int64
	}{{"amd64", 4096, 16}, {"arm64", 4096, 16}, {"arm64", 65536, 64}, {"ppc64le", 65536, 64}, {"386", 4096, 8}, {"wasm", 65536, 0}} {
		if got := stackKB(c.arch, c.page); got != c.want {
			t.Errorf("stackKB(%s, %d) = %d, want %d", c.arch, c.page, got, c.want)
		}
	}
}
