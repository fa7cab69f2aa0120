package claims

import (
	"fmt"
	"math"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// virtualMemory: the two servers of one family run the same code and hold the same
// objects per connection (the socket, the buffers, the thread's object); a platform
// thread adds its stack, of which it touches at least a page, while a parked virtual
// thread's frames are copied to a heap object the size of the frames (measured: 2.6 KB of
// 4.7 KB per idle connection, scripts/peers/README.md). So the virtual threads' memory per
// idle connection is at most the platform threads' less a page (PageKB); the line gives
// the share, and the platform threads are held to the thread principle (a page or more).
func virtualMemory(run Run) []Result {
	return run.each("virtual threads memory per connection", virtualThreads, func(v member) []Result {
		name := v.server + " memory per connection"
		p := member{platformThreads, run.sibling(v, platformThreads)}
		if p.server == "" {
			return []Result{{NA, name, fmt.Sprintf("no server of %s's family (%q) holds the role %s, %s", v.server, metrics.FamilyOf(run.Servers, v.server), platformThreads.key, platformThreads.name)}}
		}
		return idleSweeps.eachN(run, name+" ("+idleSweeps.what+")", func(scenario string) []Result {
			ss, res, ok := cast(run, name+" ("+scenario+")", scenario, v, p)
			if !ok {
				return []Result{res}
			}
			vx, vok := perConn(ss[0])
			px, pok := perConn(ss[1])
			if !vok || !pok {
				return []Result{skip(name+" ("+scenario+")", "needs %s rows of %s and %s at 2 or more levels", scenario, v.server, p.server)}
			}
			extra := fmt.Sprintf(" (%s's %.1f KB less a page: the stack a virtual thread does not have; %.0f %% of it)", p.server, px, 100*vx/px)
			claim := fmt.Sprintf("%s (%s, %s)", name, scenario, span(ss[0].levels()))
			pclaim := fmt.Sprintf("%s memory per connection (%s, %s)", p.server, scenario, span(ss[1].levels()))
			return []Result{
				checked(verdict(claim, atMost, vx, px-PageKB, " KB", 1, extra), memKB, ss[0], ss[1]),
				checked(verdict(pclaim, atLeast, px, PageKB, " KB", 1, threadPageWhy), memKB, ss[1]),
			}
		})
	})
}

// virtualThreadsIdle: virtual threads hold no OS thread each: from the lowest idle level
// to the highest, the server's threads grow by at most LoopIOThreadsGrowth, as a loop's.
func virtualThreadsIdle(run Run) []Result {
	return run.each("virtual threads OS threads at idle", virtualThreads, func(v member) []Result {
		name := v.server + " OS threads per idle connection"
		return idleSweeps.eachN(run, name, func(scenario string) []Result {
			ss, res, ok := cast(run, name+" ("+scenario+")", scenario, v)
			if !ok {
				return []Result{res}
			}
			s := ss[0]
			lv := s.levels()
			if len(lv) < 2 {
				return []Result{skip(name+" ("+scenario+")", "needs %s rows of %s at 2 or more levels", scenario, v.server)}
			}
			lo, hi := lv[0], lv[len(lv)-1]
			grown := s.at(hi, threads) - s.at(lo, threads)
			extra := fmt.Sprintf(" (%.0f threads at %s idle, %.0f at %s", s.at(hi, threads), fmtNum(hi), s.at(lo, threads), fmtNum(lo))
			if p := run.sibling(v, platformThreads); p != "" {
				if ps := rowsOf(run.Rows, p, scenario).only(hi); len(ps) > 0 && !math.IsNaN(ps.at(hi, threads)) {
					extra += fmt.Sprintf("; %s: %.0f", p, ps.at(hi, threads))
				}
			}
			claim := fmt.Sprintf("%s OS threads grown from %s to %s idle connections (%s)", v.server, fmtNum(lo), fmtNum(hi), scenario)
			return []Result{checked(verdict(claim, atMost, grown, LoopIOThreadsGrowth, " threads", 0, extra+")"), threads, s)}
		})
	})
}
