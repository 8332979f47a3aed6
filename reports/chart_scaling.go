package reports

import (
	"fmt"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"harness/reports/lanes"
)

// scalingChart: speedup against worker count per model with its
// interval, the ideal line, the machine's core count, and the Amdahl and
// USL fits that were good enough to quote. Only for sweeps.
func scalingChart(r *Report) (*Chart, error) {
	sc := r.Scaling
	if sc == nil {
		return nil, nil
	}
	maxN, ymax, series := 0.0, 1.0, 0
	for _, m := range sc.Models {
		for _, pt := range m.Points {
			maxN = max(maxN, float64(pt.Workers))
			ymax = max(ymax, pt.Hi, pt.Value)
		}
		if len(m.Points) > 0 {
			series++
		}
	}
	if maxN == 0 {
		return nil, nil // no speedups: no serial baseline
	}
	xmax := max(maxN, float64(sc.CPUs))
	// The y axis reaches the core count, the speedup CPU-bound work can
	// reach, not the ideal line's end: on 2 cores a sweep to 16 workers
	// would otherwise squeeze the data into the bottom eighth. The ideal
	// line and the fits are cut at the top.
	if sc.CPUs > 0 {
		ymax = max(ymax, float64(sc.CPUs))
	} else {
		ymax = max(ymax, xmax)
	}
	ytop := math.Ceil(ymax * 1.1)

	p := newPlot()
	p.Title.Text = r.Run.Scenario.Name + ": speedup over serial against the number of workers"
	p.X.Label.Text = "workers"
	p.Y.Label.Text = "speedup over serial (×)"
	p.Add(plotter.NewGrid())
	var ticks []plot.Tick
	for _, n := range sc.Workers {
		ticks = append(ticks, plot.Tick{Value: float64(n), Label: strconv.Itoa(n)})
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Tick.Marker = lanes.NiceTicks{N: 6}

	leg := newLegend()
	idealStyle, coresStyle := lineStyle(lanes.Grey, 1.5), coresLine()
	ideal, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: xmax, Y: xmax}})
	if err != nil {
		return nil, err
	}
	ideal.LineStyle = idealStyle
	p.Add(ideal)
	if sc.CPUs > 0 {
		cores, err := plotter.NewLine(plotter.XYs{{X: float64(sc.CPUs), Y: 0}, {X: float64(sc.CPUs), Y: ytop}})
		if err != nil {
			return nil, err
		}
		cores.LineStyle = coresStyle
		p.Add(cores)
	}

	// Models measured at the same worker counts are set a few pixels
	// apart so that one's interval does not hide the other's.
	dodge := 0.012 * (xmax + 0.5)
	shapes := []draw.GlyphDrawer{draw.CircleGlyph{}, draw.TriangleGlyph{}, draw.SquareGlyph{}, draw.PlusGlyph{}}
	var amdahl, usl bool // some model has a fit drawn
	k := 0
	for _, m := range sc.Models {
		if len(m.Points) == 0 {
			continue
		}
		c := modelColor(r.Run, m.Model)
		off := (float64(k) - float64(series-1)/2) * dodge
		var xys plotter.XYs
		var errs plotter.YErrors
		for _, pt := range m.Points {
			xys = append(xys, plotter.XY{X: float64(pt.Workers) + off, Y: pt.Value})
			errs = append(errs, struct{ Low, High float64 }{Low: max(pt.Value-pt.Lo, 0), High: max(pt.Hi-pt.Value, 0)})
		}
		line, err := plotter.NewLine(xys)
		if err != nil {
			return nil, err
		}
		line.LineStyle = lineStyle(c, 1.5)
		pts, err := plotter.NewScatter(xys)
		if err != nil {
			return nil, err
		}
		pts.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(3.5), Shape: shapes[k%len(shapes)]}
		bars, err := plotter.NewYErrorBars(errPoints{xys, errs})
		if err != nil {
			return nil, err
		}
		bars.LineStyle = lineStyle(c, 1.2)
		bars.CapWidth = vg.Points(7)
		p.Add(line, bars, pts)
		leg.Add(m.Model+": median, interval", line, pts)
		k++

		if m.Amdahl != nil && m.AmdahlRefused == "" {
			p.Add(fitCurve(m.Amdahl.predict, xmax, dashed(c, 1.2)))
			amdahl = true
		}
		if m.USL != nil && m.USLRefused == "" {
			p.Add(fitCurve(m.USL.predict, xmax, dotted(c, 1.2)))
			usl = true
		}
	}
	leg.Add("ideal: speedup = workers", lineThumb(idealStyle))
	if amdahl {
		leg.Add("Amdahl fit (dashed)", lineThumb(dashed(lanes.Black, 1.2)))
	}
	if usl {
		leg.Add("USL fit (dotted)", lineThumb(dotted(lanes.Black, 1.2)))
	}
	if sc.CPUs > 0 {
		leg.Add(fmt.Sprintf("machine: %d cores", sc.CPUs), lineThumb(coresStyle))
	}
	// After p.Add, which widens the axes to every plotter's data.
	p.X.Min, p.X.Max = 0, xmax+0.5
	p.Y.Min, p.Y.Max = 0, ytop

	caption := "Speedup = median serial wall time / median wall time at the same worker count (the table's), with its interval " +
		"(interval arithmetic on the two medians' confidence intervals; with fewer than 6 repetitions these are min–max ranges, so the interval is wide). " +
		"Models measured at the same worker count are drawn slightly apart so their intervals do not hide each other. " +
		"Grey: the ideal, speedup = workers. The dash-dotted vertical line is the machine's core count: past it more workers can only help work that waits. " +
		"Dashed and dotted curves are Amdahl and USL fits in the model's colour (least squares on Gunther's linearisation over every repetition); " +
		"a fit with too few worker counts, or that explains the data too badly (R² < 0.5 and RMSE > 10% of the mean), is not drawn — the Scaling section says why."
	return r.save("scaling", r.Run.Scenario.Name+": speedup against workers", caption, 5*vg.Inch, leg, p)
}

// fitCurve draws a fitted speedup curve from 1 to xmax workers.
func fitCurve(predict func(float64) float64, xmax float64, ls draw.LineStyle) *plotter.Function {
	f := plotter.NewFunction(predict)
	f.XMin, f.XMax, f.Samples = 1, xmax, 100
	f.LineStyle = ls
	return f
}

// errPoints is points with vertical error bars, for plotter.YErrorBars.
type errPoints struct {
	plotter.XYs
	plotter.YErrors
}
