package wire

import (
	"flag"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/benchsuite/threads-vs-loop/loadgen"
)

// configNotFlags are the loadgen.Config fields no flag carries: the rate and the start
// instant travel as LoadArgs.Rate and StartAt, a callback cannot travel.
var configNotFlags = map[string]bool{"Rate": true, "RateEnd": true, "StartAt": true, "OnWindow": true}

// filled sets every field of v (a pointer to a struct) that skip does not name to a value
// of its own, different from any flag's default.
func filled(t *testing.T, v any, skip map[string]bool) {
	t.Helper()
	rv := reflect.ValueOf(v).Elem()
	for i := range rv.NumField() {
		f, name := rv.Field(i), rv.Type().Field(i).Name
		if skip[name] {
			continue
		}
		switch f.Kind() {
		case reflect.String:
			f.SetString("x" + strings.ToLower(name))
		case reflect.Int:
			f.SetInt(int64(100 + i))
		case reflect.Int64: // time.Duration
			f.SetInt(int64(time.Duration(i+1) * 1500 * time.Millisecond))
		case reflect.Bool:
			f.SetBool(true)
		default:
			t.Fatalf("%s (%s): the test cannot fill it; say whether a flag carries it", name, f.Kind())
		}
	}
}

// TestLoadArgsRoundTrip: every field of a load, set to a value of its own, comes back
// the same after Args is parsed by the flags Bind declares: a field added to LoadArgs or
// to loadgen.Config and not written by Args or not declared by Bind fails here (or is
// named in configNotFlags, on purpose).
func TestLoadArgsRoundTrip(t *testing.T) {
	var want LoadArgs
	filled(t, &want, map[string]bool{"Config": true, "Rate": true, "StartAt": true})
	filled(t, &want.Config, configNotFlags)
	want.Rate, want.StartAt = "250.5:500", "1700000000123456789"
	var got LoadArgs
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	got.Bind(fs)
	if err := fs.Parse(want.Args()); err != nil {
		t.Fatal(err)
	}
	if err := got.Resolve(); err != nil {
		t.Fatal(err)
	}
	if got.Config.Rate != 250.5 || got.Config.RateEnd != 500 || got.Config.StartAt.UnixNano() != 1700000000123456789 {
		t.Errorf("rate %v:%v, start %v: want 250.5:500 and the instant", got.Config.Rate, got.Config.RateEnd, got.Config.StartAt)
	}
	got.Config.Rate, got.Config.RateEnd, got.Config.StartAt = 0, 0, time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parsed back\n%+v\nwant\n%+v", got, want)
	}
}

// TestLoadArgsResolveRejects: a rate or a start instant that cannot be read.
func TestLoadArgsResolveRejects(t *testing.T) {
	for _, a := range []LoadArgs{{Rate: "0"}, {Rate: "x"}, {Rate: "5:"}, {Rate: "-1:5"}, {StartAt: "soon"}, {StartAt: "-5"}} {
		if err := a.Resolve(); err == nil {
			t.Errorf("%+v resolved", a)
		}
	}
	if a := (LoadArgs{Rate: "100"}); a.Resolve() != nil || a.Config.Rate != 100 || a.Config.RateEnd != 0 {
		t.Errorf("--rate 100: %+v", a.Config)
	}
}

// TestStartAndIdleLines: what a client host is told and says, read back; anything else
// is refused.
func TestStartAndIdleLines(t *testing.T) {
	at := time.Unix(0, 1700000000000000042)
	var cfg loadgen.Config
	if err := ParseStartLine(strings.TrimSuffix(StartLine(at, 750*time.Millisecond), "\n"), &cfg); err != nil ||
		!cfg.StartAt.Equal(at) || cfg.Warmup != 750*time.Millisecond {
		t.Errorf("start line: %v, %v, %v", cfg.StartAt, cfg.Warmup, err)
	}
	for _, bad := range []string{"", "now", "1 2 3", "17 soon"} {
		if err := ParseStartLine(bad, &cfg); err == nil {
			t.Errorf("start line %q parsed", bad)
		}
	}
	if up, failed, ok, err := ParseIdleLine(strings.TrimSpace(IdleLine(998, 2))); !ok || err != nil || up != 998 || failed != 2 {
		t.Errorf("idle line: %d, %d, %v, %v", up, failed, ok, err)
	}
	if _, _, ok, _ := ParseIdleLine("listening on x"); ok {
		t.Error("another line taken for the idle line")
	}
}

// TestDefaultLoadArgsAreBindsDefaults: the defaults a caller starts from are the ones the
// child applies to a flag not given, so Args of a default load reads back unchanged.
func TestDefaultLoadArgsAreBindsDefaults(t *testing.T) {
	d := DefaultLoadArgs()
	if d.Engine != "closed" || d.Config.Timeout != loadgen.DefaultTimeout || d.Config.Pipeline != 1 || d.Config.Duration <= 0 {
		t.Errorf("defaults %+v", d)
	}
	var back LoadArgs
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	back.Bind(fs)
	if err := fs.Parse(d.Args()); err != nil || !reflect.DeepEqual(back, d) {
		t.Errorf("read back %+v, %v; want %+v", back, err, d)
	}
}
