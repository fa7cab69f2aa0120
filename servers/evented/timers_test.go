//go:build linux

package evented

import (
	"math/rand"
	"sort"
	"testing"
)

func TestTimerHeapPopsInDeadlineOrder(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	var h timerHeap
	var want []int64
	for range 1000 {
		d := r.Int63n(500)
		h.push(timer{deadline: d})
		want = append(want, d)
		if r.Intn(3) == 0 { // interleave pops with pushes
			sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
			if got := h.pop().deadline; got != want[0] {
				t.Fatalf("pop = %d, want %d", got, want[0])
			}
			want = want[1:]
		}
	}
	sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
	for _, w := range want {
		if d, ok := h.peek(); !ok || d != w {
			t.Fatalf("peek = %d %v, want %d", d, ok, w)
		}
		if got := h.pop().deadline; got != w {
			t.Fatalf("pop = %d, want %d", got, w)
		}
	}
	if _, ok := h.peek(); ok {
		t.Fatal("heap not empty")
	}
}
