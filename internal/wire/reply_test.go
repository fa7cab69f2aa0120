package wire

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/benchsuite/threads-vs-loop/loadgen"
)

func histOf(values ...int64) *hdrhistogram.Histogram {
	h := hdrhistogram.New(1, 60_000_000, 3)
	for _, v := range values {
		h.RecordValue(v)
	}
	return h
}

// TestLoadReplyCarriesTheResult: a result written as the reply and added back into an
// empty result keeps its counts, flags, windows and whole histograms; two hosts' replies
// add up, their histograms merged (never their percentiles).
func TestLoadReplyCarriesTheResult(t *testing.T) {
	res := &loadgen.Result{Engine: loadgen.EngineOpen, Requests: 900, Reconnects: 3, Elapsed: 2 * time.Second,
		Errors:  loadgen.ErrorCounts{Connect: 1, Reset: 2, Timeout: 3, Status: 4, Parse: 5, Unsent: 6},
		Latency: histOf(100, 200, 5000), SuccessLatency: histOf(100, 200), OfferedRPS: 450, AchievedRPS: 449,
		WarmupRequests: 80, Loops: 2, Connections: 10, Due: 905, Sent: 904, Late: 1, ConnsUp: 9, PeakBusy: 7,
		WorkersExhausted: true, RateShort: true, Note: "short", ClientCPUPct: 55, ClientCPUs: 1,
		Windows: []loadgen.Window{{Start: 0, Requests: 450, Errors: 1, P99: 300 * time.Microsecond}}}
	b, err := json.Marshal(NewLoadReply("http://127.0.0.1:1/", 1, res, nil))
	if err != nil {
		t.Fatal(err)
	}
	var back LoadReply
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	sum := &loadgen.Result{}
	for range 2 { // two hosts with the same share
		if err := back.AddTo(sum); err != nil {
			t.Fatal(err)
		}
	}
	if sum.Requests != 1800 || sum.Errors.Total() != 2*res.Errors.Total() || sum.Errors.Unsent != 12 ||
		sum.Due != 1810 || sum.Late != 2 || sum.ConnsUp != 18 || sum.OfferedRPS != 900 || sum.Elapsed != 2*time.Second ||
		!sum.WorkersExhausted || !sum.RateShort || sum.Engine != loadgen.EngineOpen {
		t.Errorf("summed %+v", sum)
	}
	if sum.Latency.TotalCount() != 6 || sum.SuccessLatency.TotalCount() != 4 || sum.Latency.Max() < 4990 {
		t.Errorf("histograms: %d and %d values, max %d; want 6 and 4, max 5000", sum.Latency.TotalCount(), sum.SuccessLatency.TotalCount(), sum.Latency.Max())
	}
	if want := []loadgen.Window{{Start: 0, Requests: 900, Errors: 2, P99: 300 * time.Microsecond}}; !reflect.DeepEqual(sum.Windows, want) {
		t.Errorf("windows %+v, want %+v", sum.Windows, want)
	}
}

// TestLoadReplyClosedShareOneHistogram: a closed load's successful latencies are its
// latencies; the reply carries one histogram and the result gets it as both.
func TestLoadReplyClosedShareOneHistogram(t *testing.T) {
	h := histOf(10, 20)
	r := NewLoadReply("u", 4, &loadgen.Result{Engine: loadgen.EngineClosed, Latency: h, SuccessLatency: h}, nil)
	if r.SuccessHist != "" || r.Pipeline != 4 {
		t.Fatalf("success hist %q, pipeline %d", r.SuccessHist, r.Pipeline)
	}
	res := &loadgen.Result{}
	if err := r.AddTo(res); err != nil || res.SuccessLatency != res.Latency || res.Latency.TotalCount() != 2 {
		t.Errorf("%v, %+v", err, res)
	}
	if err := (&LoadReply{Hist: "not a histogram"}).AddTo(res); err == nil {
		t.Error("a broken histogram added")
	}
}
