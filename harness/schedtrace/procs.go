package schedtrace

import "golang.org/x/exp/trace"

// Per-P running time: how busy the scheduler's Ps were, next to the
// goroutine view. A P is running while a thread holds it (executing
// goroutines or scheduling); idle otherwise. Ps are few (GOMAXPROCS), so
// each keeps a sparse row without any budget: at most Bins records each.

// maxProcID bounds the Ps tracked; larger ids only come from corrupt input.
const maxProcID = 1 << 12

// Proc is one P's running time.
type Proc struct {
	ID int64
	// RunningNs is the time the P was running within the window.
	RunningNs int64
	// Bins[i] is the running ns in bin FirstBin+i.
	FirstBin int
	Bins     []int64
}

type procRow struct {
	since   int64
	seen    bool
	running bool
	total   int64
	bins    sparse
}

// procTransition applies a P state transition at w.
func (b *builder) procTransition(st *trace.StateTransition, w int64) {
	id := int64(st.Resource.Proc())
	if id < 0 || id >= maxProcID {
		return
	}
	for int64(len(b.procs)) <= id {
		b.procs = append(b.procs, procRow{})
	}
	_, to := st.Proc()
	p := &b.procs[id]
	b.closeProc(p, w)
	p.running = to == trace.ProcRunning
}

// closeProc accounts the P's time up to w. Idle time is recorded too (as
// Blocked), because sparse rows need contiguous spans: a gap between records
// is taken to be in the earlier record's tail state.
func (b *builder) closeProc(p *procRow, w int64) {
	if p.seen {
		if a, e := max(p.since, b.lo), min(w, b.hi); a < e {
			st := Blocked
			if p.running {
				st = Running
				p.total += e - a
			}
			p.bins.add(&b.grid, a, e, st)
		}
	}
	p.since = w
	p.seen = true
}

// procsOut closes the Ps at the end and returns them, idle ones left out.
func (b *builder) procsOut() []Proc {
	var out []Proc
	for i := range b.procs {
		p := &b.procs[i]
		b.closeProc(p, b.last)
		if p.total == 0 {
			continue
		}
		first, bins := p.bins.expand(b.grid.width)
		run := make([]int64, len(bins))
		for j := range bins {
			run[j] = bins[j][Running]
		}
		out = append(out, Proc{ID: int64(i), RunningNs: p.total, FirstBin: int(first), Bins: run})
	}
	return out
}
