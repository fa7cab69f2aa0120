package plots

import (
	"hash/fnv"
	"image/color"
	"math"
	"sort"

	"github.com/benchsuite/threads-vs-loop/metrics"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Shape is a marker's outline.
type Shape int

// The marker shapes, in the order fallback styles use them.
const (
	Circle Shape = iota
	Square
	TriangleUp
	Diamond
	TriangleDown
	Pentagon
	Hexagon
	numShapes
)

// Style is how one server is drawn in every chart.
type Style struct {
	Color color.RGBA
	Shape Shape
}

// knownStyles are the fixed styles of the suite's models and peers (listed in legends and
// tables in metrics.ServerOrder).
var (
	knownStyles = map[string]Style{
		"threaded":        {rgb(0xd6, 0x27, 0x28), Circle},
		"evented":         {rgb(0x1f, 0x77, 0xb4), Square},
		"evented-offload": {rgb(0x17, 0xa2, 0xb8), Diamond},
		"goroutine":       {rgb(0x2c, 0xa0, 0x2c), TriangleUp},
		"nginx":           {rgb(0xff, 0x7f, 0x0e), TriangleDown},
		"cthreads":        {rgb(0x94, 0x67, 0xbd), Pentagon},
		"apache-worker":   {rgb(0x8c, 0x56, 0x4b), Hexagon},
		"apache-prefork":  {rgb(0xe3, 0x77, 0xc2), Square},
		"apache-event":    {rgb(0xbc, 0xbd, 0x22), Diamond},
		"node":            {rgb(0x63, 0x79, 0x39), Circle},
		"node-offload":    {rgb(0x7f, 0x7f, 0x7f), TriangleUp},
	}

	// fallbackColors are for labels and families the suite does not know: none is a known
	// colour nor close to one (navy, gold, black, magenta, dark teal, dark green).
	fallbackColors = []color.RGBA{
		rgb(0x39, 0x3b, 0x79), rgb(0xd4, 0xa0, 0x17), rgb(0x00, 0x00, 0x00),
		rgb(0xc0, 0x00, 0x70), rgb(0x00, 0x6d, 0x6f), rgb(0x1b, 0x4d, 0x3e),
	}
)

func rgb(r, g, b uint8) color.RGBA { return color.RGBA{R: r, G: g, B: b, A: 0xff} }

// StyleFor returns the style of a server label with no family declared: the fixed style
// of a known model, or for any other label a colour and shape derived from a hash of the
// label, so the same label is drawn the same way in every chart of every run.
func StyleFor(server string) Style { return palette{}.style(server) }

// palette is how one run's servers are drawn and listed, from what its suite declared of
// them (run.json's servers; none for a run made before): the suite's own servers in
// their fixed styles; a server of a family (the two Java peers) in the family's colour
// (a known member's, else one derived from the family's name) with a shape of its own
// among the family's; any other label as StyleFor says.
type palette struct{ ids []metrics.ServerIdentity }

// paletteOf is the palette of the run d holds (nil: no run.json).
func paletteOf(d *Data) palette {
	if d == nil || d.Manifest == nil {
		return palette{}
	}
	return palette{d.Manifest.Servers}
}

func hash32(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

func (p palette) style(server string) Style {
	if s, ok := knownStyles[server]; ok {
		return s
	}
	fam := metrics.FamilyOf(p.ids, server)
	if fam == "" {
		sum := hash32(server)
		return Style{
			Color: fallbackColors[sum%uint32(len(fallbackColors))],
			Shape: Shape((sum / uint32(len(fallbackColors))) % uint32(numShapes)),
		}
	}
	sum := hash32(fam)
	st := Style{Color: fallbackColors[sum%uint32(len(fallbackColors))]}
	used := map[Shape]bool{}
	var colorSet bool
	k := -1 // server's place among the family's members without a fixed style
	for i, id := range p.ids {
		if id.Family != fam {
			continue
		}
		if s, ok := knownStyles[id.Server]; ok {
			if !colorSet {
				st.Color, colorSet = s.Color, true
			}
			used[s.Shape] = true
			continue
		}
		if id.Server == server {
			k = i
		}
	}
	n := 0 // members without a fixed style before server
	for _, id := range p.ids[:max(k, 0)] {
		if _, ok := knownStyles[id.Server]; !ok && id.Family == fam {
			n++
		}
	}
	for shape := Shape((sum / uint32(len(fallbackColors))) % uint32(numShapes)); ; shape = (shape + 1) % numShapes {
		if used[shape] && len(used) < int(numShapes) {
			continue
		}
		if n == 0 {
			st.Shape = shape
			return st
		}
		n--
	}
}

// order sorts server labels: the suite's own servers in their fixed order
// (metrics.ServerOrder), then the rest by family (so a family's members are listed
// together) and label.
func (p palette) order(servers []string) []string {
	rank := func(s string) int { return metrics.Rank(metrics.ServerOrder, s) }
	out := append([]string(nil), servers...)
	sort.SliceStable(out, func(i, j int) bool {
		ri, rj := rank(out[i]), rank(out[j])
		if ri != rj {
			return ri < rj
		}
		if fi, fj := metrics.FamilyOf(p.ids, out[i]), metrics.FamilyOf(p.ids, out[j]); fi != fj {
			return fi < fj
		}
		return out[i] < out[j]
	})
	return out
}

// orderServers is palette{}.order: for a run without families.
func orderServers(servers []string) []string { return palette{}.order(servers) }

// mark is how a point's bound is drawn, the same in every chart: filled when the server
// was the limit (or neither side was), hollow when the client was, tinted (a pale fill
// inside the outline) when both were.
type mark uint8

const (
	markFilled mark = iota
	markHollow
	markTinted
)

// markOf is the mark of a bound.
func markOf(b metrics.Bound) mark {
	switch b {
	case metrics.BoundClient:
		return markHollow
	case metrics.BoundBoth:
		return markTinted
	}
	return markFilled
}

// markLegend is the legend text of each mark that is not filled.
var markLegend = map[mark]string{markHollow: "hollow: client-bound", markTinted: "tinted: client and server bound"}

// marker draws a Shape with its mark: filled, hollow (a white inside with a coloured
// outline) or tinted (a pale inside with a coloured outline).
type marker struct {
	shape Shape
	fill  mark
}

// DrawGlyph implements draw.GlyphDrawer.
func (m marker) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	p := m.path(pt, sty.Radius)
	if m.fill == markFilled {
		c.SetColor(sty.Color)
		c.Fill(p)
		return
	}
	inside := color.Color(color.White)
	if rgba, ok := sty.Color.(color.RGBA); ok && m.fill == markTinted {
		inside = lighten(rgba)
	} else if m.fill == markTinted {
		inside = color.Gray{0xb0}
	}
	c.SetColor(inside)
	c.Fill(p)
	c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: vg.Points(1.3)})
	c.Stroke(p)
}

// path is the shape's outline around pt; polygons have about the area of the circle.
func (m marker) path(pt vg.Point, r vg.Length) vg.Path {
	var p vg.Path
	if m.shape == Circle {
		p.Move(vg.Point{X: pt.X + r, Y: pt.Y})
		p.Arc(pt, r, 0, 2*math.Pi)
		p.Close()
		return p
	}
	sides, rot, scale := 4, math.Pi/4, 1.15
	switch m.shape {
	case TriangleUp:
		sides, rot, scale = 3, math.Pi/2, 1.35
	case TriangleDown:
		sides, rot, scale = 3, -math.Pi/2, 1.35
	case Diamond:
		sides, rot, scale = 4, 0, 1.3
	case Pentagon:
		sides, rot, scale = 5, math.Pi/2, 1.1
	case Hexagon:
		sides, rot, scale = 6, 0, 1.05
	}
	for i := 0; i < sides; i++ {
		a := rot + 2*math.Pi*float64(i)/float64(sides)
		q := vg.Point{X: pt.X + r*vg.Length(scale*math.Cos(a)), Y: pt.Y + r*vg.Length(scale*math.Sin(a))}
		if i == 0 {
			p.Move(q)
		} else {
			p.Line(q)
		}
	}
	p.Close()
	return p
}
