package loadgen

import (
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram bounds: microseconds, 1 µs to 60 s. The whole-run histogram keeps 3
// significant digits (≈140 KB); per-window ones keep 2 (≈20 KB), enough for a p99 to 1%.
const (
	histMin       = 1
	histMax       = int64(60 * time.Second / time.Microsecond)
	histDigits    = 3
	windowDigits  = 2
	nsPerMicrosec = int64(time.Microsecond)
)

// NewHistogram is the latency histogram every engine fills: microseconds, 1 µs – 60 s,
// 3 significant digits. Callers merging results should start from one.
func NewHistogram() *hdrhistogram.Histogram { return hdrhistogram.New(histMin, histMax, histDigits) }

func newWindowHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(histMin, histMax, windowDigits)
}

// record adds a latency in nanoseconds, clamped into the histogram's range, so it never
// fails (and never allocates the error it would return).
func record(h *hdrhistogram.Histogram, ns int64) {
	us := ns / nsPerMicrosec
	if us < histMin {
		us = histMin
	} else if us > histMax {
		us = histMax
	}
	h.RecordValue(us)
}

// tally is what one engine thread counted: the whole window, and each WindowLength of it.
// hist and winHist hold every latency recorded: successes, and for the open engine failures
// too (failedAfter) and late successes (lateSuccess). okHist, when the engine records
// failures, holds successes only, late ones included.
type tally struct {
	requests, warmup, reconnects int64
	late                         int64 // open engine: successes completed after the window's end plus the grace
	connsUp                      int64
	errors                       ErrorCounts
	hist, okHist                 *hdrhistogram.Histogram
	winReqs, winErrs             []int64
	winHist                      []*hdrhistogram.Histogram
}

func newTally(window time.Duration) *tally {
	n := numWindows(window)
	t := &tally{hist: NewHistogram(), winReqs: make([]int64, n), winErrs: make([]int64, n),
		winHist: make([]*hdrhistogram.Histogram, n)}
	for i := range t.winHist {
		t.winHist[i] = newWindowHistogram()
	}
	return t
}

func numWindows(window time.Duration) int {
	return max(1, int((window+WindowLength-1)/WindowLength))
}

// win is the window index of offset ns into the measured window, clamped.
func (t *tally) win(offset int64) int {
	i := int(offset / int64(WindowLength))
	return min(max(i, 0), len(t.winReqs)-1)
}

// success counts a response to a request sent offset ns into the window, after lat ns.
func (t *tally) success(offset, lat int64) {
	t.requests++
	record(t.hist, lat)
	if t.okHist != nil {
		record(t.okHist, lat)
	}
	w := t.win(offset)
	t.winReqs[w]++
	record(t.winHist[w], lat)
}

// lateSuccess counts a response to an open-engine request due offset ns into the window
// that completed, after lat ns, later than the window's end plus the grace: its latency
// is recorded like a success's, but it is neither one of the requests nor of its window's.
func (t *tally) lateSuccess(offset, lat int64) {
	t.late++
	record(t.hist, lat)
	if t.okHist != nil {
		record(t.okHist, lat)
	}
	record(t.winHist[t.win(offset)], lat)
}

// failure counts n failed requests of one class at offset ns into the window.
func (t *tally) failure(offset int64, class *int64, n int64) {
	*class += n
	t.winErrs[t.win(offset)] += n
}

// failedAfter counts one failed request of class at offset ns into the window that had
// waited lat ns when it was given up, and records that wait as its latency (wrk2's way:
// a failure is not left out of the distribution).
func (t *tally) failedAfter(offset int64, class *int64, lat int64) {
	t.failure(offset, class, 1)
	record(t.hist, lat)
	record(t.winHist[t.win(offset)], lat)
}

// merge adds o into t.
func (t *tally) merge(o *tally) {
	t.requests += o.requests
	t.late += o.late
	t.warmup += o.warmup
	t.reconnects += o.reconnects
	t.connsUp += o.connsUp
	t.errors.Add(o.errors)
	t.hist.Merge(o.hist)
	if t.okHist != nil && o.okHist != nil {
		t.okHist.Merge(o.okHist)
	}
	for i := range t.winReqs {
		t.winReqs[i] += o.winReqs[i]
		t.winErrs[i] += o.winErrs[i]
		t.winHist[i].Merge(o.winHist[i])
	}
}

// fill copies the tally into r.
func (t *tally) fill(r *Result) {
	r.Requests, r.WarmupRequests, r.Reconnects = t.requests, t.warmup, t.reconnects
	r.Late = t.late
	r.Errors = t.errors
	r.ConnsUp = int(t.connsUp)
	r.Latency, r.SuccessLatency = t.hist, t.hist
	if t.okHist != nil {
		r.SuccessLatency = t.okHist
	}
	r.Windows = make([]Window, len(t.winReqs))
	for i := range r.Windows {
		r.Windows[i] = Window{
			Start:    time.Duration(i) * WindowLength,
			Requests: t.winReqs[i],
			Errors:   t.winErrs[i],
			P99:      time.Duration(t.winHist[i].ValueAtQuantile(99)) * time.Microsecond,
		}
	}
}
