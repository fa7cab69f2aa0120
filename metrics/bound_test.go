package metrics

import "testing"

// TestJudge: a side at BoundCPUShare of its CPUs or more was the limit; an open load the
// server held back makes the server the limit whatever its CPU; each combination names
// its bound.
func TestJudge(t *testing.T) {
	for _, c := range []struct {
		server, client float64
		heldBack       bool
		want           Bound
	}{
		{0.50, 0.50, false, BoundNeither},
		{0.8999, 0.8999, false, BoundNeither},
		{0.90, 0.50, false, BoundServer},
		{0.50, 0.90, false, BoundClient},
		{0.95, 0.97, false, BoundBoth},
		{0.30, 0.40, true, BoundServer}, // a starved server that used little CPU, held back
		{0.30, 0.95, true, BoundBoth},
	} {
		if got := Judge(c.server, c.client, c.heldBack); got != c.want {
			t.Errorf("Judge(%v, %v, %v) = %s, want %s", c.server, c.client, c.heldBack, got, c.want)
		}
	}
}

// TestCombine: a side that limited any repeat limited the point; no repeat, no limit.
func TestCombine(t *testing.T) {
	for _, c := range []struct {
		in   []Bound
		want Bound
	}{
		{nil, BoundNeither},
		{[]Bound{BoundNeither, BoundNeither}, BoundNeither},
		{[]Bound{BoundNeither, BoundServer, BoundNeither}, BoundServer},
		{[]Bound{BoundClient, BoundNeither}, BoundClient},
		{[]Bound{BoundServer, BoundClient}, BoundBoth},
		{[]Bound{BoundBoth, BoundNeither}, BoundBoth},
	} {
		if got := Combine(c.in...); got != c.want {
			t.Errorf("Combine(%v) = %s, want %s", c.in, got, c.want)
		}
	}
}

// TestInferBound: a row written before the bound column gets its CPU shares from the CPU
// percentages (of one core) over its CPU lists, and its bound from them; the old
// client_bound verdict makes the client a limit; a row that has a bound keeps it.
func TestInferBound(t *testing.T) {
	r := SummaryRow{ServerCPUs: "0", ClientCPUs: "1-3", ServerCPUPct: 95, ClientCPUPct: 150}
	inferBound(&r)
	if r.ServerCPUShare != 0.95 || r.ClientCPUShare != 0.5 || r.Bound != BoundServer {
		t.Errorf("old row: shares %v, %v, bound %s; want 0.95, 0.5, server", r.ServerCPUShare, r.ClientCPUShare, r.Bound)
	}
	r = SummaryRow{ServerCPUs: "0", ClientCPUs: "1", ServerCPUPct: 40, ClientCPUPct: 30, ClientBound: true}
	if inferBound(&r); r.Bound != BoundClient {
		t.Errorf("old row with client_bound: bound %s, want client", r.Bound)
	}
	r = SummaryRow{ServerCPUs: "0", ServerCPUPct: 99, Bound: BoundNeither}
	if inferBound(&r); r.Bound != BoundNeither || r.ServerCPUShare != 0 {
		t.Errorf("a row with a bound was changed: %s, share %v", r.Bound, r.ServerCPUShare)
	}
	r = SummaryRow{ServerCPUPct: 99} // no CPU lists: no share can be computed
	if inferBound(&r); r.Bound != BoundNeither {
		t.Errorf("no CPU lists: bound %s, want neither", r.Bound)
	}
}

// TestJudgeLoad: a starved server (its CPUs busy ≥ BoundCPUShare, its threads waiting
// runnable ≥ 1 − BoundCPUShare) was the limit though its own CPU share was low; either
// figure below its edge is no starvation; unmeasured (zero) starvation judges as Judge.
func TestJudgeLoad(t *testing.T) {
	for _, c := range []struct {
		load Load
		want Bound
	}{
		{Load{ServerShare: 0.8, ServerCPUsBusy: 0.90, ServerRunqShare: 0.1}, BoundServer}, // all three at their edges
		{Load{ServerShare: 0.5, ServerCPUsBusy: 0.98, ServerRunqShare: 0.47}, BoundServer},
		{Load{ServerShare: 0.3, ServerCPUsBusy: 1, ServerRunqShare: 0.2}, BoundNeither},  // light load beside a busy neighbour
		{Load{ServerShare: 0.79, ServerCPUsBusy: 1, ServerRunqShare: 0.1}, BoundNeither}, // wanted the CPU under 90 % of the time
		{Load{ServerShare: 0.5, ServerCPUsBusy: 0.8999, ServerRunqShare: 0.5}, BoundNeither},
		{Load{ServerShare: 0.5, ServerCPUsBusy: 1, ServerRunqShare: 0.0999}, BoundNeither},
		{Load{ServerShare: 0.5, ServerCPUsBusy: 0.5, ServerRunqShare: 2}, BoundNeither}, // its own threads queueing
		{Load{ServerShare: 0.5, ClientShare: 0.95, ServerCPUsBusy: 1, ServerRunqShare: 0.5}, BoundBoth},
		{Load{ServerShare: 0.5, ClientShare: 0.95}, BoundClient},
		{Load{ServerShare: 0.95}, BoundServer},
		{Load{ServerShare: 0.3, ServerHeldBack: true}, BoundServer},
	} {
		if got := JudgeLoad(c.load); got != c.want {
			t.Errorf("JudgeLoad(%+v) = %s, want %s", c.load, got, c.want)
		}
	}
	for _, s := range []float64{0, 0.5, 0.8999, 0.9, 1} { // Judge is JudgeLoad without starvation
		for _, heldBack := range []bool{false, true} {
			if a, b := Judge(s, 1-s, heldBack), JudgeLoad(Load{ServerShare: s, ClientShare: 1 - s, ServerHeldBack: heldBack}); a != b {
				t.Errorf("Judge(%v, %v, %v) = %s, JudgeLoad %s", s, 1-s, heldBack, a, b)
			}
		}
	}
}
