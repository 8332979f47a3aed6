package reports

import (
	"math"
	"runtime/debug"
	"testing"

	"harness/harness/rundir"
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
