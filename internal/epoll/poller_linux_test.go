package epoll

import (
	"testing"

	"golang.org/x/sys/unix"
)

// pair is a connected non-blocking stream socket pair, closed with the test.
func pair(t *testing.T) (a, b int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fds[0]); unix.Close(fds[1]) })
	return fds[0], fds[1]
}

func newPoller(t *testing.T) *Poller {
	t.Helper()
	p, err := New(8)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func TestPollAndWaitReportTaggedReadiness(t *testing.T) {
	p := newPoller(t)
	a, b := pair(t)
	if err := p.Add(a, unix.EPOLLIN, 7, 3); err != nil {
		t.Fatal(err)
	}
	if evs, err := p.Poll(); err != nil || len(evs) != 0 {
		t.Fatalf("Poll before any data = %v, %v; want nothing", evs, err)
	}
	if evs, err := p.Wait(0); err != nil || len(evs) != 0 {
		t.Fatalf("Wait(0) before any data = %v, %v; want nothing", evs, err)
	}
	if n, e := Write(b, []byte("x")); e != 0 || n != 1 {
		t.Fatalf("Write = %d, %v", n, e)
	}
	for name, wait := range map[string]func() ([]unix.EpollEvent, error){
		"Poll": p.Poll, "Wait": func() ([]unix.EpollEvent, error) { return p.Wait(-1) },
	} {
		evs, err := wait()
		if err != nil || len(evs) != 1 {
			t.Fatalf("%s = %v, %v; want one event", name, evs, err)
		}
		if ev := evs[0]; ev.Fd != 7 || ev.Pad != 3 || ev.Events&unix.EPOLLIN == 0 {
			t.Errorf("%s event = %+v; want tags 7/3 and EPOLLIN", name, ev)
		}
	}
}

func TestModifyAndRemove(t *testing.T) {
	p := newPoller(t)
	a, b := pair(t)
	if err := p.Add(a, unix.EPOLLIN, 1, 0); err != nil {
		t.Fatal(err)
	}
	Write(b, []byte("x"))
	if err := p.Modify(a, 0, 1, 0); err != nil {
		t.Fatal(err)
	}
	if evs, _ := p.Poll(); len(evs) != 0 {
		t.Errorf("events after Modify(0) = %v; want none", evs)
	}
	if err := p.Modify(a, unix.EPOLLIN, 2, 9); err != nil {
		t.Fatal(err)
	}
	if evs, _ := p.Poll(); len(evs) != 1 || evs[0].Fd != 2 || evs[0].Pad != 9 {
		t.Errorf("events after Modify(EPOLLIN) = %v; want one tagged 2/9", evs)
	}
	if err := p.Remove(a); err != nil {
		t.Fatal(err)
	}
	if evs, _ := p.Poll(); len(evs) != 0 {
		t.Errorf("events after Remove = %v; want none", evs)
	}
	if err := p.Remove(a); err == nil {
		t.Error("Remove of an unregistered descriptor succeeded")
	}
}

func TestReadWrite(t *testing.T) {
	a, b := pair(t)
	buf := make([]byte, 16)
	if n, e := Read(a, buf); e != unix.EAGAIN || n != -1 {
		t.Errorf("Read with nothing pending = %d, %v; want -1, EAGAIN", n, e)
	}
	if n, e := Write(b, nil); e != 0 || n != 0 {
		t.Errorf("Write(nil) = %d, %v; want 0, 0", n, e)
	}
	if n, e := Write(b, []byte("hello")); e != 0 || n != 5 {
		t.Fatalf("Write = %d, %v", n, e)
	}
	if n, e := Read(a, buf); e != 0 || string(buf[:n]) != "hello" {
		t.Errorf("Read = %q, %v; want hello", buf[:max(n, 0)], e)
	}
	unix.Close(b)
	if n, e := Read(a, buf); e != 0 || n != 0 {
		t.Errorf("Read after the peer closed = %d, %v; want 0, 0 (EOF)", n, e)
	}
	if n, e := Read(-1, buf); e != unix.EBADF || n != -1 {
		t.Errorf("Read(-1) = %d, %v; want -1, EBADF", n, e)
	}
}

// TestHotPathDoesNotAllocate pins Poll, Read and Write at zero allocations.
func TestHotPathDoesNotAllocate(t *testing.T) {
	p := newPoller(t)
	a, b := pair(t)
	if err := p.Add(a, unix.EPOLLIN, 0, 0); err != nil {
		t.Fatal(err)
	}
	msg, buf := []byte("ping"), make([]byte, 16)
	allocs := testing.AllocsPerRun(1000, func() {
		if n, e := Write(b, msg); e != 0 || n != len(msg) {
			t.Fatalf("Write = %d, %v", n, e)
		}
		if evs, err := p.Poll(); err != nil || len(evs) != 1 {
			t.Fatalf("Poll = %v, %v", evs, err)
		}
		if n, e := Read(a, buf); e != 0 || n != len(msg) {
			t.Fatalf("Read = %d, %v", n, e)
		}
		if _, e := Read(a, buf); e != unix.EAGAIN {
			t.Fatalf("second Read = %v; want EAGAIN", e)
		}
	})
	if allocs != 0 {
		t.Errorf("allocations per cycle = %v; want 0", allocs)
	}
}
