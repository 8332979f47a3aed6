package reports

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"

	"harness/harness/observe"
	"harness/harness/rundir"
	"harness/harness/schedtrace"
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
	Procs       []procTrace
}

// procTrace is one process of a trial and what its trace gave.
type procTrace struct {
	PID  int
	File string // trace file relative to the scenario directory; "" when none was expected
	// Sched is nil when the trace is missing or unreadable; it is
	// Truncated when the file broke off (a killed worker).
	Sched *schedtrace.Schedule
	Note  string // "missing", "unreadable: …", "truncated: …"; "" when whole
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
// truncated: "pid 123: truncated (…)".
func (d *trialData) traceNotes() []string {
	var out []string
	for _, p := range d.Procs {
		if p.Note != "" {
			out = append(out, fmt.Sprintf("%s pid %d: %s", d.Trial.ID, p.PID, p.Note))
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
	for i := range run.Trials {
		for _, p := range run.Trials[i].Processes {
			if traceFile(&run.Trials[i], &p, tracesExpected(run)) != "" {
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
// the one it reported, else, when the scenario records traces, where it
// would be (a killed worker reports no files but may have left one).
func traceFile(t *rundir.Trial, p *rundir.Process, expected bool) string {
	for _, f := range p.Files {
		if strings.HasSuffix(f, "/"+rundir.TraceFile) {
			return f
		}
	}
	if expected && t.Dir != "" {
		return filepath.ToSlash(filepath.Join(t.Dir, fmt.Sprint(p.PID), rundir.TraceFile))
	}
	return ""
}

// readTrial reads a trial's samples and traces. Problems with the files
// are recorded in the result, never returned: a report shows what there
// is and says what is missing.
func readTrial(dir string, run *rundir.Run, t *rundir.Trial, traces int, rep bool) *trialData {
	d := &trialData{Trial: t}
	d.Samples, d.SamplesNote = readSamples(dir, t)
	expected := tracesExpected(run)
	for i := range t.Processes {
		p := &t.Processes[i]
		pt := procTrace{PID: p.PID, File: traceFile(t, p, expected)}
		if pt.File != "" {
			opt := traceOptions(t, max(len(p.Workers), 1), traces, rep)
			pt.Sched, pt.Note = readTrace(filepath.Join(dir, filepath.FromSlash(pt.File)), opt)
		}
		d.Procs = append(d.Procs, pt)
	}
	return d
}

func readSamples(dir string, t *rundir.Trial) (*observe.Samples, string) {
	name := filepath.ToSlash(filepath.Join(t.Dir, rundir.SamplesFile))
	if t.Observed != nil && t.Observed.SamplesFile != "" {
		name = t.Observed.SamplesFile
	}
	if t.Dir == "" && (t.Observed == nil || t.Observed.SamplesFile == "") {
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

// readTrace streams one trace through schedtrace under the soft memory
// limit.
func readTrace(path string, opt schedtrace.Options) (*schedtrace.Schedule, string) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "trace missing"
	}
	if err != nil {
		return nil, fmt.Sprintf("trace unreadable: %v", err)
	}
	defer f.Close()
	defer limitMemory()()
	s, err := schedtrace.Read(f, opt)
	if err != nil {
		return nil, fmt.Sprintf("trace unreadable: %v", err)
	}
	if s.Truncated {
		why := s.Err
		if len(why) > 120 {
			why = why[:120] + "…"
		}
		return s, "trace truncated (" + why + ")"
	}
	return s, ""
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

// repFor returns the representative data of trial t, nil if t is not a
// representative trial or has not been read.
func (r *Report) repFor(t *rundir.Trial) *trialData {
	for _, d := range r.reps {
		if d.Trial == t {
			return d
		}
	}
	return nil
}

// secondsSince converts a wall-clock ns time to seconds since t0.
func secondsSince(ns, t0 int64) float64 { return float64(ns-t0) / 1e9 }

// finite reports whether v is a usable number.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
