package loadgen

import (
	"math"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// schedule is the open engine's pacer and, for each request vegeta numbers, the time it
// was due: the time the pacer aims to send it when it keeps up. Latency counts from there,
// so a server stall that holds vegeta's workers (and delays later sends) is not hidden.
type schedule struct {
	pacer vegeta.Pacer
	due   func(seq uint64) time.Duration // since the attack began
}

// newSchedule builds vegeta's pacer for cfg and the due time of each request under it.
//
// ConstantPacer{Freq, Per} sends request i at (i+1)·Per/Freq (integer nanoseconds), in
// closed form. LinearPacer aims at the hit count H(t) = a·t²/2 + b·t with one Newton
// step per hit, which at low rates strays a few per cent of an interval from H's inverse;
// so its due times are its own: the pacer is run forward as a punctual attacker would
// call it (see dueTimes), which the test against vegeta's pacer pins.
func newSchedule(cfg Config) *schedule {
	freq, per := rational(cfg.Rate)
	if cfg.RateEnd == 0 || cfg.RateEnd == cfg.Rate {
		interval := int64(per) / int64(freq)
		return &schedule{
			pacer: vegeta.ConstantPacer{Freq: freq, Per: per},
			due:   func(i uint64) time.Duration { return time.Duration((int64(i) + 1) * interval) },
		}
	}
	slope := (cfg.RateEnd - cfg.Rate) / (cfg.Warmup + cfg.Duration).Seconds()
	pacer := vegeta.LinearPacer{StartAt: vegeta.Rate{Freq: freq, Per: per}, Slope: slope}
	return &schedule{pacer: pacer, due: (&dueTimes{pacer: pacer}).at}
}

// dueTimes runs a pacer forward, one hit at a time, as an attacker that is never late
// would: each hit goes out exactly when the pacer said to wait for. It keeps every time
// computed (8 bytes per request of the run).
type dueTimes struct {
	pacer vegeta.Pacer
	times []time.Duration
}

// at is when hit i is due. Results arrive nearly in order, so this mostly appends one.
func (d *dueTimes) at(i uint64) time.Duration {
	for uint64(len(d.times)) <= i {
		var last time.Duration
		if n := len(d.times); n > 0 {
			last = d.times[n-1]
		}
		wait, stop := d.pacer.Pace(last, uint64(len(d.times)))
		if stop {
			return math.MaxInt64
		}
		d.times = append(d.times, last+max(wait, 0))
	}
	return d.times[i]
}

// untilEnd stops a pacer at the first hit due at or after end, so no request of the attack
// falls outside the warm-up and the window, and every one due before end is sent, even
// when the attacker is running late at the end. (vegeta checks the attack's duration
// before it waits for the next hit, and would send that one.)
type untilEnd struct {
	vegeta.Pacer
	due func(uint64) time.Duration
	end time.Duration
}

func (p untilEnd) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	if p.due(hits) >= p.end {
		return 0, true
	}
	return p.Pacer.Pace(elapsed, hits)
}

// rational writes rate as Freq per Per with an integer Freq: per second when rate is a
// whole number, else per 1000 s.
func rational(rate float64) (int, time.Duration) {
	if rate == math.Trunc(rate) && rate < math.MaxInt32 {
		return int(rate), time.Second
	}
	return max(1, int(math.Round(rate*1000))), 1000 * time.Second
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// offered is the rate the schedule asks for over [from, to): requests due in it per second.
func (s *schedule) offered(from, to time.Duration) float64 {
	if to <= from {
		return 0
	}
	return float64(s.dueBefore(to)-s.dueBefore(from)) / (to - from).Seconds()
}

// window is the requests due in cfg's window, [from, to) in vegeta's numbering: those due
// from the window's start to its end, or to the attack's end (ended, since the attack
// began) if that came first, the attack cut short.
func (s *schedule) window(cfg Config, ended time.Duration) (from, to uint64) {
	from = s.dueBefore(cfg.Warmup)
	return from, max(from, s.dueBefore(min(cfg.Warmup+cfg.Duration, ended)))
}

// dueBefore counts the requests due before t (due times never decrease).
func (s *schedule) dueBefore(t time.Duration) uint64 {
	hi := uint64(1)
	for s.due(hi) < t {
		hi *= 2
	}
	lo := uint64(0) // due(hi) ≥ t; find the first i with due(i) ≥ t
	for lo < hi {
		mid := lo + (hi-lo)/2
		if s.due(mid) < t {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}
