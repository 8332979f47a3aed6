package reports

import (
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"harness/harness/rundir"
	"harness/harness/schedtrace"
	"harness/harness/worker"
)

// TestLimitMemory: reading traces lowers the soft memory limit, never
// raises it, and nested readers restore it once, at the end.
func TestLimitMemory(t *testing.T) {
	prev := debug.SetMemoryLimit(math.MaxInt64)
	defer debug.SetMemoryLimit(prev)

	outer := limitMemory()
	if got := debug.SetMemoryLimit(-1); got != softMemoryLimit {
		t.Errorf("limit while reading: %d, want %d", got, softMemoryLimit)
	}
	inner := limitMemory()
	inner()
	if got := debug.SetMemoryLimit(-1); got != softMemoryLimit {
		t.Errorf("limit restored by an inner reader: %d", got)
	}
	outer()
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("limit after reading: %d, want it restored", got)
	}

	debug.SetMemoryLimit(64 << 20) // a lower limit set by the user stays
	limitMemory()()
	if got := debug.SetMemoryLimit(-1); got != 64<<20 {
		t.Errorf("a lower limit was changed to %d", got)
	}
}

// TestTraceOptions: the per-trace budget shares the timeline's bound, a
// non-charted trace's bins keep its spans within its share, and the grid
// is the trial's window.
func TestTraceOptions(t *testing.T) {
	tr := &rundir.Trial{SpawnNs: 1000, EndNs: 5000}
	o := traceOptions(tr, 2, 1, true)
	if o.MaxIntervals != maxTraceSpans || o.Bins != chartBins || o.MaxLanes != 2+extraLanes {
		t.Errorf("one charted trace: %+v", o)
	}
	if o.WindowStartNs != 1000 || o.WindowEndNs != 5000 {
		t.Errorf("window %d–%d", o.WindowStartNs, o.WindowEndNs)
	}
	o = traceOptions(tr, 1, 4000, false)
	if o.MaxIntervals != max(timelineSpans/4000, minTraceSpans) || o.Bins/2*o.MaxLanes > o.MaxIntervals {
		t.Errorf("4000 traces: %+v", o)
	}
	o = traceOptions(&rundir.Trial{}, 1, 1, false)
	if o.WindowStartNs != 0 || o.WindowEndNs != 0 {
		t.Errorf("no window without trial times: %+v", o)
	}
}

// TestPartialTrace: a worker killed while writing its trace leaves it
// under worker.Partial's name, listed in its process's files as the runner
// records them (or not listed at all): the trace is found, read as far as
// it is whole and reported cut short, even when the cut fell where the
// reader sees no error.
func TestPartialTrace(t *testing.T) {
	for _, c := range []struct {
		name   string
		listed bool // the partial file is in Process.Files
		cut    bool // the file is cut in half
	}{
		{"listed, cut", true, true},
		{"not listed, cut", false, true},
		{"listed, whole", true, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := fixture(t, "cpu")
			run, err := rundir.ReadRun(dir)
			if err != nil {
				t.Fatal(err)
			}
			tr := trialByID(t, run, "thread-w2-r1")
			p := &tr.Processes[0]
			whole := filepath.Join(dir, traceFile(tr, p, true))
			data, err := os.ReadFile(whole)
			if err != nil {
				t.Fatal(err)
			}
			if c.cut {
				data = data[:len(data)/2]
			}
			if err := os.WriteFile(whole+worker.Partial, data, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Remove(whole); err != nil {
				t.Fatal(err)
			}
			p.Files = nil
			if c.listed {
				p.Files = []string{traceFile(tr, p, true) + worker.Partial}
			}
			procs := 0
			for _, tr := range run.Trials {
				procs += len(tr.Processes)
			}
			if got := countTraces(run); got != procs {
				t.Errorf("countTraces = %d, want one per process, %d", got, procs)
			}
			d := readTrial(dir, run, tr, procs, true)
			pt := d.Procs[0]
			if pt.Sched == nil || pt.Problem != traceTruncated || (!c.cut && len(pt.Sched.Goroutines) == 0) {
				t.Fatalf("partial trace: problem %q (%s), schedule %+v", pt.Problem, pt.Why, pt.Sched)
			}
			if notes := d.traceNotes(); len(notes) != 1 || !strings.Contains(notes[0], "truncated") {
				t.Errorf("notes %q", notes)
			}
		})
	}
}

// TestTraceLanesOrder: worker lanes of a multi-process trial are ordered
// by worker id as people count ("w2" before "w10"), then by process, in
// the schedule and the parallelism chart alike; other goroutines busiest
// first.
func TestTraceLanesOrder(t *testing.T) {
	sched := func(gs ...schedtrace.Goroutine) *schedtrace.Schedule { return &schedtrace.Schedule{Goroutines: gs} }
	busy := func(ns int64) schedtrace.StateNs { return schedtrace.StateNs{schedtrace.Running: ns} }
	workers, others := traceLanes([]procTrace{
		{PID: 20, Sched: sched(schedtrace.Goroutine{ID: 1, Worker: "w10"}, schedtrace.Goroutine{ID: 2, Totals: busy(5)})},
		{PID: 10, Sched: sched(schedtrace.Goroutine{ID: 3, Worker: "w2"}, schedtrace.Goroutine{ID: 4, Totals: busy(9)})},
		{PID: 5, Sched: sched(schedtrace.Goroutine{ID: 5, Worker: "w10"})},
	})
	var got []string
	for _, w := range workers {
		got = append(got, w.label(w.g.Worker, true))
	}
	if want := []string{"w2 (pid 10)", "w10 (pid 5)", "w10 (pid 20)"}; !slices.Equal(got, want) {
		t.Errorf("workers %q, want %q", got, want)
	}
	if len(others) != 2 || others[0].g.ID != 4 || others[1].g.ID != 2 {
		t.Errorf("others not busiest first: %+v", others)
	}
	for _, c := range []struct {
		x, y string
		want int
	}{{"w2", "w10", -1}, {"w10", "w10", 0}, {"w10", "w9", 1}, {"a", "w1", -1}, {"w", "w1", -1}} {
		if got := schedtrace.CompareWorkers(c.x, c.y); got != c.want {
			t.Errorf("CompareWorkers(%q, %q) = %d, want %d", c.x, c.y, got, c.want)
		}
	}
}
