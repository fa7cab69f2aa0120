package plots

import (
	"fmt"
	"image/color"
	"io"
	"math"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// The fixed geometry of every chart: 9 × 6 in at 100 dpi is 900 × 600 pixels.
const (
	Width  = 900
	Height = 600
	dpi    = 100
)

var (
	sans     = font.Font{Typeface: "Liberation", Variant: "Sans"}
	sansBold = font.Font{Typeface: "Liberation", Variant: "Sans", Weight: xfont.WeightBold}
	gridGray = color.Gray{0xe4}
)

// figure is one PNG: a title, one or more stacked panels sharing a legend column on the
// right (never over the data), and a caption line at the bottom.
type figure struct {
	title   string
	panels  []*plot.Plot
	legend  plot.Legend
	caption string
}

func newFigure(title, caption string) *figure {
	lg := plot.NewLegend()
	lg.TextStyle = textStyle(sans, 10, color.Black)
	lg.Top, lg.Left = true, true
	lg.ThumbnailWidth = vg.Points(24)
	lg.Padding = vg.Points(4)
	return &figure{title: title, caption: caption, legend: lg}
}

func textStyle(f font.Font, size vg.Length, c color.Color) text.Style {
	return text.Style{Color: c, Font: font.From(f, size), Handler: plot.DefaultTextHandler}
}

// newPanel is a plot with the suite's fonts, a light grid and the axis labels.
func newPanel(xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle.Font = font.From(sans, 11)
		ax.Tick.Label.Font = font.From(sans, 9.5)
		ax.Padding = vg.Points(3)
	}
	p.X.Label.Text, p.Y.Label.Text = xLabel, yLabel
	p.X.Label.Padding = vg.Points(4)
	p.Y.Label.Padding = vg.Points(4)
	grid := plotter.NewGrid()
	grid.Vertical.Color, grid.Horizontal.Color = gridGray, gridGray
	grid.Vertical.Width, grid.Horizontal.Width = vg.Points(0.6), vg.Points(0.6)
	p.Add(grid) // first, so it is drawn under the data
	return p
}

// writePNG renders the figure and encodes it as PNG.
func (f *figure) writePNG(w io.Writer) error {
	c := vgimg.NewWith(vgimg.UseWH(Width*vg.Inch/dpi, Height*vg.Inch/dpi), vgimg.UseDPI(dpi))
	dc := draw.New(c)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	f.draw(dc)
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(w); err != nil {
		return fmt.Errorf("plots: encode PNG: %w", err)
	}
	return nil
}

func (f *figure) draw(dc draw.Canvas) {
	margin := vg.Points(10)
	dc = draw.Crop(dc, margin, -margin, margin/2, -margin)

	title := textStyle(sansBold, 13, color.Black)
	title.XAlign = draw.XCenter
	title.YAlign = draw.YTop
	dc.FillText(title, vg.Point{X: dc.Center().X, Y: dc.Max.Y}, f.title)
	dc.Max.Y -= title.Height(f.title) + vg.Points(8)

	caption := textStyle(sans, 8.5, color.Gray{0x55})
	caption.XAlign = draw.XLeft
	caption.YAlign = draw.YBottom
	dc.FillText(caption, dc.Min, f.caption)
	dc.Min.Y += caption.Height(f.caption) + vg.Points(6)

	legendW := f.legendWidth()
	plotC := draw.Crop(dc, 0, -legendW, 0, 0)
	xLabel, yLabels, labelC := f.takeLabels(plotC)
	tiles := draw.Tiles{Rows: len(f.panels), Cols: 1, PadY: vg.Points(10)}
	grid := make([][]*plot.Plot, len(f.panels))
	for i, p := range f.panels {
		grid[i] = []*plot.Plot{p}
	}
	canvases := plot.Align(grid, tiles, labelC)
	for i, p := range f.panels {
		p.Draw(canvases[i][0])
		data := p.DataCanvas(canvases[i][0])
		sty := p.Y.Label.TextStyle
		sty.Rotation += math.Pi / 2
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YBottom
		dx := labelC.Min.X - axisLabelPad - sty.FontExtents().Descent
		dc.FillText(sty, vg.Point{X: dx, Y: data.Center().Y}, yLabels[i])
		if i == len(f.panels)-1 {
			sty = p.X.Label.TextStyle
			sty.XAlign, sty.YAlign = draw.XCenter, draw.YBottom
			dc.FillText(sty, vg.Point{X: data.Center().X, Y: plotC.Min.Y + sty.FontExtents().Descent}, xLabel)
		}
	}
	if legendW > 0 {
		top := f.panels[0].DataCanvas(canvases[0][0]).Max.Y
		lc := draw.Crop(dc, dc.Max.X-dc.Min.X-legendW+vg.Points(12), 0, 0, 0)
		lc.Max.Y = top
		f.legend.Draw(lc)
	}
}

const axisLabelPad = vg.Length(5)

// takeLabels removes the axis labels from the panels, to be drawn by the figure:
// gonum/plot reserves room for an axis label at the arithmetic middle of the axis, which
// on a log axis is near its end and squeezes the data. It returns the bottom panel's x
// label, each panel's y label, and plotC less the room for them.
func (f *figure) takeLabels(plotC draw.Canvas) (xLabel string, yLabels []string, rest draw.Canvas) {
	for _, p := range f.panels {
		yLabels = append(yLabels, p.Y.Label.Text)
		xLabel = p.X.Label.Text
		p.X.Label.Text, p.Y.Label.Text = "", ""
	}
	sty := f.panels[0].X.Label.TextStyle
	room := sty.Height("Ag") + axisLabelPad
	return xLabel, yLabels, draw.Crop(plotC, room, 0, room, 0)
}

// legendWidth is the width of the legend column, 0 without a legend.
func (f *figure) legendWidth() vg.Length {
	var dummy draw.Canvas
	r := f.legend.Rectangle(dummy)
	w := r.Max.X - r.Min.X
	if w == 0 {
		return 0
	}
	return w + vg.Points(20)
}
