package schedtrace

import "slices"

// finish closes open spans at the last event, selects the lanes and builds
// the Schedule.
func (b *builder) finish(readErr error) *Schedule {
	s := &Schedule{
		StartNs:       b.first,
		EndNs:         b.last,
		WallClock:     b.clk.synced,
		NumGoroutines: b.goroutines,
		BinOriginNs:   b.grid.origin,
		BinNs:         b.grid.width,
	}
	if readErr != nil {
		s.Truncated = true
		s.Err = readErr.Error()
		if len(s.Err) > maxErrLen {
			s.Err = s.Err[:maxErrLen] + "…"
		}
	}
	if b.events == 0 {
		return s
	}
	for i := range b.tab.slots {
		if sl := &b.tab.slots[i]; sl.live {
			b.closeSpan(sl, b.last)
		}
	}
	nbins := 0
	if b.grid.fixed {
		nbins = b.grid.n
	} else if end := min(b.last, b.hi); end > b.lo {
		nbins = int(b.grid.index(end-1)) + 1
	}
	s.Binned = b.binned
	s.Bins = make([]StateNs, nbins)
	for _, l := range b.selectLanes() {
		g := Goroutine{ID: l.id, Name: l.name, Worker: l.worker, Count: 1, Totals: l.totals, Intervals: l.ivs}
		first, bins := l.bins.expand(b.grid.width)
		b.setBins(s, &g, first, bins)
		s.Goroutines = append(s.Goroutines, g)
	}
	if b.otherCount > 0 || b.otherTotals.Sum() > 0 {
		g := &Goroutine{Count: b.otherCount, Totals: b.otherTotals}
		bins := b.otherBins.bins(nbins)
		lo, hi := 0, len(bins)
		for lo < hi && bins[lo].Sum() == 0 {
			lo++
		}
		for hi > lo && bins[hi-1].Sum() == 0 {
			hi--
		}
		b.setBins(s, g, int32(lo), slices.Clone(bins[lo:hi]))
		s.Other = g
	}
	return s
}

// setBins sets a lane's bins and adds the lane to the schedule's sums.
func (b *builder) setBins(s *Schedule, g *Goroutine, first int32, bins []StateNs) {
	g.FirstBin, g.Bins = int(first), bins
	s.Totals.add(&g.Totals)
	for i := range bins {
		s.Bins[int(first)+i].add(&bins[i])
	}
}
