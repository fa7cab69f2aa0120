package claims

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// stallsBehindBurn: beside a background of burns of B µs taking a share ρ of the time,
// a server that runs the burns where it serves the others (a loop, virtual threads on one
// carrier) makes its p99 wait about B(1 − 0.01/ρ); the claim asks for that less
// StallTolerance of B (doc.go).
func stallsBehindBurn(run Run) []Result {
	return run.each("p99 behind the burns on its loop", burnsOnLoop, func(m member) []Result {
		name := m.server + " p99 behind the burns on its loop"
		return holScenarios.each(run, name, func(scenario string) Result {
			s, level, burn, claim, res, ok := holRows(run, name, scenario, m)
			if !ok {
				return res
			}
			rho := s.at(level, figure{"bg_rps", func(r metrics.SummaryRow) float64 { return r.BgRPS }}) * burn / 1e6
			if rho <= 0.01/(1-StallTolerance) { // the threshold below would be 0 or less
				return skip(claim, "the background's burns took ρ = %.3f of the time: too little for a p99 to fall in one", rho)
			}
			want := 1 - 0.01/rho - StallTolerance
			x := s.at(level, p99) / burn
			extra := fmt.Sprintf(" (%.1f ms; the burn %.0f ms taking ρ = %.2f of the time: B(1 − 0.01/ρ) less %.0f %% of B = %.1f ms)",
				x*burn/1000, burn/1000, rho, 100*StallTolerance, want*burn/1000)
			return verdict(claim, atLeast, x, want, "× the burn", 2, extra)
		})
	})
}

// sparedByBurns: a server whose burns run on threads the kernel time-slices beside the
// ones that serve the others (a loop that hands each burn to a pool, a thread per
// connection) waits for its share of the CPU, not for a burn: its p99 stays under
// OffloadMaxBurnShare of the burn. The server of its family that runs the burns on its
// loop, if any, is printed beside it.
func sparedByBurns(ro role) Claim {
	what := map[role]string{burnsOffloaded: "offloaded", burnsTimeSliced: "time-sliced"}[ro]
	return func(run Run) []Result {
		return run.each("p99 with its burns "+what, ro, func(m member) []Result {
			name := m.server + " p99 with its burns " + what
			return holScenarios.each(run, name, func(scenario string) Result {
				s, level, burn, claim, res, ok := holRows(run, name, scenario, m)
				if !ok {
					return res
				}
				x := s.at(level, p99) / burn
				extra := fmt.Sprintf(" (%.1f ms, the burn %.0f ms", x*burn/1000, burn/1000)
				if loop := rowsOf(run.Rows, run.sibling(m, burnsOnLoop), scenario).only(level); len(loop) > 0 {
					extra += fmt.Sprintf("; %s, the burns on its loop: %.1f ms", loop[0].Server, loop.at(level, p99)/1000)
				}
				return verdict(claim, atMost, x, OffloadMaxBurnShare, "× the burn", 2, extra+")")
			})
		})
	}
}

// holRows is m's rows in a head-of-line scenario, the level read (its top), the burn
// and the claim's name at that level; ok is false with the SKIP or N/A when they are
// missing, or the UNRELIABLE when a row at that level cannot carry a claim (holProblem).
func holRows(run Run, name, scenario string, m member) (s series, level, burn float64, claim string, res Result, ok bool) {
	ss, res, ok := cast(run, name+" ("+scenario+")", scenario, m)
	if !ok {
		return nil, 0, 0, "", res, false
	}
	s = ss[0]
	level = s.top()
	if burn = burnUs(s.only(level)[0]); burn <= 0 {
		return nil, 0, 0, "", skip(name+" ("+scenario+")", "%s's background burns no CPU (bg_burn_us)", m.server), false
	}
	claim = fmt.Sprintf("%s (%s, %s)", name, scenario, s.levelText(level))
	if why := holProblem(s.only(level), burn); why != "" {
		return nil, 0, 0, "", Result{Unreliable, claim, "unreliable: " + why}, false
	}
	return s, level, burn, claim, Result{}, true
}

// holProblem says why a head-of-line row cannot carry a claim, "" when it can: a row
// problem (rowProblem), no p99, the server fell behind its foreground, the client sent
// late (its p99 then counts the client's delay), or the burns ran short: a burn of B µs
// of CPU time takes at least B of wall time, so a background p50 under (1 −
// StallTolerance) B says the server burned less than it was asked to.
func holProblem(s series, burn float64) string {
	if why := s.problem(p99); why != "" {
		return why
	}
	for _, r := range s {
		why := fellBehind(r)
		switch {
		case why != "":
		case r.Due > 0 && float64(r.Sent) < ForegroundMinShare*float64(r.Due):
			why = fmt.Sprintf("the client sent %d of %d requests due in the window", r.Sent, r.Due)
		case r.BgP50us > 0 && r.BgP50us < (1-StallTolerance)*burn:
			why = fmt.Sprintf("its burns ran short: background p50 %.1f ms for burns of %.0f ms of CPU time", r.BgP50us/1000, burn/1000)
		}
		if why != "" {
			return r.Server + " " + r.LevelText() + ": " + why
		}
	}
	return ""
}

// burnUs is the CPU time each background request of r burns: bg_burn_us, or for a row
// written before that column, N of its /cpu?us=N path; 0 when it burns none.
func burnUs(r metrics.SummaryRow) float64 {
	if r.BgBurnUs > 0 {
		return r.BgBurnUs
	}
	p, q, _ := strings.Cut(r.BgPath, "?")
	if p != "/cpu" {
		return 0
	}
	for _, kv := range strings.Split(q, "&") {
		if v, ok := strings.CutPrefix(kv, "us="); ok {
			if n, err := strconv.ParseFloat(v, 64); err == nil {
				return n
			}
		}
	}
	return 0
}
