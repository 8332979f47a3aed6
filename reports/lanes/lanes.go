// Package lanes draws lanes of intervals with gonum.org/v1/plot: one row
// per worker, goroutine or thread, each a sequence of coloured bars whose
// colour is a state (spawn, waiting, work; running, blocked, syscall, …).
// It serves two charts: a Gantt chart of a few workers and a scheduler
// timeline of up to millions of intervals.
//
// A Lanes value is a plot.Plotter and plot.DataRanger. Lane 0 is drawn at
// the top. Lanes with a Group are drawn under a header row naming the
// group, with a thin line between groups. Above BinAbove intervals the
// plotter stops drawing one bar per interval and draws each pixel column
// in the state that covers most of it (see bin.go), which keeps rendering
// time and SVG size bounded by the image, not the data.
//
// State implements plot.Thumbnailer, so a legend is built from the state
// table; Save draws it beside the data rather than over it. Lane names
// become y tick labels through Lanes.Ticks.
package lanes

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"unicode/utf8"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Interval is a span of time a lane spends in one state. Start and End are
// in x units (seconds in the harness's charts); State indexes the state
// table given to New.
type Interval struct {
	Start, End float64
	State      int
}

// Lane is one row of the chart. Consecutive lanes with the same non-empty
// Group are drawn together under a header naming the group.
type Lane struct {
	Name      string
	Group     string
	Intervals []Interval
}

// State is an entry of the state table: what an Interval.State means and
// how it is drawn.
type State struct {
	Name  string
	Color color.Color
}

// Thumbnail implements plot.Thumbnailer: a legend entry is a swatch of the
// state's colour, e.g. legend.Add(s.Name, s).
func (s State) Thumbnail(c *draw.Canvas) {
	c.SetColor(s.Color)
	c.Fill(c.Rectangle.Path())
}

// DefaultBinAbove is the interval count above which a Lanes bins per pixel
// column. Up to about 10k bars drawing each one is exact and affordable
// (10k bars: ~50 ms of CPU for PNG + SVG, 0.5 MB of SVG); beyond that
// time and SVG size grow with the data for no visible gain (1M intervals
// binned: ~25 ms, 20 KB).
const DefaultBinAbove = 10_000

// Lanes is a plot.Plotter drawing lanes of intervals. Create it with New.
type Lanes struct {
	// BinAbove is the number of intervals above which Plot bins per pixel
	// column instead of drawing each interval. Zero means DefaultBinAbove;
	// a negative value always bins.
	BinAbove int

	lanes  []Lane
	states []State
	count  int

	// Layout in y data units, counted from the bottom: lane i is centred
	// on y[i], one unit high; group headers are one unit high as well.
	y          []float64
	headers    []header
	separators []float64
	top        float64

	xmin, xmax float64
}

// header is a group's title row.
type header struct {
	name string
	y    float64 // centre of the row
}

const (
	// barFill is the share of a lane's height covered by its bars; the
	// rest is the gap that tells one lane from the next.
	barFill = 0.8
	// maxLabelRunes caps a lane label's length. Goroutine names are
	// function paths; the end of the path is the informative part.
	maxLabelRunes = 28
	// rectsPerFill is how many bars go into one filled path (see Plot).
	rectsPerFill = 64
)

// New returns a plotter for lanes whose intervals index states. It
// validates the data once so that Plot, which cannot return an error,
// never meets an unknown state or an interval that ends before it starts.
func New(lanes []Lane, states []State) (*Lanes, error) {
	for i, s := range states {
		if s.Color == nil {
			return nil, fmt.Errorf("lanes: state %d (%q) has no colour", i, s.Name)
		}
	}
	l := &Lanes{
		lanes:  lanes,
		states: states,
		xmin:   math.Inf(1),
		xmax:   math.Inf(-1),
	}
	for i, ln := range lanes {
		for j, iv := range ln.Intervals {
			if iv.State < 0 || iv.State >= len(states) {
				return nil, fmt.Errorf("lanes: lane %d (%q) interval %d: state %d not in the state table (%d states)",
					i, ln.Name, j, iv.State, len(states))
			}
			if math.IsNaN(iv.Start) || math.IsNaN(iv.End) || iv.End < iv.Start {
				return nil, fmt.Errorf("lanes: lane %d (%q) interval %d: bad span [%g, %g]",
					i, ln.Name, j, iv.Start, iv.End)
			}
			l.xmin = math.Min(l.xmin, iv.Start)
			l.xmax = math.Max(l.xmax, iv.End)
		}
		l.count += len(ln.Intervals)
	}
	if l.count > 0 && (math.IsInf(l.xmin, 0) || math.IsInf(l.xmax, 0)) {
		return nil, errors.New("lanes: intervals reach infinity")
	}
	l.layout()
	return l, nil
}

// layout places lanes and group headers top to bottom, then flips the
// positions so that y grows upwards as gonum expects.
func (l *Lanes) layout() {
	var (
		pos     float64 // distance from the top, in lane heights
		centres = make([]float64, len(l.lanes))
		hdrs    []header
		seps    []float64
	)
	for i, ln := range l.lanes {
		boundary := i > 0 && ln.Group != l.lanes[i-1].Group
		if boundary {
			seps = append(seps, pos)
		}
		if ln.Group != "" && (i == 0 || boundary) {
			hdrs = append(hdrs, header{name: ln.Group, y: pos + 0.5})
			pos++
		}
		centres[i] = pos + 0.5
		pos++
	}
	l.top = pos
	l.y = make([]float64, len(centres))
	for i, c := range centres {
		l.y[i] = pos - c
	}
	for i := range hdrs {
		hdrs[i].y = pos - hdrs[i].y
	}
	l.headers = hdrs
	l.separators = make([]float64, len(seps))
	for i, s := range seps {
		l.separators[i] = pos - s
	}
}

// DataRange implements plot.DataRanger: the time span of all intervals
// and the height of all lanes and headers. A caller that wants several
// charts on one time axis sets p.X.Min and p.X.Max after p.Add; Plot
// draws only what falls inside them.
func (l *Lanes) DataRange() (xmin, xmax, ymin, ymax float64) {
	return l.xmin, l.xmax, 0, l.top
}

// Ticks returns y ticks naming the lanes, for p.Y.Tick.Marker.
//
// Every lane gets a tick mark; at most maxLabels of them get a label, so
// that labels do not overlap when there are many lanes: with more lanes
// than that, only every k-th lane is named (k = ⌈lanes/maxLabels⌉,
// counting from the top lane). A label takes about 1.2 × its font size,
// so for 10 pt labels maxLabels ≈ data-area height / 12 pt, e.g. 30 for
// a data area 5 in high. maxLabels ≤ 0 labels every lane. Names longer
// than 28 characters keep their end, which for function paths is the part
// that tells them apart: "…/worker.(*Pool).run".
func (l *Lanes) Ticks(maxLabels int) plot.ConstantTicks {
	step := 1
	if maxLabels > 0 && len(l.lanes) > maxLabels {
		step = (len(l.lanes) + maxLabels - 1) / maxLabels
	}
	ticks := make(plot.ConstantTicks, len(l.lanes))
	for i, ln := range l.lanes {
		ticks[i].Value = l.y[i]
		if i%step == 0 {
			ticks[i].Label = shorten(ln.Name, maxLabelRunes)
		}
	}
	return ticks
}

// shorten keeps the last n runes of s, marking the cut with an ellipsis.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return "…" + string(r[len(r)-(n-1):])
}

// Plot implements plot.Plotter. It draws the intervals inside p.X.Min and
// p.X.Max, binned per pixel column above BinAbove intervals, then the group
// separators and names.
func (l *Lanes) Plot(c draw.Canvas, p *plot.Plot) {
	xlo, xhi := p.X.Min, p.X.Max
	if !(xhi > xlo) || len(l.lanes) == 0 {
		return
	}
	_, ytr := p.Transforms(&c)
	px := float64(pixelWidth(c.Canvas))
	xm := newXMap(&c, p)

	// Bars are snapped to the pixel grid vertically as they are
	// horizontally when binned: a lane's top and bottom edges are then
	// crisp instead of anti-aliased into a lighter row.
	snap := func(v vg.Length) float64 { return math.Round(float64(v)/px) * px }
	type band struct{ y0, y1 float64 }
	bands := make([]band, len(l.lanes))
	for i, y := range l.y {
		b := band{snap(ytr(y - barFill/2)), snap(ytr(y + barFill/2))}
		if b.y1 < b.y0 {
			b.y0, b.y1 = b.y1, b.y0
		}
		if b.y1-b.y0 < px { // keep a lane visible when lanes are thinner than a pixel
			b.y1 = b.y0 + px
		}
		bands[i] = b
	}

	// Bars of one state are filled as one path of up to rectsPerFill
	// rectangles. In SVG one <path> element then carries many bars (10k
	// bars: 534 KB instead of 878 KB), while the PNG rasteriser, which
	// slows down sharply with the number of edges it holds per scan line
	// (one path of 10k bars: 0.5 s), is given few at a time.
	paths := make([]vg.Path, len(l.states))
	flush := func(s int) {
		if len(paths[s]) > 0 {
			c.SetColor(l.states[s].Color)
			c.Fill(paths[s])
			// Canvases consume or copy a path (gonum's recorder clones
			// it), so its memory serves the next rectangles.
			paths[s] = paths[s][:0]
		}
	}
	rect := func(s int, x0, x1, y0, y1 float64) {
		pth := &paths[s]
		if *pth == nil {
			*pth = make(vg.Path, 0, 5*rectsPerFill)
		}
		pth.Move(vg.Point{X: vg.Length(x0), Y: vg.Length(y0)})
		pth.Line(vg.Point{X: vg.Length(x1), Y: vg.Length(y0)})
		pth.Line(vg.Point{X: vg.Length(x1), Y: vg.Length(y1)})
		pth.Line(vg.Point{X: vg.Length(x0), Y: vg.Length(y1)})
		pth.Close()
		if len(*pth) == cap(*pth) {
			flush(s)
		}
	}
	cmin, cmax := float64(c.Min.X), float64(c.Max.X)

	binAbove := l.BinAbove
	if binAbove == 0 {
		binAbove = DefaultBinAbove
	}
	if l.count > binAbove || binAbove < 0 {
		origin, cols := columns(cmin, cmax, px)
		perPx := 1 / px
		b := newBinner(cols, len(l.states))
		for i, ln := range l.lanes {
			b.reset()
			// The hot loop: a million iterations. Plain comparisons, not
			// min/max, which also order NaNs (New has excluded them).
			for _, iv := range ln.Intervals {
				s, e := iv.Start, iv.End
				if e <= xlo || s >= xhi {
					continue
				}
				if s < xlo {
					s = xlo
				}
				if e > xhi {
					e = xhi
				}
				d0, d1 := xm.at(s), xm.at(e)
				if d1 < d0 {
					d0, d1 = d1, d0
				}
				b.add(iv.State, (d0-origin)*perPx, (d1-origin)*perPx)
			}
			b.finish()
			bd := bands[i]
			b.runs(func(s, k0, k1 int) {
				x0 := max(origin+float64(k0)*px, cmin)
				x1 := min(origin+float64(k1)*px, cmax)
				rect(s, x0, x1, bd.y0, bd.y1)
			})
		}
	} else {
		for i, ln := range l.lanes {
			bd := bands[i]
			for _, iv := range ln.Intervals {
				if iv.End <= xlo || iv.Start >= xhi {
					continue
				}
				d0, d1 := xm.at(max(iv.Start, xlo)), xm.at(min(iv.End, xhi))
				if d1 < d0 {
					d0, d1 = d1, d0
				}
				if d1 > d0 {
					rect(iv.State, d0, d1, bd.y0, bd.y1)
				}
			}
		}
	}
	for s := range paths {
		flush(s)
	}
	l.drawGroups(c, p, ytr)
}

// drawGroups draws a thin line between groups and each group's name in
// its header row, at the left of the data area. The name sits on a patch
// of background so it stays legible when lanes are so thin that the
// header row is lower than the text.
func (l *Lanes) drawGroups(c draw.Canvas, p *plot.Plot, ytr func(float64) vg.Length) {
	line := draw.LineStyle{Color: color.Gray{Y: 0x55}, Width: vg.Points(0.75)}
	for _, s := range l.separators {
		y := ytr(s)
		c.StrokeLine2(line, c.Min.X, y, c.Max.X, y)
	}
	sty := p.Y.Tick.Label
	sty.XAlign, sty.YAlign, sty.Rotation = draw.XLeft, draw.YCenter, 0
	bg := p.BackgroundColor
	if bg == nil {
		bg = color.White
	}
	pad := vg.Points(2)
	for _, h := range l.headers {
		pt := vg.Point{X: c.Min.X + vg.Points(4), Y: ytr(h.y)}
		r := sty.Rectangle(h.name)
		r.Min = r.Min.Add(pt).Sub(vg.Point{X: pad, Y: pad})
		r.Max = r.Max.Add(pt).Add(vg.Point{X: pad, Y: pad})
		c.SetColor(bg)
		c.Fill(r.Path())
		c.FillText(sty, pt, h.name)
	}
}

// xMap maps x data values to device units. For the usual linear axis it
// is an inlined multiply-add: gonum's own transform is a closure that
// copies the whole Axis struct on every call, which for a million
// intervals would be most of the cost. Other scales use gonum's.
type xMap struct {
	linear bool
	a, b   float64 // device = a*v + b
	tr     func(float64) vg.Length
}

func newXMap(c *draw.Canvas, p *plot.Plot) xMap {
	if _, ok := p.X.Scale.(plot.LinearScale); ok {
		a := float64(c.Max.X-c.Min.X) / (p.X.Max - p.X.Min)
		return xMap{linear: true, a: a, b: float64(c.Min.X) - a*p.X.Min}
	}
	tr, _ := p.Transforms(c)
	return xMap{tr: tr}
}

func (m xMap) at(v float64) float64 {
	if m.linear {
		return m.a*v + m.b
	}
	return float64(m.tr(v))
}

// pixelWidth is the width of one output pixel in device units (points).
// Raster canvases report their resolution. Canvases that do not (SVG) are
// shown by browsers at 96 CSS pixels per inch, so 1/96 in is one pixel
// there at 100% zoom; PDF and EPS report 72.
func pixelWidth(c vg.Canvas) vg.Length {
	if d, ok := c.(interface{ DPI() float64 }); ok && d.DPI() > 0 {
		return vg.Inch / vg.Length(d.DPI())
	}
	return vg.Inch / 96
}
