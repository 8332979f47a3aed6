package schedtrace

import "golang.org/x/exp/trace"

// clock maps trace time to wall clock (unix ns).
//
// Every generation starts with a Sync event carrying a ClockSnapshot
// {Trace, Wall, Mono}; wall = Wall + (t − Trace) with the latest snapshot at or
// before t. On Linux the trace clock is CLOCK_MONOTONIC, shared by all
// processes of a host, so the traces of several processes land on one axis.
type clock struct {
	offset int64 // Wall − Trace of the latest snapshot
	synced bool  // a snapshot was seen
	last   int64 // last value handed out
}

func (c *clock) sync(s *trace.ClockSnapshot) {
	if s == nil { // traces before go1.25, and the reader's closing Sync
		return
	}
	c.offset = s.Wall.UnixNano() - int64(s.Trace)
	c.synced = true
}

// wall converts t. It never goes backwards: a new snapshot can move the
// offset by the drift between the wall and monotonic clocks (NTP slew,
// typically µs), and spans must not get negative lengths from that.
func (c *clock) wall(t trace.Time) int64 {
	w := int64(t) + c.offset
	if w < c.last {
		w = c.last
	}
	c.last = w
	return w
}
