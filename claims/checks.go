package claims

import (
	"fmt"
	"math"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// rssPerConn fits rss_peak_kb against the level (connections) over every row of server in
// each scenario sel picks: the slope is the memory each connection costs.
func rssPerConn(server string, sel selector, b bound, limit float64) Claim {
	return func(rows []metrics.SummaryRow) []Result {
		return sel.each(rows, server+" RSS per connection ("+sel.what+")", func(scenario string) Result {
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
		})
	}
}

// topThroughput: at the highest level of a /hello sweep both ran, evented serves at least
// TopHelloMinRatio times threaded's req/s.
func topThroughput(rows []metrics.SummaryRow) []Result {
	return cheapSweeps.each(rows, "evented/threaded req/s at the top level", func(scenario string) Result {
		claim := "evented/threaded req/s at the top " + scenario + " level"
		ev, th := rowsOf(rows, "evented", scenario, rps), rowsOf(rows, "threaded", scenario, rps)
		top, ok := topCommon(ev, th)
		if !ok {
			return skip(claim, "no %s level with req/s from both evented and threaded", scenario)
		}
		e, t := ev.at(top, rps), th.at(top, rps)
		extra := fmt.Sprintf(" (%.0f vs %.0f req/s)", e, t)
		if ev.clientBound(top) {
			extra += "; evented was client-bound, so its figure is the load generator's limit"
		}
		return verdict(fmt.Sprintf("%s (c=%s)", claim, fmtNum(top)), atLeast, e/t, TopHelloMinRatio, "×", 2, extra)
	})
}

// holBlocking: while other connections burn CPU, the single-loop evented server's p99 on
// the measured path is at least HOLMinRatio times other's, since the loop runs the CPU
// work itself.
func holBlocking(other string) Claim {
	return func(rows []metrics.SummaryRow) []Result {
		return holScenarios.each(rows, "hol: single-loop evented p99 over "+other+"'s", func(scenario string) Result {
			ev, ot := rowsOf(rows, "evented", scenario, p99), rowsOf(rows, other, scenario, p99)
			claim := scenario + ": single-loop evented p99 over " + other + "'s"
			top, ok := topCommon(ev, ot)
			if !ok {
				return skip(claim, "no %s rows with p99 from both evented and %s", scenario, other)
			}
			e, o := ev.at(top, p99), ot.at(top, p99)
			extra := fmt.Sprintf(" (%.0f µs vs %.0f µs)", e, o)
			return verdict(fmt.Sprintf("%s (c=%s)", claim, fmtNum(top)), atLeast, e/o, HOLMinRatio, "×", 1, extra)
		})
	}
}

// eventedIOThreads: waiting on /io costs the loop no threads: at most EventedMaxIOThreads at
// every level.
func eventedIOThreads(rows []metrics.SummaryRow) []Result {
	return ioSweeps.each(rows, "evented threads at /io", func(scenario string) Result {
		return eventedIOThreadsIn(rows, scenario)
	})
}

func eventedIOThreadsIn(rows []metrics.SummaryRow, scenario string) Result {
	claim := "evented threads at /io (" + scenario
	s := rowsOf(rows, "evented", scenario, threads)
	lv := s.levels()
	if len(lv) == 0 {
		return skip(claim+")", "no %s rows of evented with threads_peak", scenario)
	}
	peak, at := math.Inf(-1), 0.0
	for _, l := range lv {
		if n := s.at(l, threads); n > peak {
			peak, at = n, l
		}
	}
	return verdict(fmt.Sprintf("%s, c=%s)", claim, span(lv)), atMost, peak, EventedMaxIOThreads, " threads", 0,
		fmt.Sprintf(" (the most, at c=%s)", fmtNum(at)))
}

// threadedIOThreads: the threaded model holds a thread per connection, so at every /io level
// its threads are at least the concurrency. The figure is the level with the fewest threads
// per connection.
func threadedIOThreads(rows []metrics.SummaryRow) []Result {
	return ioSweeps.each(rows, "threaded threads ≥ concurrency at /io", func(scenario string) Result {
		return threadedIOThreadsIn(rows, scenario)
	})
}

func threadedIOThreadsIn(rows []metrics.SummaryRow, scenario string) Result {
	claim := "threaded threads ≥ concurrency at /io (" + scenario
	s := rowsOf(rows, "threaded", scenario, threads)
	lv := s.levels()
	if len(lv) == 0 {
		return skip(claim+")", "no %s rows of threaded with threads_peak", scenario)
	}
	worst, at := math.Inf(1), 0.0
	for _, l := range lv {
		if perConn := s.at(l, threads) / l; perConn < worst {
			worst, at = perConn, l
		}
	}
	return verdict(fmt.Sprintf("%s, c=%s)", claim, span(lv)), atLeast, s.at(at, threads), at, " threads", 0,
		fmt.Sprintf(" (the tightest level, c=%s)", fmtNum(at)))
}
