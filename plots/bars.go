package plots

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"

	"github.com/benchsuite/threads-vs-loop/metrics"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// bars draws, for each server at x = 0, 1, …, a light p50 bar and a solid p99 bar in
// the server's colour, rising from the bottom of the (log) y axis, each labelled with its
// value in ms. A bar is drawn with its point's mark (hollow: client-bound; tinted: both).
type bars struct {
	servers  []string
	p50, p99 []float64 // ms
	marks    []mark
	pal      palette // the run's styles
}

const barHalf = 0.17 // half a bar's width, in x units

// Plot implements plot.Plotter.
func (b *bars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	label := textStyle(sans, 8.5, color.Gray{0x20})
	label.XAlign, label.YAlign = draw.XCenter, draw.YBottom
	for i, srv := range b.servers {
		col := b.pal.style(srv).Color
		for j, v := range []float64{b.p50[i], b.p99[i]} {
			if v <= 0 {
				continue
			}
			mid := float64(i) + barHalf*float64(2*j-1)*1.1
			r := vg.Rectangle{
				Min: vg.Point{X: trX(mid - barHalf), Y: trY(p.Y.Min)},
				Max: vg.Point{X: trX(mid + barHalf), Y: trY(v)},
			}
			fill := color.Color(col)
			if j == 0 {
				fill = lighten(col)
			}
			drawBar(&c, r, fill, col, b.marks[i])
			c.FillText(label, vg.Point{X: trX(mid), Y: r.Max.Y + vg.Points(2)}, plain(v))
		}
	}
}

func drawBar(c *draw.Canvas, r vg.Rectangle, fill, edge color.Color, m mark) {
	if m != markFilled {
		inside := color.Color(color.White)
		if m == markTinted {
			inside = color.Gray{0xe0}
		}
		c.SetColor(inside)
		c.Fill(r.Path())
		c.SetLineStyle(draw.LineStyle{Color: edge, Width: vg.Points(1.5)})
		c.Stroke(r.Path())
		return
	}
	c.SetColor(fill)
	c.Fill(r.Path())
}

// DataRange implements plot.DataRanger.
func (b *bars) DataRange() (xmin, xmax, ymin, ymax float64) {
	ymin, ymax = math.Inf(1), math.Inf(-1)
	for i := range b.servers {
		for _, v := range []float64{b.p50[i], b.p99[i]} {
			if v > 0 {
				ymin, ymax = math.Min(ymin, v), math.Max(ymax, v)
			}
		}
	}
	return -0.5, float64(len(b.servers)) - 0.5, ymin, ymax
}

// barKey is a legend key for the bars: a light or a solid grey box.
type barKey struct{ light bool }

// Thumbnail implements plot.Thumbnailer.
func (k barKey) Thumbnail(c *draw.Canvas) {
	col := color.RGBA{0x50, 0x50, 0x50, 0xff}
	if k.light {
		col = lighten(col)
	}
	r := vg.Rectangle{
		Min: vg.Point{X: c.Min.X + vg.Points(5), Y: c.Min.Y},
		Max: vg.Point{X: c.Max.X - vg.Points(5), Y: c.Max.Y},
	}
	drawBar(c, r, col, col, markFilled)
}

// holChart draws the head-of-line scenario: the measured request's p50 and p99 per
// server, and under it the background request's (whose offered rate is the same for
// every server), so a server cannot look good on one class by starving the other.
func holChart(ctx *chartContext, s scenario) (*figure, error) {
	fg, bg := &bars{pal: ctx.pal}, &bars{pal: ctx.pal}
	for _, a := range ctx.aggs {
		if a.Scenario != s.Name || (a.P50us <= 0 && a.P99us <= 0) {
			continue
		}
		// One row per server is expected; with several levels the last (highest) wins.
		fg.put(a.Server, ms(a.P50us), ms(a.P99us), markOf(a.Bound))
		bg.put(a.Server, ms(a.BgP50us), ms(a.BgP99us), markOf(a.Bound))
	}
	if len(fg.servers) == 0 {
		return nil, ErrNoData
	}
	fig := newFigure(ctx.title, ctx.caption)
	fig.panels = append(fig.panels, fg.panel(metrics.Request(s.Path)+" (ms, log)"))
	if bg.any() {
		fig.panels = append(fig.panels, bg.panel(metrics.Request(s.BgPath)+" (ms, log)"))
	}
	fig.legend.Add("p50 (light bar)", barKey{light: true})
	fig.legend.Add("p99 (solid bar)", barKey{})
	marks := map[mark]bool{}
	for _, m := range fg.marks {
		marks[m] = true
	}
	addMarkKeys(fig, marks)
	return fig, nil
}

// put sets server's bars, replacing its earlier ones.
func (b *bars) put(server string, p50, p99 float64, m mark) {
	if n := len(b.servers); n > 0 && b.servers[n-1] == server {
		b.servers, b.p50, b.p99, b.marks = b.servers[:n-1], b.p50[:n-1], b.p99[:n-1], b.marks[:n-1]
	}
	b.servers = append(b.servers, server)
	b.p50, b.p99, b.marks = append(b.p50, p50), append(b.p99, p99), append(b.marks, m)
}

// any reports whether any bar has a value.
func (b *bars) any() bool {
	for i := range b.servers {
		if b.p50[i] > 0 || b.p99[i] > 0 {
			return true
		}
	}
	return false
}

// panel is a log-scale panel of the bars, one slot per server.
func (b *bars) panel(yLabel string) *plot.Plot {
	p := newPanel("server", yLabel)
	p.Add(b)
	p.NominalX(b.servers...)
	_, _, lo, hi := b.DataRange()
	setLogAxis(&p.Y, lo, hi, plain)
	p.Y.Min, p.Y.Max = lo/3, hi*2.5 // room under the smallest bar and above the labels
	p.X.Min, p.X.Max = -0.5, float64(len(b.servers))-0.5
	return p
}
