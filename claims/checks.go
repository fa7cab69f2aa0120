package claims

import (
	"fmt"
	"math"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// perConn is the least-squares slope of rss_peak_kb against the level (connections) over
// every row of s: the memory each connection costs. ok is false under 2 levels.
func perConn(s series) (float64, bool) {
	if len(s.levels()) < 2 {
		return 0, false
	}
	xs, ys := make([]float64, len(s)), make([]float64, len(s))
	for i, r := range s {
		xs[i], ys[i] = r.Level(), rssKB(r)
	}
	return slope(xs, ys), true
}

// rssPerConn: server's memory per connection in each scenario sel picks, against limit.
func rssPerConn(server string, sel selector, b bound, limit float64) Claim {
	return func(rows []metrics.SummaryRow) []Result {
		return sel.each(rows, server+" RSS per connection ("+sel.what+")", func(scenario string) Result {
			s := rowsOf(rows, server, scenario, rssKB)
			claim := fmt.Sprintf("%s RSS per connection (%s", server, scenario)
			x, ok := perConn(s)
			if !ok {
				return skip(claim+")", "needs %s rows of %s with rss_peak_kb at 2 or more levels, found %d", scenario, server, len(s.levels()))
			}
			return checked(verdict(claim+", "+span(s.levels())+")", b, x, limit, " KB", 1, ""), s)
		})
	}
}

// threadsRSSPerConn: a thread per connection costs at least ThreadedMinKBPerConn per
// connection, held against the thread-per-connection server of the run that costs least.
func threadsRSSPerConn(sel selector) Claim {
	return func(rows []metrics.SummaryRow) []Result {
		return sel.each(rows, "thread-per-connection RSS per connection ("+sel.what+")", func(scenario string) Result {
			cands := threadServers(rows, scenario)
			name, x, ok := best(cands, func(srv string) (float64, bool) { return perConn(rowsOf(rows, srv, scenario, rssKB)) }, true)
			if !ok {
				return skip("thread-per-connection RSS per connection ("+scenario+")",
					"needs %s rows of a thread-per-connection server with rss_peak_kb at 2 or more levels", scenario)
			}
			s := rowsOf(rows, name, scenario, rssKB)
			claim := fmt.Sprintf("%s RSS per connection (%s, %s)", among(name, "leanest", cands), scenario, span(s.levels()))
			return checked(verdict(claim, atLeast, x, ThreadedMinKBPerConn, " KB", 1, ""), s)
		})
	}
}

// topThroughput: at the highest level of a /hello sweep both ran, evented serves at least
// TopHelloMinRatio times the req/s of the fastest thread-per-connection server there.
func topThroughput(rows []metrics.SummaryRow) []Result {
	return cheapSweeps.each(rows, "evented/threads req/s at the top level", func(scenario string) Result {
		claim := "evented/threads req/s at the top " + scenario + " level"
		ev := rowsOf(rows, "evented", scenario, rps)
		cands := threadServers(rows, scenario)
		ratioOf := func(srv string) (float64, bool) {
			th := rowsOf(rows, srv, scenario, rps)
			top, ok := topCommon(ev, th)
			return ev.at(top, rps) / th.at(top, rps), ok
		}
		name, ratio, ok := best(cands, ratioOf, true) // the fastest threads server: the smallest ratio
		if !ok {
			return skip(claim, "no %s level with req/s from both evented and a thread-per-connection server", scenario)
		}
		th := rowsOf(rows, name, scenario, rps)
		top, _ := topCommon(ev, th)
		extra := fmt.Sprintf(" (%.0f vs %.0f req/s, %s)", ev.at(top, rps), th.at(top, rps), among(name, "fastest", cands))
		if ev.clientBound(top) {
			extra += "; evented was client-bound, so its figure is the load generator's limit"
		}
		res := verdict(fmt.Sprintf("%s (c=%s)", claim, fmtNum(top)), atLeast, ratio, TopHelloMinRatio, "×", 2, extra)
		return checked(res, ev.only(top), th.only(top))
	})
}

// holBlocking: while other connections burn CPU, the single-loop evented server's p99 on
// the measured path is at least HOLMinRatio times other's (other "" : the thread-per-
// connection server with the lowest p99), since the loop runs the CPU work itself.
func holBlocking(other string) Claim {
	name := other
	if name == "" {
		name = "the thread-per-connection server"
	}
	return func(rows []metrics.SummaryRow) []Result {
		return holScenarios.each(rows, "hol: single-loop evented p99 over "+name+"'s", func(scenario string) Result {
			ev := rowsOf(rows, "evented", scenario, p99)
			cands := []string{other}
			if other == "" {
				cands = threadServers(rows, scenario)
			}
			ratioOf := func(srv string) (float64, bool) {
				top, ok := topCommon(ev, rowsOf(rows, srv, scenario, p99))
				return ev.at(top, p99) / rowsOf(rows, srv, scenario, p99).at(top, p99), ok
			}
			srv, ratio, ok := best(cands, ratioOf, true)
			claim := scenario + ": single-loop evented p99 over " + name + "'s"
			if !ok {
				return skip(claim, "no %s rows with p99 from both evented and %s", scenario, name)
			}
			ot := rowsOf(rows, srv, scenario, p99)
			top, _ := topCommon(ev, ot)
			extra := fmt.Sprintf(" (%.0f µs vs %.0f µs)", ev.at(top, p99), ot.at(top, p99))
			if other == "" {
				extra = fmt.Sprintf(" (%.0f µs vs %.0f µs, %s)", ev.at(top, p99), ot.at(top, p99), among(srv, "quickest", cands))
			}
			return checked(verdict(fmt.Sprintf("%s (c=%s)", claim, fmtNum(top)), atLeast, ratio, HOLMinRatio, "×", 1, extra), ev, ot)
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
	return checked(verdict(fmt.Sprintf("%s, c=%s)", claim, span(lv)), atMost, peak, EventedMaxIOThreads, " threads", 0,
		fmt.Sprintf(" (the most, at c=%s)", fmtNum(at))), s)
}

// threadedIOThreads: a thread-per-connection server holds a thread per connection, so at
// every /io level its threads are at least the concurrency. Each such server is checked;
// the figure is its level with the fewest threads per connection.
func threadedIOThreads(rows []metrics.SummaryRow) []Result {
	names := ioSweeps.scenarios(rows)
	if len(names) == 0 {
		return []Result{skip("threads ≥ concurrency at /io", "no %s scenario in the run", ioSweeps.what)}
	}
	var out []Result
	for _, sc := range names {
		cands := threadServers(rows, sc)
		if len(cands) == 0 {
			out = append(out, skip("threads ≥ concurrency at /io ("+sc+")", "no %s rows of a thread-per-connection server with threads_peak", sc))
		}
		for _, srv := range cands {
			out = append(out, threadsIOThreadsIn(rows, srv, sc))
		}
	}
	return out
}

func threadsIOThreadsIn(rows []metrics.SummaryRow, server, scenario string) Result {
	claim := server + " threads ≥ concurrency at /io (" + scenario
	s := rowsOf(rows, server, scenario, threads)
	lv := s.levels()
	if len(lv) == 0 {
		return skip(claim+")", "no %s rows of %s with threads_peak", scenario, server)
	}
	worst, at := math.Inf(1), 0.0
	for _, l := range lv {
		if perConn := s.at(l, threads) / l; perConn < worst {
			worst, at = perConn, l
		}
	}
	return checked(verdict(fmt.Sprintf("%s, c=%s)", claim, span(lv)), atLeast, s.at(at, threads), at, " threads", 0,
		fmt.Sprintf(" (the tightest level, c=%s)", fmtNum(at))), s)
}

// memoryRatio: on each idle scenario, a's memory per connection is at least min times
// b's (Apache's worker MPM against nginx: the seed's memory graph).
func memoryRatio(a, b string, min float64) Claim {
	return func(rows []metrics.SummaryRow) []Result {
		claim := a + "/" + b + " RSS per connection"
		return idleSweeps.each(rows, claim+" ("+idleSweeps.what+")", func(scenario string) Result {
			sa, sb := rowsOf(rows, a, scenario, rssKB), rowsOf(rows, b, scenario, rssKB)
			xa, oka := perConn(sa)
			xb, okb := perConn(sb)
			if !oka || !okb {
				return skip(claim+" ("+scenario+")", "needs %s rows of %s and %s at 2 or more levels", scenario, a, b)
			}
			// nginx's slope can be ~0 or even negative within noise: hold a to min × max(b, 0.1 KB).
			den := math.Max(xb, 0.1)
			extra := fmt.Sprintf(" (%.1f KB vs %.2f KB per connection)", xa, xb)
			return checked(verdict(fmt.Sprintf("%s (%s, %s)", claim, scenario, span(sa.levels())), atLeast, xa/den, min, "×", 0, extra), sa, sb)
		})
	}
}

// offloadRatio: in each head-of-line scenario, a's p99 (CPU work on its one loop) is at
// least min times b's (the same work on worker threads): the seed's warning, measured on
// Node.js itself.
func offloadRatio(a, b string, min float64) Claim {
	return func(rows []metrics.SummaryRow) []Result {
		claim := a + "/" + b + " p99 with CPU work beside"
		return holScenarios.each(rows, claim, func(scenario string) Result {
			sa, sb := rowsOf(rows, a, scenario, p99), rowsOf(rows, b, scenario, p99)
			top, ok := topCommon(sa, sb)
			if !ok {
				return skip(claim+" ("+scenario+")", "no %s rows with p99 from both %s and %s", scenario, a, b)
			}
			x, y := sa.at(top, p99), sb.at(top, p99)
			extra := fmt.Sprintf(" (%.0f µs vs %.0f µs)", x, y)
			return checked(verdict(fmt.Sprintf("%s (%s, c=%s)", claim, scenario, fmtNum(top)), atLeast, x/y, min, "×", 1, extra), sa, sb)
		})
	}
}
