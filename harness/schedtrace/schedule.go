package schedtrace

import "cmp"

// WorkerCategory is the runtime/trace log category by which a worker goroutine
// announces its worker id: trace.Log(ctx, WorkerCategory, "w3"), called from
// the worker's own goroutine. The message becomes Goroutine.Worker.
const WorkerCategory = "harness.worker"

// CompareWorkers orders worker ids as people do, "w2" before "w10": ids
// with the same prefix by their numeric suffix, any others as strings.
func CompareWorkers(x, y string) int {
	px, nx := splitNum(x)
	py, ny := splitNum(y)
	if px != py || nx < 0 || ny < 0 {
		return cmp.Compare(x, y)
	}
	return cmp.Compare(nx, ny)
}

// splitNum splits "w12" into "w", 12; n is -1 without a numeric suffix.
func splitNum(s string) (prefix string, n int) {
	i := len(s)
	for i > 0 && s[i-1] >= '0' && s[i-1] <= '9' {
		i--
	}
	if i == len(s) || len(s)-i > 9 {
		return s, -1
	}
	for _, c := range s[i:] {
		n = n*10 + int(c-'0')
	}
	return s[:i], n
}

// Defaults for zero Options fields.
const (
	DefaultBins         = 2000
	DefaultMaxIntervals = 10000
	DefaultMaxLanes     = 64
	// MaxBins caps Options.Bins.
	MaxBins = 1 << 20
)

// Options tune Read. The zero value is usable.
type Options struct {
	// Bins is the maximum number of time bins (default DefaultBins, at
	// most MaxBins).
	Bins int
	// MaxIntervals caps the exact intervals kept over all lanes (default
	// DefaultMaxIntervals; negative: keep none). Past it the schedule is
	// Binned: intervals are dropped and only bins remain.
	MaxIntervals int
	// MaxLanes caps the goroutines reported individually (default
	// DefaultMaxLanes): workers first, then those with the most scheduled
	// time; all others are summed into Schedule.Other.
	MaxLanes int
	// WindowStartNs and WindowEndNs (wall clock, unix ns) restrict the
	// schedule to [start, end): spans are clipped, totals count only the
	// window. With both set the bin grid is fixed, Bins bins of equal width
	// from WindowStartNs, so traces read with the same window have identical
	// bins. With only WindowStartNs set it is the grid's origin and the width
	// adapts (1µs·2ⁿ); grids of traces sharing an origin then nest (one
	// width divides the other). Zero: the whole trace, origin at its start.
	WindowStartNs, WindowEndNs int64
}

// Schedule is the per-goroutine schedule of one execution trace. All times
// are wall clock (unix ns) unless WallClock is false. It holds no pointers
// into the trace and marshals to JSON as is.
type Schedule struct {
	// StartNs and EndNs are the first and last event of the trace (not
	// clipped to the window).
	StartNs, EndNs int64
	// WallClock is false when the trace carried no clock snapshot (traces
	// before go1.25): times are then the trace clock, not comparable across
	// processes.
	WallClock bool
	// Truncated: the trace ended with a read error (typically a file cut
	// short by a killed process). Everything before the error is whole and
	// included; spans still open were closed at EndNs. Err says why.
	Truncated bool
	Err       string `json:",omitempty"`
	// Events is the number of events read.
	Events int64
	// NumGoroutines is the number of goroutines seen in the trace; they are
	// all in Goroutines or Other.
	NumGoroutines int

	// The bin grid: bin i covers [BinOriginNs+i·BinNs, BinOriginNs+(i+1)·BinNs),
	// for i < len(Bins).
	BinOriginNs, BinNs int64
	// Binned: there were more than Options.MaxIntervals intervals, so
	// Goroutine.Intervals are empty; draw from bins.
	Binned bool

	// Totals and Bins sum all goroutines: the "effective parallelism" view.
	// Bins[i].Scheduled()/BinNs is the mean number of goroutines on a P
	// during bin i. The bins run from the window's start (or the trace's)
	// to its end: the whole fixed grid, or up to the last event.
	Totals StateNs
	Bins   []StateNs

	// Goroutines are the individual lanes, at most Options.MaxLanes: worker
	// goroutines first (by worker id), then by scheduled time, descending.
	Goroutines []Goroutine
	// Other sums every goroutine not in Goroutines (ID 0); nil if none.
	Other *Goroutine `json:",omitempty"`
}

// Goroutine is one lane of the schedule chart: a goroutine, or the sum of
// many (Schedule.Other).
type Goroutine struct {
	// ID is the goroutine id (0 for the Other lane).
	ID int64
	// Name is the goroutine's start function: the first frame of its
	// creation stack, or for goroutines that existed before the trace the
	// outermost frame of the first stack seen. May be empty.
	Name string `json:",omitempty"`
	// Worker is the id the goroutine logged under WorkerCategory, if any.
	Worker string `json:",omitempty"`
	// Count is the number of goroutines in the lane: 1, or more for Other.
	Count int
	// Totals is the time spent in each state within the window.
	Totals StateNs
	// Intervals are the exact state spans in time order; empty when the
	// schedule is Binned and for the Other lane.
	Intervals []Interval `json:",omitempty"`
	// Bins[i] is the time per state in bin FirstBin+i; the bins run from the
	// first to the last bin in which the lane existed.
	FirstBin int
	Bins     []StateNs
}

// Interval is a span [StartNs, EndNs) spent in one state.
type Interval struct {
	StartNs, EndNs int64
	State          State
}

func (o Options) withDefaults() Options {
	if o.Bins <= 0 {
		o.Bins = DefaultBins
	}
	o.Bins = min(o.Bins, MaxBins)
	if o.MaxIntervals == 0 {
		o.MaxIntervals = DefaultMaxIntervals
	}
	if o.MaxLanes <= 0 {
		o.MaxLanes = DefaultMaxLanes
	}
	return o
}

// BinStartNs is where bin i of the grid starts, wall-clock ns.
func (s *Schedule) BinStartNs(i int) int64 { return s.BinOriginNs + int64(i)*s.BinNs }
