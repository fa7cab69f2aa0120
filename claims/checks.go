package claims

import (
	"fmt"
	"math"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// rssPerConn fits rss_peak_kb against the level (connections) over every row of server in
// scenario: the slope is the memory each connection costs.
func rssPerConn(server, scenario string, b bound, limit float64) Claim {
	return func(rows []metrics.SummaryRow) Result {
		s := rowsOf(rows, server, scenario, rssKB)
		claim := fmt.Sprintf("%s RSS per connection (%s", server, scenario)
		lv := s.levels()
		if len(lv) < 2 {
			return skip(claim+")", "needs %s rows of %s with rss_peak_kb at 2 or more levels, found %d", scenario, server, len(lv))
		}
		xs, ys := make([]float64, len(s)), make([]float64, len(s))
		for i, r := range s {
			xs[i], ys[i] = r.Level(), rssKB(r)
		}
		return verdict(claim+", "+span(lv)+")", b, slope(xs, ys), limit, " KB", 1, "")
	}
}

// topHelloThroughput: at the highest hello level both ran, evented serves at least
// TopHelloMinRatio times threaded's req/s.
func topHelloThroughput(rows []metrics.SummaryRow) Result {
	claim := "evented/threaded req/s at the top hello level"
	ev, th := rowsOf(rows, "evented", "hello", rps), rowsOf(rows, "threaded", "hello", rps)
	top, ok := topCommon(ev, th)
	if !ok {
		return skip(claim, "no hello level with req/s from both evented and threaded")
	}
	e, t := ev.at(top, rps), th.at(top, rps)
	extra := fmt.Sprintf(" (%.0f vs %.0f req/s)", e, t)
	if ev.clientBound(top) {
		extra += "; evented was client-bound, so its figure is the load generator's limit"
	}
	return verdict(fmt.Sprintf("%s (c=%s)", claim, fmtNum(top)), atLeast, e/t, TopHelloMinRatio, "×", 2, extra)
}

// holBlocking: while other connections burn CPU, the single-loop evented server's /hello p99
// is at least HOLMinRatio times other's, since the loop runs the CPU work itself.
func holBlocking(other string) Claim {
	return func(rows []metrics.SummaryRow) Result {
		claim := "hol: single-loop evented /hello p99 over " + other + "'s"
		ev, ot := rowsOf(rows, "evented", "hol", p99), rowsOf(rows, other, "hol", p99)
		top, ok := topCommon(ev, ot)
		if !ok {
			return skip(claim, "no hol rows with p99 from both evented and %s", other)
		}
		e, o := ev.at(top, p99), ot.at(top, p99)
		extra := fmt.Sprintf(" (%.0f µs vs %.0f µs)", e, o)
		return verdict(fmt.Sprintf("%s (c=%s)", claim, fmtNum(top)), atLeast, e/o, HOLMinRatio, "×", 1, extra)
	}
}

// eventedIOThreads: waiting on /io costs the loop no threads: at most EventedMaxIOThreads at
// every level.
func eventedIOThreads(rows []metrics.SummaryRow) Result {
	claim := "evented threads at /io"
	s := rowsOf(rows, "evented", "io", threads)
	lv := s.levels()
	if len(lv) == 0 {
		return skip(claim, "no io rows of evented with threads_peak")
	}
	peak, at := math.Inf(-1), 0.0
	for _, l := range lv {
		if n := s.at(l, threads); n > peak {
			peak, at = n, l
		}
	}
	return verdict(fmt.Sprintf("%s (c=%s)", claim, span(lv)), atMost, peak, EventedMaxIOThreads, " threads", 0,
		fmt.Sprintf(" (the most, at c=%s)", fmtNum(at)))
}

// threadedIOThreads: the threaded model holds a thread per connection, so at every /io level
// its threads are at least the concurrency. The figure is the level with the fewest threads
// per connection.
func threadedIOThreads(rows []metrics.SummaryRow) Result {
	claim := "threaded threads ≥ concurrency at /io"
	s := rowsOf(rows, "threaded", "io", threads)
	lv := s.levels()
	if len(lv) == 0 {
		return skip(claim, "no io rows of threaded with threads_peak")
	}
	worst, at := math.Inf(1), 0.0
	for _, l := range lv {
		if perConn := s.at(l, threads) / l; perConn < worst {
			worst, at = perConn, l
		}
	}
	return verdict(fmt.Sprintf("%s (c=%s)", claim, span(lv)), atLeast, s.at(at, threads), at, " threads", 0,
		fmt.Sprintf(" (the tightest level, c=%s)", fmtNum(at)))
}
