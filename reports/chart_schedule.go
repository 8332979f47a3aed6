package reports

import (
	"cmp"
	"fmt"
	"image/color"
	"slices"
	"strings"

	"harness/harness/observe"
	"harness/harness/schedtrace"
	"harness/reports/lanes"
)

// goStates is the goroutine state table, indexed by schedtrace.State.
var goStates = []lanes.State{
	schedtrace.Running:  {Name: "running (on a P)", Color: lanes.BluishGreen},
	schedtrace.Runnable: {Name: "runnable (waiting for a P)", Color: lanes.Orange},
	schedtrace.Blocked:  {Name: "blocked", Color: lanes.SkyBlue},
	schedtrace.Syscall:  {Name: "in a system call", Color: lanes.Blue},
	schedtrace.GCAssist: {Name: "GC mark assist", Color: lanes.ReddishPurple},
}

// threadStates is the OS thread state table. The sampler gives a
// thread's share of each sampling interval on a CPU and waiting on a
// runqueue, not when within the interval: a bar spans the whole interval
// and its shade says how much of it the thread ran.
var threadStates = []lanes.State{
	threadBusy:    {Name: "on a CPU ≥ 2/3 of the time", Color: lanes.BluishGreen},
	threadHalf:    {Name: "on a CPU 1/3 – 2/3", Color: color.NRGBA{R: 0x66, G: 0xC5, B: 0xAB, A: 0xFF}},
	threadLittle:  {Name: "on a CPU < 1/3", Color: color.NRGBA{R: 0xBF, G: 0xE7, B: 0xDC, A: 0xFF}},
	threadWaiting: {Name: "waiting for a CPU ≥ 1/3", Color: lanes.Orange},
}

const (
	threadBusy = iota
	threadHalf
	threadLittle
	threadWaiting
)

// threadClass is the state of an interval in which a thread ran for the
// share run of it and waited on a runqueue for wait; -1: idle.
func threadClass(run, wait float64) int {
	switch {
	case wait >= 1.0/3 && wait > run:
		return threadWaiting
	case run >= 2.0/3:
		return threadBusy
	case run >= 1.0/3:
		return threadHalf
	case run >= 0.05:
		return threadLittle
	}
	return -1
}

// Lane caps per model: beyond them lanes are summed into one.
const (
	maxWorkerLanes = 32 // workers drawn individually
	maxOtherLanes  = 3  // non-worker goroutines drawn individually, the busiest
	maxThreadLanes = 24 // OS threads (command scenarios), the busiest
)

// fillOrder is the order in which a bin's states are laid out, and in
// which a summed lane's states claim the bin: time on a P first, so that
// a lane of many mostly blocked goroutines still shows when one of them
// ran.
// Off a P, the larger of syscall and blocked goes first: in a summed lane
// of a dozen idle goroutines, the one parked in a system call for good
// (os/signal's loop) must not paint the lane "in a system call".
var (
	fillOrder             = []schedtrace.State{schedtrace.Running, schedtrace.GCAssist, schedtrace.Runnable, schedtrace.Blocked, schedtrace.Syscall}
	fillOrderSyscallFirst = []schedtrace.State{schedtrace.Running, schedtrace.GCAssist, schedtrace.Runnable, schedtrace.Syscall, schedtrace.Blocked}
)

// scheduleChart: one lane per goroutine (from the traces) or, for
// programs that cannot be traced, per OS thread (from the sampler),
// coloured by state.
func scheduleChart(r *Report) (*Chart, error) {
	reps := r.representatives()
	// Goroutine lanes when any representative trace could be read;
	// else the OS threads the sampler saw (commands, or Go runs without
	// traces).
	traced, binned := false, false
	for _, d := range reps {
		for _, pt := range d.schedules() {
			traced = true
			binned = binned || pt.Sched.Binned
		}
	}
	trialLanes, states := threadLanes, threadStates
	if traced {
		trialLanes, states = goroutineLanes, goStates
	}
	var ls []lanes.Lane
	for _, d := range reps {
		ls = append(ls, trialLanes(d, trialLabel(d.Trial))...)
	}
	if len(ls) == 0 {
		return nil, nil
	}
	var title, ylabel, caption string
	if traced {
		title, ylabel = r.Run.Scenario.Name+": goroutine states (execution traces)", "goroutine"
		caption = repSentence(r) + " One lane per goroutine, from each worker process's execution trace (raw/<trial>/<pid>/trace.out, runtime/trace), " +
			"all processes of a trial on one wall clock. Worker lanes are named by worker id; other goroutines by their start function, " +
			fmt.Sprintf("the %d busiest of each model individually and the rest summed in \"other goroutines\", coloured by what most of them did, time on a P first. ", maxOtherLanes) +
			"Running means scheduled on a P (a Go processor), not necessarily on a CPU: under load from other processes a goroutine can hold a P while its thread waits for a CPU. " +
			"Each pixel column shows the state that covered most of it (a lane at least half idle there is blank), so spans shorter than a pixel do not show; timeline.json has them."
		if binned {
			caption += fmt.Sprintf(" Traces with too many state changes to keep are drawn from %d time bins per trial window.", chartBins)
		}
		caption += truncNotes(reps)
	} else {
		title, ylabel = r.Run.Scenario.Name+": thread states (sampled from /proc)", "thread"
		caption = repSentence(r) + " One lane per OS thread of each model's representative trial (no execution trace to read), " +
			"from the outside sampler: /proc/<pid>/task/<tid>/schedstat, read every sampling interval, gives each thread's time on a CPU and waiting on a runqueue in that interval but not when within it, " +
			"so each interval is one bar whose shade is the share of it the thread was on a CPU (orange: it waited for a CPU for at least a third of it). " +
			"Two threads at half shade in the same intervals took turns; at full shade they ran in parallel. " +
			fmt.Sprintf("Up to %d threads per model, the busiest; the rest are summed in \"other threads\".", maxThreadLanes) + samplesNotes(reps) + truncNotes(reps)
	}
	axes := [3]string{title, "time since the trial's first spawn request (s)", ylabel}
	return r.saveLanes("schedule", title, caption, ls, states, axes, trialSpan(reps), true)
}

// samplesNotes names the representative trials without samples.
func samplesNotes(reps []*trialData) string {
	var out []string
	for _, d := range reps {
		if d.Samples == nil {
			out = append(out, d.Trial.ID+": "+d.SamplesNote)
		}
	}
	if len(out) == 0 {
		return ""
	}
	return " Not sampled: " + strings.Join(out, "; ") + "."
}

// traceLane is one goroutine lane of one process's schedule.
type traceLane struct {
	pid   int
	sched *schedtrace.Schedule
	g     *schedtrace.Goroutine
}

// label names the lane name, adding the process when the trial has
// several (multi).
func (tl traceLane) label(name string, multi bool) string {
	if multi {
		return fmt.Sprintf("%s (pid %d)", name, tl.pid)
	}
	return name
}

// traceLanes splits the lanes of a trial's schedules into workers, by
// worker id and process, and other goroutines, the busiest first.
func traceLanes(scheds []procTrace) (workers, others []traceLane) {
	for _, pt := range scheds {
		for i := range pt.Sched.Goroutines {
			tl := traceLane{pid: pt.PID, sched: pt.Sched, g: &pt.Sched.Goroutines[i]}
			if tl.g.Worker != "" {
				workers = append(workers, tl)
			} else {
				others = append(others, tl)
			}
		}
	}
	slices.SortStableFunc(workers, func(a, b traceLane) int {
		if c := schedtrace.CompareWorkers(a.g.Worker, b.g.Worker); c != 0 {
			return c
		}
		return cmp.Compare(a.pid, b.pid)
	})
	slices.SortStableFunc(others, func(a, b traceLane) int {
		return cmp.Compare(b.g.Totals.Scheduled(), a.g.Totals.Scheduled())
	})
	return workers, others
}

// goroutineLanes builds a representative trial's goroutine lanes: workers,
// the busiest other goroutines, the rest summed, and a lane naming each
// process whose trace gave nothing to draw.
func goroutineLanes(d *trialData, group string) []lanes.Lane {
	scheds := d.schedules()
	if len(scheds) == 0 {
		if b := brokenLanes(d, group); len(b) > 0 {
			return b
		}
		return []lanes.Lane{{Name: "(no trace)", Group: group}}
	}
	t0, _ := window(d.Trial)
	multi := len(d.Trial.Processes) > 1
	workers, others := traceLanes(scheds)
	var out []lanes.Lane
	var rest sumLane
	for i, w := range workers {
		if i >= maxWorkerLanes {
			rest.add(w.sched, w.g)
			continue
		}
		out = append(out, lanes.Lane{Name: w.label(w.g.Worker, multi), Group: group, Intervals: laneIntervals(w.sched, w.g, t0)})
	}
	if rest.count > 0 {
		out = append(out, lanes.Lane{Name: fmt.Sprintf("other workers (%d)", rest.count), Group: group, Intervals: rest.intervals(t0)})
	}
	rest = sumLane{}
	for i, o := range others {
		if i >= maxOtherLanes || o.g.Totals.Scheduled() == 0 {
			rest.add(o.sched, o.g)
			continue
		}
		name := o.g.Name
		if name == "" {
			name = fmt.Sprintf("goroutine %d", o.g.ID)
		}
		out = append(out, lanes.Lane{Name: o.label(name, multi), Group: group, Intervals: laneIntervals(o.sched, o.g, t0)})
	}
	for _, pt := range scheds {
		if pt.Sched.Other != nil {
			rest.add(pt.Sched, pt.Sched.Other)
		}
	}
	if rest.count > 0 {
		out = append(out, lanes.Lane{Name: fmt.Sprintf("other goroutines (%d)", rest.count), Group: group, Intervals: rest.intervals(t0)})
	}
	return append(out, brokenLanes(d, group)...)
}

// brokenLanes are empty lanes naming the processes of a trial whose trace
// gave nothing to draw, so that a missing worker is seen to be missing.
func brokenLanes(d *trialData, group string) []lanes.Lane {
	var out []lanes.Lane
	for _, pt := range d.Procs {
		if pt.Problem == "" || (pt.Sched != nil && len(pt.Sched.Goroutines) > 0) {
			continue
		}
		what := "no trace"
		switch pt.Problem {
		case traceTruncated:
			what = "trace cut short"
		case traceUnreadable:
			what = "trace unreadable"
		}
		out = append(out, lanes.Lane{Name: fmt.Sprintf("pid %d: %s", pt.PID, what), Group: group})
	}
	return out
}

// laneIntervals is a goroutine's lane in seconds since t0: its exact
// intervals when the schedule kept them, else rebuilt from its bins.
func laneIntervals(s *schedtrace.Schedule, g *schedtrace.Goroutine, t0 int64) []lanes.Interval {
	if len(g.Intervals) > 0 {
		out := make([]lanes.Interval, 0, len(g.Intervals))
		for _, iv := range g.Intervals {
			out = appendInterval(out, secondsSince(iv.StartNs, t0), secondsSince(iv.EndNs, t0), int(iv.State))
		}
		return out
	}
	return binIntervals(nil, g.Bins, g.FirstBin, s.BinOriginNs, s.BinNs, t0)
}

// binIntervals lays each bin's time out as intervals from the bin's
// start, in fillOrder. A state's share of the bin is its time over the bin
// width, capped by what the states before it left: for a single goroutine
// the shares sum to at most 1 anyway; for a summed lane the capping makes
// the lane show "at least one of them was on a P" before "most of them
// were blocked".
func binIntervals(dst []lanes.Interval, bins []schedtrace.StateNs, first int, origin, width, t0 int64) []lanes.Interval {
	if width <= 0 {
		return dst
	}
	w := float64(width)
	for i := range bins {
		b := &bins[i]
		start := float64(origin + int64(first+i)*width - t0)
		used := 0.0
		order := fillOrder
		if b[schedtrace.Syscall] > b[schedtrace.Blocked] {
			order = fillOrderSyscallFirst
		}
		for _, st := range order {
			if b[st] <= 0 || used >= w {
				continue
			}
			d := min(float64(b[st]), w-used)
			dst = appendInterval(dst, (start+used)/1e9, (start+used+d)/1e9, int(st))
			used += d
		}
	}
	return dst
}

// appendInterval appends [a, b) in state s, extending the last interval
// when it ends where this one starts in the same state.
func appendInterval(ivs []lanes.Interval, a, b float64, s int) []lanes.Interval {
	if !(b > a) {
		return ivs
	}
	if n := len(ivs); n > 0 && ivs[n-1].State == s && ivs[n-1].End == a {
		ivs[n-1].End = b
		return ivs
	}
	return append(ivs, lanes.Interval{Start: a, End: b, State: s})
}

// sumLane sums goroutines' bins into one lane. The processes of a trial
// are read with one fixed grid, so bins add up index by index; a schedule
// on another grid (a trace read without a window) is left out.
type sumLane struct {
	origin, width int64
	bins          []schedtrace.StateNs
	count         int
}

func (s *sumLane) add(sc *schedtrace.Schedule, g *schedtrace.Goroutine) {
	if s.width == 0 {
		s.origin, s.width = sc.BinOriginNs, sc.BinNs
		s.bins = make([]schedtrace.StateNs, len(sc.Bins))
	}
	s.count += max(g.Count, 1)
	if sc.BinOriginNs != s.origin || sc.BinNs != s.width {
		return
	}
	for i := range g.Bins {
		k := g.FirstBin + i
		if k >= len(s.bins) {
			s.bins = append(s.bins, make([]schedtrace.StateNs, k+1-len(s.bins))...)
		}
		for st, v := range g.Bins[i] {
			s.bins[k][st] += v
		}
	}
}

func (s *sumLane) intervals(t0 int64) []lanes.Interval {
	return binIntervals(nil, s.bins, 0, s.origin, s.width, t0)
}

// threadLanes builds a representative trial's per-thread lanes from its
// samples: the busiest threads, the rest summed.
func threadLanes(d *trialData, group string) []lanes.Lane {
	t0, t1 := window(d.Trial)
	if d.Samples == nil || t1 <= t0 {
		return []lanes.Lane{{Name: "(not sampled)", Group: group}}
	}
	ths := d.Samples.Schedule()
	cpu := make([]float64, len(ths))
	for i, th := range ths {
		for k := range th.Running {
			a, b := max(th.T[k], t0), min(th.T[k+1], t1)
			if b > a {
				cpu[i] += th.Running[k] * float64(b-a)
			}
		}
	}
	order := make([]int, len(ths))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(cpu[b], cpu[a]) })
	keep := make([]bool, len(ths))
	for k, i := range order {
		keep[i] = k < maxThreadLanes && cpu[i] > 0
	}
	var out []lanes.Lane
	rest := newGridSum(t0, t1, chartBins)
	restCount := 0
	for i, th := range ths {
		if !keep[i] {
			rest.addThread(&th)
			restCount++
			continue
		}
		out = append(out, lanes.Lane{Name: threadName(&th), Group: group, Intervals: threadIntervals(&th, t0, t1)})
	}
	if restCount > 0 {
		out = append(out, lanes.Lane{Name: fmt.Sprintf("other threads (%d)", restCount), Group: group, Intervals: rest.intervals(t0)})
	}
	return out
}

// threadName labels a thread lane: its name and tid, and the process's
// pid for a process's main thread.
func threadName(th *observe.ThreadSchedule) string {
	name := th.Name
	if name == "" {
		name = th.Comm
	}
	if th.TID == th.PID {
		return fmt.Sprintf("%s pid %d", name, th.PID)
	}
	return fmt.Sprintf("%s tid %d", name, th.TID)
}

// threadIntervals gives each sampling interval the thread's state in it.
func threadIntervals(th *observe.ThreadSchedule, t0, t1 int64) []lanes.Interval {
	var out []lanes.Interval
	for k := range th.Running {
		a, b := max(th.T[k], t0), min(th.T[k+1], t1)
		if c := threadClass(th.Running[k], th.Waiting[k]); b > a && c >= 0 {
			out = appendInterval(out, secondsSince(a, t0), secondsSince(b, t0), c)
		}
	}
	return out
}

// gridSum accumulates threads' running and waiting time into fixed bins.
type gridSum struct {
	t0, width int64
	bins      []schedtrace.StateNs
}

func newGridSum(t0, t1 int64, n int) *gridSum {
	w := max((t1-t0+int64(n)-1)/int64(n), 1)
	return &gridSum{t0: t0, width: w, bins: make([]schedtrace.StateNs, n)}
}

// intervals classifies each bin by the summed threads' shares, capped
// at one thread's worth.
func (g *gridSum) intervals(t0 int64) []lanes.Interval {
	var out []lanes.Interval
	w := float64(g.width)
	for i, b := range g.bins {
		c := threadClass(min(float64(b[schedtrace.Running])/w, 1), min(float64(b[schedtrace.Runnable])/w, 1))
		if c >= 0 {
			a := g.t0 + int64(i)*g.width
			out = appendInterval(out, secondsSince(a, t0), secondsSince(a+g.width, t0), c)
		}
	}
	return out
}

// addThread spreads each sampling interval's running and waiting time
// evenly over the bins the interval covers.
func (g *gridSum) addThread(th *observe.ThreadSchedule) {
	for k := range th.Running {
		a, b := th.T[k], th.T[k+1]
		if b <= a {
			continue
		}
		for i := max((a-g.t0)/g.width, 0); i < int64(len(g.bins)); i++ {
			lo, hi := g.t0+i*g.width, g.t0+(i+1)*g.width
			if lo >= b {
				break
			}
			ov := min(hi, b) - max(lo, a)
			if ov <= 0 {
				continue
			}
			g.bins[i][schedtrace.Running] += int64(th.Running[k] * float64(ov))
			g.bins[i][schedtrace.Runnable] += int64(th.Waiting[k] * float64(ov))
		}
	}
}
