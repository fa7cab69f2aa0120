package metrics

import (
	"strconv"
	"strings"
)

// Kind is what a scenario is: how it is driven and what its level means. Every stage
// after the suite file (levels, matching, ratios, charts, claims, file names) switches on
// the kind and on values carried in the rows, never on a scenario's name.
type Kind string

// The scenario kinds.
const (
	KindClosed Kind = "closed" // levels are concurrent connections (closed engine)
	KindIdle   Kind = "idle"   // levels are idle keep-alive connections beside a few active ones
	KindOpen   Kind = "open"   // levels are offered rates (open engine)
)

// Kinds lists the kinds a suite may use.
var Kinds = []Kind{KindClosed, KindIdle, KindOpen}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool { return k == KindClosed || k == KindIdle || k == KindOpen }

// LevelName is what a level of this kind counts: "c" (concurrent connections), "idle"
// (idle connections) or "offered req/s".
func (k Kind) LevelName() string {
	switch k {
	case KindIdle:
		return "idle"
	case KindOpen:
		return "offered req/s"
	}
	return "c"
}

// Level is the row's x value, from its kind: idle connections for idle, offered rate for
// open, concurrent connections otherwise.
func (r SummaryRow) Level() float64 {
	switch r.Kind {
	case KindIdle:
		return float64(r.IdleConns)
	case KindOpen:
		return r.OfferedRPS
	}
	return float64(r.Concurrency)
}

// HasBackground reports whether the row's load ran beside a background load (a
// head-of-line blocking scenario): its figures are those of the foreground path.
func (r SummaryRow) HasBackground() bool { return r.BgPath != "" }

// MemoryKB is the server's memory at its peak, its process tree summed with PSS (shared
// pages counted once: nginx's master and worker, Apache's children) when the sampler read
// it, else its RSS.
func (r SummaryRow) MemoryKB() int64 {
	if r.PSSPeakKB > 0 {
		return r.PSSPeakKB
	}
	return r.RSSPeakKB
}

// LevelText describes the row's level in words, e.g. "c = 1000", "5000 idle + 10 active",
// "2000 req/s offered".
func (r SummaryRow) LevelText() string {
	n := strconv.FormatFloat(r.Level(), 'f', -1, 64)
	switch r.Kind {
	case KindIdle:
		return n + " idle + " + strconv.Itoa(r.Concurrency) + " active"
	case KindOpen:
		return strconv.FormatFloat(r.Level(), 'f', 0, 64) + " req/s offered"
	}
	return "c = " + n
}

// inferLegacy fills kind and path in a row read from a summary.csv written before those
// columns existed (round 1's suite): the one place where a scenario's name is read for
// what it is. A row that has a kind is left alone.
func inferLegacy(r *SummaryRow) {
	if r.Design == "" {
		r.Design = legacyDesigns[r.Server]
	}
	if r.Kind != "" {
		return
	}
	switch {
	case r.Scenario == "idle":
		r.Kind = KindIdle
	case r.Engine == "open" || r.Scenario == "rate":
		r.Kind = KindOpen
	default:
		r.Kind = KindClosed
	}
	if r.Path != "" {
		return
	}
	switch r.Scenario {
	case "hello", "idle":
		r.Path = "/hello"
	case "io":
		r.Path = "/io?ms=20"
	case "hol":
		r.Path, r.BgPath, r.BgConcurrency = "/hello", "/cpu?us=5000", 20
	case "rate":
		r.Path = "/cpu?us=100"
	}
}

// legacyDesigns are the designs of the servers of round 1's runs, which did not record it.
var legacyDesigns = map[string]string{
	"threaded": "threads", "cthreads": "threads", "evented": "events", "evented-offload": "events",
	"nginx": "events", "goroutine": "goroutines",
}

// Request is how a row's load reads in a title: "GET /hello".
func Request(path string) string {
	if path == "" {
		return "GET ?"
	}
	return "GET " + path
}

// SafeName makes a free-text name usable in a file name: anything but letters, digits,
// '-' and '.' becomes '-'.
func SafeName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.':
			return r
		}
		return '-'
	}, s)
}
