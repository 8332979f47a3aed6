package lanes

import (
	"image/color"
	"math"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"
)

// The recorder canvas reports no DPI, so a pixel column is 1/96 in.
const colPt = 72.0 / 96

// bar is a rectangle Plot filled, with its colour.
type bar struct {
	x0, x1, y0, y1 float64
	color          color.Color
}

// drawBars runs l.Plot on a recording canvas whose data area is cols
// pixel columns wide, x window [xlo, xhi], and returns the bars drawn.
func drawBars(t *testing.T, l *Lanes, cols int, xlo, xhi float64) []bar {
	t.Helper()
	rec := &recorder.Canvas{}
	c := draw.Canvas{Canvas: rec, Rectangle: vg.Rectangle{
		Max: vg.Point{X: vg.Length(float64(cols) * colPt), Y: 100},
	}}
	p := plot.New()
	p.X.Min, p.X.Max = xlo, xhi
	_, _, p.Y.Min, p.Y.Max = l.DataRange()
	l.Plot(c, p)

	var (
		cur  color.Color
		bars []bar
	)
	for _, a := range rec.Actions {
		switch a := a.(type) {
		case *recorder.SetColor:
			cur = a.Color
		case *recorder.Fill:
			pth := a.Path
			if len(pth)%5 != 0 {
				t.Fatalf("fill path of %d components is not a list of rectangles", len(pth))
			}
			for i := 0; i < len(pth); i += 5 {
				r := bar{color: cur,
					x0: float64(pth[i].Pos.X), y0: float64(pth[i].Pos.Y),
					x1: float64(pth[i+2].Pos.X), y1: float64(pth[i+2].Pos.Y)}
				bars = append(bars, r)
			}
		}
	}
	return bars
}

// widths sums the drawn width of each state, in pixel columns.
func widths(bars []bar, states []State) []float64 {
	w := make([]float64, len(states))
	for _, b := range bars {
		for s, st := range states {
			if b.color == st.Color {
				w[s] += (b.x1 - b.x0) / colPt
			}
		}
	}
	return w
}

// alternating returns intervals cycling through (duration, state) pairs
// from 0 to end; a negative state is a gap.
func alternating(end float64, pattern ...struct {
	d float64
	s int
}) []Interval {
	var ivs []Interval
	t := 0.0
	for t < end {
		for _, p := range pattern {
			if p.s >= 0 {
				ivs = append(ivs, Interval{Start: t, End: t + p.d, State: p.s})
			}
			t += p.d
		}
	}
	return ivs
}

type seg = struct {
	d float64
	s int
}

var twoStates = []State{{Name: "running", Color: BluishGreen}, {Name: "blocked", Color: SkyBlue}}

func binned(t *testing.T, ivs []Interval) *Lanes {
	t.Helper()
	l, err := New([]Lane{{Name: "g", Intervals: ivs}}, twoStates)
	if err != nil {
		t.Fatal(err)
	}
	l.BinAbove = -1
	return l
}

// A lane alternating 70% running / 30% blocked much faster than a pixel
// column is drawn all running: each column's majority.
func TestBinFineMixDrawsMajority(t *testing.T) {
	// 100 columns over 1 s: 10 ms a column, 1 ms a cycle.
	l := binned(t, alternating(1, seg{0.0007, 0}, seg{0.0003, 1}))
	bars := drawBars(t, l, 100, 0, 1)
	w := widths(bars, twoStates)
	if math.Abs(w[0]-100) > 1e-6 || w[1] != 0 {
		t.Errorf("drawn widths running %.2f, blocked %.2f columns; want 100 and 0", w[0], w[1])
	}
	if len(bars) != 1 {
		t.Errorf("%d bars, want 1: adjacent columns of one state are merged", len(bars))
	}
}

// A mix slower than the columns keeps each state's share to within about
// a column per state change.
func TestBinCoarseMixKeepsShares(t *testing.T) {
	ivs := alternating(1, seg{0.0073, 0}, seg{0.0031, 1}) // 1000 columns of 1 ms
	var want [2]float64
	for _, iv := range ivs {
		want[iv.State] += min(iv.End, 1) - min(iv.Start, 1)
	}
	got := widths(drawBars(t, binned(t, ivs), 1000, 0, 1), twoStates)
	for s := range want {
		share := got[s] / 1000
		if math.Abs(share-want[s]) > 0.01 {
			t.Errorf("%s drawn on %.3f of the lane, covers %.3f", twoStates[s].Name, share, want[s])
		}
	}
}

// A column less than half covered stays empty; more than half is drawn.
func TestBinHalfBusy(t *testing.T) {
	for _, tc := range []struct {
		busy, phase float64
		want        float64 // columns drawn of 100
	}{
		{0.4, 0, 0}, {0.4, 0.0037, 0}, {0.6, 0, 100}, {0.6, 0.0037, 100},
		{0.5, 0, 100}, // exactly half counts
	} {
		// 10 ms columns, one busy stretch per column, shifted by phase.
		ivs := []Interval{}
		for k := range 101 {
			s := float64(k)*0.01 + tc.phase
			ivs = append(ivs, Interval{Start: s, End: s + tc.busy*0.01, State: k % 2})
		}
		got := widths(drawBars(t, binned(t, ivs), 100, 0, 1), twoStates)
		if d := got[0] + got[1]; math.Abs(d-tc.want) > 1e-6 {
			t.Errorf("busy %.0f%% phase %g: %.1f columns drawn, want %.0f", tc.busy*100, tc.phase, d, tc.want)
		}
	}
}

// Binned and per-interval drawing agree on intervals wider than a column.
func TestBinMatchesBarsForLongIntervals(t *testing.T) {
	ivs := alternating(1, seg{0.1234, 0}, seg{0.05, -1}, seg{0.0771, 1})
	l := binned(t, ivs)
	b := widths(drawBars(t, l, 1000, 0, 1), twoStates)
	l.BinAbove = 1 << 30
	e := widths(drawBars(t, l, 1000, 0, 1), twoStates)
	for s := range b {
		// One column per interval edge at most.
		if d := math.Abs(b[s] - e[s]); d > float64(len(ivs)) {
			t.Errorf("%s: binned %.1f columns, exact %.1f", twoStates[s].Name, b[s], e[s])
		}
	}
}

// Plot draws only the caller's x window, so panels share a time axis.
func TestPlotRespectsXWindow(t *testing.T) {
	ivs := []Interval{{Start: 0, End: 3, State: 0}, {Start: 3, End: 10, State: 1}}
	for _, binAbove := range []int{-1, 1 << 30} {
		l := binned(t, ivs)
		l.BinAbove = binAbove
		bars := drawBars(t, l, 200, 2, 4) // 1 s is 100 columns
		for _, b := range bars {
			if b.x0 < -1e-9 || b.x1 > 200*colPt+1e-9 {
				t.Errorf("bin above %d: bar [%g, %g] outside the data area", binAbove, b.x0, b.x1)
			}
		}
		w := widths(bars, twoStates)
		if math.Abs(w[0]-100) > 0.5 || math.Abs(w[1]-100) > 0.5 {
			t.Errorf("bin above %d: widths %.1f, %.1f columns; want 100 and 100", binAbove, w[0], w[1])
		}
	}
}

func TestBinnerAdd(t *testing.T) {
	b := newBinner(10, 2)
	b.add(0, 0.25, 3.5) // partial, 2 full, partial
	b.add(1, 3.5, 3.75) // a quarter of column 3
	b.add(1, 8.5, 12)   // runs past the end: clipped
	b.add(1, -5, -1)    // before the start: dropped
	b.add(0, 6, 6)      // empty
	b.add(0, math.NaN(), 7)
	b.finish()
	want := []int{0, 0, 0, 0, -1, -1, -1, -1, 1, 1}
	for k, s := range b.state {
		if s != want[k] {
			t.Errorf("column %d: state %d, want %d (coverage %v / %v)", k, s, want[k], b.cov[k], b.cov[10+k])
		}
	}
	var runs [][3]int
	b.runs(func(s, k0, k1 int) { runs = append(runs, [3]int{s, k0, k1}) })
	if len(runs) != 2 || runs[0] != [3]int{0, 0, 4} || runs[1] != [3]int{1, 8, 10} {
		t.Errorf("runs %v, want [[0 0 4] [1 8 10]]", runs)
	}
}

func TestColumnsAlignToPixels(t *testing.T) {
	origin, n := columns(10.1, 20, 0.75)
	if origin != 9.75 || n != 14 {
		t.Errorf("columns(10.1, 20, 0.75) = %g, %d; want 9.75, 14", origin, n)
	}
}
