package reports

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"

	"harness/harness/observe"
	"harness/harness/rundir"
	"harness/harness/schedtrace"
	"harness/harness/worker"
)

// A trial's raw files as the charts and the timeline use them: the outside
// sampler's samples.json and each Go worker process's execution trace.
//
// Traces are the expensive input (x/exp/trace parses ~34 MB/s), so every
// trace is read exactly once per render: the representative trials' (the
// charts' input) are read on first use and kept on the Report for the
// timeline, which reads every other trial's one at a time and drops them.
// What is kept is schedtrace's bounded summary, never the intervals of a
// whole trace.

// trialData is what was read of one trial.
type trialData struct {
	Trial *rundir.Trial
	// Samples is nil when the trial has no samples.json or it could not
	// be read; SamplesNote then says which.
	Samples     *observe.Samples
	SamplesNote string
	// Procs are what the trial's processes' traces gave, one per
	// Trial.Processes, in the same order.
	Procs []procTrace
}

// What can be wrong with a process's trace.
const (
	traceMissing    = "trace missing"
	traceUnreadable = "trace unreadable"
	traceTruncated  = "trace truncated"
)

// procTrace is one process of a trial and what its trace gave.
type procTrace struct {
	PID int
	// Sched is nil when the trace is missing or unreadable; when it was
	// cut short (a killed worker) it holds what was read up to the break.
	Sched *schedtrace.Schedule
	// Problem is "" for a whole trace (or none expected), else one of
	// traceMissing, traceUnreadable, traceTruncated; Why details it.
	Problem, Why string
}

// note says what is wrong with the trace, for captions: "trace truncated
// (…)"; "" when nothing is.
func (p *procTrace) note() string {
	if p.Why == "" {
		return p.Problem
	}
	return p.Problem + " (" + p.Why + ")"
}

// schedules returns the processes whose trace gave a schedule.
func (d *trialData) schedules() []procTrace {
	var out []procTrace
	for _, p := range d.Procs {
		if p.Sched != nil {
			out = append(out, p)
		}
	}
	return out
}

// traceNotes says, for captions, which traces were missing, unreadable or
// truncated: "thread-w2-r1 pid 123: trace truncated (…)".
func (d *trialData) traceNotes() []string {
	var out []string
	for _, p := range d.Procs {
		if p.Problem != "" {
			out = append(out, fmt.Sprintf("%s pid %d: %s", d.Trial.ID, p.PID, p.note()))
		}
	}
	return out
}

// window is the trial's time span on the wall clock: first spawn request
// to last process reaped, falling back to what the observer or the
// workers recorded when the trial did not finish normally.
func window(t *rundir.Trial) (start, end int64) {
	start, end = t.SpawnNs, t.EndNs
	if t.Observed != nil {
		if start == 0 {
			start = t.Observed.StartNs
		}
		if end <= start {
			end = t.Observed.EndNs
		}
	}
	for _, p := range t.Processes {
		if start == 0 || (p.SpawnNs > 0 && p.SpawnNs < start) {
			start = p.SpawnNs
		}
		end = max(end, p.EndNs)
	}
	for _, w := range t.Runs {
		end = max(end, w.EndNs)
	}
	if end <= start {
		end = 0
	}
	return start, end
}

// Reading options.
const (
	// chartBins is the time resolution of a representative trace: its
	// trial window in this many bins, finer than the charts' pixel
	// columns, so lanes bins them again per pixel.
	chartBins = 2000
	// extraLanes is how many goroutines besides the workers a trace keeps
	// individually (the busiest: main, GC workers, …); the rest are
	// summed into schedtrace's Other lane.
	extraLanes = 4
	// timelineSpans bounds the goroutine spans timeline.json gets from all
	// traces together (~80 bytes each: ~32 MB). Each trace gets an equal
	// share as schedtrace's MaxIntervals, between the two bounds below;
	// past it its spans come from bins.
	timelineSpans   = 400_000
	minTraceSpans   = 200
	maxTraceSpans   = 20_000
	minTimelineBins = 20
	// softMemoryLimit is the GC's soft limit while traces are read: the
	// x/exp/trace reader's live heap stays below it and the default GC
	// headroom would otherwise take peak RSS to ~290 MB on a 100 MB trace
	// (~200 MB with this limit, measured by schedtrace).
	softMemoryLimit = 200 << 20
)

// traceOptions are the schedtrace options for one process of trial t:
// a fixed grid over the trial window (so that every process of the trial
// shares bins and one axis), lanes for all its workers plus a few, and an
// interval budget that is this trace's share of the timeline's.
func traceOptions(t *rundir.Trial, workers, traces int, rep bool) schedtrace.Options {
	share := timelineSpans / max(traces, 1)
	share = min(max(share, minTraceSpans), maxTraceSpans)
	lanes := workers + extraLanes
	bins := chartBins
	if !rep {
		// Spans rebuilt from bins number at most bins/2 per lane: keep
		// non-charted traces within their share.
		bins = min(max(2*share/lanes, minTimelineBins), chartBins)
	}
	opt := schedtrace.Options{Bins: bins, MaxIntervals: share, MaxLanes: lanes}
	if s, e := window(t); s > 0 && e > s {
		opt.WindowStartNs, opt.WindowEndNs = s, e
	}
	return opt
}

// countTraces is the number of trace files a run has, for the per-trace
// budget.
func countTraces(run *rundir.Run) int {
	n := 0
	expected := tracesExpected(run)
	for i := range run.Trials {
		t := &run.Trials[i]
		for j := range t.Processes {
			if traceFile(t, &t.Processes[j], expected) != "" {
				n++
			}
		}
	}
	return n
}

// tracesExpected reports whether the run's Go workers recorded traces.
func tracesExpected(run *rundir.Run) bool {
	return run.Scenario.Has("trace") && !run.Scenario.Workload.IsCommand()
}

// traceFile is a process's trace file relative to the scenario directory:
// the one it left — trace.out, or trace.out.partial when it was killed
// while writing it (the runner lists both) —, else, when the scenario
// records traces, where it would be (readTrace then also looks for the
// partial name).
func traceFile(t *rundir.Trial, p *rundir.Process, expected bool) string {
	for _, f := range p.Files {
		if name := path.Base(f); name == rundir.TraceFile || name == rundir.TraceFile+worker.Partial {
			return f
		}
	}
	if expected && t.Dir != "" {
		return path.Join(t.Dir, strconv.Itoa(p.PID), rundir.TraceFile)
	}
	return ""
}

// readTrial reads a trial's samples and traces. Problems with the files
// are recorded in the result, never returned: a report shows what there
// is and says what is missing.
func readTrial(dir string, run *rundir.Run, t *rundir.Trial, traces int, rep bool) *trialData {
	d := &trialData{Trial: t, Procs: make([]procTrace, len(t.Processes))}
	d.Samples, d.SamplesNote = readSamples(dir, t)
	expected := tracesExpected(run)
	for i := range t.Processes {
		p := &t.Processes[i]
		pt := &d.Procs[i]
		pt.PID = p.PID
		if f := traceFile(t, p, expected); f != "" {
			opt := traceOptions(t, max(len(p.Workers), 1), traces, rep)
			pt.Sched, pt.Problem, pt.Why = readTrace(filepath.Join(dir, filepath.FromSlash(f)), opt)
		}
	}
	return d
}

func readSamples(dir string, t *rundir.Trial) (*observe.Samples, string) {
	var name string
	switch {
	case t.Observed != nil && t.Observed.SamplesFile != "":
		name = t.Observed.SamplesFile
	case t.Dir != "":
		name = path.Join(t.Dir, rundir.SamplesFile)
	default:
		return nil, "no samples recorded"
	}
	f, err := os.Open(filepath.Join(dir, filepath.FromSlash(name)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, name + " missing"
	}
	if err != nil {
		return nil, fmt.Sprintf("%s unreadable: %v", name, err)
	}
	defer f.Close()
	s, err := observe.Read(f)
	if err != nil {
		return nil, fmt.Sprintf("%s unreadable: %v", name, err)
	}
	return s, ""
}

// maxWhyLen caps the detail of a trace problem in captions.
const maxWhyLen = 120

// readTrace streams one trace through schedtrace under the soft memory
// limit, and says what is wrong with it, if anything (see procTrace). A
// trace under its partial name (worker.Partial: the worker was killed
// while writing it) is read as far as it is whole, like any trace that
// breaks off, and is truncated even where the cut fell between
// generations and the reader saw no error.
func readTrace(name string, opt schedtrace.Options) (s *schedtrace.Schedule, problem, why string) {
	partial := strings.HasSuffix(name, worker.Partial)
	f, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) && !partial {
		partial = true
		f, err = os.Open(name + worker.Partial)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, traceMissing, ""
	}
	if err != nil {
		return nil, traceUnreadable, err.Error()
	}
	defer f.Close()
	defer limitMemory()()
	s, err = schedtrace.Read(f, opt)
	switch {
	case err != nil:
		return nil, traceUnreadable, err.Error()
	case s.Truncated:
		why := s.Err
		if len(why) > maxWhyLen {
			why = why[:maxWhyLen] + "…"
		}
		return s, traceTruncated, why
	case partial:
		return s, traceTruncated, "the process was killed before it finished writing it"
	}
	return s, "", ""
}

// memLimit counts the renders reading traces at once, so that the first
// lowers the soft memory limit and the last restores it.
var memLimit struct {
	sync.Mutex
	users int
	prev  int64
}

// limitMemory lowers the GC's soft memory limit to softMemoryLimit (never
// raises it) and returns the function that restores it.
func limitMemory() func() {
	memLimit.Lock()
	defer memLimit.Unlock()
	if memLimit.users == 0 {
		memLimit.prev = debug.SetMemoryLimit(-1)
		if memLimit.prev > softMemoryLimit {
			debug.SetMemoryLimit(softMemoryLimit)
		}
	}
	memLimit.users++
	return func() {
		memLimit.Lock()
		defer memLimit.Unlock()
		if memLimit.users--; memLimit.users == 0 {
			debug.SetMemoryLimit(memLimit.prev)
		}
	}
}

// representatives returns the representative trials' data, reading them
// on first use.
func (r *Report) representatives() []*trialData {
	if r.reps != nil {
		return r.reps
	}
	traces := countTraces(r.Run)
	r.reps = []*trialData{}
	for _, t := range representative(r.Run) {
		r.reps = append(r.reps, readTrial(r.Dir, r.Run, t, traces, true))
	}
	return r.reps
}

// dataOf returns trial t's data: the representatives' as read for the
// charts (read now if they were not), any other trial's read now and not
// kept. traces is countTraces(r.Run).
func (r *Report) dataOf(t *rundir.Trial, traces int) *trialData {
	for _, d := range r.representatives() {
		if d.Trial == t {
			return d
		}
	}
	return readTrial(r.Dir, r.Run, t, traces, false)
}

// secondsSince converts a wall-clock ns time to seconds since t0.
func secondsSince(ns, t0 int64) float64 { return float64(ns-t0) / 1e9 }

// finite reports whether v is a usable number.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
