package claims

import (
	"fmt"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// rowProblem says why a row cannot carry a claim, "" when it can: it measured no request,
// over MaxFailedShare of its requests failed, its connections were not all answered as
// its window began, or its background had errors or completed under BackgroundMinShare
// of the requests due.
func rowProblem(r metrics.SummaryRow) string {
	total := r.Requests + r.Errors
	switch {
	case total == 0:
		return "measured no request"
	case float64(r.Errors) > MaxFailedShare*float64(total):
		return fmt.Sprintf("%.1f %% of requests failed", 100*float64(r.Errors)/float64(total))
	case (r.Kind == metrics.KindClosed || r.Kind == metrics.KindIdle) && hasConnsUp(r) && r.ConnsUp < r.Concurrency:
		return fmt.Sprintf("%d of %d connections answered when the window began", r.ConnsUp, r.Concurrency)
	case r.HasBackground() && r.BgErrors > 0:
		return fmt.Sprintf("its background had %d errors", r.BgErrors)
	}
	if done, due := backgroundDone(r); due > 0 && done < BackgroundMinShare*due {
		return fmt.Sprintf("its background completed %.0f of %.0f requests due (%.0f %%)", done, due, 100*done/due)
	}
	return ""
}

// backgroundDone is a row's background requests completed in the window and due in it
// (rows written before bg_due: its offered rate over the window).
func backgroundDone(r metrics.SummaryRow) (done, due float64) {
	if !r.HasBackground() || r.BgOfferedRPS <= 0 {
		return 0, 0
	}
	due = float64(r.BgDue)
	if due == 0 {
		due = r.BgOfferedRPS * r.DurationS
	}
	return r.BgRPS * r.DurationS, due
}

// fellBehind says how an open-model row's server fell behind its foreground: under
// ForegroundMinShare of the requests due completed in the window ("" when it kept up).
// A head-of-line claim reads a loop that is busy, not one that is overloaded.
func fellBehind(r metrics.SummaryRow) string {
	due := float64(r.Due)
	if due == 0 {
		due = r.OfferedRPS * r.DurationS
	}
	if done := float64(r.Requests); due > 0 && done < ForegroundMinShare*due {
		return fmt.Sprintf("the server fell behind: %.0f of %.0f requests due completed", done, due)
	}
	return ""
}

// problem is the first reason a row of s cannot carry f (rowProblem, or f not measured),
// with the row named; "" when every row can.
func (s series) problem(f figure) string {
	for _, r := range s {
		why := rowProblem(r)
		if why == "" && !(f.of(r) > 0) { // NaN too
			why = "no " + f.name
		}
		if why != "" {
			return r.Server + " " + r.LevelText() + ": " + why
		}
	}
	return ""
}

// checked marks res Unreliable when a row it was read from cannot carry its figure.
func checked(res Result, f figure, used ...series) Result {
	if res.Status != Pass && res.Status != Fail {
		return res
	}
	for _, s := range used {
		if why := s.problem(f); why != "" {
			return unreliable(res, why)
		}
	}
	return res
}

func unreliable(res Result, why string) Result {
	res.Status, res.Detail = Unreliable, res.Detail+"; unreliable: "+why
	return res
}

// hasConnsUp reports whether the row carries conns_up: it came with hello_bytes, which
// every measured server has, so a row with neither predates both, and a row with
// hello_bytes and conns_up 0 had no connection answered when its window began.
func hasConnsUp(r metrics.SummaryRow) bool { return r.ConnsUp > 0 || r.HelloBytes > 0 }
