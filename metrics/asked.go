package metrics

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// AskedLevel is the level the row's step asked for, as the suite names it (and run.json
// plans it): the connections of a closed row; the idle connections asked of an idle row,
// which its idle_conns falls short of when fewer came up (its note says "only N of M idle
// connections up"); an open row's offered rate as the share of the probe it was sized
// from (reference_rps, or a capacity its note gives), else the offered rate itself.
func (r SummaryRow) AskedLevel() float64 {
	switch r.Kind {
	case KindIdle:
		if i := strings.Index(r.Note, "only "); i >= 0 {
			var up, asked int
			if n, _ := fmt.Sscanf(r.Note[i:], "only %d of %d idle connections up", &up, &asked); n == 2 {
				return float64(asked)
			}
		}
		return float64(r.IdleConns)
	case KindOpen:
		if c := r.probeRPS(); c > 0 && r.OfferedRPS > 0 {
			return shareOf(r.OfferedRPS, c, r.DurationS)
		}
		return r.OfferedRPS
	}
	return float64(r.Concurrency)
}

// CapacityRPS is an open row's capacity probe: the req/s its offered rate is a share of
// when that is the server's own capacity (a rate row), 0 for a row sized from the run's
// reference probe or given a fixed rate.
func (r SummaryRow) CapacityRPS() float64 {
	if r.Kind != KindOpen || r.HasBackground() {
		return 0
	}
	return r.probeRPS()
}

// probeRPS is reference_rps, or, in a row from before that column was filled for a rate
// row, the capacity its note gives ("0.5 × capacity 8484 req/s").
func (r SummaryRow) probeRPS() float64 {
	if r.ReferenceRPS > 0 {
		return r.ReferenceRPS
	}
	i := strings.Index(r.Note, "× capacity ")
	if i < 0 {
		return 0
	}
	var c float64
	if _, err := fmt.Sscanf(r.Note[i+len("× capacity "):], "%g req/s", &c); err != nil || math.IsNaN(c) {
		return 0
	}
	return c
}

// shareOf is offered/probe as the suite wrote it: the coarsest rounding (1 to 6
// significant digits) that the columns cannot tell from the quotient. Both are rounded to
// whole req/s, and offered is the requests due in the window over its length (window
// seconds), one request more or less than the rate asked: 1624 req/s offered of a 162349
// req/s probe over 3 s (1623.49 asked, 4871 due) is 0.010003 to 5 digits, but 0.01 within
// those; 150 of 15050 is 0.01 too; 1250 of 10000 stays 0.125.
func shareOf(offered, probe, window float64) float64 {
	raw := offered / probe
	tolerance := 0.5/offered + 0.5/probe // relative
	if window > 0 {
		tolerance += 1 / window / offered
	}
	for digits := 1; digits < 6; digits++ {
		f, _ := strconv.ParseFloat(strconv.FormatFloat(raw, 'g', digits, 64), 64)
		if math.Abs(f-raw) <= tolerance*raw {
			return f
		}
	}
	f, _ := strconv.ParseFloat(strconv.FormatFloat(raw, 'g', 6, 64), 64)
	return f
}
