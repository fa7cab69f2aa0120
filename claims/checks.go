package claims

import (
	"fmt"
	"math"
	"strconv"
	"strings"

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

// threadsRSSPerConn: a thread per connection costs at least limit KB per connection, held
// against the thread-per-connection server of the run that costs least.
func threadsRSSPerConn(sel selector, limit float64) Claim {
	return func(rows []metrics.SummaryRow) []Result {
		return sel.each(rows, "thread-per-connection RSS per connection ("+sel.what+")", func(scenario string) Result {
			cands, left := reliableOnly(rows, scenario, threadServers(rows, scenario), rssKB)
			name, x, ok := best(cands, func(srv string) (float64, bool) { return perConn(rowsOf(rows, srv, scenario, rssKB)) }, true)
			if !ok {
				return skip("thread-per-connection RSS per connection ("+scenario+")",
					"needs %s rows of a thread-per-connection server with rss_peak_kb at 2 or more levels", scenario)
			}
			s := rowsOf(rows, name, scenario, rssKB)
			claim := fmt.Sprintf("%s RSS per connection (%s, %s)", among(name, "leanest", cands), scenario, span(s.levels()))
			return checked(verdict(claim, atLeast, x, limit, " KB", 1, left), s)
		})
	}
}

// topPair is evented against the best thread-per-connection server at the highest level
// both ran in a scenario (atTop).
type topPair struct {
	name       string  // the thread server
	ratio, top float64 // the claim's figure, at level top
	ev, th     series
	cands      []string
	left       string // the candidates left out, their rows unreliable
}

// atTop finds, among the scenario's reliable thread-per-connection servers, the one whose
// ratio(evented's figure, its figure) at the top common level is smallest: the hardest
// for the claim.
func atTop(rows []metrics.SummaryRow, scenario string, fig func(metrics.SummaryRow) float64, ratio func(e, t float64) float64) (topPair, bool) {
	p := topPair{ev: rowsOf(rows, "evented", scenario, fig)}
	p.cands, p.left = reliableOnly(rows, scenario, threadServers(rows, scenario), fig)
	ratioOf := func(srv string) (float64, bool) {
		th := rowsOf(rows, srv, scenario, fig)
		top, ok := topCommon(p.ev, th)
		return ratio(p.ev.at(top, fig), th.at(top, fig)), ok
	}
	var ok bool
	if p.name, p.ratio, ok = best(p.cands, ratioOf, true); ok {
		p.th = rowsOf(rows, p.name, scenario, fig)
		p.top, _ = topCommon(p.ev, p.th)
	}
	return p, ok
}

// topThroughput: at the highest level of a /hello sweep both ran, evented serves at least
// TopHelloMinRatio times the req/s of the fastest thread-per-connection server there.
func topThroughput(rows []metrics.SummaryRow) []Result {
	return cheapSweeps.each(rows, "evented/threads req/s at the top level", func(scenario string) Result {
		claim := "evented/threads req/s at the top " + scenario + " level"
		p, ok := atTop(rows, scenario, rps, func(e, t float64) float64 { return e / t })
		if !ok {
			return skip(claim, "no %s level with req/s from both evented and a thread-per-connection server", scenario)
		}
		extra := fmt.Sprintf(" (%.0f vs %.0f req/s, %s%s)", p.ev.at(p.top, rps), p.th.at(p.top, rps), among(p.name, "fastest", p.cands), p.left)
		if p.ev.clientBound(p.top) {
			extra += "; evented was client-bound, so its figure is the load generator's limit"
		}
		res := verdict(fmt.Sprintf("%s (c=%s)", claim, fmtNum(p.top)), atLeast, p.ratio, TopHelloMinRatio, "×", 2, extra)
		return checked(res, p.ev.only(p.top), p.th.only(p.top))
	})
}

// topCPUPerRequest: at the highest level of a /hello sweep both ran, the thread-per-
// connection server that spends least CPU per request there spends at least
// CPUPerReqMinRatio times evented's: the cost a saturated client cannot hide.
func topCPUPerRequest(rows []metrics.SummaryRow) []Result {
	cpu := func(r metrics.SummaryRow) float64 { return r.CPUUsPerReq }
	return cheapSweeps.each(rows, "threads/evented server CPU per request at the top level", func(scenario string) Result {
		claim := "threads/evented server CPU per request at the top " + scenario + " level"
		p, ok := atTop(rows, scenario, cpu, func(e, t float64) float64 { return t / e })
		if !ok {
			return skip(claim, "no %s level with cpu_us_per_req from both evented and a thread-per-connection server", scenario)
		}
		extra := fmt.Sprintf(" (%.1f µs vs %.1f µs, %s%s)", p.th.at(p.top, cpu), p.ev.at(p.top, cpu), among(p.name, "thriftiest", p.cands), p.left)
		res := verdict(fmt.Sprintf("%s (c=%s)", claim, fmtNum(p.top)), atLeast, p.ratio, CPUPerReqMinRatio, "×", 2, extra)
		return checked(res, p.ev.only(p.top), p.th.only(p.top))
	})
}

// stallsBehindBurn: in a head-of-line scenario whose background burns CPU (/cpu?us=N),
// the single loop of server runs each burn itself, so a cheap request can wait a whole
// burn: its p99 is at least StallMinShare of N.
func stallsBehindBurn(server string) Claim {
	return func(rows []metrics.SummaryRow) []Result {
		claim := server + " p99 behind a whole burn"
		return holScenarios.each(rows, claim, func(scenario string) Result {
			s := rowsOf(rows, server, scenario, p99)
			burn := burnUs(s)
			if len(s) == 0 || burn <= 0 {
				return skip(claim+" ("+scenario+")", "no %s rows of %s with p99 beside a /cpu?us=N background", scenario, server)
			}
			top := s.levels()[len(s.levels())-1]
			x := s.at(top, p99)
			extra := fmt.Sprintf(" (%.0f µs, the burn %.0f µs)", x, burn)
			return checked(verdict(fmt.Sprintf("%s (%s, %s)", claim, scenario, s.levelText(top)), atLeast, x/burn, StallMinShare, "× the burn", 2, extra), s)
		})
	}
}

// burnUs is the CPU time each background request burns, from its path (/cpu?us=N), or 0.
func burnUs(s series) float64 {
	for _, r := range s {
		p, q, _ := strings.Cut(r.BgPath, "?")
		if p != "/cpu" {
			continue
		}
		for _, kv := range strings.Split(q, "&") {
			if v, ok := strings.CutPrefix(kv, "us="); ok {
				n, err := strconv.ParseFloat(v, 64)
				if err == nil {
					return n
				}
			}
		}
	}
	return 0
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

// threadedIOThreads: a thread-per-connection server holds a thread for every connection it
// has accepted, so at every /io level its threads are at least ThreadsPerFDMin of its
// descriptors beyond OwnFDs (one per accepted connection; OwnFDs for its listener, logs,
// pipes and files).
// Threads, not the load's connections: on one CPU such a server accepts more slowly than
// the load connects, and the connections it has not accepted wait in the kernel's backlog
// (the rows' conns_up against fds_peak show it). Each thread server is checked; the figure
// is its level with the fewest threads per descriptor.
func threadedIOThreads(rows []metrics.SummaryRow) []Result {
	names := ioSweeps.scenarios(rows)
	if len(names) == 0 {
		return []Result{skip("a thread per accepted connection at /io", "no %s scenario in the run", ioSweeps.what)}
	}
	var out []Result
	for _, sc := range names {
		cands := threadServers(rows, sc)
		if len(cands) == 0 {
			out = append(out, skip("a thread per accepted connection at /io ("+sc+")", "no %s rows of a thread-per-connection server with threads_peak", sc))
		}
		for _, srv := range cands {
			out = append(out, threadsIOThreadsIn(rows, srv, sc))
		}
	}
	return out
}

func threadsIOThreadsIn(rows []metrics.SummaryRow, server, scenario string) Result {
	claim := server + ": a thread per accepted connection at /io (" + scenario
	fds := func(r metrics.SummaryRow) float64 { return float64(r.FDsPeak) }
	s := rowsOf(rows, server, scenario, func(r metrics.SummaryRow) float64 { return min(threads(r), fds(r)) })
	lv := s.levels()
	if len(lv) == 0 {
		return skip(claim+")", "no %s rows of %s with threads_peak and fds_peak", scenario, server)
	}
	worst, at := math.Inf(1), 0.0
	for _, l := range lv {
		if per := s.at(l, threads) / math.Max(s.at(l, fds)-OwnFDs, 1); per < worst {
			worst, at = per, l
		}
	}
	extra := fmt.Sprintf(" (%.0f threads, %.0f descriptors at the tightest level, c=%s)", s.at(at, threads), s.at(at, fds), fmtNum(at))
	return checked(verdict(fmt.Sprintf("%s, c=%s)", claim, span(lv)), atLeast, worst, ThreadsPerFDMin, " threads per descriptor", 2, extra), s)
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
