package sshhost

import (
	"archive/tar"
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/benchsuite/threads-vs-loop/internal/wire"
	"github.com/benchsuite/threads-vs-loop/loadgen"
)

// hostOutput is a client host's bench load JSON with latencies drawn from [lo, hi) µs.
func hostOutput(t *testing.T, n int, lo, hi int64, cpuPct float64, began time.Time) (*wire.LoadReply, *hdrhistogram.Histogram) {
	t.Helper()
	h := hdrhistogram.New(1, 60_000_000, 3)
	for i := range n {
		h.RecordValue(lo + int64(i)*(hi-lo)/int64(n))
	}
	enc, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		t.Fatal(err)
	}
	o := &wire.LoadReply{Engine: "closed", Requests: int64(n), DurationS: 1, ClientCPUPct: cpuPct, ClientCPUs: 1,
		Connections: 4, Hist: string(enc), BeganUnixNS: began.UnixNano()}
	o.Errors.Reset = 2
	return o, h
}

// The merged p99 is the p99 of the hosts' histograms merged (not an average of their
// p99s), counts are summed, the busiest host's CPU decides the bound, and the skew of
// their starts is reported.
func TestMergeResultsMergesHistograms(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	fast, hf := hostOutput(t, 9000, 100, 200, 30, t0)
	slow, hs := hostOutput(t, 1000, 5000, 9000, 99, t0.Add(150*time.Microsecond))
	slow.ClientBound = true
	res, note, err := mergeResults([]hostResult{{host: "c1", out: fast}, {host: "c2", out: slow}, {}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	offline := hdrhistogram.New(1, 60_000_000, 3)
	offline.Merge(hf)
	offline.Merge(hs)
	if got, want := res.Latency.ValueAtQuantile(99), offline.ValueAtQuantile(99); got != want {
		t.Errorf("merged p99 %d µs, offline merge %d µs", got, want)
	}
	avg := (hf.ValueAtQuantile(99) + hs.ValueAtQuantile(99)) / 2
	if res.Latency.ValueAtQuantile(99) == avg {
		t.Errorf("merged p99 is the average of the hosts' p99s (%d)", avg)
	}
	if res.Requests != 10000 || res.Errors.Reset != 4 || res.Connections != 8 || res.Latency.TotalCount() != 10000 {
		t.Errorf("requests %d, resets %d, connections %d, recorded %d", res.Requests, res.Errors.Reset, res.Connections, res.Latency.TotalCount())
	}
	if res.ClientCPUPct != 99 || !res.ClientBound {
		t.Errorf("client CPU %.0f%% bound %v, want the busiest host's 99%%, bound", res.ClientCPUPct, res.ClientBound)
	}
	if !strings.Contains(note, "within 150µs") {
		t.Errorf("note %q does not give the 150µs skew", note)
	}
}

// A host that dropped leaves a note, the others' results still make the row; all
// dropped is an error.
func TestMergeResultsHostDropped(t *testing.T) {
	ok, _ := hostOutput(t, 100, 100, 200, 10, time.Unix(1, 0))
	res, note, err := mergeResults([]hostResult{{host: "c1", out: ok}, {host: "c2", err: errNoSwitches}}, 0)
	if err != nil || res == nil || res.Requests != 100 {
		t.Fatalf("res %v err %v", res, err)
	}
	if !strings.Contains(note, "client host c2 dropped") || !strings.Contains(note, "window began at unix_ns=1000000000") {
		t.Errorf("note %q does not say c2 dropped", note)
	}
	if res, _, err := mergeResults([]hostResult{{host: "c2", err: errNoSwitches}}, 0); err == nil || res != nil {
		t.Errorf("all hosts dropped: res %v err %v, want an error", res, err)
	}
}

func TestShareAndQuote(t *testing.T) {
	if got := []int{share(5, 0, 2), share(5, 1, 2), share(1, 1, 2)}; got[0] != 3 || got[1] != 2 || got[2] != 0 {
		t.Errorf("shares %v, want [3 2 0]", got)
	}
	if got := shellQuote("it's"); got != `'it'\''s'` {
		t.Errorf("shellQuote: %s", got)
	}
	if platform("Linux", "x86_64") != "linux/amd64" || platform("Darwin", "arm64") != "darwin/arm64" {
		t.Error("platform")
	}
}

// The peers' folder is named by its content: the same files give the same hash whatever
// their times, a changed byte or mode another; the archive holds the files, not folders.
func TestTarFolderHashesContent(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string, mode os.FileMode) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(filepath.Join(dir, name), mode)
	}
	write("a.sh", "#!/bin/sh\necho a\n", 0o755)
	write("b.c", "int main(){}\n", 0o644)
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	archive, h1, err := tarFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(bytes.NewReader(archive))
	var names []string
	for {
		hdr, err := tr.Next()
		if err != nil {
			break
		}
		names = append(names, fmt.Sprintf("%s %o", hdr.Name, hdr.Mode))
	}
	if strings.Join(names, ",") != "a.sh 755,b.c 644" {
		t.Errorf("archive holds %v", names)
	}
	os.Chtimes(filepath.Join(dir, "b.c"), time.Now(), time.Now().Add(-time.Hour))
	if _, h2, _ := tarFolder(dir); h2 != h1 {
		t.Errorf("hash changed with a file's time: %s, %s", h1, h2)
	}
	write("b.c", "int main(){return 0;}\n", 0o644)
	_, h3, _ := tarFolder(dir)
	write("b.c", "int main(){}\n", 0o600)
	_, h4, _ := tarFolder(dir)
	if h3 == h1 || h4 == h1 || h3 == h4 {
		t.Errorf("hashes %s (first), %s (content changed), %s (mode changed): want all different", h1, h3, h4)
	}
}

// TestLoadArgsRamp: a closed load's ramp reaches every client host's bench load, each with
// its share of the connections, its bound left out (the hosts' windows begin together);
// an open load has none, and each host its share of the rate. The arguments are read
// back as bench load reads them (wire.LoadArgs).
func TestLoadArgsRamp(t *testing.T) {
	e := &Engine{Hosts: make([]*Host, 2)}
	for i := range e.Hosts {
		e.Hosts[i] = &Host{}
	}
	parse := func(args []string) wire.LoadArgs {
		t.Helper()
		var a wire.LoadArgs
		fs := flag.NewFlagSet("load", flag.ContinueOnError)
		a.Bind(fs)
		if args[0] != "load" || fs.Parse(args[1:]) != nil || a.Resolve() != nil || fs.NArg() != 0 {
			t.Fatalf("%q: not a bench load command line", args)
		}
		return a
	}
	cfg := loadgen.Config{URL: "http://10.0.0.2:80/hello", Concurrency: 5, Duration: time.Second, Ramp: true, RampMax: time.Minute}
	for i, want := range []int{3, 2} {
		a := parse(e.loadArgs(cfg, "closed", i))
		if !a.Config.Ramp || a.Config.RampMax != 0 || a.Config.Concurrency != want || !a.Config.AllowRemote || a.StartAt != "stdin" || !a.JSON {
			t.Errorf("host %d: %+v; want --ramp without its bound, -c %d, remote, started from stdin, JSON", i, a, want)
		}
	}
	cfg.Rate, cfg.Ramp = 100, false
	if a := parse(e.loadArgs(cfg, "open", 0)); a.Config.Ramp || a.Engine != "open" || a.Config.Rate != 50 {
		t.Errorf("open load: %+v; want no ramp, half the rate", a)
	}
}
