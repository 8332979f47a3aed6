package runner

import (
	"fmt"
	"path/filepath"
	"sort"

	"harness/harness/cgroup"
	"harness/harness/observe"
	"harness/harness/rundir"
	"harness/harness/scenario"
)

// watch is what surrounds every trial, whatever runs in it: a cgroup of
// its own where one can be made (exact CPU totals, and a sure way to end
// every descendant), and the outside observer sampling its process tree.
type watch struct {
	group *cgroup.Group     // nil without a writable cgroup v2
	obs   *observe.Observer // nil for a bare trial
}

// startWatch prepares a trial's cgroup, and its observer when sample is
// set (a bare trial, the overhead baseline, is not sampled).
func startWatch(sc *scenario.Scenario, t *rundir.Trial, sample bool) *watch {
	w := &watch{}
	// New fails fast, and the same way each time, where cgroups are not
	// writable; the trial then runs without one.
	if g, err := cgroup.New(sc.Name + "-" + t.ID); err == nil {
		w.group = g
	}
	if !sample {
		return w
	}
	discover := adoptedChildren
	if w.group != nil {
		discover = func() []int {
			pids, _ := w.group.Procs()
			return pids
		}
	}
	w.obs = observe.Start(observe.Config{Interval: sc.SampleInterval, Discover: discover})
	return w
}

// cgroupFD is the fd to start children in, or -1.
func (w *watch) cgroupFD() int {
	if w.group == nil {
		return -1
	}
	return w.group.FD()
}

// started watches a child the trial just started and has it reaped in
// the background, with a last sample taken between its exit and its reaping.
func (w *watch) started(p *proc) {
	if w.obs != nil {
		w.obs.Watch(p.rec.PID)
		p.beforeReap = w.obs.Sample
	}
	p.reap()
}

// finish ends whatever the trial's processes left behind, stops the
// observer, writes the samples and summarises them into the trial. Call it
// after every process the trial started has been reaped and t.EndNs set.
func (w *watch) finish(dir string, t *rundir.Trial) error {
	// What is still alive now was left behind by the trial's processes.
	var live []int
	var samples *observe.Samples
	if w.obs != nil {
		live = w.obs.Live()
		samples = w.obs.Stop()
	}
	if w.group != nil {
		if pids, err := w.group.Procs(); err == nil {
			live = append(live, pids...)
		}
		// cgroup.kill ends every member at once, however it got there;
		// what remains to do is reaping the orphans we adopted.
		w.group.Kill()
		sweepOrphans(nil)
	} else {
		sweepOrphans(live)
	}

	var exact int64
	source := "rusage"
	for _, p := range t.Processes {
		exact += p.CPUUserNs + p.CPUSysNs
	}
	if w.group != nil {
		defer w.group.Close()
	}
	if len(t.Processes) == 0 || samples == nil {
		return nil
	}
	if w.group != nil {
		if usage, _, _, err := w.group.CPU(); err == nil {
			exact, source = usage.Nanoseconds(), "cgroup"
		}
	}

	rel := filepath.Join(t.Dir, rundir.SamplesFile)
	if err := rundir.WriteWith(filepath.Join(dir, rel), samples.Write); err != nil {
		return err
	}
	sum := samples.Summary(t.SpawnNs, t.EndNs)
	o := &rundir.Observed{
		SamplesFile: rel, IntervalNs: samples.IntervalNs, StartNs: t.SpawnNs, EndNs: t.EndNs,
		SampledCPUNs: sum.CPUNs, ProcessCPUNs: sum.ProcessCPUNs, RunqueueNs: sum.RunqueueNs,
		AvgCores: sum.AvgCores, PeakCores: sum.PeakCores, PeakRSSTotalBytes: sum.PeakRSSTotalBytes,
		MachineOtherAvgCores: sum.MachineOtherAvgCores,
		ExactCPUNs:           exact, ExactSource: source,
		UnattributedCPUNs: exact - max(sum.ProcessCPUNs, sum.CPUNs),
	}
	leftover := map[int]bool{}
	for _, pid := range live {
		leftover[pid] = true
	}
	for _, p := range sum.Processes {
		op := rundir.ObservedProcess{PID: p.PID, PPID: p.PPID, Comm: p.Comm, CPUNs: p.CPUNs,
			ProcessCPUNs: p.ProcessCPUNs, RunqueueNs: p.RunqueueNs, PeakRSSBytes: p.PeakRSSBytes}
		o.Processes = append(o.Processes, op)
		if leftover[p.PID] {
			o.Leftovers = append(o.Leftovers, op)
		}
	}
	sort.Slice(o.Processes, func(i, j int) bool { return o.Processes[i].PID < o.Processes[j].PID })
	t.Observed = o
	return nil
}

// leftoverNote describes the processes a trial left behind, for its record.
func leftoverNote(o *rundir.Observed) string {
	if o == nil || len(o.Leftovers) == 0 {
		return ""
	}
	s := fmt.Sprintf("ended %d process(es) left running after the trial's own had exited:", len(o.Leftovers))
	for _, p := range o.Leftovers {
		s += fmt.Sprintf(" %s (pid %d)", p.Comm, p.PID)
	}
	return s
}
