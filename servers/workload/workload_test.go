//go:build linux

package workload

import (
	"bytes"
	"os"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

func newWorkload(t *testing.T) *Workload {
	t.Helper()
	w, err := New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func TestRoute(t *testing.T) {
	w := newWorkload(t)
	for _, tc := range []struct {
		method, path, query string
		want                Job
	}{
		{"GET", "/", "", Job{Endpoint: Hello, Status: 200}},
		{"HEAD", "/hello", "", Job{Endpoint: Hello, Status: 200}},
		{"POST", "/hello", "", Job{Endpoint: Hello, Status: 200}},
		{"GET", "/io", "ms=0", Job{Endpoint: IO, Status: 200}},
		{"GET", "/io", "x=1&ms=10000", Job{Endpoint: IO, N: 10000, Status: 200}},
		{"GET", "/io", "ms=10001", Job{Status: 400}},
		{"GET", "/io", "", Job{Status: 400}},
		{"GET", "/io", "ms=", Job{Status: 400}},
		{"GET", "/io", "ms=-1", Job{Status: 400}},
		{"GET", "/io", "mss=1", Job{Status: 400}},
		{"GET", "/cpu", "us=1000000", Job{Endpoint: CPU, N: 1000000, Status: 200}},
		{"GET", "/cpu", "us=1000001", Job{Status: 400}},
		{"GET", "/file", "kb=1", Job{Endpoint: File, N: 1, Status: 200}},
		{"GET", "/file", "kb=0", Job{Status: 400}},
		{"GET", "/bytes", "kb=10240", Job{Endpoint: Bytes, N: 10240, Status: 200}},
		{"GET", "/bytes", "kb=10241", Job{Status: 400}},
		{"GET", "/bytes", "kb=99999999999", Job{Status: 400}},
		{"GET", "/nope", "", Job{Status: 404}},
		{"DELETE", "/", "", Job{Status: 405}},
		{"PUT", "/io", "ms=1", Job{Status: 405}},
	} {
		got := w.Route([]byte(tc.method), []byte(tc.path), []byte(tc.query))
		if got != tc.want {
			t.Errorf("Route(%s %s?%s) = %+v, want %+v", tc.method, tc.path, tc.query, got, tc.want)
		}
	}
}

func TestRouteDoesNotAllocate(t *testing.T) {
	w := newWorkload(t)
	m, p, q := []byte("GET"), []byte("/io"), []byte("ms=20")
	if n := testing.AllocsPerRun(100, func() { w.Route(m, p, q) }); n != 0 {
		t.Fatalf("Route allocates %v times", n)
	}
}

func TestFileAndBytesAreTheSamePattern(t *testing.T) {
	w := newWorkload(t)
	for _, kb := range []int{1, 7, MaxKB} {
		got, err := w.ReadFile(kb, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := w.Bytes(kb)
		if len(got) != kb<<10 || !bytes.Equal(got, want) {
			t.Fatalf("kb=%d: /file and /bytes differ (len %d vs %d)", kb, len(got), len(want))
		}
	}
	if !bytes.Equal(makePattern(4096), w.Bytes(4)) {
		t.Fatal("the pattern is not deterministic")
	}
}

// TestBurnScales checks the calibration with thread CPU time: ten times the microseconds
// costs several times the CPU (a ratio, not an absolute time, so a loaded machine passes).
func TestBurnScales(t *testing.T) {
	w := newWorkload(t)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	small, large := threadCPU(t, func() { w.Burn(5000) }), threadCPU(t, func() { w.Burn(50000) })
	if ratio := float64(large) / float64(small); ratio < 4 || ratio > 25 {
		t.Fatalf("Burn(50000) took %d ns of CPU, Burn(5000) %d ns: ratio %.1f, want about 10", large, small, ratio)
	}
}

func threadCPU(t *testing.T, f func()) int64 {
	ns, err := threadCPUTime(f)
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

// threadCPUTime returns the CPU time the calling thread spent in f, from
// CLOCK_THREAD_CPUTIME_ID: exact, where getrusage(RUSAGE_THREAD) leaves out the time run
// since the last tick or switch (up to 4 ms at 250 Hz: Burn(5000) measured 1.2 ms).
func threadCPUTime(f func()) (int64, error) {
	var before, after unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &before); err != nil {
		return 0, err
	}
	f()
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &after); err != nil {
		return 0, err
	}
	return after.Nano() - before.Nano(), nil
}

// A server killed by SIGKILL never calls Close: the /file file must have no name to leave.
func TestNewLeavesNothingInTempDir(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	w := newWorkload(t)
	entries, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Fatalf("New left %d entries in TMPDIR (first %q)", len(entries), entries[0].Name())
	}
	buf := make([]byte, 64)
	if _, err := w.file.ReadAt(buf, 0); err != nil {
		t.Fatalf("the unnamed /file file is not readable: %v", err)
	}
	if !bytes.Equal(buf, w.pattern[:64]) {
		t.Fatalf("the /file file holds %q, want the pattern", buf)
	}
}
