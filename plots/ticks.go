package plots

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// formatter turns a tick value into its label.
type formatter func(float64) string

// plain formats v with at most 4 significant digits and no exponent for the magnitudes a
// chart shows.
func plain(v float64) string {
	if v == 0 {
		return "0"
	}
	return strconv.FormatFloat(roundSig(v, 4), 'f', -1, 64)
}

// si formats v with a k or M suffix: 1500 → 1.5k, 8000 → 8k, 2e6 → 2M.
func si(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1e6:
		return plain(v/1e6) + "M"
	case a >= 1e3:
		return plain(v/1e3) + "k"
	}
	return plain(v)
}

func roundSig(v float64, digits int) float64 {
	if v == 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return v
	}
	p := math.Pow10(digits - 1 - int(math.Floor(math.Log10(math.Abs(v)))))
	return math.Round(v*p) / p
}

// linearTicks labels about seven round values (1, 2, 2.5 or 5 × 10^k apart) with a minor
// tick between each two.
type linearTicks struct{ format formatter }

// Ticks implements plot.Ticker.
func (t linearTicks) Ticks(min, max float64) []plot.Tick {
	if !(max > min) {
		return []plot.Tick{{Value: min, Label: t.format(min)}}
	}
	raw := (max - min) / 7
	mag := math.Pow10(int(math.Floor(math.Log10(raw))))
	step := 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var ticks []plot.Tick
	for i := math.Ceil(min / step * 2); i*step/2 <= max*(1+1e-9); i++ {
		v := roundSig(i*step/2, 12)
		tk := plot.Tick{Value: v}
		if math.Mod(i, 2) == 0 {
			tk.Label = t.format(v)
		}
		ticks = append(ticks, tk)
	}
	return ticks
}

// levelTicks label the levels a scenario was measured at, over the minor ticks of base.
type levelTicks struct {
	levels []float64
	base   plot.Ticker
	format formatter
}

// Ticks implements plot.Ticker.
func (t levelTicks) Ticks(min, max float64) []plot.Tick {
	var ticks []plot.Tick
	for _, tk := range t.base.Ticks(min, max) {
		tk.Label = ""
		ticks = append(ticks, tk)
	}
	_, isLog := t.base.(logTicks)
	pos := func(v float64) float64 {
		if isLog {
			return math.Log10(v)
		}
		return v
	}
	gap := minLabelGap * (pos(max) - pos(min))
	if isLog {
		gap = minLabelGapLog * (pos(max) - pos(min))
	}
	last := math.Inf(-1)
	for _, l := range t.levels { // a level too close to the last labelled one is marked, not labelled
		tk := plot.Tick{Value: l}
		if pos(l)-last >= gap {
			tk.Label, last = t.format(l), pos(l)
		}
		ticks = append(ticks, tk)
	}
	return ticks
}

// minLabelGap and minLabelGapLog are the least distance between two labelled levels, as a
// share of a linear or a log axis: room for labels such as "1.031k".
const (
	minLabelGap    = 0.1
	minLabelGapLog = 0.04
)

// logTicks marks 1..9 × 10^k and labels the decades, or 1, 2 and 5 × 10^k when the axis
// spans little more than two decades.
type logTicks struct{ format formatter }

// Ticks implements plot.Ticker.
func (t logTicks) Ticks(min, max float64) []plot.Tick {
	labelled := map[int]bool{1: true}
	if math.Log10(max/min) <= 2.6 {
		labelled[2], labelled[5] = true, true
	}
	var ticks []plot.Tick
	nLabels := 0
	for e := int(math.Floor(math.Log10(min))); e <= int(math.Ceil(math.Log10(max))); e++ {
		for m := 1; m <= 9; m++ {
			v := float64(m) * math.Pow10(e)
			if v < min*(1-1e-9) || v > max*(1+1e-9) {
				continue
			}
			tk := plot.Tick{Value: v}
			if labelled[m] {
				tk.Label = t.format(v)
				nLabels++
			}
			ticks = append(ticks, tk)
		}
	}
	if nLabels < 2 {
		return linearTicks{t.format}.Ticks(min, max)
	}
	return ticks
}

// setLogAxis makes ax a log axis spanning the positive values lo..hi with some margin.
func setLogAxis(ax *plot.Axis, lo, hi float64, format formatter) {
	if hi <= lo {
		lo, hi = lo/2, hi*2
	}
	ax.Scale = plot.LogScale{}
	ax.Tick.Marker = logTicks{format}
	ax.Min, ax.Max = lo/1.3, hi*1.3
}

// setZeroAxis makes ax a linear axis from 0 to a little above hi.
func setZeroAxis(ax *plot.Axis, hi float64, format formatter) {
	if hi <= 0 {
		hi = 1
	}
	ax.Tick.Marker = linearTicks{format}
	ax.Min, ax.Max = 0, hi*1.08
}
