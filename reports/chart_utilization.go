package reports

import (
	"fmt"
	"image/color"
	"math"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"harness/reports/lanes"
)

// maxUtilBins caps the bins of a utilization line: a two-minute trial at
// 10 ms would be 12 000 steps per process, more than the chart has
// pixels.
const maxUtilBins = 600

// machineBinNs is the smallest bin of the machine's other load.
const machineBinNs = int64(100 * time.Millisecond)

// evenBin is the bin width closest to want that divides d into whole
// bins (rounded up to a whole ns).
func evenBin(d, want int64) int64 {
	if d <= 0 || want <= 0 {
		return max(want, 1)
	}
	n := max((d+want/2)/want, 1)
	return (d + n - 1) / n
}

var (
	otherLoadFill = color.NRGBA{R: 0xDD, G: 0xDD, B: 0xDD, A: 0xFF}
	otherLoadEdge = color.NRGBA{R: 0x99, G: 0x99, B: 0x99, A: 0xFF}
	// processColors are the per-process line colours, Okabe–Ito without
	// the colours the chart uses for other things (black total, yellow too
	// light).
	processColors = []color.Color{lanes.Blue, lanes.Vermillion, lanes.BluishGreen, lanes.ReddishPurple, lanes.Orange, lanes.SkyBlue}
	// mutedProcess draws processes when there are too many to tell
	// apart by colour: sky blue, a little transparent.
	mutedProcess = color.NRGBA{R: lanes.SkyBlue.R, G: lanes.SkyBlue.G, B: lanes.SkyBlue.B, A: 0xB0}
)

// utilizationChart: cores busy over time, one panel per model on the
// same scales, from the outside sampler.
func utilizationChart(r *Report) (*Chart, error) {
	reps := r.representatives()
	var interval int64
	for _, d := range reps {
		if d.Samples != nil {
			interval = max(interval, d.Samples.IntervalNs)
		}
	}
	if interval == 0 {
		return nil, nil // no trial was sampled
	}
	cpus := r.Run.Host.CPUs
	xmax := trialSpan(reps)
	bin := interval
	if n := int64(xmax*1e9) / interval; n > maxUtilBins {
		bin = interval * ((n + maxUtilBins - 1) / maxUtilBins)
	}
	ymax := float64(cpus)
	maxProcs := 0 // most processes of a panel drawn one by one
	shortTrials := false
	otherLoad := false // drawn in some panel
	var panels []*plot.Plot
	for i, d := range reps {
		p := newPlot()
		p.Title.Text = r.Run.Scenario.Name + " · " + trialLabel(d.Trial)
		p.Y.Label.Text = "cores busy"
		p.Add(plotter.NewGrid())
		if i == len(reps)-1 {
			p.X.Label.Text = "time since the trial's first spawn request (s)"
		}
		panels = append(panels, p)
		s, e := window(d.Trial)
		if d.Samples == nil || e <= s {
			p.Title.Text += " — no samples: " + d.SamplesNote
			continue
		}
		// Bins that divide the window exactly: a last bin reaching past
		// the trial's end would be diluted by time nothing ran in.
		u := d.Samples.Utilization(s, e, evenBin(e-s, bin))
		w := float64(u.BinNs) / 1e9
		end := secondsSince(e, s)
		// /proc/stat counts the machine's busy time in 10 ms ticks per
		// CPU: over one 10 ms bin that is ±1 core of noise, so the other
		// load is binned coarsely.
		// Over a trial shorter than that bin the estimate is mostly tick
		// noise and is left out.
		if e-s < machineBinNs {
			shortTrials = true
		} else {
			coarse := d.Samples.Utilization(s, e, evenBin(e-s, max(bin, machineBinNs)))
			if err := addSteps(p, float64(coarse.BinNs)/1e9, coarse.MachineOther, end, lineStyle(otherLoadEdge, 0.75), otherLoadFill); err != nil {
				return nil, err
			}
			ymax = max(ymax, maxOf(coarse.MachineOther))
			otherLoad = otherLoad || len(coarse.MachineOther) > 0
		}
		// With one process the total is the process.
		if n := len(u.Processes); n > 1 {
			maxProcs = max(maxProcs, n)
			for j, pu := range u.Processes {
				c := color.Color(mutedProcess)
				if n <= len(processColors) {
					c = processColors[j]
				}
				if err := addSteps(p, w, pu.Cores, end, lineStyle(c, 1), nil); err != nil {
					return nil, err
				}
			}
		}
		if err := addSteps(p, w, u.Total, end, lineStyle(lanes.Black, 2), nil); err != nil {
			return nil, err
		}
		ymax = max(ymax, maxOf(u.Total))
	}
	cores := coresLine()
	for _, p := range panels {
		if cpus > 0 {
			l, err := plotter.NewLine(plotter.XYs{{X: 0, Y: float64(cpus)}, {X: xmax, Y: float64(cpus)}})
			if err != nil {
				return nil, err
			}
			l.LineStyle = cores
			p.Add(l)
		}
		p.X.Min, p.X.Max = 0, math.Max(xmax, 1e-3)
		p.Y.Min, p.Y.Max = 0, math.Ceil(ymax*1.1*4)/4
	}

	leg := newLegend()
	leg.Add("trial total", lineThumb(lineStyle(lanes.Black, 2)))
	switch {
	case maxProcs > len(processColors):
		leg.Add("each process", lineThumb(lineStyle(mutedProcess, 1)))
	case maxProcs > 1:
		leg.Add("each process", linesThumb(processColors[:min(maxProcs, 3)]))
	}
	if otherLoad {
		leg.Add("other load on the machine", fillThumb{fill: otherLoadFill, edge: lineStyle(otherLoadEdge, 0.75)})
	}
	if cpus > 0 {
		leg.Add(fmt.Sprintf("machine: %d cores", cpus), lineThumb(cores))
	}
	h := min(max(vg.Length(len(panels))*2.3*vg.Inch, 3.5*vg.Inch), maxLaneHeight)

	caption := fmt.Sprintf("Cores busy over time, one panel per model on the same scales. %s "+
		"From the outside sampler (raw/<trial>/samples.json): each thread's on-CPU time from /proc/<pid>/task/<tid>/schedstat, read every %s and binned to about %s. "+
		"Thin lines are the trial's processes, the thick line their sum, the grey area the rest of the machine's load (/proc/stat minus the trial's own, in bins of at least %s because /proc/stat counts in 10 ms ticks) and the dash-dotted line the machine's %d cores. "+
		"A bin is uncertain by about ±0.13 cores (the kernel brings a running thread's time up to date only at its scheduler tick), so a total a little above the core count is noise, not more CPU than the machine has.",
		repSentence(r), Duration(float64(interval)), Duration(float64(bin)), Duration(float64(machineBinNs)), cpus)
	if shortTrials {
		caption += fmt.Sprintf(" Trials shorter than %s show no machine load: over so short a window the tick counts are mostly noise.", Duration(float64(machineBinNs)))
	}
	return r.save("utilization", r.Run.Scenario.Name+": cores busy over time", caption, h, leg, panels...)
}
