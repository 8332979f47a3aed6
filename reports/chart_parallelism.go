package reports

import (
	"fmt"

	"harness/harness/rundir"
	"harness/harness/schedtrace"
	"harness/reports/lanes"
)

// parallelismOrder is the order of a worker bar's segments: its own work
// on a P first, then what kept it from running.
var parallelismOrder = []schedtrace.State{schedtrace.Running, schedtrace.GCAssist, schedtrace.Runnable, schedtrace.Syscall, schedtrace.Blocked}

// parallelismChart: per worker, how its work phase divided into running,
// waiting for a P, blocked, in system calls and in GC assist, from the
// traces — one horizontal stacked bar per worker, grouped by model, with
// each model's mean number of workers on a P in its header.
func parallelismChart(r *Report) (*Chart, error) {
	reps := r.representatives()
	var ls []lanes.Lane
	xmax := 0.0
	for _, d := range reps {
		t := d.Trial
		workers, _ := traceLanes(d.schedules())
		incomplete := len(d.traceNotes()) > 0
		if len(workers) == 0 && !incomplete {
			continue
		}
		group := trialLabel(t)
		bars := make([]lanes.Lane, len(workers))
		var scheduled int64
		for i, w := range workers {
			tot := w.g.Totals
			if run := workerOf(t, w.pid, w.g.Worker); run != nil && run.EndNs > run.StartNs && run.StartNs > 0 {
				tot = phaseTotals(w.sched, w.g, run.StartNs, run.EndNs)
			}
			scheduled += tot.Scheduled()
			x := 0.0
			for _, st := range parallelismOrder {
				dur := float64(tot[st]) / 1e9
				bars[i].Intervals = appendInterval(bars[i].Intervals, x, x+dur, int(st))
				x += dur
			}
			xmax = max(xmax, x)
			bars[i].Name = w.label(w.g.Worker, len(t.Processes) > 1)
		}
		switch {
		case incomplete:
			group += " — traces incomplete"
		case t.WallNs > 0:
			group = fmt.Sprintf("%s — on average %s workers on a P (%d cores)", group, small(float64(scheduled)/float64(t.WallNs)), r.Run.Host.CPUs)
		}
		for i := range bars {
			bars[i].Group = group
		}
		ls = append(append(ls, bars...), brokenLanes(d, group)...)
	}
	if xmax == 0 {
		return nil, nil
	}
	caption := repSentence(r) + " One bar per worker: its goroutine's time from the start to the end of its work (run.json's start_ns → end_ns), " +
		"split by state from the execution trace (schedtrace's per-goroutine totals; bins prorated at the edges when the trace had too many intervals to keep). " +
		"A bar's length is the worker's wall time; the header gives each model's mean number of workers on a P: their running time summed, over the trial's wall time. " +
		"Running means scheduled on a P (a Go processor), not necessarily on a CPU: a goroutine holds its P while the OS has its thread waiting for a CPU, " +
		"so under load from other processes running time exceeds CPU time (the utilization chart and the table's CPU come from the kernel)." + truncNotes(reps)
	axes := [3]string{r.Run.Scenario.Name + ": where each worker's time went (execution traces)", "time in the worker's work phase (s)", "worker"}
	return r.saveLanes("parallelism", r.Run.Scenario.Name+": running, waiting and blocked time per worker", caption, ls, goStates, axes, xmax*1.02, false)
}

// workerOf finds the run of the worker a trace lane belongs to.
func workerOf(t *rundir.Trial, pid int, name string) *rundir.Worker {
	for i := range t.Runs {
		if w := &t.Runs[i]; w.Name == name && (w.PID == pid || w.PID == 0) {
			return w
		}
	}
	return nil
}

// phaseTotals is a goroutine's time per state within [a, b): exact from
// its intervals when kept, else from its bins, the two edge bins prorated.
func phaseTotals(s *schedtrace.Schedule, g *schedtrace.Goroutine, a, b int64) schedtrace.StateNs {
	var out schedtrace.StateNs
	if len(g.Intervals) > 0 {
		for _, iv := range g.Intervals {
			if lo, hi := max(iv.StartNs, a), min(iv.EndNs, b); hi > lo {
				out[iv.State] += hi - lo
			}
		}
		return out
	}
	if s.BinNs <= 0 {
		return g.Totals
	}
	for i, bin := range g.Bins {
		lo := s.BinStartNs(g.FirstBin + i)
		hi := lo + s.BinNs
		ov := min(hi, b) - max(lo, a)
		if ov <= 0 {
			continue
		}
		f := float64(ov) / float64(s.BinNs)
		for st, v := range bin {
			out[st] += int64(float64(v) * f)
		}
	}
	return out
}

// small prints a mean that may be far below one (workers that mostly
// wait) with enough digits to tell it from zero.
func small(v float64) string {
	if v < 0.1 {
		return fmt.Sprintf("%.3f", v)
	}
	return fmt.Sprintf("%.2f", v)
}
