package plots

import (
	"bytes"
	"testing"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// TestSeedFigures: the cited 2008 figures load as the seed's shapes (Apache's memory
// climbs with connections and its req/s falls; nginx's memory is flat), and the seed
// charts are drawn only when the run has a real server on a /hello sweep.
func TestSeedFigures(t *testing.T) {
	pts, err := seedPoints()
	if err != nil || len(pts) != 14 {
		t.Fatalf("%d points, %v; want 7 levels of nginx and Apache", len(pts), err)
	}
	at := func(server string, c float64) seedPoint {
		for _, p := range pts {
			if p.server == server && p.conns == c {
				return p
			}
		}
		t.Fatalf("no %s point at %v", server, c)
		return seedPoint{}
	}
	if a0, a4 := at("apache", 0), at("apache", 4000); a4.memoryMB < 4*a0.memoryMB || a4.rps > a0.rps/2 {
		t.Errorf("Apache 0 → 4000: %+v → %+v", a0, a4)
	}
	if n0, n4 := at("nginx", 0), at("nginx", 4000); n0.memoryMB != n4.memoryMB {
		t.Errorf("nginx memory %v → %v, want flat", n0.memoryMB, n4.memoryMB)
	}
	models := &Data{Summary: []metrics.SummaryRow{
		{Server: "threaded", Scenario: "hello", Kind: metrics.KindClosed, Path: "/hello", Concurrency: 100, Requests: 1, RPS: 5, GoMaxProcs: 1},
	}}
	var buf bytes.Buffer
	if err := models.WriteChart("seed_memory.png", &buf); err != ErrNoData {
		t.Errorf("models only: %v, want ErrNoData (no real server to set beside 2008)", err)
	}
	models.Summary = append(models.Summary, metrics.SummaryRow{Server: "apache-worker", Scenario: "hello", Kind: metrics.KindClosed,
		Path: "/hello", Concurrency: 100, Requests: 1, RPS: 5, RSSPeakKB: 9000})
	if err := models.WriteChart("seed_memory.png", &buf); err != nil || buf.Len() == 0 {
		t.Errorf("with apache-worker: %v, %d bytes", err, buf.Len())
	}
}
