package plots

import (
	"strings"
	"testing"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// latency_percentiles.png compares servers, not the load generator's limit: of the levels
// every server has, it takes the highest at which no server's row was client_bound.
func TestPercentileChartMarksClientBoundServers(t *testing.T) {
	pts := []metrics.HistPoint{{ValueUs: 100, Percentile: 0.5}, {ValueUs: 900, Percentile: 0.99}}
	var hs []metrics.Hist
	for _, srv := range []string{"threaded", "evented"} {
		for _, l := range []float64{1, 10, 100, 1000} {
			hs = append(hs, metrics.Hist{Server: srv, Scenario: "hello", Level: l, Repeat: 1, Points: pts})
		}
	}
	hs = append(hs, metrics.Hist{Server: "threaded", Scenario: "hello", Level: 4000, Repeat: 1, Points: pts})
	row := func(srv string, c, rep int, bound bool) metrics.SummaryRow {
		return metrics.SummaryRow{Server: srv, Scenario: "hello", Kind: metrics.KindClosed, Concurrency: c, Repeat: rep,
			Requests: 1000, Bound: boundIf(bound)}
	}
	rows := []metrics.SummaryRow{
		row("evented", 1000, 1, true), row("threaded", 100, 1, true),
		row("evented", 10, 2, true), // another repeat than the histogram's: not this curve
		row("threaded", 10, 1, false), row("evented", 1, 1, true),
	}
	d := &Data{Summary: rows, Hists: hs}
	fig, err := percentileChart(&chartContext{data: d, scenarios: scenariosOf(rows), title: "Latency by percentile"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(fig.title, "c = 1000)") {
		t.Errorf("title %q: want c = 1000, the highest level both servers ran", fig.title)
	}
	bound := boundOf(rows)
	got := pickHists(palette{}, hs, scenariosOf(rows))
	if len(got) != 2 || got[0].Level != 1000 {
		t.Fatalf("picked %+v: want both servers at c = 1000", got)
	}
	if a, b := histLabel(got[0], bound), histLabel(got[1], bound); a != "threaded" || b != "evented (client-bound)" {
		t.Errorf("legend labels %q, %q: want the client-bound server marked", a, b)
	}
}
