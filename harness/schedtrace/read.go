package schedtrace

import (
	"fmt"
	"io"
	"math"
	"strings"

	"golang.org/x/exp/trace"
)

// maxErrLen caps Schedule.Err: x/exp/trace's "broken trace" errors embed a
// dump of the reader's state.
const maxErrLen = 1000

// Read streams the execution trace r into a Schedule. Memory stays bounded
// whatever the trace length (see the package comment).
//
// The error is non-nil only for unusable input: not an execution trace (or
// an unsupported version), or invalid options. A trace that breaks off —
// truncated, corrupt — yields what was read before, with Truncated set.
func Read(r io.Reader, opt Options) (*Schedule, error) {
	opt = opt.withDefaults()
	if opt.WindowEndNs != 0 && opt.WindowEndNs <= opt.WindowStartNs {
		return nil, fmt.Errorf("schedtrace: window end %d not after start %d", opt.WindowEndNs, opt.WindowStartNs)
	}
	s, _, err := read(r, opt)
	return s, err
}

// read is Read, also returning the builder for tests of its bounds.
func read(r io.Reader, opt Options) (*Schedule, *builder, error) {
	tr, err := trace.NewReader(r)
	if err != nil {
		return nil, nil, fmt.Errorf("schedtrace: not a readable execution trace: %w", err)
	}
	b := &builder{opt: opt, budget: laneBudgetFactor * opt.MaxLanes * opt.Bins}
	events, readErr := b.consume(tr)
	s := b.finish(readErr)
	s.Events = events
	return s, b, nil
}

// builder is the streaming state of one Read.
type builder struct {
	opt    Options
	clk    clock
	grid   grid
	lo, hi int64 // window: spans are clipped to [lo, hi)

	events      int64 // handled (produce drops kinds the builder ignores)
	first, last int64 // wall ns of the first and last event
	goroutines  int

	tab      table
	lanes    []lane
	cost     int // lanes' size in records, against budget
	budget   int
	peakCost int

	intervals int  // kept in lanes
	binned    bool // intervals dropped for good

	otherTotals StateNs
	otherCount  int
	otherBins   dense
}

// event is the hot path: everything but goroutine transitions, GC-assist
// ranges, worker logs and syncs is skipped after one Kind() check.
func (b *builder) event(ev *trace.Event) {
	kind := ev.Kind()
	if kind == trace.EventSync {
		cs := ev.Sync().ClockSnapshot
		if cs == nil && b.events == 0 {
			// The reader's closing Sync of a trace with no whole
			// generation: it carries no time worth reporting.
			return
		}
		b.clk.sync(cs)
	}
	w := b.clk.wall(ev.Time())
	if b.events == 0 {
		b.start(w)
	}
	b.events++
	b.last = w
	if !b.grid.fixed && w >= b.grid.end() {
		b.grow(min(w, b.hi-1))
	}
	b.grid.advance(w)
	switch kind {
	case trace.EventStateTransition:
		if st := ev.StateTransition(); st.Resource.Kind == trace.ResourceGoroutine {
			b.transition(&st, w)
		}
	case trace.EventRangeBegin, trace.EventRangeActive, trace.EventRangeEnd:
		b.assistRange(ev, kind, w)
	case trace.EventLog:
		b.workerLog(ev)
	}
}

// start sets the window and the grid at the first event.
func (b *builder) start(w int64) {
	b.first = w
	b.lo, b.hi = b.opt.WindowStartNs, b.opt.WindowEndNs
	if b.lo == 0 {
		b.lo = w
	}
	if b.hi == 0 {
		b.hi = math.MaxInt64
	}
	if b.opt.WindowStartNs != 0 && b.opt.WindowEndNs != 0 {
		n := int64(b.opt.Bins)
		// Spans are clipped to hi ≤ the grid's end: it never grows.
		b.grid = newGrid(b.lo, max(1, (b.hi-b.lo+n-1)/n), b.opt.Bins, true)
	} else {
		b.grid = newGrid(b.lo, initialBinNs, b.opt.Bins, false)
	}
}

// grow halves the adaptive grid until it covers w.
func (b *builder) grow(w int64) {
	for w >= b.grid.end() && b.grid.width < math.MaxInt64/int64(4*b.grid.n) {
		for i := range b.lanes {
			l := &b.lanes[i]
			b.cost -= len(l.bins)
			l.bins = l.bins.halve(b.grid.width)
			b.cost += len(l.bins)
		}
		b.otherBins.halve()
		b.grid.width *= 2
		b.grid.resetCur()
	}
	if end := b.grid.end(); w >= end {
		// Only a corrupt timestamp gets here (bins would be centuries wide):
		// clip everything after the grid.
		b.hi = min(b.hi, end)
	}
}

// transition applies a goroutine state transition.
func (b *builder) transition(st *trace.StateTransition, w int64) {
	id := int64(st.Resource.Goroutine())
	from, to := st.Goroutine()
	si := b.tab.get(id)
	if si < 0 {
		if to == trace.GoNotExist {
			return
		}
		si = b.addGoroutine(id)
	}
	s := &b.tab.slots[si]
	if s.lane >= 0 && st.Stack != trace.NoStack {
		if l := &b.lanes[s.lane]; l.name == "" {
			l.name = stackName(st.Stack, from == trace.GoNotExist)
		}
	}
	if from == to && !s.idle {
		return // a generation's status re-announcement
	}
	b.closeSpan(s, w)
	if to == trace.GoNotExist {
		if s.lane >= 0 {
			b.lanes[s.lane].slot = -1
		}
		b.tab.remove(id, si)
		return
	}
	s.state = goState(to, s.assist)
	if to == trace.GoWaiting && st.Reason == preemptedReason {
		s.state = Runnable
	}
	s.idle = false
}

// preemptedReason is the reason the runtime gives when it parks a running
// goroutine to scan its stack (GC) or to stop the world (runtime
// preemptPark): the goroutine waits for the runtime, not for anything the
// program does, so it counts as Runnable, not Blocked. Without this a
// CPU-bound goroutine on a loaded machine shows milliseconds "blocked".
const preemptedReason = "preempted"

// assistRange tracks "GC mark assist" ranges, which split Running into
// Running and GCAssist. The range persists if the assist blocks (waiting for
// credit), so the flag is kept across states.
func (b *builder) assistRange(ev *trace.Event, kind trace.EventKind, w int64) {
	r := ev.Range()
	if r.Scope.Kind != trace.ResourceGoroutine || r.Name != "GC mark assist" {
		return
	}
	on := kind != trace.EventRangeEnd
	id := int64(r.Scope.Goroutine())
	si := b.tab.get(id)
	if si < 0 {
		if !on {
			return
		}
		si = b.addGoroutine(id)
	}
	s := &b.tab.slots[si]
	if s.assist == on {
		return
	}
	if !s.idle && (s.state == Running || s.state == GCAssist) {
		b.closeSpan(s, w)
		s.state = goState(trace.GoRunning, on)
	}
	s.assist = on
}

// workerLog attaches a WorkerCategory log message to the goroutine that
// logged it.
func (b *builder) workerLog(ev *trace.Event) {
	l := ev.Log()
	id := int64(ev.Goroutine())
	if l.Category != WorkerCategory || id == int64(trace.NoGoroutine) {
		return
	}
	si := b.tab.get(id)
	if si < 0 {
		si = b.addGoroutine(id)
	}
	if li := b.tab.slots[si].lane; li >= 0 {
		b.lanes[li].worker = strings.Clone(l.Message)
		return
	}
	// Summed into Other before it announced itself (workers announce first,
	// so this is rare): it gets its own lane from now on, and counts there;
	// its time so far stays in Other.
	b.otherCount--
	b.newLane(id, si, strings.Clone(l.Message))
}

func (b *builder) addGoroutine(id int64) int32 {
	b.goroutines++
	si := b.tab.add(id, slot{idle: true, lane: -1})
	b.newLane(id, si, "")
	return si
}

// closeSpan accounts the goroutine's current state up to w.
func (b *builder) closeSpan(s *slot, w int64) {
	if !s.idle && w > s.since {
		b.account(s.lane, s.since, w, s.state)
	}
	s.since = w
}

func goState(to trace.GoState, assist bool) State {
	switch to {
	case trace.GoRunning:
		if assist {
			return GCAssist
		}
		return Running
	case trace.GoRunnable:
		return Runnable
	case trace.GoSyscall:
		return Syscall
	}
	return Blocked // GoWaiting, and any state added to x/exp later
}

// stackName is the goroutine's start function: the first frame of a creation
// stack (it has only that one), otherwise the outermost frame.
func stackName(stk trace.Stack, creation bool) string {
	var name string
	for f := range stk.Frames() {
		name = f.Func
		if creation {
			break
		}
	}
	return name
}
