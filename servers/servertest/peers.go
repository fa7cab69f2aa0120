package servertest

import (
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/benchsuite/threads-vs-loop/servers/workload"
)

// Peer is an external server (nginx, Apache, Node.js, the C reference; see scripts/peers)
// held to the part of the suite that applies to it.
type Peer struct {
	// Endpoints are the paths it serves, among /hello /io /cpu /file /bytes: the line its
	// script prints for --endpoints. /hello stands for / too.
	Endpoints []string
	// Skip excuses cases the peer legitimately answers otherwise: a subtest path below the
	// peer ("Limits" or "Malformed/head too large") and the reason, shown as the SKIP.
	Skip map[string]string
}

// subtestNeeds is the endpoints each subtest of the suite requests a 200 from: a peer that
// does not serve one of them skips the subtest. A subtest missing here is skipped for
// every peer until someone classifies it.
var subtestNeeds = map[string][]string{
	"Endpoints":        {"/hello", "/io", "/cpu", "/file", "/bytes"},
	"RouteErrors":      {"/hello", "/io", "/cpu", "/file", "/bytes"},
	"Post":             {"/hello", "/cpu", "/bytes"},
	"Head":             {"/hello", "/io", "/file", "/bytes"},
	"KeepAlive":        {"/hello", "/cpu", "/bytes"},
	"Pipelining":       {"/hello", "/io", "/cpu", "/bytes"},
	"HTTP10":           {"/hello"},
	"ConnectionClose":  {"/hello", "/bytes"},
	"Malformed":        {"/hello"},
	"VanishingClients": {"/hello", "/io"},
	"ParallelConns":    {"/hello", "/io", "/bytes"},
	"SlowClient":       {"/hello", "/bytes"},
	"HalfClose":        {"/hello", "/bytes"},
	"DeepPipeline":     {"/hello"},
	"Limits":           {"/hello"},
	"PipelinedClose":   {"/hello", "/bytes"},
}

// peerRuns maps the address of a peer under test to its Peer and the test name Run was
// given, for mustDial to skip the excused cases nested in the subtests.
var peerRuns sync.Map // addr → peerRun

type peerRun struct {
	root string
	peer Peer
}

// RunPeer runs the suite against the peer listening on addr, already started: first the
// endpoint checks restricted to what it serves, then every subtest it has the endpoints
// for, less the cases it is excused from.
func RunPeer(t *testing.T, addr string, p Peer) {
	t.Helper()
	if _, err := pattern(); err != nil {
		t.Fatalf("reference workload: %v", err)
	}
	peerRuns.Store(addr, peerRun{root: t.Name(), peer: p})
	t.Cleanup(func() { peerRuns.Delete(addr) })
	runSubtest(t, "PeerEndpoints", func(t *testing.T) { testPeerEndpoints(t, addr, p) })
	runSubtest(t, "PeerRouteErrors", func(t *testing.T) { testPeerRouteErrors(t, addr, p) })
	for _, st := range subtests {
		runSubtest(t, st.name, func(t *testing.T) {
			if reason := p.why(st.name); reason != "" {
				t.Skip(reason)
			}
			st.fn(t, addr)
		})
	}
}

// why says why the peer skips the subtest at path, or "" if it runs it.
func (p Peer) why(path string) string {
	if reason, ok := p.Skip[path]; ok {
		return reason
	}
	needs, ok := subtestNeeds[path]
	if !ok && !strings.Contains(path, "/") {
		return "not classified for peers (servertest.subtestNeeds)"
	}
	for _, ep := range needs {
		if !p.serves(ep) {
			return "needs " + ep + ", which this peer does not serve"
		}
	}
	return ""
}

func (p Peer) serves(endpoint string) bool {
	for _, ep := range p.Endpoints {
		if ep == endpoint {
			return true
		}
	}
	return false
}

// skipExcused skips t when it is a case the peer on addr is excused from. mustDial calls
// it, so nested cases (one malformed request) can be excused one by one.
func skipExcused(t testing.TB, addr string) {
	v, ok := peerRuns.Load(addr)
	if !ok {
		return
	}
	run := v.(peerRun)
	rel, ok := strings.CutPrefix(t.Name(), run.root+"/")
	if !ok {
		return
	}
	for path, reason := range run.peer.Skip {
		if strings.ReplaceAll(path, " ", "_") == rel {
			t.Skip(reason)
		}
	}
}

// peerExchanges is what testPeerEndpoints asks of each endpoint.
var peerExchanges = map[string][]exchange{
	"/hello": {{"/", 200, workload.HelloBody}, {"/hello", 200, workload.HelloBody}},
	"/io":    {{"/io?ms=5", 200, workload.HelloBody}},
	"/cpu":   {{"/cpu?us=100", 200, workload.HelloBody}},
	"/file":  {{"/file?kb=3", 200, nil}, {"/file?kb=10240", 200, nil}},
	"/bytes": {{"/bytes?kb=3", 200, nil}, {"/bytes?kb=10240", 200, nil}, {"/bytes?kb=1&other=x", 200, nil}},
}

// peerBadTargets are the out-of-range requests of each endpoint (400).
var peerBadTargets = map[string][]string{
	"/io":    {"/io?ms=10001", "/io", "/io?ms=abc"},
	"/cpu":   {"/cpu?us=-1", "/cpu?us="},
	"/file":  {"/file?kb=0", "/file?kb=10241"},
	"/bytes": {"/bytes?kb=10241", "/bytes?kb=1x"},
}

// testPeerEndpoints: each endpoint the peer serves answers 200 with the shared bodies, on
// one keep-alive connection.
func testPeerEndpoints(t *testing.T, addr string, p Peer) {
	c := mustDial(t, addr)
	for _, ep := range p.Endpoints {
		xs, ok := peerExchanges[ep]
		if !ok {
			t.Fatalf("peer declares %q, not an endpoint of the suite", ep)
		}
		for _, x := range xs {
			if x.body == nil { // /file and /bytes: the pattern, as long as kb says
				_, kb, _ := strings.Cut(x.target, "kb=")
				kb, _, _ = strings.Cut(kb, "&")
				n, _ := strconv.Atoi(kb)
				x.body = patternKB(n)
			}
			expectExchange(t, c, x)
		}
	}
}

// testPeerRouteErrors: an unknown path is 404 and a bad parameter of an endpoint the peer
// serves is 400, without closing the connection.
func testPeerRouteErrors(t *testing.T, addr string, p Peer) {
	t.Run("404", func(t *testing.T) {
		c := mustDial(t, addr)
		for _, target := range []string{"/nope", "/hello/", "/HELLO", "/index.html"} {
			expectExchange(t, c, exchange{target, 404, errorBody(404)})
		}
	})
	t.Run("400", func(t *testing.T) {
		c := mustDial(t, addr)
		for _, ep := range p.Endpoints {
			for _, target := range peerBadTargets[ep] {
				expectExchange(t, c, exchange{target, 400, errorBody(400)})
			}
		}
	})
}
