package observe

import (
	"math"
	"sort"
)

// Summary holds the figures of one window of a trial. CPUNs, AvgCores and
// PeakCores come from per-thread schedstat, which misses the CPU a thread
// used between its last read and its exit; ProcessCPUNs comes from the
// processes' CPU clocks, which keep the CPU of exited threads.
type Summary struct {
	StartNs, EndNs int64
	// CPUNs is the sampled on-CPU total: the sum over all threads of their
	// on-CPU deltas within the window, deltas that straddle an edge counted
	// in proportion to their overlap.
	CPUNs int64
	// ProcessCPUNs is the same from ProcessSeries.CPUNs: exited threads
	// included, so at least CPUNs but for rounding and clock resolution.
	ProcessCPUNs int64
	// RunqueueNs is, likewise, the time threads were runnable but waiting.
	RunqueueNs int64
	AvgCores   float64 // CPUNs / window
	// PeakCores is the largest trial total over one sampling interval, the
	// intervals being the ticks (Machine.T) within the window.
	PeakCores float64
	// PeakRSSTotalBytes is the largest sum of RSS over the processes sampled
	// in one tick.
	PeakRSSTotalBytes int64
	// MachineOtherAvgCores is the machine's busy cores minus the trial's
	// own over the part of the window the machine series covers, ≥ 0: load
	// from other processes (the sampler included). A process's own CPU is
	// the larger of its thread sum and its process clock delta.
	MachineOtherAvgCores float64
	Processes            []ProcessSummary
}

// ProcessSummary is one process's share of a Summary window.
type ProcessSummary struct {
	PID, PPID    int
	Comm         string
	CPUNs        int64 // sum of its threads' on-CPU deltas in the window
	ProcessCPUNs int64 // its CPUNs series' delta in the window (exited threads included)
	RunqueueNs   int64
	PeakRSSBytes int64 // largest RSS read in the window
}

// Summary computes the figures of the window [startNs, endNs).
func (s *Samples) Summary(startNs, endNs int64) Summary {
	sum := Summary{StartNs: startNs, EndNs: endNs}
	if endNs <= startNs {
		return sum
	}
	win := []int64{startNs, endNs}
	ticks := s.tickEdges(startNs, endNs)
	perTick := make([]float64, len(ticks)-1)
	var cpu, pcl, rq float64
	for _, p := range s.Processes {
		ps := ProcessSummary{PID: p.PID, PPID: p.PPID, Comm: p.Comm}
		var pcpu, prq [1]float64
		for _, th := range p.Threads {
			spread(th.T, th.OnCPUNs, win, pcpu[:])
			spread(th.T, th.RunqueueNs, win, prq[:])
			spread(th.T, th.OnCPUNs, ticks, perTick)
		}
		var clock [1]float64
		spread(p.T, p.CPUNs, win, clock[:])
		ps.CPUNs = int64(math.Round(pcpu[0]))
		ps.RunqueueNs = int64(math.Round(prq[0]))
		ps.ProcessCPUNs = int64(math.Round(clock[0]))
		for i, t := range p.T {
			if t >= startNs && t < endNs {
				ps.PeakRSSBytes = max(ps.PeakRSSBytes, p.RSSBytes[i])
			}
		}
		cpu += pcpu[0]
		pcl += clock[0]
		rq += prq[0]
		sum.Processes = append(sum.Processes, ps)
	}
	sum.CPUNs = int64(math.Round(cpu))
	sum.ProcessCPUNs = int64(math.Round(pcl))
	sum.RunqueueNs = int64(math.Round(rq))
	sum.AvgCores = cpu / float64(endNs-startNs)
	for i, v := range perTick {
		if w := ticks[i+1] - ticks[i]; w > 0 {
			sum.PeakCores = max(sum.PeakCores, v/float64(w))
		}
	}
	sum.PeakRSSTotalBytes = s.peakRSSTotal(startNs, endNs)
	sum.MachineOtherAvgCores = s.machineOther(startNs, endNs)
	return sum
}

// tickEdges returns the window's edges with every tick start strictly
// inside it; without a machine series, edges every IntervalNs.
func (s *Samples) tickEdges(startNs, endNs int64) []int64 {
	edges := []int64{startNs}
	if len(s.Machine.T) > 0 {
		for _, t := range s.Machine.T {
			if t > startNs && t < endNs {
				edges = append(edges, t)
			}
		}
	} else if s.IntervalNs > 0 {
		for t := startNs + s.IntervalNs; t < endNs; t += s.IntervalNs {
			edges = append(edges, t)
		}
	}
	return append(edges, endNs)
}

// tickOf is the tick a read at t belongs to: the last machine read at or
// before it (all processes are read right after it in the same tick).
func (s *Samples) tickOf(t, startNs int64) int64 {
	if len(s.Machine.T) == 0 {
		if s.IntervalNs <= 0 {
			return t
		}
		return (t - startNs) / s.IntervalNs
	}
	return int64(sort.Search(len(s.Machine.T), func(i int) bool { return s.Machine.T[i] > t })) - 1
}

func (s *Samples) peakRSSTotal(startNs, endNs int64) int64 {
	total := map[int64]int64{}
	for _, p := range s.Processes {
		// A process read twice in one tick (Watch between ticks) counts once.
		last := map[int64]int64{}
		for i, t := range p.T {
			if t >= startNs && t < endNs {
				k := s.tickOf(t, startNs)
				last[k] = max(last[k], p.RSSBytes[i])
			}
		}
		for k, v := range last {
			total[k] += v
		}
	}
	var peak int64
	for _, v := range total {
		peak = max(peak, v)
	}
	return peak
}

func (s *Samples) machineOther(startNs, endNs int64) float64 {
	m := s.Machine
	if len(m.T) < 2 {
		return 0
	}
	a, b := max(startNs, m.T[0]), min(endNs, m.T[len(m.T)-1])
	if b <= a {
		return 0
	}
	cov := []int64{a, b}
	var busy [1]float64
	spread(m.T, m.BusyNs, cov, busy[:])
	return max(0, (busy[0]-s.ownCPU(cov)[0])/float64(b-a))
}

// ownCPU spreads the trial's own CPU over the bins delimited by edges. Per
// process it takes whichever series says more over the whole range: the
// CPU clock, which also counts threads that exited between two reads, or
// the sum of its threads (where there is no clock). One series per process,
// so the bins add up to what one bin over the same range gives: the charts'
// "other load" averages to the summary's.
func (s *Samples) ownCPU(edges []int64) []float64 {
	n := len(edges) - 1
	own, threads, clock := make([]float64, n), make([]float64, n), make([]float64, n)
	for _, p := range s.Processes {
		clear(threads)
		clear(clock)
		for _, th := range p.Threads {
			spread(th.T, th.OnCPUNs, edges, threads)
		}
		spread(p.T, p.CPUNs, edges, clock)
		use := threads
		if sum(clock) > sum(threads) {
			use = clock
		}
		for i := range own {
			own[i] += use[i]
		}
	}
	return own
}

// spread adds each delta of the cumulative series (t, v) to the bins
// delimited by edges (sorted, len(bins)+1), in proportion to how much of
// the delta's own interval [t[i-1], t[i]) falls in each bin: the rate is
// taken as constant between two reads. A delta over a zero-length interval
// goes to the bin holding its time. Negative deltas (a counter that went
// back, as after an exec by a non-leader thread) count as zero.
func spread(t, v []int64, edges []int64, bins []float64) {
	if len(edges) < 2 {
		return
	}
	lo, hi := edges[0], edges[len(edges)-1]
	for i := 1; i < len(t); i++ {
		t0, t1 := t[i-1], t[i]
		d := float64(v[i] - v[i-1])
		if d <= 0 || t1 < lo || t0 >= hi {
			continue
		}
		if t1 <= t0 {
			if t0 < hi {
				k := sort.Search(len(edges)-1, func(k int) bool { return edges[k+1] > t0 })
				bins[k] += d
			}
			continue
		}
		rate := d / float64(t1-t0)
		k := sort.Search(len(edges)-1, func(k int) bool { return edges[k+1] > t0 })
		for ; k < len(bins) && edges[k] < t1; k++ {
			a, b := max(t0, edges[k]), min(t1, edges[k+1])
			if b > a {
				bins[k] += rate * float64(b-a)
			}
		}
	}
}

func sum(xs []float64) float64 {
	var t float64
	for _, x := range xs {
		t += x
	}
	return t
}
