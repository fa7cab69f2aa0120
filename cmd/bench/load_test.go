package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/benchsuite/threads-vs-loop/internal/wire"
	"github.com/benchsuite/threads-vs-loop/metrics"
)

func TestLoadBadFlagsExitTwoWithOneLine(t *testing.T) {
	u := "http://127.0.0.1:1/"
	for _, args := range [][]string{
		{"load"},
		{"load", "--url", u, "--bogus"},
		{"load", "--url", "http://192.0.2.1/"},
		{"load", "--url", "https://127.0.0.1/"},
		{"load", "--url", u, "--engine", "nope"},
		{"load", "--url", u, "--engine", "open"},
		{"load", "--url", u, "--engine", "open", "--rate", "fast"},
		{"load", "--url", u, "--engine", "open", "--rate", "10:-1"},
		{"load", "--url", u, "--engine", "open", "--rate", "10", "--pipeline", "4"},
		{"load", "--url", u, "--engine", "open", "--rate", "10", "--ramp"},
		{"load", "--url", u, "--engine", "open", "--rate", "10", "--grace", "-1s"},
		{"load", "--url", u, "--grace", "50ms"},
		{"load", "--url", u, "--engine", "vegeta", "-c", "5", "--ramp"},
		{"load", "--url", u, "--rate", "100"},
		{"load", "--url", u, "-c", "0"},
		{"load", "--url", u, "-c", "-3"},
		{"load", "--url", u, "--pipeline", "0"},
		{"load", "--url", u, "--duration", "0s"},
		{"load", "--url", u, "--cpus", "a-b"},
		{"load", "--url", u, "--engine", "vegeta", "-c", "0", "--idle", "1"},
		{"load", "--url", u, "--ramp-max", "5s"}, // a bound on no ramp
		{"load", "--url", u, "--ramp", "--ramp-max", "-1s"},
		{"load", "--url", u, "--start-at", "soon"},
		{"load", "--url", u, "-c", "100000000"}, // beyond any open-file limit
	} {
		var stdout, stderr bytes.Buffer
		code := exitCode(run(args, noStdin{}, &stdout, &stderr), &stderr)
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		if code != 2 || len(lines) != 1 || lines[0] == "" || stdout.Len() != 0 {
			t.Errorf("bench %v: exit %d, stderr %q, stdout %q; want exit 2 and one line", args, code, stderr.String(), stdout.String())
		}
	}
}

// TestLoadHelpExplainsEveryFlag: -h exits 0 and describes each flag.
func TestLoadHelpExplainsEveryFlag(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := exitCode(run([]string{"load", "-h"}, noStdin{}, &stdout, &stderr), &stderr); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	fs := newLoadFlags(&loadOptions{}, io.Discard)
	fs.VisitAll(func(f *flag.Flag) {
		if !strings.Contains(stdout.String(), "-"+f.Name+" ") && !strings.Contains(stdout.String(), "-"+f.Name+"\n") {
			t.Errorf("help does not list -%s", f.Name)
		}
		if len(f.Usage) < 15 {
			t.Errorf("-%s: usage %q explains nothing", f.Name, f.Usage)
		}
	})
}

// TestLoadAgainstServer runs each engine in-process against `bench serve` and checks the
// JSON, the human summary and the .hgrm file.
func TestLoadAgainstServer(t *testing.T) {
	p := startServe(t, "--model", "goroutine")
	url := "http://" + p.addr + "/hello"
	hgrm := filepath.Join(t.TempDir(), "lat.hgrm")
	common := []string{"--url", url, "--duration", "300ms", "--warmup", "100ms", "--json"}
	for _, extra := range [][]string{
		{"-c", "4", "--idle", "5", "--hdr", hgrm},
		{"--engine", "open", "--rate", "200"},
		{"--engine", "vegeta", "-c", "2"},
	} {
		var stdout, stderr bytes.Buffer
		if err := run(append(append([]string{"load"}, common...), extra...), noStdin{}, &stdout, &stderr); err != nil {
			t.Fatalf("%v: %v (stderr %s)", extra, err, stderr.String())
		}
		var out wire.LoadReply
		if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
			t.Fatalf("%v: %v in %s", extra, err, stdout.String())
		}
		l := out.LatencyUS
		if out.Requests == 0 || out.RPS <= 0 || out.Errors.Total != 0 || len(out.Windows) != 1 ||
			l.P50 <= 0 || l.P50 > l.P99 || l.P99 > l.Max || out.ClientCPUs < 1 {
			t.Errorf("%v: implausible result %+v", extra, out)
		}
		if out.Engine == "open" && (out.OfferedRPS < 190 || out.OfferedRPS > 210) {
			t.Errorf("open engine at 200 req/s: offered %.1f", out.OfferedRPS)
		}
		if out.Engine == "open" && (out.Due == 0 || out.Due != out.Requests+out.Late+out.Errors.Total || out.Sent > out.Due) {
			t.Errorf("open engine: %d due, %d sent, %d requests, %d late, %d errors: want due = requests + late + errors ≥ sent",
				out.Due, out.Sent, out.Requests, out.Late, out.Errors.Total)
		}
		if out.Engine == "closed" && out.ConnsUp != 4 || out.ConnsUp < 1 {
			t.Errorf("%v: %d connections up as the window began", extra, out.ConnsUp)
		}
		var keys map[string]any
		if err := json.Unmarshal(stdout.Bytes(), &keys); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"conns_up", "reconnects", "workers_exhausted", "rate_short", "due", "sent", "late"} {
			if _, ok := keys[k]; !ok {
				t.Errorf("%v: JSON lacks %q", extra, k)
			}
		}
		if out.Engine == "closed" && (out.Idle == nil || out.Idle.Up != 5 || !strings.Contains(stderr.String(), "idle: 5 up, 0 failed")) {
			t.Errorf("--idle 5: %+v, stderr %q", out.Idle, stderr.String())
		}
	}
	h, err := metrics.ReadHgrmFile(hgrm) // the suite's one .hgrm format: µs, read as bench plot reads it
	if err != nil || h.Level != 4 || h.Kind != metrics.KindClosed || len(h.Points) < 2 || h.Points[len(h.Points)-1].ValueUs < 10 {
		t.Errorf("--hdr file: %+v, %v", h, err)
	}
	var stdout, stderr bytes.Buffer
	if err := run([]string{"load", "--url", url, "-c", "2", "--duration", "200ms", "--warmup", "0s"}, noStdin{}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Requests/sec", "Latency", "p99.9", "Errors", "Client CPU", "up as the window began", "reconnects"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout.String())
		}
	}
}

// TestLoadOpenSummary: the open engine's summary says how many requests were due in the
// window, sent in it and late; with a grace no response needs, every one was sent and
// none was late.
func TestLoadOpenSummary(t *testing.T) {
	p := startServe(t, "--model", "goroutine")
	url := "http://" + p.addr + "/hello"
	var stdout, stderr bytes.Buffer
	if err := run([]string{"load", "--url", url, "--engine", "open", "--rate", "100", "--duration", "200ms", "--warmup", "0s", "--grace", "1s"}, noStdin{}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`Due/Sent +(\d+) due, (\d+) sent, 0 late`).FindStringSubmatch(stdout.String())
	var due, sent int
	if m != nil {
		due, _ = strconv.Atoi(m[1])
		sent, _ = strconv.Atoi(m[2])
	}
	if m == nil || due == 0 || sent > due || !strings.Contains(stdout.String(), "Sent/sec") {
		t.Errorf("open summary lacks its due, sent and late (sent ≤ due, none late with a 1 s grace):\n%s", stdout.String())
	}
}

// TestIdleClientMemoryPerConnection holds 10000 idle connections against `bench serve
// --model goroutine` and measures the client's RSS growth per connection against a client
// holding 100: at most 10 KB (an idle connection is a descriptor and a few dozen bytes of
// state; the socket's buffers are kernel memory).
func TestIdleClientMemoryPerConnection(t *testing.T) {
	if testing.Short() {
		t.Skip("opens 10000 connections")
	}
	const small, large = 100, 10000
	p := startServe(t, "--model", "goroutine")
	url := "http://" + p.addr + "/hello"
	rssSmall := idleClientRSS(t, url, small)
	rssLarge := idleClientRSS(t, url, large)
	perConn := float64(rssLarge-rssSmall) * 1024 / (large - small)
	t.Logf("client RSS: %d KB holding %d, %d KB holding %d: %.0f bytes per connection (%.1f KB/conn overall)",
		rssSmall, small, rssLarge, large, perConn, float64(rssLarge)/large)
	if perConn > 10*1024 {
		t.Errorf("%.0f bytes of client RSS per idle connection, want ≤ 10 KB", perConn)
	}
}

// idleClientRSS runs `bench load -c 0 --idle k` as a child, waits until it reports the
// connections up, and returns its VmRSS in KB.
func idleClientRSS(t *testing.T, url string, k int) int64 {
	t.Helper()
	cmd := exec.Command(os.Args[0], "load", "--url", url, "-c", "0", "--idle", strconv.Itoa(k), "--duration", "60s", "--warmup", "0s")
	cmd.Env = append(os.Environ(), "BENCH_AS_MAIN=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(syscall.SIGINT); cmd.Wait() }()
	line, err := bufio.NewReader(stderr).ReadString('\n')
	if want := "idle: " + strconv.Itoa(k) + " up, 0 failed"; err != nil || strings.TrimSpace(line) != want {
		t.Fatalf("bench load --idle %d: %q, %v; want %q", k, line, err, want)
	}
	status, err := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(status), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb
		}
	}
	t.Fatal("no VmRSS")
	return 0
}
