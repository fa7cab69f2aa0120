//go:build linux

package evented

// timer is a loop timer: at deadline (monotonic ns of the loop's clock) fire runs on the
// loop. Timers never leave the loop, so the heap needs no lock.
type timer struct {
	deadline int64
	conn     *conn
}

// timerHeap is a binary min-heap on deadline over a reused slice: adding and firing
// timers allocates nothing once the slice has grown (container/heap would box each one).
type timerHeap []timer

func (h *timerHeap) push(t timer) {
	*h = append(*h, t)
	s := *h
	for i := len(s) - 1; i > 0; {
		parent := (i - 1) / 2
		if s[parent].deadline <= s[i].deadline {
			break
		}
		s[parent], s[i] = s[i], s[parent]
		i = parent
	}
}

// peek is the earliest deadline; ok is false when the heap is empty.
func (h timerHeap) peek() (deadline int64, ok bool) {
	if len(h) == 0 {
		return 0, false
	}
	return h[0].deadline, true
}

func (h *timerHeap) pop() timer {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	s[last] = timer{}
	s = s[:last]
	for i := 0; ; {
		small, l, r := i, 2*i+1, 2*i+2
		if l < len(s) && s[l].deadline < s[small].deadline {
			small = l
		}
		if r < len(s) && s[r].deadline < s[small].deadline {
			small = r
		}
		if small == i {
			break
		}
		s[i], s[small] = s[small], s[i]
		i = small
	}
	*h = s
	return top
}
