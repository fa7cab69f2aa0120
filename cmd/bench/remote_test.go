package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/benchsuite/threads-vs-loop/internal/wire"
	"github.com/benchsuite/threads-vs-loop/loadgen"
	"github.com/benchsuite/threads-vs-loop/orchestrator"
	"github.com/benchsuite/threads-vs-loop/orchestrator/sshhost"
	"github.com/benchsuite/threads-vs-loop/sampler"
)

// localHosts is n "local" client hosts: sshhost.Engine runs `bench load` (this test
// binary, as main) as a child of each, through the same shell line it sends over ssh.
func localHosts(t *testing.T, n int) []*sshhost.Host {
	t.Helper()
	t.Setenv("BENCH_AS_MAIN", "1") // the children run main
	var hosts []*sshhost.Host
	for range n {
		h, err := sshhost.Connect(context.Background(), sshhost.SSH{}, orchestrator.Local, nil)
		if err != nil {
			t.Fatal(err)
		}
		hosts = append(hosts, h)
	}
	return hosts
}

// Two client hosts share the connections, begin together, and their histograms are
// merged losslessly: the merged count is the sum of the requests.
func TestSSHHostEngineMergesTwoHosts(t *testing.T) {
	p := startServe(t, "--model", "goroutine")
	e := &sshhost.Engine{Hosts: localHosts(t, 2)}
	res, err := e.RunClosed(context.Background(), loadgen.Config{URL: "http://" + p.addr + "/hello",
		Concurrency: 5, Duration: 300 * time.Millisecond, Warmup: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests == 0 || res.Connections != 5 || res.Latency.TotalCount() != res.Requests || res.Errors.Total() != 0 {
		t.Errorf("requests %d, connections %d (want 5), recorded %d, errors %d", res.Requests, res.Connections, res.Latency.TotalCount(), res.Errors.Total())
	}
	note := e.HostsNote(res)
	if strings.Count(note, "local ") != 2 || !strings.Contains(note, "windows began within") {
		t.Errorf("note %q: want both hosts and the skew", note)
	}
}

// The open engine's rate is split over the hosts: the offered rates sum to the asked one.
func TestSSHHostEngineSplitsTheRate(t *testing.T) {
	p := startServe(t, "--model", "goroutine")
	e := &sshhost.Engine{Hosts: localHosts(t, 2)}
	res, err := e.RunOpen(context.Background(), loadgen.Config{URL: "http://" + p.addr + "/hello",
		Rate: 400, Duration: 500 * time.Millisecond, Warmup: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.OfferedRPS < 380 || res.OfferedRPS > 420 || res.Requests == 0 || res.Latency.TotalCount() < res.Requests {
		t.Errorf("offered %.0f req/s (want 400 in all), %d requests, %d recorded", res.OfferedRPS, res.Requests, res.Latency.TotalCount())
	}
}

// Idle connections are split over the hosts and held until Close.
func TestSSHHostEngineHoldsIdle(t *testing.T) {
	p := startServe(t, "--model", "goroutine")
	e := &sshhost.Engine{Hosts: localHosts(t, 2)}
	h, err := e.HoldIdle(context.Background(), "http://"+p.addr+"/hello", 5)
	if err != nil {
		t.Fatal(err)
	}
	if h.Up() != 5 || h.Failed() != 0 {
		t.Errorf("%d up, %d failed, want 5 up", h.Up(), h.Failed())
	}
	h.Close()
}

// bench load --exit-on-stdin-eof stops when its stdin closes, printing what it measured,
// and its JSON carries a histogram that decodes to its request count.
func TestLoadExitsOnStdinEOF(t *testing.T) {
	p := startServe(t, "--model", "goroutine")
	cmd := exec.Command(os.Args[0], "load", "--url", "http://"+p.addr+"/hello", "-c", "2",
		"--warmup", "0s", "--duration", "1m", "--json", "--exit-on-stdin-eof")
	cmd.Env = append(os.Environ(), "BENCH_AS_MAIN=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stdin.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("bench load: %v", err)
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("bench load still runs 20 s after its stdin closed (window 1 min)")
	}
	var out wire.LoadReply
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("%v in %q", err, stdout.String())
	}
	if out.Hist != "" {
		h, err := hdrhistogram.Decode([]byte(out.Hist))
		if err != nil || h.TotalCount() != out.Requests {
			t.Errorf("hist: %v, %d recorded for %d requests", err, h.TotalCount(), out.Requests)
		}
	}
}

func TestReadStart(t *testing.T) {
	var cfg loadgen.Config
	r := strings.NewReader("1700000000000000000 250ms\nrest")
	if err := readStart(r, &cfg); err != nil || cfg.StartAt.UnixNano() != 1700000000000000000 || cfg.Warmup != 250*time.Millisecond {
		t.Errorf("start %v warmup %v err %v", cfg.StartAt, cfg.Warmup, err)
	}
	if rest, _ := readAll(r); rest != "rest" {
		t.Errorf("readStart consumed past its line: %q left", rest)
	}
	if err := readStart(strings.NewReader("soon\n"), &cfg); err == nil {
		t.Error("a bad line is accepted")
	}
}

func readAll(r *strings.Reader) (string, error) {
	var b bytes.Buffer
	_, err := b.ReadFrom(r)
	return b.String(), err
}

func TestChooseHosts(t *testing.T) {
	if h, err := chooseHosts(hostFlags{}, nil); h != nil || err != nil {
		t.Errorf("no hosts: %+v %v, want the single-host run", h, err)
	}
	if h, err := chooseHosts(hostFlags{serverHost: "local", clientHosts: "local"}, nil); h != nil || err != nil {
		t.Errorf("all local: %+v %v, want the single-host run", h, err)
	}
	h, err := chooseHosts(hostFlags{serverHost: "srv=2-3"}, &orchestrator.Hosts{Clients: []orchestrator.HostSpec{{Dest: "a"}}})
	if err != nil || h.Server != (orchestrator.HostSpec{Dest: "srv", CPUs: "2-3"}) || len(h.Clients) != 1 || h.Clients[0].Dest != "a" {
		t.Errorf("flags over the suite: %+v %v", h, err)
	}
	if h, err := chooseHosts(hostFlags{serverHost: "srv"}, nil); err != nil || len(h.Clients) != 1 || h.Clients[0].Dest != "local" {
		t.Errorf("a server host alone: %+v %v, want the load from here", h, err)
	}
	var ue usageError
	if _, err := chooseHosts(hostFlags{clientHosts: "c1,c2"}, nil); !errors.As(err, &ue) {
		t.Errorf("remote clients of a local server: %v, want a usage error", err)
	}
}

// bench sample streams the tree's samples as JSON lines, answers "since" with the context
// switches made after "mark", and exits when its stdin closes.
func TestSampleStreamsAndCountsSwitches(t *testing.T) {
	p := startServe(t, "--model", "threaded")
	cmd := exec.Command(os.Args[0], "sample", "--pid", strconv.Itoa(p.cmd.Process.Pid), "--interval", "20ms", "--exit-on-stdin-eof")
	cmd.Env = append(os.Environ(), "BENCH_AS_MAIN=1")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	dec := json.NewDecoder(stdout)
	var first struct {
		RSSKB, Threads int64
		Switches       *sampler.Switches
	}
	if err := dec.Decode(&first); err != nil || first.RSSKB <= 0 || first.Threads < 1 || first.Switches != nil {
		t.Fatalf("first line: %+v, %v", first, err)
	}
	io.WriteString(stdin, "mark\n")
	for range 20 {
		get(t, p.addr, "/hello") // a connection each: the server's threads switch
	}
	io.WriteString(stdin, "since\n")
	for {
		var line struct{ Switches *sampler.Switches }
		if err := dec.Decode(&line); err != nil {
			t.Fatalf("no switches line: %v", err)
		}
		if line.Switches != nil {
			if !line.Switches.Known || line.Switches.Voluntary == 0 {
				t.Errorf("switches after 20 requests: %+v", *line.Switches)
			}
			break
		}
	}
	stdin.Close()
	done := make(chan error, 1)
	go func() { io.Copy(io.Discard, stdout); done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("bench sample still runs 20 s after its stdin closed")
	}
}
