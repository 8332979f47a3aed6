package reports

import (
	"errors"
	"fmt"
	"image/color"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"harness/harness/rundir"
	"harness/reports/lanes"
)

// chartsExporter draws every chart that the run has data for, as PNG and
// SVG, and lists them in Report.Charts for the documents. Each chart is in
// its own file (chart_*.go); this file holds what they share.
type chartsExporter struct{}

func (chartsExporter) Name() string { return "charts" }

// chartKinds are the charts in the order the documents show them. A draw
// function returns nil when the run has nothing to draw for it (no
// traces, a single worker count, …).
var chartKinds = []struct {
	name string
	draw func(r *Report) (*Chart, error)
}{
	{"utilization", utilizationChart},
	{"gantt", ganttChart},
	{"schedule", scheduleChart},
	{"parallelism", parallelismChart},
	{"scaling", scalingChart},
}

// Export draws every chart it can. A chart that fails is named in
// r.ChartProblems and in the returned error, and the others are still
// drawn.
func (chartsExporter) Export(r *Report) error {
	r.Charts, r.ChartProblems = nil, nil
	var errs []error
	for _, k := range chartKinds {
		c, err := k.draw(r)
		if err != nil {
			r.ChartProblems = append(r.ChartProblems, fmt.Sprintf("%s: %v", k.name, err))
			errs = append(errs, fmt.Errorf("%s chart: %w", k.name, err))
			continue
		}
		if c == nil {
			// A chart of an earlier render that no longer applies must
			// not linger next to the report that does not show it.
			for _, ext := range []string{".png", ".svg"} {
				if err := os.Remove(filepath.Join(r.Dir, k.name+ext)); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return fmt.Errorf("%s chart: %w", k.name, err)
				}
			}
			continue
		}
		r.Charts = append(r.Charts, *c)
	}
	return errors.Join(errs...)
}

// Chart sizes. Whole inches keep bars on the 96 dpi pixel grid; the page
// shows charts up to 1100 CSS pixels wide, the PNG is 960 px.
const (
	chartWidth = 10 * vg.Inch
	// Lane charts grow with their rows, between these bounds.
	laneRowHeight = 0.24 * vg.Inch
	laneChrome    = 1.4 * vg.Inch // title, axis, margins
	minLaneHeight = 3 * vg.Inch
	maxLaneHeight = 14 * vg.Inch
)

// pixel is one pixel of the PNG (96 dpi) in points.
const pixel = vg.Inch / 96

// save draws panels (and legend) to <name>.png and .svg in the report's
// directory and describes the chart. The height is rounded to whole
// pixels, which keeps lanes' bars on the pixel grid.
func (r *Report) save(name, title, caption string, h vg.Length, legend *plot.Legend, panels ...*plot.Plot) (*Chart, error) {
	hpx := int(h/pixel + 0.5)
	if err := lanes.Save(filepath.Join(r.Dir, name), chartWidth, vg.Length(hpx)*pixel, legend, panels...); err != nil {
		return nil, err
	}
	return &Chart{Name: name, Title: title, Caption: caption, PNG: name + ".png", SVG: name + ".svg",
		Width: int(chartWidth / pixel), Height: hpx}, nil
}

// saveLanes draws a lane chart (gantt, schedule, parallelism): lanes of
// intervals in seconds over [0, xmax], with a legend of the states, as
// tall as its rows (lanes and group headers) need. With perPixel every
// pixel column shows the state that covers most of it, however few
// intervals there are: a schedule's intervals are mostly narrower than a
// pixel, and drawn one by one they would be anti-aliased into pale seams
// (a µs of runnable in a second of running).
func (r *Report) saveLanes(name, title, caption string, ls []lanes.Lane, states []lanes.State, axes [3]string, xmax float64, perPixel bool) (*Chart, error) {
	l, err := lanes.New(ls, states)
	if err != nil {
		return nil, err
	}
	if perPixel {
		l.BinAbove = -1
	}
	_, _, _, rows := l.DataRange() // one y unit per lane or header
	h := laneHeight(int(rows))
	p := newPlot()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = axes[0], axes[1], axes[2]
	p.Add(l)
	p.X.Min, p.X.Max = 0, xmax
	if !(xmax > 0) {
		p.X.Max = 1
	}
	p.Y.Tick.Marker = l.Ticks(laneLabels(h))
	return r.save(name, title, caption, h, stateLegend(states), p)
}

// newPlot is a plot in the house style: white background, round time
// ticks.
func newPlot() *plot.Plot {
	p := plot.New()
	p.BackgroundColor = color.White
	p.X.Tick.Marker = lanes.NiceTicks{}
	p.Title.TextStyle.Font.Size = vg.Points(11)
	p.Title.Padding = vg.Points(4)
	return p
}

// newLegend is a legend in the house style.
func newLegend() *plot.Legend {
	l := plot.NewLegend()
	l.TextStyle.Font.Size = vg.Points(10)
	l.ThumbnailWidth = vg.Points(18)
	return &l
}

// stateLegend is a legend of a lanes state table.
func stateLegend(states []lanes.State) *plot.Legend {
	l := newLegend()
	for _, s := range states {
		l.Add(s.Name, s)
	}
	return l
}

// laneHeight is the height of a lane chart with rows lanes and headers.
func laneHeight(rows int) vg.Length {
	return min(max(laneChrome+vg.Length(rows)*laneRowHeight, minLaneHeight), maxLaneHeight)
}

// laneLabels is how many lane labels fit in a chart of height h without
// overlapping (10 pt labels need about 12 pt each).
func laneLabels(h vg.Length) int {
	return max(int((h-laneChrome)/vg.Points(12)), 4)
}

// modelColor gives each model its colour where models are series (the
// scaling chart): thread blue, process vermillion, serial black, others
// the rest of Okabe–Ito.
func modelColor(run *rundir.Run, model string) color.Color {
	switch model {
	case "thread":
		return lanes.Blue
	case "process":
		return lanes.Vermillion
	case "serial":
		return lanes.Black
	}
	others := []color.Color{lanes.BluishGreen, lanes.ReddishPurple, lanes.Orange, lanes.SkyBlue}
	i := 0
	for _, m := range run.Scenario.Models {
		if m == model {
			return others[i%len(others)]
		}
		if m != "thread" && m != "process" && m != "serial" {
			i++
		}
	}
	return lanes.Grey
}

// trialLabel describes a representative trial for titles and group
// headers: "thread: 2 workers in 1 process (thread-w2-r2)".
func trialLabel(t *rundir.Trial) string {
	procs := len(t.Processes)
	if t.Observed != nil {
		// A command's program may start processes of its own.
		procs = max(procs, len(t.Observed.Processes))
	}
	s := fmt.Sprintf("%s: %d %s in %d %s (%s", t.Model, t.Workers, plural(t.Workers, "worker", "workers"),
		procs, plural(procs, "process", "processes"), t.ID)
	if t.Status != rundir.StatusOK {
		s += ", " + t.Status
	}
	return s + ")"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// trialSpan is the longest trial window of the trials in seconds: the x range
// of charts that put trials side by side from their first spawn.
func trialSpan(ds []*trialData) float64 {
	var longest int64
	for _, d := range ds {
		if s, e := window(d.Trial); e > s {
			longest = max(longest, e-s)
		}
	}
	return float64(longest) / 1e9
}

// repSentence says which trials a chart shows.
func repSentence(r *Report) string {
	reps := r.representatives()
	if len(reps) == 0 {
		return ""
	}
	return fmt.Sprintf("Each model's representative trial: the repetition with the median wall time at %d workers.", reps[0].Trial.Workers)
}

// truncNotes joins the representative trials' trace problems for a
// caption: "Traces: thread-w2-r1 pid 12: trace truncated (…)."
func truncNotes(ds []*trialData) string {
	var notes []string
	for _, d := range ds {
		notes = append(notes, d.traceNotes()...)
	}
	if len(notes) == 0 {
		return ""
	}
	return " Incomplete traces, drawn as far as they go: " + strings.Join(notes, "; ") + "."
}

// lineStyle is a solid line of colour c and width w points.
func lineStyle(c color.Color, w float64) draw.LineStyle {
	return draw.LineStyle{Color: c, Width: vg.Points(w)}
}

// dashed is a dashed line style.
func dashed(c color.Color, w float64) draw.LineStyle {
	ls := lineStyle(c, w)
	ls.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
	return ls
}

// coresLine is how every chart marks the machine's core count:
// dash-dotted, so that it is not mistaken for a dashed fit.
func coresLine() draw.LineStyle {
	ls := lineStyle(lanes.Black, 1)
	ls.Dashes = []vg.Length{vg.Points(6), vg.Points(2), vg.Points(1.5), vg.Points(2)}
	return ls
}

// dotted is a dotted line style.
func dotted(c color.Color, w float64) draw.LineStyle {
	ls := lineStyle(c, w)
	ls.Dashes = []vg.Length{vg.Points(1.5), vg.Points(2.5)}
	return ls
}

// lineThumb is a legend entry drawn as a line.
type lineThumb draw.LineStyle

func (l lineThumb) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(draw.LineStyle(l), c.Min.X, y, c.Max.X, y)
}

// fillThumb is a legend entry drawn as a filled box with an edge on top.
type fillThumb struct {
	fill color.Color
	edge draw.LineStyle
}

func (f fillThumb) Thumbnail(c *draw.Canvas) {
	c.SetColor(f.fill)
	c.Fill(c.Rectangle.Path())
	c.StrokeLine2(f.edge, c.Min.X, c.Max.Y, c.Max.X, c.Max.Y)
}

// linesThumb is a legend entry for a family of thin lines of several
// colours: one short line per colour, stacked.
type linesThumb []color.Color

func (ls linesThumb) Thumbnail(c *draw.Canvas) {
	h := c.Max.Y - c.Min.Y
	for i, col := range ls {
		y := c.Min.Y + h*vg.Length(i+1)/vg.Length(len(ls)+1)
		c.StrokeLine2(lineStyle(col, 1.2), c.Min.X, y, c.Max.X, y)
	}
}

// addSteps adds to p a step line through bins of width w from 0: the
// value vs[i] holds over [i·w, (i+1)·w), the last bin ending at xEnd when
// that is sooner. The line is drawn in ls and, if fill is not nil, the
// area under it filled. Nothing is added when vs is empty.
func addSteps(p *plot.Plot, w float64, vs []float64, xEnd float64, ls draw.LineStyle, fill color.Color) error {
	if len(vs) == 0 {
		return nil
	}
	xys := make(plotter.XYs, 0, len(vs)+1)
	xys = append(xys, plotter.XY{X: 0, Y: vs[0]})
	for i, v := range vs {
		x := float64(i+1) * w
		if i == len(vs)-1 && xEnd > 0 {
			x = min(x, xEnd)
		}
		xys = append(xys, plotter.XY{X: x, Y: v})
	}
	l, err := plotter.NewLine(xys)
	if err != nil {
		return err
	}
	l.StepStyle = plotter.PreStep
	l.LineStyle = ls
	l.FillColor = fill
	p.Add(l)
	return nil
}

// maxOf is the largest of vs, 0 for none.
func maxOf(vs []float64) float64 {
	m := 0.0
	for _, v := range vs {
		m = max(m, v)
	}
	return m
}
