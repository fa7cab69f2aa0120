package claims

import (
	"fmt"
	"math"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// DesignThreads is the design column of a thread-per-connection server.
const DesignThreads = "threads"

// memoryClaim: the memory per connection of ro's server (the slope over every row of
// each scenario sel picks) against limit.
func memoryClaim(ro role, sel selector, b bound, limit float64, why string) Claim {
	return func(run Run) []Result {
		m, res, ok := run.one(ro.key+" memory per connection", ro)
		if !ok {
			return []Result{res}
		}
		name := m.server + " memory per connection"
		return sel.each(run, name+" ("+sel.what+")", func(scenario string) Result {
			claim := name + " (" + scenario + ")"
			ss, res, ok := cast(run, claim, scenario, m)
			if !ok {
				return res
			}
			s := ss[0]
			x, ok := perConn(s)
			if !ok {
				return skip(claim, "needs %s rows of %s at 2 or more levels, found %d", scenario, m.server, len(s.levels()))
			}
			claim = fmt.Sprintf("%s (%s, %s)", name, scenario, span(s.levels()))
			return checked(verdict(claim, b, x, limit, " KB", 1, why), memKB, s)
		})
	}
}

// threadMemory: a thread touches at least one page of its stack, so the thread reference
// costs at least a page per idle connection.
var threadMemory = memoryClaim(threadRef, idleSweeps, atLeast, PageKB, threadPageWhy)

// threadPageWhy is the thread principle as a claim line gives it.
const threadPageWhy = " (a thread touches at least a page of its stack)"

// loopMemory: a loop keeps no stack per connection: under a page each.
func loopMemory(ro role, sel selector) Claim {
	return memoryClaim(ro, sel, below, PageKB, " (no stack per connection)")
}

// seed2008Memory: Apache worker's memory grows at least as the 2008 graph's did.
var seed2008Memory = memoryClaim(apache2008, idleSweeps, atLeast, Seed2008ApacheKBPerConn, " (the 2008 graph: 9 to 40 MB over 4000 connections)")

// topCPUPerRequest: at the top level of a /hello sweep, the thread reference spends more
// CPU per request than the loop in every round: its cheapest repeat over the loop's
// dearest is above SwitchMinCPURatio (doc.go).
func topCPUPerRequest(run Run) []Result {
	return cheapSweeps.each(run, "threads/loop CPU per request at the top /hello level", func(scenario string) Result {
		claim := "threads/loop CPU per request at the top " + scenario + " level"
		thRef, res, ok := run.one(claim, threadRef)
		if !ok {
			return res
		}
		loop, res, ok := run.one(claim, loopContender)
		if !ok {
			return res
		}
		ss, res, ok := cast(run, claim, scenario, thRef, loop)
		if !ok {
			return res
		}
		th, ev := ss[0], ss[1]
		level, moved, ok := levelAt(th, ev)
		if !ok {
			return skip(claim, "no level with rows of both %s and %s", th[0].Server, ev[0].Server)
		}
		thLo, thHi := th.only(level).span(cpuReq)
		evLo, evHi := ev.only(level).span(cpuReq)
		x, y := th.at(level, cpuReq), ev.at(level, cpuReq)
		extra := fmt.Sprintf(" in every round (%s %s µs vs %s %s µs; the medians' ratio %.2f×: %.0fk vs %.0fk req/s per CPU; %s%s)",
			th[0].Server, spanText(thLo, thHi), ev[0].Server, spanText(evLo, evHi), x/y, 1e3/x, 1e3/y, switchesPerRequest(th.only(level)), moved)
		res = verdict(fmt.Sprintf("%s (%s)", claim, th.levelText(level)), above, thLo/evHi, SwitchMinCPURatio, "×", 2, extra)
		return checked(res, cpuReq, th.only(level), ev.only(level))
	})
}

// spanText is a range of repeats, "12.3–12.9", or one figure when they agree (one repeat).
func spanText(lo, hi float64) string {
	if lo == hi {
		return fmt.Sprintf("%.1f", lo)
	}
	return fmt.Sprintf("%.1f–%.1f", lo, hi)
}

// switchesPerRequest is the premise of the CPU claim: the thread server's context
// switches per request served.
func switchesPerRequest(s series) string {
	var sw, req float64
	for _, r := range s {
		if !r.CtxVol.Known() || !r.CtxInvol.Known() {
			return s[0].Server + "'s context switches unknown"
		}
		sw += float64(r.CtxVol + r.CtxInvol)
		req += float64(r.Requests)
	}
	if req == 0 {
		return "no request"
	}
	return fmt.Sprintf("%s %.2f context switches per request", s[0].Server, sw/req)
}

// seed2008CPU: at the 2008 graphs' top level, Apache worker spends at least
// Seed2008CPURatio times nginx's CPU per request.
func seed2008CPU(run Run) []Result {
	name := "2008 threads/events CPU per request at 4000 connections"
	ap, res, ok := run.one(name, apache2008)
	if !ok {
		return []Result{res}
	}
	ng, res, ok := run.one(name, nginx2008)
	if !ok {
		return []Result{res}
	}
	return cheapSweeps.each(run, ap.server+"/"+ng.server+" CPU per request at 4000 connections", func(scenario string) Result {
		claim := fmt.Sprintf("%s/%s CPU per request (%s, c = %d, the 2008 graphs' top level)", ap.server, ng.server, scenario, Seed2008Level)
		ss, res, ok := cast(run, claim, scenario, ap, ng)
		if !ok {
			return res
		}
		a, n := ss[0].only(Seed2008Level), ss[1].only(Seed2008Level)
		if len(a) == 0 || len(n) == 0 {
			return skip(claim, "needs rows of %s and %s at c = %d", ap.server, ng.server, Seed2008Level)
		}
		x, y := a.at(Seed2008Level, cpuReq), n.at(Seed2008Level, cpuReq)
		extra := fmt.Sprintf(" (%.1f µs vs %.1f µs; the 2008 graphs: 9.0k vs 2.8k req/s)", x, y)
		return checked(verdict(claim, atLeast, x/y, Seed2008CPURatio, "×", 2, extra), cpuReq, a, n)
	})
}

// loopIOThreads: waiting on /io costs the loop no threads: its threads at any level are
// at most LoopIOThreadsGrowth more than at its lowest.
func loopIOThreads(run Run) []Result {
	ev, res, ok := run.one("loop-contender threads at /io", loopContender)
	if !ok {
		return []Result{res}
	}
	return ioSweeps.each(run, ev.server+" threads at /io", func(scenario string) Result {
		claim := ev.server + " threads at /io (" + scenario + ")"
		ss, res, ok := cast(run, claim, scenario, ev)
		if !ok {
			return res
		}
		s := ss[0]
		peak, at := math.Inf(-1), 0.0
		for _, l := range s.levels() {
			if n := s.at(l, threads); n > peak {
				peak, at = n, l
			}
		}
		low := s.levels()[0]
		base := s.at(low, threads)
		res = verdict(fmt.Sprintf("%s threads at /io (%s, c=%s)", ev.server, scenario, span(s.levels())), atMost, peak, base+LoopIOThreadsGrowth, " threads", 0,
			fmt.Sprintf(" (the most, at c=%s; %.0f at c=%s)", fmtNum(at), base, fmtNum(low)))
		return checked(res, threads, s)
	})
}

// threadIOThreads: every thread-per-connection server holds a thread for each connection
// it has answered, at every /io level; the thread reference must be among them.
func threadIOThreads(run Run) []Result {
	names := ioSweeps.scenarios(run.Rows)
	if len(names) == 0 {
		return []Result{skip("a thread per connection at /io", "no %s scenario in the run", ioSweeps.what)}
	}
	th, res, ok := run.one("a thread per connection at /io", threadRef)
	var out []Result
	if !ok {
		out = append(out, res)
	}
	for _, sc := range names {
		claim := "a thread per connection at /io (" + sc + ")"
		if _, res, found := cast(run, claim, sc, th); ok && !found {
			out = append(out, res)
		}
		for _, srv := range threadServers(run.Rows, sc) {
			out = append(out, threadIOThreadsIn(rowsOf(run.Rows, srv, sc), sc))
		}
	}
	return out
}

func threadIOThreadsIn(s series, scenario string) Result {
	claim := fmt.Sprintf("%s: a thread per connection at /io (%s, c=%s)", s[0].Server, scenario, span(s.levels()))
	up := func(r metrics.SummaryRow) float64 {
		if r.ConnsUp > 0 {
			return float64(r.ConnsUp)
		}
		return float64(r.Concurrency) // a row written before conns_up
	}
	worst, at := math.Inf(1), 0.0
	for _, l := range s.levels() {
		if per := s.at(l, threads) / s.at(l, figure{"conns_up", up}); per < worst {
			worst, at = per, l
		}
	}
	extra := fmt.Sprintf(" (%.0f threads for %.0f connections up at the tightest level, c=%s)", s.at(at, threads), s.at(at, figure{"conns_up", up}), fmtNum(at))
	return checked(verdict(claim, atLeast, worst, ThreadsPerConnMin, " threads per connection", 2, extra), threads, s)
}

// threadServers are the thread-per-connection servers (design threads) with rows in
// scenario, in the order they first appear.
func threadServers(rows []metrics.SummaryRow, scenario string) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range rows {
		if r.Scenario == scenario && r.Design == DesignThreads && !seen[r.Server] {
			out, seen[r.Server] = append(out, r.Server), true
		}
	}
	return out
}
