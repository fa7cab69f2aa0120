package plots

import (
	"image/color"
	"strings"
	"testing"

	"github.com/benchsuite/threads-vs-loop/metrics"
	"gonum.org/v1/plot"
)

func TestFormatters(t *testing.T) {
	for _, tc := range []struct {
		v      float64
		si, pl string
	}{
		{0, "0", "0"}, {1, "1", "1"}, {0.1, "0.1", "0.1"}, {1500, "1.5k", "1500"},
		{8000, "8k", "8000"}, {120000, "120k", "120000"}, {2e6, "2M", "2000000"}, {0.30000000000000004, "0.3", "0.3"},
	} {
		if got := si(tc.v); got != tc.si {
			t.Errorf("si(%v) = %q, want %q", tc.v, got, tc.si)
		}
		if got := plain(tc.v); got != tc.pl {
			t.Errorf("plain(%v) = %q, want %q", tc.v, got, tc.pl)
		}
	}
}

func labels(ticks []plot.Tick) string {
	var l []string
	for _, tk := range ticks {
		if tk.Label != "" {
			l = append(l, tk.Label)
		}
	}
	return strings.Join(l, " ")
}

func TestTickers(t *testing.T) {
	for _, tc := range []struct {
		ticker   plot.Ticker
		min, max float64
		want     string
	}{
		{logTicks{si}, 0.87, 9200, "1 10 100 1k"},
		{logTicks{plain}, 3, 40, "5 10 20"},
		{linearTicks{si}, 0, 160000, "0 25k 50k 75k 100k 125k 150k"},
		{linearTicks{plain}, 0, 1.08, "0 0.2 0.4 0.6 0.8 1"},
		{levelTicks{levels: []float64{1, 4000, 8000}, base: logTicks{si}, format: si}, 0.87, 9200, "1 4k 8k"},
		{percentileTicks(3), 0, 3, "0% 50% 90% 99% 99.9%"},
		{percentileTicks(5), 0, 5, "0% 50% 90% 99% 99.9% 99.99% 99.999%"},
	} {
		if got := labels(tc.ticker.Ticks(tc.min, tc.max)); got != tc.want {
			t.Errorf("%T %v..%v: labels %q, want %q", tc.ticker, tc.min, tc.max, got, tc.want)
		}
	}
}

func TestStyles(t *testing.T) {
	seen := map[color.RGBA]string{}
	for _, s := range metrics.ServerOrder {
		c := StyleFor(s).Color
		if other, dup := seen[c]; dup {
			t.Errorf("%s and %s share a colour", s, other)
		}
		seen[c] = s
	}
	for _, label := range []string{"caddy", "my_server", "lighttpd", "x"} {
		st := StyleFor(label)
		if st != StyleFor(label) {
			t.Errorf("%s: style not deterministic", label)
		}
		if known, clash := seen[st.Color]; clash {
			t.Errorf("unknown %s drawn in known %s's colour", label, known)
		}
		if st.Shape < 0 || st.Shape >= numShapes {
			t.Errorf("%s: shape %d out of range", label, st.Shape)
		}
	}
	if got := strings.Join(orderServers([]string{"zz", "nginx", "aa", "threaded"}), " "); got != "threaded nginx aa zz" {
		t.Errorf("orderServers = %q", got)
	}
}

// TestLevelLabelsDoNotCrowd: levels close together on the axis (a server that held fewer
// idle connections than asked) are marked but not all labelled.
func TestLevelLabelsDoNotCrowd(t *testing.T) {
	tk := levelTicks{levels: []float64{0, 289, 1031, 2000, 5000, 10000}, base: linearTicks{si}, format: si}
	var labels []string
	for _, x := range tk.Ticks(-200, 10200) {
		if x.Label != "" {
			labels = append(labels, x.Label)
		}
	}
	if got := strings.Join(labels, " "); got != "0 2k 5k 10k" {
		t.Errorf("labels %q, want the crowded 289 and 1.031k left unlabelled", got)
	}
}

// TestFamiliesShareAColour: servers a suite declares in one family are drawn in one
// colour with shapes of their own and listed together; a user's server in a known
// server's family takes that server's colour and another shape.
func TestFamiliesShareAColour(t *testing.T) {
	pal := palette{ids: []metrics.ServerIdentity{
		{Server: "nginx", Family: "nginx"}, {Server: "java-platform", Family: "java"},
		{Server: "nginx-tuned", Family: "nginx"}, {Server: "java-virtual", Family: "java"},
		{Server: "aa", Family: "zz"},
	}}
	p, v := pal.style("java-platform"), pal.style("java-virtual")
	if p.Color != v.Color || p.Shape == v.Shape {
		t.Errorf("java family: %v and %v, want one colour and two shapes", p, v)
	}
	for _, s := range metrics.ServerOrder {
		if StyleFor(s).Color == p.Color {
			t.Errorf("the java family is drawn in %s's colour", s)
		}
	}
	if n, tuned := pal.style("nginx"), pal.style("nginx-tuned"); n.Color != tuned.Color || n.Shape == tuned.Shape {
		t.Errorf("nginx-tuned %v beside nginx %v: want nginx's colour, another shape", tuned, n)
	}
	if got := strings.Join(pal.order([]string{"aa", "java-virtual", "nginx-tuned", "nginx", "java-platform", "threaded"}), " "); got != "threaded nginx java-platform java-virtual nginx-tuned aa" {
		t.Errorf("order = %q, want the suite's own, then by family", got)
	}
}
