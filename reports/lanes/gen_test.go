package lanes

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// State tables as the harness's two charts use them.
var (
	ganttStates = []State{
		{Name: "spawn (requested → ready)", Color: Orange},
		{Name: "waiting at start barrier", Color: SkyBlue},
		{Name: "work (start → end)", Color: Blue},
	}
	schedStates = []State{
		{Name: "running", Color: BluishGreen},
		{Name: "runnable", Color: Orange},
		{Name: "blocked", Color: SkyBlue},
		{Name: "syscall", Color: Blue},
		{Name: "GC assist", Color: ReddishPurple},
	}
)

const (
	spawn = iota
	barrier
	work
)

// exampleGantt is a start-up comparison: two workers run one after the
// other, four threads and four processes start, meet at a barrier and
// work on two cores. Figures are of the order FACTS.md measured.
func exampleGantt() []Lane {
	var out []Lane
	iv := func(a, b float64, s int) Interval { return Interval{Start: a, End: b, State: s} }
	// serial: no spawn, no barrier.
	out = append(out,
		Lane{Name: "w0", Group: "serial", Intervals: []Interval{iv(0, 0.050, work)}},
		Lane{Name: "w1", Group: "serial", Intervals: []Interval{iv(0.050, 0.101, work)}},
	)
	// thread: spawn 90 µs (Python threading), barrier until the last is
	// ready, then 4 workers share 2 cores.
	const nThreads = 4
	last := 0.0
	for i := range nThreads {
		last = float64(i+1) * 0.000096
	}
	for i := range nThreads {
		req := float64(i) * 0.000096
		ready := req + 0.000090
		out = append(out, Lane{Name: "w" + strconv.Itoa(i), Group: "thread", Intervals: []Interval{
			iv(req, ready, spawn), iv(ready, last, barrier), iv(last, last+0.098+0.004*float64(i), work),
		}})
	}
	// process: spawn ~10 ms each (forkserver), started one after another.
	const nProcs = 4
	lastP := float64(nProcs) * 0.0099
	for i := range nProcs {
		req := float64(i) * 0.0099
		ready := req + 0.0087
		out = append(out, Lane{Name: "w" + strconv.Itoa(i), Group: "process", Intervals: []Interval{
			iv(req, ready, spawn), iv(ready, lastP, barrier), iv(lastP, lastP+0.052+0.002*float64(i), work),
		}})
	}
	return out
}

// schedule returns nLanes lanes holding total intervals that look like a
// goroutine scheduler timeline: each lane moves through regimes (busy,
// I/O, waiting, GC, idle) of tens of milliseconds, and within a regime
// through many short intervals whose states follow the regime's mix.
func schedule(nLanes, total int, seed uint64) []Lane {
	rng := rand.New(rand.NewPCG(seed, 1))
	type regime struct {
		mix  []float64 // cumulative probability per state
		idle bool
	}
	cum := func(p ...float64) []float64 {
		for i := 1; i < len(p); i++ {
			p[i] += p[i-1]
		}
		return p
	}
	regimes := []regime{
		{mix: cum(0.75, 0.20, 0.0, 0.0, 0.05)},  // compute
		{mix: cum(0.20, 0.05, 0.15, 0.60, 0.0)}, // I/O
		{mix: cum(0.10, 0.05, 0.85, 0.0, 0.0)},  // waiting
		{mix: cum(0.35, 0.05, 0.0, 0.0, 0.60)},  // GC
		{mix: cum(0.30, 0.60, 0.10, 0.0, 0.0)},  // contention: more goroutines than Ps
		{idle: true},
	}
	per := total / nLanes
	mean := 16e-6 // 8 lanes × 125k intervals ≈ 2 s
	lanes := make([]Lane, nLanes)
	for li := range lanes {
		ivs := make([]Interval, 0, per+1)
		t := 0.0
		for len(ivs) < per {
			r := regimes[rng.IntN(len(regimes))]
			end := t + rng.ExpFloat64()*0.06
			if r.idle {
				t = end
				continue
			}
			for t < end && len(ivs) < per {
				d := rng.ExpFloat64() * mean
				u := rng.Float64()
				s := 0
				for s < len(r.mix)-1 && u > r.mix[s] {
					s++
				}
				ivs = append(ivs, Interval{Start: t, End: t + d, State: s})
				t += d
			}
		}
		lanes[li] = Lane{Name: "G" + strconv.Itoa(li+1) + " main.worker", Intervals: ivs}
	}
	lanes[0].Name = "G1 main.main"
	return lanes
}

// ganttPlot and schedulePlot build the two charts the way a report does.
func ganttPlot(t testing.TB) (*plot.Plot, *plot.Legend) {
	return chartOf(t, exampleGantt(), ganttStates,
		"Start-up of 4 workers per model (2 cores)", "time since first request (s)", "worker")
}

func schedulePlot(t testing.TB, lanes []Lane) (*plot.Plot, *plot.Legend) {
	return chartOf(t, lanes, schedStates,
		"Goroutine states (from execution trace)", "time since trace start (s)", "goroutine")
}

// chartOf is a lanes chart with round time ticks, lane names on the y
// axis (at most 25) and a legend of the states.
func chartOf(t testing.TB, lanes []Lane, states []State, title, xlabel, ylabel string) (*plot.Plot, *plot.Legend) {
	l, err := New(lanes, states)
	if err != nil {
		t.Fatal(err)
	}
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	p.Add(l)
	p.X.Tick.Marker = NiceTicks{}
	p.Y.Tick.Marker = l.Ticks(25)
	return p, legendOf(states)
}

func legendOf(states []State) *plot.Legend {
	leg := plot.NewLegend()
	for _, s := range states {
		leg.Add(s.Name, s)
	}
	return &leg
}

// Chart size used by tests: whole pixels at 96 dpi (768 × 480).
const (
	testW = 8 * vg.Inch
	testH = 5 * vg.Inch
)
