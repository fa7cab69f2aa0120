package wire

import (
	"flag"
	"strconv"
	"time"

	"github.com/benchsuite/threads-vs-loop/sampler"
)

// SampleArgs is a `bench sample` command line: a multi-host run samples its server
// there.
type SampleArgs struct {
	PID      int
	Interval time.Duration
	Once     bool // one sample, then exit
}

// Bind declares the flags into a.
func (a *SampleArgs) Bind(fs *flag.FlagSet) {
	fs.IntVar(&a.PID, "pid", 0, "the process whose tree is sampled (required)")
	fs.DurationVar(&a.Interval, "interval", sampler.DefaultInterval, "sampling period")
	fs.BoolVar(&a.Once, "once", false, "print one sample and exit")
}

// Args is a as `bench sample` arguments (without the command's name).
func (a SampleArgs) Args() []string {
	interval := a.Interval
	if interval <= 0 {
		interval = sampler.DefaultInterval
	}
	return []string{"--pid", strconv.Itoa(a.PID), "--interval", interval.String(), "--once=" + strconv.FormatBool(a.Once)}
}

// The commands `bench sample` reads on stdin: SampleMark reads the tree's context
// switches, SampleSince has it print those made since (a SampleLine with Switches).
const (
	SampleMark  = "mark"
	SampleSince = "since"
)

// SampleLine is one line of `bench sample`'s output: a sample, or the answer to
// SampleSince.
type SampleLine struct {
	sampler.Sample
	Switches *sampler.Switches `json:",omitempty"`
}
