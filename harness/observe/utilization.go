package observe

import "math"

// Utilization is the trial's CPU use per fixed time bin, for a step-line
// chart: bin i covers [StartNs + i·BinNs, StartNs + (i+1)·BinNs).
type Utilization struct {
	StartNs, BinNs int64
	// Total is cores busy with the trial's threads in each bin.
	Total     []float64
	Processes []ProcessUtilization
	// MachineOther is cores busy with anything else in each bin, ≥ 0, over
	// the part of the bin the machine series covers (0 where it covers
	// none). /proc/stat counts in 10 ms ticks, so short bins are coarse.
	MachineOther []float64
}

// ProcessUtilization is one process's share of Total.
type ProcessUtilization struct {
	PID   int
	Comm  string
	Cores []float64
}

// Utilization bins [startNs, endNs) into bins of binNs; with endNs ≤
// startNs it covers everything sampled. Each delta is divided by its own
// read interval and spread over the bins that interval covers.
func (s *Samples) Utilization(startNs, endNs, binNs int64) *Utilization {
	if endNs <= startNs {
		startNs, endNs = s.span()
	}
	u := &Utilization{StartNs: startNs, BinNs: binNs}
	if binNs <= 0 || endNs <= startNs {
		return u
	}
	n := int((endNs - startNs + binNs - 1) / binNs)
	edges := make([]int64, n+1)
	for i := range edges {
		edges[i] = startNs + int64(i)*binNs
	}
	u.Total = make([]float64, n)
	for _, p := range s.Processes {
		pu := ProcessUtilization{PID: p.PID, Comm: p.Comm, Cores: make([]float64, n)}
		for _, th := range p.Threads {
			spread(th.T, th.OnCPUNs, edges, pu.Cores)
		}
		for i := range pu.Cores {
			pu.Cores[i] /= float64(binNs)
			u.Total[i] += pu.Cores[i]
		}
		u.Processes = append(u.Processes, pu)
	}
	u.MachineOther = make([]float64, n)
	if m := s.Machine; len(m.T) >= 2 {
		busy := make([]float64, n)
		spread(m.T, m.BusyNs, edges, busy)
		own := s.ownCPU(edges) // as Summary counts it
		first, last := m.T[0], m.T[len(m.T)-1]
		for i := range busy {
			cov := min(edges[i+1], last) - max(edges[i], first)
			if cov > 0 {
				u.MachineOther[i] = max(0, busy[i]/float64(cov)-own[i]/float64(binNs))
			}
		}
	}
	return u
}

// span is the time range of every read (and synthesized start).
func (s *Samples) span() (lo, hi int64) {
	lo, hi = math.MaxInt64, math.MinInt64
	see := func(t []int64) {
		if len(t) > 0 {
			lo, hi = min(lo, t[0]), max(hi, t[len(t)-1])
		}
	}
	see(s.Machine.T)
	for _, p := range s.Processes {
		see(p.T)
		for _, th := range p.Threads {
			see(th.T)
		}
	}
	if lo > hi {
		return 0, 0
	}
	return lo, hi + 1 // the last read falls inside the last bin
}

// ThreadSchedule is one thread's activity between consecutive reads, for a
// per-thread "schedule" chart of programs that cannot be traced from
// inside. Interval i is [T[i], T[i+1]); the first starts at the thread's
// start. The fractions are of wall time, clamped to [0, 1]: how much of
// the interval the thread ran, and how much it waited runnable.
type ThreadSchedule struct {
	PID, TID int
	Comm     string // the process's
	Name     string // the thread's
	T        []int64
	Running  []float64
	Waiting  []float64
}

// Schedule returns every thread's per-interval fractions, in the order of
// Processes and their Threads.
func (s *Samples) Schedule() []ThreadSchedule {
	var out []ThreadSchedule
	for _, p := range s.Processes {
		for _, th := range p.Threads {
			ts := ThreadSchedule{PID: p.PID, TID: th.TID, Comm: p.Comm, Name: th.Name, T: th.T}
			if len(th.T) > 1 {
				ts.Running = make([]float64, len(th.T)-1)
				ts.Waiting = make([]float64, len(th.T)-1)
				for i := 1; i < len(th.T); i++ {
					dt := th.T[i] - th.T[i-1]
					ts.Running[i-1] = fraction(th.OnCPUNs[i]-th.OnCPUNs[i-1], dt)
					ts.Waiting[i-1] = fraction(th.RunqueueNs[i]-th.RunqueueNs[i-1], dt)
				}
			}
			out = append(out, ts)
		}
	}
	return out
}

func fraction(d, dt int64) float64 {
	if d <= 0 {
		return 0
	}
	if dt <= 0 {
		return 1
	}
	return min(1, float64(d)/float64(dt))
}
