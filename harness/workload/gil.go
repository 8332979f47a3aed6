package workload

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// GIL emulates CPython's global interpreter lock for the goroutines of one
// process: a worker holds it while it computes, and the holder gives it up
// after Interval when another worker is waiting (CPython's switch interval,
// 5 ms by default). One GIL per process, as in CPython, so the process model
// is unaffected.
//
// It is a sync.Mutex on purpose: its waits show up in the mutex profile,
// which is where a reviewer should see the time go. Once a waiter has waited
// more than 1 ms the mutex is in starvation mode and Unlock hands it straight
// to the longest waiter — the forced switch CPython does with its condition
// variable. A nil *GIL is a no-op, so workloads call it unconditionally.
type GIL struct {
	mu       sync.Mutex
	interval int64 // ns
	waiting  atomic.Int32
	since    int64 // when the holder took it, ns; only the holder touches it
	switches atomic.Int64
}

// NewGIL returns a GIL that is handed over after interval.
func NewGIL(interval time.Duration) *GIL {
	return &GIL{interval: int64(interval)}
}

// Acquire blocks until the caller holds the GIL.
func (g *GIL) Acquire() {
	if g == nil {
		return
	}
	g.waiting.Add(1)
	g.mu.Lock()
	g.waiting.Add(-1)
	g.since = monoNow()
}

// Release gives the GIL up, as a worker does before it blocks.
func (g *GIL) Release() {
	if g == nil {
		return
	}
	g.mu.Unlock()
}

// Yield hands the GIL over when the holder has had it for a whole interval
// and someone is waiting. Workloads call it between small slices of work.
func (g *GIL) Yield() {
	if g == nil || g.waiting.Load() == 0 || monoNow()-g.since < g.interval {
		return
	}
	g.switches.Add(1)
	g.mu.Unlock()
	// Let the woken waiter run before we queue again, so the hand-over
	// happens even before the mutex has entered starvation mode.
	runtime.Gosched()
	g.Acquire()
}

// Switches is how many times a holder handed the GIL over.
func (g *GIL) Switches() int64 {
	if g == nil {
		return 0
	}
	return g.switches.Load()
}

var monoStart = time.Now()

func monoNow() int64 { return int64(time.Since(monoStart)) }
