package wire

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/benchsuite/threads-vs-loop/loadgen"
)

// LoadArgs is a `bench load` command line: the flags the orchestrator writes for a client
// host (Args) and that `bench load` declares (Bind) and reads (Resolve).
type LoadArgs struct {
	Engine string // closed, open or vegeta
	// Config holds the load: URL, connections, times, pipeline, ramp and, once Resolve
	// has read Rate, the rate; StartAt comes from StartAt.
	Config  loadgen.Config
	Rate    string // open: "R", or "A:B" for a linear ramp
	Idle    int    // idle keep-alive connections held beside the load, or alone with -c 0
	CPUs    string // pin the client to these CPUs (taskset -c syntax)
	StartAt string // begin the warm-up then: Unix nanoseconds, or "stdin" (StartLine)
	JSON    bool   // answer with LoadReply
}

// Bind declares the flags into a, with their defaults and help.
func (a *LoadArgs) Bind(fs *flag.FlagSet) {
	c := &a.Config
	fs.StringVar(&c.URL, "url", "", "target, e.g. http://127.0.0.1:8080/hello (required)")
	fs.StringVar(&a.Engine, "engine", "closed", "closed (saturation, as wrk), open (constant rate, vegeta) or vegeta (vegeta's closed loop, for comparison)")
	fs.IntVar(&c.Concurrency, "c", 10, "closed: connections (0 with --idle: only hold idle ones); open: the most vegeta workers ("+strconv.Itoa(loadgen.DefaultOpenMaxWorkers)+" unless given)")
	fs.StringVar(&a.Rate, "rate", "", "open: requests per second, or A:B for a linear ramp from A to B over warm-up + duration")
	fs.DurationVar(&c.Duration, "duration", 10*time.Second, "the measured window")
	fs.DurationVar(&c.Warmup, "warmup", 2*time.Second, "load before the window, not counted")
	fs.DurationVar(&c.Timeout, "timeout", loadgen.DefaultTimeout, "per request; a request unanswered this long is a timeout error")
	fs.DurationVar(&c.Grace, "grace", 0, "open: a request due in the window counts in requests and req/s only if it completed by the window's end plus this; one completed later is late (its latency still recorded)")
	fs.IntVar(&c.Pipeline, "pipeline", 1, "closed: requests in flight per connection")
	fs.IntVar(&c.Loops, "loops", 0, "closed: event loops, each on its own thread (0: one per CPU the client may use)")
	fs.BoolVar(&c.Ramp, "ramp", false, "closed: each connection makes one request and waits until all have been answered once (within the warm-up, or up to --ramp-max), so the server holds them all when the window begins (bench run does this; wrk does not)")
	fs.DurationVar(&c.RampMax, "ramp-max", 0, "closed, with --ramp: let the ramp outlast the warm-up, up to this long; the warm-up then begins once every connection has been answered (bench run: 15s; 0: the ramp ends by the window)")
	fs.IntVar(&a.Idle, "idle", 0, "hold this many idle keep-alive connections (each made one request) during the load")
	fs.StringVar(&a.CPUs, "cpus", "", "pin the whole client process to these CPUs, e.g. 1 or 1-3 (taskset -c syntax)")
	fs.BoolVar(&a.JSON, "json", false, "print the result as JSON (latencies in microseconds)")
	fs.BoolVar(&c.AllowRemote, "allow-remote", false, "permit a target that is not a loopback address")
	fs.StringVar(&a.StartAt, "start-at", "", "begin the warm-up at this wall-clock instant, Unix nanoseconds; \"stdin\": read \"UNIX_NANOS [WARMUP]\" from the first line of stdin (bench run's client hosts start together)")
}

// DefaultLoadArgs is LoadArgs with every flag at the default Bind declares: a caller sets
// what it means and Args writes the rest as the child would have taken it.
func DefaultLoadArgs() LoadArgs {
	var a LoadArgs
	a.Bind(flag.NewFlagSet("defaults", flag.ContinueOnError))
	return a
}

// Args is a as `bench load` arguments (without the command's name), every flag Bind
// declares written out, so the child reads exactly a whatever its defaults (a LoadArgs
// not made from DefaultLoadArgs writes its zero Timeout and Pipeline, which bench load
// refuses).
func (a LoadArgs) Args() []string {
	c := a.Config
	d := func(v time.Duration) string { return v.String() }
	return []string{
		"--url", c.URL, "--engine", a.Engine, "-c", strconv.Itoa(c.Concurrency), "--rate", a.Rate,
		"--duration", d(c.Duration), "--warmup", d(c.Warmup), "--timeout", d(c.Timeout), "--grace", d(c.Grace),
		"--pipeline", strconv.Itoa(c.Pipeline), "--loops", strconv.Itoa(c.Loops),
		"--ramp=" + strconv.FormatBool(c.Ramp), "--ramp-max", d(c.RampMax),
		"--idle", strconv.Itoa(a.Idle), "--cpus", a.CPUs, "--json=" + strconv.FormatBool(a.JSON),
		"--allow-remote=" + strconv.FormatBool(c.AllowRemote), "--start-at", a.StartAt,
	}
}

// FormatRate is an open load's rate as --rate takes it: "R", or "A:B" for a ramp.
func FormatRate(rate, rateEnd float64) string {
	s := strconv.FormatFloat(rate, 'f', -1, 64)
	if rateEnd > 0 {
		s += ":" + strconv.FormatFloat(rateEnd, 'f', -1, 64)
	}
	return s
}

// ErrArgs is a LoadArgs whose rate or start instant cannot be read.
var ErrArgs = errors.New("wire")

// Resolve reads Rate into Config.Rate and RateEnd, and StartAt (unless "stdin" or "")
// into Config.StartAt.
func (a *LoadArgs) Resolve() error {
	c := &a.Config
	c.Rate, c.RateEnd = 0, 0
	if a.Rate != "" {
		from, to, ramp := strings.Cut(a.Rate, ":")
		r, errA := strconv.ParseFloat(from, 64)
		end, errB := r, error(nil)
		if ramp {
			end, errB = strconv.ParseFloat(to, 64)
		}
		if errA != nil || errB != nil || !(r > 0 && r < 1e9) || !(end > 0 && end < 1e9) {
			return fmt.Errorf("%w: --rate %q: want R or A:B, positive requests per second", ErrArgs, a.Rate)
		}
		c.Rate = r
		if ramp {
			c.RateEnd = end
		}
	}
	if a.StartAt != "" && a.StartAt != "stdin" {
		ns, err := strconv.ParseInt(a.StartAt, 10, 64)
		if err != nil || ns <= 0 {
			return fmt.Errorf("%w: --start-at: want Unix nanoseconds or stdin", ErrArgs)
		}
		c.StartAt = time.Unix(0, ns)
	}
	return nil
}

// StartLine is the line a client host started with --start-at stdin reads: the instant
// its warm-up begins and the warm-up left by then.
func StartLine(at time.Time, warmup time.Duration) string {
	return fmt.Sprintf("%d %s\n", at.UnixNano(), warmup)
}

// ParseStartLine reads a StartLine (its newline removed) into cfg.StartAt and, when it
// gives one, cfg.Warmup.
func ParseStartLine(line string, cfg *loadgen.Config) error {
	f := strings.Fields(line)
	if len(f) == 0 || len(f) > 2 {
		return fmt.Errorf("line %q, want UNIX_NANOS [WARMUP]", line)
	}
	ns, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return fmt.Errorf("line %q: %w", line, err)
	}
	cfg.StartAt = time.Unix(0, ns)
	if len(f) == 2 {
		if cfg.Warmup, err = time.ParseDuration(f[1]); err != nil {
			return fmt.Errorf("line %q: %w", line, err)
		}
	}
	return nil
}

// IdlePrefix begins the line `bench load --idle` writes on stderr once its idle
// connections are set up (IdleLine).
const IdlePrefix = "idle: "

// IdleLine is that line.
func IdleLine(up, failed int) string {
	return fmt.Sprintf("%s%d up, %d failed\n", IdlePrefix, up, failed)
}

// ParseIdleLine reads an IdleLine; ok is false when line is not one.
func ParseIdleLine(line string) (up, failed int, ok bool, err error) {
	if !strings.HasPrefix(line, IdlePrefix) {
		return 0, 0, false, nil
	}
	_, err = fmt.Sscanf(line, IdlePrefix+"%d up, %d failed", &up, &failed)
	return up, failed, true, err
}
