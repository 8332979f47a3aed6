// Package runner runs a scenario's trials as child processes and writes the
// run directory: raw per-process files, merged profiles and run.json.
//
// The orchestrator never runs workload code itself. The thread model is one
// child process running N goroutines, the process model N child processes
// running one worker each, and serial one child running the N workers one
// after another; every child is the harness binary re-executed in worker
// mode (package worker), or the scenario's command.
package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
	"time"

	"harness/harness/collect"
	"harness/harness/rundir"
	"harness/harness/scenario"
	"harness/harness/worker"
)

// Version is the harness version recorded in run.json; set by the CLI.
var Version = "dev"

// Runner runs scenarios.
type Runner struct {
	// Exe is the harness binary that is re-executed in worker mode (as
	// argv[0] "harness").
	Exe string
	// Grace is how long a child has between SIGTERM and SIGKILL when a
	// trial is ended; default 2s.
	Grace time.Duration
	// Progress, when set, is told as each trial starts and ends.
	Progress func(Event)
	// Overhead pairs every trial with a bare twin (no profiles, no
	// sampler), so the cost of the instrumentation can be measured.
	Overhead bool
}

// Event reports progress through a scenario's trials.
type Event struct {
	Scenario string
	Trial    string
	Index    int // 0-based position in the plan
	Total    int
	Done     bool   // false: starting; true: finished
	Status   string // when Done
}

// ErrInterrupted is returned when the context was cancelled during the run;
// the run directory is still written, marked interrupted and incomplete.
var ErrInterrupted = errors.New("interrupted")

// Run runs every trial of sc and writes its run directory dir (which must
// not exist yet, or be empty). The returned Run is what run.json holds.
// Failed trials are not an error: they are recorded in the Run. The error
// is for the harness's own failures, and ErrInterrupted.
func (r *Runner) Run(ctx context.Context, sc *scenario.Scenario, dir string) (*rundir.Run, error) {
	if err := os.MkdirAll(filepath.Join(dir, rundir.RawDir), 0o755); err != nil {
		return nil, fmt.Errorf("create run directory: %w", err)
	}
	run := &rundir.Run{
		Schema:         rundir.SchemaVersion,
		HarnessVersion: Version,
		Host:           Host(),
		Scenario:       *sc,
		StartNs:        time.Now().UnixNano(),
	}
	if !sc.Workload.IsCommand() {
		run.ExecFloorNs = r.execFloor()
	}
	trials := plan(sc, r.Overhead)
	// run.json is rewritten after every trial, marked incomplete until the
	// end: if the harness itself is killed, what it measured so far is on
	// disk and says it is partial.
	checkpoint := func() error { return rundir.WriteJSON(filepath.Join(dir, rundir.RunFile), run) }
	if err := checkpoint(); err != nil {
		return nil, err
	}
	for i, pt := range trials {
		if ctx.Err() != nil {
			run.Interrupted = true
			break
		}
		r.progress(Event{Scenario: sc.Name, Trial: pt.id(), Index: i, Total: len(trials)})
		t, err := r.trial(ctx, sc, dir, pt)
		if err != nil {
			return nil, err
		}
		t.Seq = i
		run.Order = append(run.Order, t.ID)
		run.Trials = append(run.Trials, *t)
		if err := checkpoint(); err != nil {
			return nil, err
		}
		r.progress(Event{Scenario: sc.Name, Trial: pt.id(), Index: i, Total: len(trials), Done: true, Status: t.Status})
		if t.Status == rundir.StatusInterrupted {
			run.Interrupted = true
			break
		}
	}
	verifyChecksums(run)

	profiles, warnings, err := collect.Merge(dir, run)
	if err != nil {
		return nil, fmt.Errorf("merge profiles: %w", err)
	}
	run.Profiles = profiles
	run.Warnings = append(run.Warnings, warnings...)
	run.EndNs = time.Now().UnixNano()
	run.Complete = !run.Interrupted && len(run.Trials) == len(trials)
	if err := checkpoint(); err != nil {
		return nil, err
	}
	if run.Interrupted {
		return run, ErrInterrupted
	}
	return run, nil
}

func (r *Runner) progress(e Event) {
	if r.Progress != nil {
		r.Progress(e)
	}
}

func (r *Runner) grace() time.Duration {
	if r.Grace > 0 {
		return r.Grace
	}
	return 2 * time.Second
}

// interruptGrace is the SIGTERM → SIGKILL grace when the harness itself
// is being stopped: the user is waiting, and a report must follow quickly.
const interruptGrace = time.Second

// trial runs one planned trial, whatever its workload.
func (r *Runner) trial(ctx context.Context, sc *scenario.Scenario, dir string, pt planned) (*rundir.Trial, error) {
	t := &rundir.Trial{
		ID:      pt.id(),
		Model:   pt.Model,
		Workers: pt.Workers,
		Rep:     pt.Rep,
		Warmup:  pt.Warmup,
		Bare:    pt.Bare,
		Dir:     filepath.Join(rundir.RawDir, pt.id()),
	}
	abs := filepath.Join(dir, t.Dir)
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", abs, err)
	}
	tctx, cancel := context.WithTimeout(ctx, sc.Timeout)
	defer cancel()
	cpu0 := worker.ProcessCPU()
	w := startWatch(sc, t, !pt.Bare)
	var err error
	if sc.Workload.IsCommand() {
		err = r.commandTrial(tctx, sc, dir, t, w)
	} else {
		err = r.goTrial(tctx, sc, dir, t, w)
	}
	// Before finish, which writes the samples: that is reporting, not
	// watching.
	t.HarnessCPUNs = worker.ProcessCPU() - cpu0
	for _, p := range t.Processes { // the last process reaped ends the trial
		t.EndNs = max(t.EndNs, p.EndNs)
	}
	if ferr := w.finish(dir, t); err == nil {
		err = ferr
	}
	if err != nil {
		return nil, err
	}
	if note := leftoverNote(t.Observed); note != "" {
		t.Notes = append(t.Notes, note)
	}
	peakFromSamples(t)
	summarize(t)
	switch {
	case ctx.Err() != nil:
		t.Status = rundir.StatusInterrupted
		t.Error = "the harness was interrupted during this trial"
	case tctx.Err() != nil:
		t.Status = rundir.StatusTimeout
		how := "ended with SIGTERM"
		for _, p := range t.Processes {
			if p.Signal == "SIGKILL" {
				how = fmt.Sprintf("SIGTERM, then SIGKILL after %v for what ignored it", r.grace())
			}
		}
		t.Error = fmt.Sprintf("timed out after %v (timeout %v); %s",
			time.Duration(t.EndNs-t.SpawnNs).Round(time.Millisecond), sc.Timeout, how)
	case t.Error != "":
		t.Status = rundir.StatusFailed
	default:
		t.Status = rundir.StatusOK
	}
	return t, nil
}

// endAll asks every live child to stop, then kills what is left after the
// grace period. It returns when every child has been reaped.
func (r *Runner) endAll(procs []*proc, interrupted bool) {
	for _, p := range procs {
		p.signalGroup(syscall.SIGTERM)
	}
	grace := r.grace()
	if interrupted {
		grace = min(grace, interruptGrace)
	}
	timer := time.NewTimer(grace)
	defer timer.Stop()
	for _, p := range procs {
		select {
		case <-p.exited:
		case <-timer.C:
			for _, q := range procs {
				q.signalGroup(syscall.SIGKILL)
			}
			<-p.exited
		}
	}
}

// summarize fills the trial's totals from its processes and workers.
func summarize(t *rundir.Trial) {
	t.CPUUserNs, t.CPUSysNs, t.PeakRSSBytes, t.WorkCPUNs = 0, 0, 0, 0
	for _, p := range t.Processes {
		t.CPUUserNs += p.CPUUserNs
		t.CPUSysNs += p.CPUSysNs
		t.PeakRSSBytes += p.MaxRSSBytes
		t.WorkCPUNs += p.WorkCPUNs
	}
	if t.EndNs > t.SpawnNs {
		t.ElapsedNs = t.EndNs - t.SpawnNs
	}
	var first, last int64
	for _, w := range t.Runs {
		if w.StartNs == 0 || w.EndNs == 0 {
			continue
		}
		if first == 0 || w.StartNs < first {
			first = w.StartNs
		}
		if w.EndNs > last {
			last = w.EndNs
		}
	}
	if first > 0 && last > first {
		t.WallNs = last - first
	}
	if len(t.Runs) == 0 && t.Observed != nil {
		// A command's workers are its children: the trial's memory is
		// the whole tree's, summed per sample.
		t.PeakRSSBytes = t.Observed.PeakRSSTotalBytes
	}
	switch {
	case t.WallNs > 0 && t.WorkCPUNs > 0:
		t.CoresBusy = float64(t.WorkCPUNs) / float64(t.WallNs)
	case t.WallNs > 0 && len(t.Runs) == 0:
		// A command: no inside view, so all of its CPU over all of its
		// life.
		t.CoresBusy = float64(t.CPUUserNs+t.CPUSysNs) / float64(t.WallNs)
	}
	sort.Slice(t.Runs, func(i, j int) bool { return t.Runs[i].ID < t.Runs[j].ID })
}

// interrupted tells a trial's context ended by the harness being stopped
// from one that ran past the trial's timeout.
func interrupted(ctx context.Context) bool {
	return errors.Is(ctx.Err(), context.Canceled)
}

// peakFromSamples fills in the peak RSS of processes that did not report
// their own (commands, and workers that died before reporting) from the
// sampler.
func peakFromSamples(t *rundir.Trial) {
	if t.Observed == nil {
		return
	}
	peak := map[int]int64{}
	for _, p := range t.Observed.Processes {
		peak[p.PID] = max(peak[p.PID], p.PeakRSSBytes)
	}
	for i := range t.Processes {
		if t.Processes[i].MaxRSSBytes == 0 {
			t.Processes[i].MaxRSSBytes = peak[t.Processes[i].PID]
		}
	}
}

// execFloor measures what any worker process's start-up includes before
// the worker does anything: spawn requested → ready from a re-exec of the
// same binary that reports ready at once (median of 5). Reports show it
// next to the process model's spawn latency.
func (r *Runner) execFloor() int64 {
	// Once per binary and process: it is a property of the binary and the
	// machine, and a batch of scenarios shares it.
	floorMu.Lock()
	defer floorMu.Unlock()
	if v, ok := floors[r.Exe]; ok {
		return v
	}
	v := r.measureFloor()
	floors[r.Exe] = v
	return v
}

var (
	floorMu sync.Mutex
	floors  = map[string]int64{}
)

func (r *Runner) measureFloor() int64 {
	var xs []int64
	for range 5 {
		p, err := startProc(procSpec{path: r.Exe, argv: r.workerArgv("--floor"), control: true, cgroupFD: -1})
		if err != nil {
			return 0
		}
		p.reap()
		m, ok := <-p.msgs
		<-p.exited
		if !ok || m.Type != "ready" {
			return 0
		}
		// The child's ready time, as for a worker's spawn latency (not
		// after its exit and reaping).
		xs = append(xs, m.ReadyNs-p.rec.SpawnNs)
	}
	sort.Slice(xs, func(i, j int) bool { return xs[i] < xs[j] })
	return xs[len(xs)/2]
}

// workerArgv is the command line of a worker process: the harness binary
// in worker mode, with args.
func (r *Runner) workerArgv(args ...string) []string {
	return append([]string{"harness", worker.Mode}, args...)
}
