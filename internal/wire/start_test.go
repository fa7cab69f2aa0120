package wire

import (
	"flag"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestServerHandshakes: bench serve's two lines and bench peer's, read back; a peer
// script's PID and settings line; and what is refused.
func TestServerHandshakes(t *testing.T) {
	hello, err := Listening("127.0.0.1:4321", map[string]any{"gomaxprocs": 2, "design": "events", "other": []int{1}})
	if err != nil {
		t.Fatal(err)
	}
	first, second, _ := strings.Cut(strings.TrimSuffix(hello, "\n"), "\n")
	addr, s, err := ParseListening(first, second)
	if err != nil || addr != "127.0.0.1:4321" || s.GoMaxProcs != 2 || s.Design != "events" || !strings.Contains(string(s.Raw), `"other":[1]`) {
		t.Errorf("listening: %q, %+v, %v", addr, s, err)
	}
	for _, bad := range [][2]string{{"hello", second}, {first, "settings"}, {first, "settings {"}, {first, "settings []"}} {
		if _, _, err := ParseListening(bad[0], bad[1]); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	started := strings.Split(strings.TrimSuffix(PeerStarted(77, 8080, ""), "\n"), "\n")
	pid, port, err := ParsePeerStarted(started[0])
	if s, serr := ParseSettings(started[1]); err != nil || serr != nil || pid != 77 || port != "8080" || string(s.Raw) != "{}" {
		t.Errorf("peer: %d %q %v, settings %+v %v", pid, port, err, s, serr)
	}
	if pid, line, err := ParsePeerScript([]byte("123\nsettings {\"log\":\"/l\"}\n")); err != nil || pid != 123 || line != `settings {"log":"/l"}` {
		t.Errorf("peer script: %d %q %v", pid, line, err)
	}
	if _, _, err := ParsePeerScript([]byte("started\n")); err == nil {
		t.Error("a peer script's output without a PID parsed")
	}
}

// TestServeAndPeerArgsRoundTrip: what the orchestrator writes is what the child reads.
func TestServeAndPeerArgsRoundTrip(t *testing.T) {
	want := ServeArgs{Model: "evented", Addr: "0.0.0.0:0", CPUs: "0-1", Procs: 3}
	var got ServeArgs
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	got.Bind(fs, []string{"evented"}, "127.0.0.1:8080")
	loops := fs.Int("loops", 1, "")
	if err := fs.Parse(append(want.Args(), "--loops", "4")); err != nil || !reflect.DeepEqual(got, want) || *loops != 4 {
		t.Errorf("serve: %+v, loops %d, %v", got, *loops, err)
	}
	peer := PeerArgs{Script: "/s.sh", Port: 9, CPUs: "1", Addr: "10.0.0.1", Env: []string{"A=1", "B=2"}, Timeout: time.Minute}
	var back PeerArgs
	fs = flag.NewFlagSet("peer", flag.ContinueOnError)
	back.Bind(fs)
	if err := fs.Parse(peer.Args()); err != nil || !reflect.DeepEqual(back, peer) {
		t.Errorf("peer: %+v, %v", back, err)
	}
}
