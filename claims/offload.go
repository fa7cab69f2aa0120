package claims

import (
	"fmt"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// offloadSpares: beside a background that burns CPU, a loop that hands each burn to a
// worker pool (offload) keeps its cheap requests from waiting whole burns, though both
// share one CPU: the kernel time-slices the pool's threads against the loop. The loop's
// p99 over offload's is at least OffloadMinRatio: the seed's warning, on the seed's own
// runtime when loop is node.
func offloadSpares(loop, offload string) Claim {
	return func(rows []metrics.SummaryRow) []Result {
		claim := loop + "/" + offload + " p99 beside a CPU background"
		return holScenarios.each(rows, claim, func(scenario string) Result {
			l, o := rowsOf(rows, loop, scenario, p99), rowsOf(rows, offload, scenario, p99)
			if len(l) == 0 || len(o) == 0 || burnUs(l) <= 0 {
				return skip(claim+" ("+scenario+")", "no %s rows of both %s and %s with p99 beside a /cpu?us=N background", scenario, loop, offload)
			}
			top := l.levels()[len(l.levels())-1]
			x, y := l.at(top, p99), o.at(top, p99)
			if y != y { // NaN: offload has no row at that level
				return skip(claim+" ("+scenario+")", "%s has no row at %s", offload, l.levelText(top))
			}
			extra := fmt.Sprintf(" (%.1f ms vs %.1f ms, the burn %.0f ms)", x/1000, y/1000, burnUs(l)/1000)
			res := verdict(fmt.Sprintf("%s (%s, %s)", claim, scenario, l.levelText(top)), atLeast, x/y, OffloadMinRatio, "×", 1, extra)
			return checked(res, l.only(top), o.only(top))
		})
	}
}
