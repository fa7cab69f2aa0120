package compare

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// Key names a compared row: server × scenario × level. For rate rows Level is the step
// index (1 for the lowest offered rate of its server and repeat), not the offered rate.
// For a within-run ratio Server is "SERVER/REFERENCE".
type Key struct {
	Server   string
	Scenario string
	Level    float64
}

// String is the key as the report names it: "threaded hello c=1000", "evented idle=5000".
func (k Key) String() string {
	if k.Scenario == "idle" {
		return k.Server + " " + k.LevelLabel()
	}
	return k.Server + " " + k.Scenario + " " + k.LevelLabel()
}

// LevelLabel is the level with its unit: c=1000, idle=5000, step 3.
func (k Key) LevelLabel() string {
	n := strconv.FormatFloat(k.Level, 'f', -1, 64)
	switch k.Scenario {
	case "idle":
		return "idle=" + n
	case "rate":
		return "step " + n
	}
	return "c=" + n
}

// group is one run's rows by key; rateSteps is the number of rate steps per server.
type group struct {
	rows      map[Key][]metrics.SummaryRow
	rateSteps map[string]int
}

func groupRows(rows []metrics.SummaryRow) group {
	g := group{rows: map[Key][]metrics.SummaryRow{}, rateSteps: map[string]int{}}
	type series struct {
		server string
		repeat int
	}
	rates := map[series][]float64{} // distinct offered rates per server × repeat
	for _, r := range rows {
		if r.Scenario == "rate" {
			s := series{r.Server, r.Repeat}
			if !slices.Contains(rates[s], r.OfferedRPS) {
				rates[s] = append(rates[s], r.OfferedRPS)
			}
		}
	}
	for s, list := range rates {
		slices.Sort(list)
		g.rateSteps[s.server] = max(g.rateSteps[s.server], len(list))
	}
	for _, r := range rows {
		k := Key{r.Server, r.Scenario, r.Level()}
		if r.Scenario == "rate" {
			k.Level = float64(slices.Index(rates[series{r.Server, r.Repeat}], r.OfferedRPS) + 1)
		}
		g.rows[k] = append(g.rows[k], r)
	}
	return g
}

// matching is how two runs' keys pair up.
type matching struct {
	both               []Key // sorted
	onlyBase, onlyNew  int
	rateUnmatchedSteps []string // servers whose rate step counts differ
}

func match(base, cur group) matching {
	var m matching
	for server, n := range base.rateSteps {
		if c, ok := cur.rateSteps[server]; ok && c != n {
			m.rateUnmatchedSteps = append(m.rateUnmatchedSteps, fmt.Sprintf("%s (%d vs %d steps)", server, n, c))
		}
	}
	slices.Sort(m.rateUnmatchedSteps)
	comparable := func(k Key) bool {
		return k.Scenario != "rate" || base.rateSteps[k.Server] == cur.rateSteps[k.Server]
	}
	for k := range base.rows {
		if _, ok := cur.rows[k]; ok && comparable(k) {
			m.both = append(m.both, k)
		} else {
			m.onlyBase++
		}
	}
	for k := range cur.rows {
		if _, ok := base.rows[k]; !ok || !comparable(k) {
			m.onlyNew++
		}
	}
	slices.SortFunc(m.both, compareKeys)
	return m
}

func compareKeys(a, b Key) int {
	sa, _, _ := strings.Cut(a.Server, "/") // a ratio sorts by its numerator
	sb, _, _ := strings.Cut(b.Server, "/")
	return cmp.Or(
		cmp.Compare(metrics.Rank(metrics.ScenarioOrder, a.Scenario), metrics.Rank(metrics.ScenarioOrder, b.Scenario)),
		cmp.Compare(a.Scenario, b.Scenario),
		cmp.Compare(metrics.Rank(metrics.ServerOrder, sa), metrics.Rank(metrics.ServerOrder, sb)),
		cmp.Compare(a.Server, b.Server),
		cmp.Compare(a.Level, b.Level),
	)
}
