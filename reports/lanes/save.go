package lanes

import (
	"bytes"
	"fmt"
	"image/png"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"harness/internal/atomicfile"
)

// pngDPI is the PNG resolution: CSS pixels, so the PNG and the SVG show
// at the same size in a browser, and binning uses the same columns in
// both.
const pngDPI = 96

// Save draws a chart to base+".png" and base+".svg", w × h in size (the
// PNG is w and h at 96 dpi: 8 in × 5 in is 768 × 480 px). Sizes in whole
// pixels (multiples of 0.75 pt, whole inches) keep bars on the pixel grid.
//
// With several panels they are stacked top to bottom with their data
// areas aligned (plot.Align with draw.Tiles), and Save first widens every
// panel's X.Min/X.Max to their union so that the panels share one time
// axis. If legend is not nil it is drawn to the right of the panels, its
// top level with the first panel's data area, so it never hides data;
// Save positions a copy and leaves legend itself as it was.
//
// The chart is drawn once, on a recording canvas, and the recording is
// replayed onto the PNG and the SVG canvas: plotting (binning a million
// intervals, laying out axes and legend) costs the same whatever the
// number of formats. The recording has the PNG's resolution, so binning
// uses the PNG's pixel columns, which at 96 dpi are the SVG's too.
//
// Each file is written under a temporary name in the same directory and
// renamed, so a reader, or whatever is left after this process dies, has
// the old file, the whole new one or none. Both images are rendered
// before either is written. The files are not fsynced: that cost ~45 ms
// per file here, more than rendering, and after a power cut a report's
// charts are made again with the report. A panic from
// gonum while drawing (it panics on inconsistent input) is returned as an
// error so one bad chart does not take down a whole report.
//
// Fonts: the SVG names its fonts instead of embedding them. Embedding the
// Liberation fonts costs ~0.5 MB per font per file (6.7 KB → 531 KB
// measured) and the report inlines several SVGs in one HTML page, which
// would carry the same fonts again for every chart. So that the text
// still reads where Liberation is not installed, each font-family is a
// fallback list (Liberation Serif, Times New Roman, Times, serif; Sans →
// Arial, Helvetica, sans-serif; Mono → Courier New, Courier, monospace:
// the fonts Liberation is metric-compatible with) and each text element
// carries its laid-out width as textLength, so a fallback font of other
// widths is fitted to the space the layout gave it instead of running
// into tick marks or off the edge (svgtext.go). The PNG always uses the
// Liberation fonts built into gonum.
func Save(base string, w, h vg.Length, legend *plot.Legend, panels ...*plot.Plot) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("lanes: save %s: size %v × %v is not positive", base, w, h)
	}
	if len(panels) == 0 {
		return fmt.Errorf("lanes: save %s: no panels", base)
	}
	for i, p := range panels {
		if p == nil {
			return fmt.Errorf("lanes: save %s: panel %d is nil", base, i)
		}
	}
	shareX(panels)
	if legend != nil {
		// A copy, so that positioning it here leaves the caller's alone.
		l := *legend
		if l.Padding == 0 {
			// gonum stacks entries with no gap, so the swatches merge
			// into one multicoloured bar.
			l.Padding = vg.Points(3)
		}
		legend = &l
	}

	rec := &recording{w: w, h: h}
	if err := render(rec, legend, panels); err != nil {
		return fmt.Errorf("lanes: save %s.png and .svg: %w", base, err)
	}

	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(pngDPI))
	if err := rec.ReplayOn(img); err != nil {
		return fmt.Errorf("lanes: save %s.png: %w", base, err)
	}
	var pngBuf bytes.Buffer
	// Fastest compression: charts are flat colour, which compresses
	// well at any level, and encoding was half the cost of a small chart.
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&pngBuf, img.Image()); err != nil {
		return fmt.Errorf("lanes: save %s.png: encoding: %w", base, err)
	}

	svgCanvas := &textWidths{CanvasWriterTo: vgsvg.New(w, h)}
	if err := rec.ReplayOn(svgCanvas); err != nil {
		return fmt.Errorf("lanes: save %s.svg: %w", base, err)
	}
	var svgBuf bytes.Buffer
	if _, err := svgCanvas.WriteTo(&svgBuf); err != nil {
		return fmt.Errorf("lanes: save %s.svg: encoding: %w", base, err)
	}
	svg, err := fixText(svgBuf.Bytes(), svgCanvas.widths)
	if err != nil {
		return fmt.Errorf("lanes: save %s.svg: %w", base, err)
	}

	if err := atomicfile.Write(base+".png", pngBuf.Bytes()); err != nil {
		return fmt.Errorf("lanes: save: %w", err)
	}
	if err := atomicfile.Write(base+".svg", svg); err != nil {
		return fmt.Errorf("lanes: save: %w", err)
	}
	return nil
}

// recording is the canvas a chart is drawn on once, to be replayed onto
// each output format's: w × h in size, at the PNG's resolution.
type recording struct {
	recorder.Canvas
	w, h vg.Length
}

func (r *recording) Size() (w, h vg.Length) { return r.w, r.h }

// DPI is the PNG's, so that Plot bins by the PNG's pixel columns
// (see pixelWidth).
func (r *recording) DPI() float64 { return pngDPI }

// shareX gives every panel the union of their x ranges.
func shareX(panels []*plot.Plot) {
	if len(panels) < 2 {
		return
	}
	lo, hi := panels[0].X.Min, panels[0].X.Max
	for _, p := range panels[1:] {
		lo, hi = min(lo, p.X.Min), max(hi, p.X.Max)
	}
	for _, p := range panels {
		p.X.Min, p.X.Max = lo, hi
	}
}

// render draws the chart on cv, turning a panic into an error.
func render(cv vg.CanvasSizer, legend *plot.Legend, panels []*plot.Plot) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("drawing: %v", r)
		}
	}()
	drawChart(draw.New(cv), legend, panels)
	return nil
}

// margin is the blank border around the chart and between its parts.
const margin = vg.Length(6)

// drawChart lays out and draws panels and legend on c.
func drawChart(c draw.Canvas, legend *plot.Legend, panels []*plot.Plot) {
	for _, p := range panels {
		if p.BackgroundColor != nil {
			c.SetColor(p.BackgroundColor)
			c.Fill(c.Rectangle.Path())
			break
		}
	}
	tiles, leg := chartLayout(c, legend, panels)
	for i, p := range panels {
		p.Draw(tiles[i])
	}
	if leg != nil {
		legend.Draw(*leg)
	}
}

// chartLayout returns the canvas of each panel and, if there is a legend
// with entries, the canvas the legend is drawn in (nil otherwise). It sets
// the legend's position to the top left of its canvas.
func chartLayout(c draw.Canvas, legend *plot.Legend, panels []*plot.Plot) ([]draw.Canvas, *draw.Canvas) {
	var legendW vg.Length
	if legend != nil {
		legendW = legend.Rectangle(c).Size().X
	}
	area := c
	if legendW > 0 {
		area.Max.X -= legendW + 2*margin
	}
	grid := make([][]*plot.Plot, len(panels))
	for i, p := range panels {
		grid[i] = []*plot.Plot{p}
	}
	aligned := plot.Align(grid, draw.Tiles{
		Rows: len(panels), Cols: 1,
		PadTop: margin, PadBottom: margin, PadLeft: margin, PadRight: margin,
		PadY: 2 * margin,
	}, area)
	tiles := make([]draw.Canvas, len(panels))
	for i := range aligned {
		tiles[i] = aligned[i][0]
	}
	if legendW <= 0 {
		return tiles, nil
	}
	data := panels[0].DataCanvas(tiles[0])
	leg := c
	leg.Min.X = area.Max.X + margin
	leg.Max.X = c.Max.X - margin
	leg.Max.Y = data.Max.Y
	legend.Top, legend.Left = true, true
	legend.XOffs, legend.YOffs = 0, 0
	return tiles, &leg
}
