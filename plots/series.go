package plots

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// point is one drawn value; Mark says who limited it (markOf).
type point struct {
	X, Y float64
	Mark mark
	// Lo and Hi are the lowest and highest Y over the point's repeats, drawn as a whisker
	// through the marker; equal to Y (no whisker) for a point measured once.
	Lo, Hi float64
}

// series is one server's line in a chart: a polyline through its points with the
// server's marker on each point (drawn with the point's mark). It implements
// plot.Plotter, plot.DataRanger, plot.GlyphBoxer and plot.Thumbnailer.
type series struct {
	pts     []point
	style   Style
	dashed  bool
	markers bool // a marker on every point
	noLine  bool // markers only
	width   vg.Length

	keyMark mark // the legend's marker
	real    bool // a real server (not one of the suite's Go models): dash-dotted
}

const markerRadius = vg.Length(3.4)

func newSeries(st Style, pts []point, dashed bool) *series {
	return &series{pts: pts, style: st, dashed: dashed, markers: true, width: vg.Points(1.6)}
}

func (s *series) lineStyle() draw.LineStyle {
	ls := draw.LineStyle{Color: s.style.Color, Width: s.width}
	switch {
	case s.dashed && s.real:
		ls.Dashes = []vg.Length{vg.Points(1.5), vg.Points(2.5)}
		ls.Color = lighten(s.style.Color)
	case s.dashed:
		ls.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		ls.Color = lighten(s.style.Color)
	case s.real: // a real server: dash-dot, told apart from the Go models at a glance
		ls.Dashes = []vg.Length{vg.Points(7), vg.Points(2.5), vg.Points(1.5), vg.Points(2.5)}
	}
	return ls
}

// lighten mixes c halfway to white: the p50 (dashed) line of a latency chart.
func lighten(c color.RGBA) color.RGBA {
	mix := func(v uint8) uint8 { return uint8((int(v) + 2*255) / 3) }
	return color.RGBA{R: mix(c.R), G: mix(c.G), B: mix(c.B), A: 0xff}
}

// Plot implements plot.Plotter.
func (s *series) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	line := make([]vg.Point, len(s.pts))
	for i, pt := range s.pts {
		line[i] = vg.Point{X: trX(pt.X), Y: trY(pt.Y)}
	}
	if len(line) > 1 && !s.noLine {
		c.StrokeLines(s.lineStyle(), c.ClipLinesXY(line)...)
	}
	if !s.markers {
		return
	}
	whisker := draw.LineStyle{Color: s.glyph(0).Color, Width: vg.Points(1.2)}
	for i, pt := range s.pts {
		if pt.Hi > pt.Lo && pt.Lo > 0 {
			x, lo, hi := line[i].X, trY(pt.Lo), trY(pt.Hi)
			tick := markerRadius * 0.9
			c.StrokeLines(whisker, c.ClipLinesXY([]vg.Point{{X: x, Y: lo}, {X: x, Y: hi}},
				[]vg.Point{{X: x - tick, Y: lo}, {X: x + tick, Y: lo}}, []vg.Point{{X: x - tick, Y: hi}, {X: x + tick, Y: hi}})...)
		}
		c.DrawGlyph(s.glyph(pt.Mark), line[i])
	}
}

func (s *series) glyph(m mark) draw.GlyphStyle {
	col := color.Color(s.style.Color)
	if s.dashed {
		col = lighten(s.style.Color)
	}
	return draw.GlyphStyle{Color: col, Radius: markerRadius, Shape: marker{shape: s.style.Shape, fill: m}}
}

// DataRange implements plot.DataRanger.
func (s *series) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, ymin = math.Inf(1), math.Inf(1)
	xmax, ymax = math.Inf(-1), math.Inf(-1)
	for _, pt := range s.pts {
		xmin, xmax = math.Min(xmin, pt.X), math.Max(xmax, pt.X)
		ymin, ymax = math.Min(ymin, pt.Y), math.Max(ymax, pt.Y)
		if pt.Hi > pt.Lo && pt.Lo > 0 {
			ymin, ymax = math.Min(ymin, pt.Lo), math.Max(ymax, pt.Hi)
		}
	}
	return xmin, xmax, ymin, ymax
}

// GlyphBoxes implements plot.GlyphBoxer, so markers at the edges are not clipped.
func (s *series) GlyphBoxes(p *plot.Plot) []plot.GlyphBox {
	if !s.markers {
		return nil
	}
	boxes := make([]plot.GlyphBox, len(s.pts))
	r := markerRadius * 1.4
	for i, pt := range s.pts {
		boxes[i].X = p.X.Norm(pt.X)
		boxes[i].Y = p.Y.Norm(pt.Y)
		boxes[i].Rectangle = vg.Rectangle{Min: vg.Point{X: -r, Y: -r}, Max: vg.Point{X: r, Y: r}}
	}
	return boxes
}

// Thumbnail implements plot.Thumbnailer: the line with the marker in its middle.
func (s *series) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(s.lineStyle(), c.Min.X, y, c.Max.X, y)
	if s.markers {
		c.DrawGlyph(s.glyph(s.keyMark), c.Center())
	}
}

// keyThumb is a legend key that is not a server: a grey line (solid or dashed) or a
// grey marker (with a mark).
type keyThumb struct {
	dashed, marker bool
	fill           mark
}

// Thumbnail implements plot.Thumbnailer.
func (k keyThumb) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	if k.fill != markFilled || k.marker {
		c.DrawGlyph(draw.GlyphStyle{Color: color.RGBA{0x40, 0x40, 0x40, 0xff}, Radius: markerRadius, Shape: marker{shape: Circle, fill: k.fill}}, c.Center())
		return
	}
	ls := draw.LineStyle{Color: color.Gray{0x30}, Width: vg.Points(1.6)}
	if k.dashed {
		ls.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		ls.Color = color.Gray{0xa0}
	}
	c.StrokeLine2(ls, c.Min.X, y, c.Max.X, y)
}
