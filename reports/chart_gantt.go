package reports

import (
	"fmt"
	"sort"

	"harness/harness/rundir"
	"harness/reports/lanes"
)

// Gantt phases, indexes into ganttStates.
const (
	phaseStartup = iota // process start-up before the worker existed (thread, serial)
	phaseSpawn          // spawn requested → ready at the barrier
	phaseWait           // ready → work start (or barrier release, serial)
	phaseWork           // work start → end
	phaseTurn           // serial: barrier released → its turn came
)

var ganttStates = []lanes.State{
	{Name: "process start-up", Color: lanes.Yellow},
	{Name: "worker spawn → ready", Color: lanes.Orange},
	{Name: "waiting at start barrier", Color: lanes.SkyBlue},
	{Name: "work", Color: lanes.Blue},
	{Name: "waiting for its turn (serial)", Color: lanes.Grey},
}

// ganttChart: one row per worker, grouped by model, its phases as bars,
// from run.json's worker_runs. The seed's mermaid gantt, drawn to scale.
func ganttChart(r *Report) (*Chart, error) {
	reps := r.representatives()
	ls := ganttLanes(reps)
	if len(ls) == 0 {
		return nil, nil // commands: no worker timestamps
	}
	caption := repSentence(r) + " Each row is a worker of that trial, from run.json's worker_runs: its spawn was requested " +
		"(process model: just before fork/exec; thread model: the go statement), it reported ready at the start barrier, " +
		"then did its work after the barrier opened — all times time.Now() on the one host clock, in seconds since the trial's first spawn request. " +
		"Yellow is the start-up of the process a thread worker runs in, before its goroutine existed. " +
		"Phases narrower than a pixel (a goroutine starts in microseconds) do not show: each row's label gives its spawn → ready time. " +
		"A serial worker, after the barrier, waits for the workers before it to finish (grey)."
	axes := [3]string{r.Run.Scenario.Name + ": worker phases, one row per worker", "time since the trial's first spawn request (s)", "worker"}
	return r.saveLanes("gantt", r.Run.Scenario.Name+": worker start-up and work", caption, ls, ganttStates, axes, trialSpan(reps), false)
}

// ganttLanes builds the rows: per representative trial, its workers by id.
func ganttLanes(reps []*trialData) []lanes.Lane {
	var out []lanes.Lane
	for _, d := range reps {
		t := d.Trial
		t0, _ := window(t)
		procs := map[int]*rundir.Process{}
		for i := range t.Processes {
			procs[t.Processes[i].PID] = &t.Processes[i]
		}
		ws := append([]rundir.Worker(nil), t.Runs...)
		sort.SliceStable(ws, func(i, j int) bool { return ws[i].ID < ws[j].ID })
		for _, w := range ws {
			var ivs []lanes.Interval
			add := func(a, b int64, s int) {
				if a > 0 && b > a {
					ivs = append(ivs, lanes.Interval{Start: secondsSince(a, t0), End: secondsSince(b, t0), State: s})
				}
			}
			if p := procs[w.PID]; p != nil && p.SpawnNs > 0 && w.SpawnNs > p.SpawnNs {
				add(p.SpawnNs, w.SpawnNs, phaseStartup)
			}
			add(w.SpawnNs, w.ReadyNs, phaseSpawn)
			if t.Model == "serial" && t.GoNs > w.ReadyNs && t.GoNs < w.StartNs {
				// After the barrier a serial worker waits for the ones
				// before it, which is not start-up cost.
				add(w.ReadyNs, t.GoNs, phaseWait)
				add(t.GoNs, w.StartNs, phaseTurn)
			} else {
				add(w.ReadyNs, w.StartNs, phaseWait)
			}
			add(w.StartNs, w.EndNs, phaseWork)
			name := w.Name
			if w.ReadyNs > w.SpawnNs && w.SpawnNs > 0 {
				name = fmt.Sprintf("%s · ready in %s", w.Name, Duration(float64(w.ReadyNs-w.SpawnNs)))
			}
			out = append(out, lanes.Lane{Name: name, Group: trialLabel(t), Intervals: ivs})
		}
	}
	return out
}
