package compare

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/benchsuite/threads-vs-loop/metrics"
)

// Key names a compared row: server × scenario × level, with the scenario's kind. For
// open-model rows Level is the step index (1 for the lowest offered rate of its server
// and repeat), not the offered rate. For a within-run ratio Server is "SERVER/REFERENCE".
type Key struct {
	Server   string
	Scenario string
	Level    float64
	Kind     metrics.Kind
}

// String is the key as the report names it: "threaded hello c=1000", "evented c10k idle=5000".
func (k Key) String() string {
	return k.Server + " " + k.Scenario + " " + k.LevelLabel()
}

// LevelLabel is the level with its unit: c=1000, idle=5000, step 3.
func (k Key) LevelLabel() string {
	n := strconv.FormatFloat(k.Level, 'f', -1, 64)
	switch k.Kind {
	case metrics.KindIdle:
		return "idle=" + n
	case metrics.KindOpen:
		return "step " + n
	}
	return "c=" + n
}

// group is one run's rows by key; rateSteps is the number of open-model steps per server
// and scenario ("server\x00scenario"); rank is each scenario's place in run order.
type group struct {
	rows      map[Key][]metrics.SummaryRow
	rateSteps map[string]int
	rank      map[string]int
}

func groupRows(rows []metrics.SummaryRow) group {
	g := group{rows: map[Key][]metrics.SummaryRow{}, rateSteps: map[string]int{}, rank: map[string]int{}}
	type series struct {
		server, scenario string
		repeat           int
	}
	rates := map[series][]float64{} // distinct offered rates per server × scenario × repeat
	for _, r := range rows {
		if _, ok := g.rank[r.Scenario]; !ok {
			g.rank[r.Scenario] = len(g.rank)
		}
		if r.Kind == metrics.KindOpen {
			s := series{r.Server, r.Scenario, r.Repeat}
			if !slices.Contains(rates[s], r.OfferedRPS) {
				rates[s] = append(rates[s], r.OfferedRPS)
			}
		}
	}
	for s, list := range rates {
		slices.Sort(list)
		id := stepsID(s.server, s.scenario)
		g.rateSteps[id] = max(g.rateSteps[id], len(list))
	}
	for _, r := range rows {
		k := Key{r.Server, r.Scenario, r.Level(), r.Kind}
		if r.Kind == metrics.KindOpen {
			k.Level = float64(slices.Index(rates[series{r.Server, r.Scenario, r.Repeat}], r.OfferedRPS) + 1)
		}
		g.rows[k] = append(g.rows[k], r)
	}
	return g
}

func stepsID(server, scenario string) string { return server + "\x00" + scenario }

// matching is how two runs' keys pair up.
type matching struct {
	both               []Key // sorted
	onlyBase, onlyNew  int
	rateUnmatchedSteps []string // servers whose rate step counts differ
}

func match(base, cur group) matching {
	var m matching
	for id, n := range base.rateSteps {
		if c, ok := cur.rateSteps[id]; ok && c != n {
			server, scenario, _ := strings.Cut(id, "\x00")
			m.rateUnmatchedSteps = append(m.rateUnmatchedSteps, fmt.Sprintf("%s %s (%d vs %d steps)", server, scenario, n, c))
		}
	}
	slices.Sort(m.rateUnmatchedSteps)
	comparable := func(k Key) bool {
		id := stepsID(k.Server, k.Scenario)
		return k.Kind != metrics.KindOpen || base.rateSteps[id] == cur.rateSteps[id]
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
	slices.SortFunc(m.both, keyOrder(base.rank))
	return m
}

// keyOrder sorts keys by scenario in run order (rank; unranked ones after), then server
// in legend order, then level.
func keyOrder(rank map[string]int) func(a, b Key) int {
	r := func(s string) int {
		if n, ok := rank[s]; ok {
			return n
		}
		return len(rank)
	}
	return func(a, b Key) int { return compareKeys(a, b, r) }
}

func compareKeys(a, b Key, rank func(string) int) int {
	sa, _, _ := strings.Cut(a.Server, "/") // a ratio sorts by its numerator
	sb, _, _ := strings.Cut(b.Server, "/")
	return cmp.Or(
		cmp.Compare(rank(a.Scenario), rank(b.Scenario)),
		cmp.Compare(a.Scenario, b.Scenario),
		cmp.Compare(metrics.Rank(metrics.ServerOrder, sa), metrics.Rank(metrics.ServerOrder, sb)),
		cmp.Compare(a.Server, b.Server),
		cmp.Compare(a.Level, b.Level),
	)
}
