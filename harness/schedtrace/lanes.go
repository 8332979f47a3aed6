package schedtrace

import (
	"cmp"
	"slices"
)

// Lanes and their bound.
//
// Which goroutines will end up in the top MaxLanes is unknown while
// streaming, so every goroutine starts with its own lane (compact sparse
// bins, see binRec) and the lanes are pruned when their total cost exceeds a
// budget: the lanes with the least scheduled time so far — never a worker's —
// are summed into the Other lane (dense bins) until the cost is half the
// budget; a goroutine summed into Other stays there. At the end the top
// MaxLanes of what is left are kept and the rest summed into Other as well.
//
// So the lanes are exactly the top goroutines as long as the budget is never
// hit (up to ~MaxLanes·Bins/6 short-lived goroutines); past that, a goroutine
// summed into Other while it had little scheduled time stays there even if it
// runs a lot later. Totals and the schedule's bins are exact either way.
//
// Memory bound: lanes cost at most budget = laneBudgetFactor·MaxLanes·Bins
// records (~48 B each: ~6 MB at the defaults, up to twice that with slice
// slack) plus the lanes of workers, which are never pruned; Other is
// 2·Bins·40 B; the live-goroutine table ~20 B per live goroutine; each P a
// sparse row of at most Bins records. Nothing grows with the number of
// events.

const (
	laneBudgetFactor = 1
	laneCost         = 4 // a lane's fixed size, in records, for the budget
)

type lane struct {
	id     int64
	name   string
	worker string
	slot   int32 // live goroutine's slot, -1 once it exited
	totals StateNs
	bins   sparse
	ivs    []Interval
}

func (l *lane) cost() int { return laneCost + len(l.bins) }

// newLane starts a lane for goroutine id, living in slot si. (The budget
// may fold it right away.)
func (b *builder) newLane(id int64, si int32, worker string) {
	b.lanes = append(b.lanes, lane{id: id, slot: si, worker: worker})
	b.tab.slots[si].lane = int32(len(b.lanes) - 1)
	b.charge(laneCost)
}

// charge adds n records to the lanes' cost and prunes past the budget.
func (b *builder) charge(n int) {
	b.cost += n
	if b.cost > b.peakCost {
		b.peakCost = b.cost
	}
	if b.cost > b.budget {
		b.prune()
	}
}

// account adds the span [a, e) in state st to lane li (-1: Other), clipped
// to the window.
func (b *builder) account(li int32, a, e int64, st State) {
	if a < b.lo {
		a = b.lo
	}
	if e > b.hi {
		e = b.hi
	}
	if a >= e {
		return
	}
	if li < 0 {
		b.otherTotals[st] += e - a
		b.otherBins.add(&b.grid, a, e, st)
		return
	}
	l := &b.lanes[li]
	l.totals[st] += e - a
	added := l.bins.add(&b.grid, a, e, st)
	if !b.binned {
		if n := len(l.ivs); n > 0 && l.ivs[n-1].EndNs == a && l.ivs[n-1].State == st {
			l.ivs[n-1].EndNs = e
		} else {
			l.ivs = append(l.ivs, Interval{StartNs: a, EndNs: e, State: st})
			if b.intervals++; b.intervals > b.opt.MaxIntervals {
				b.dropIntervals()
			}
		}
	}
	b.charge(added)
}

// dropIntervals switches to binned mode for good.
func (b *builder) dropIntervals() {
	b.binned = true
	b.intervals = 0
	for i := range b.lanes {
		b.lanes[i].ivs = nil
	}
}

// fold sums lane l into Other; its goroutine, if live, continues there.
func (b *builder) fold(l *lane) {
	b.otherTotals.add(&l.totals)
	b.otherCount++
	b.otherBins.addSparse(&b.grid, l.bins)
	b.cost -= l.cost()
	b.intervals -= len(l.ivs)
	if l.slot >= 0 {
		b.tab.slots[l.slot].lane = -1
	}
}

// prune folds the least scheduled non-worker lanes until the cost is half
// the budget, then compacts b.lanes.
func (b *builder) prune() {
	order := make([]int32, 0, len(b.lanes))
	for i := range b.lanes {
		if b.lanes[i].worker == "" {
			order = append(order, int32(i))
		}
	}
	slices.SortFunc(order, func(x, y int32) int {
		lx, ly := &b.lanes[x], &b.lanes[y]
		if c := cmp.Compare(lx.totals.Scheduled(), ly.totals.Scheduled()); c != 0 {
			return c
		}
		return cmp.Compare(lx.slot, ly.slot) // exited (-1) before live: live may still grow
	})
	gone := make([]bool, len(b.lanes))
	for _, i := range order {
		if b.cost <= b.budget/2 {
			break
		}
		b.fold(&b.lanes[i])
		gone[i] = true
	}
	b.compact(gone)
	if b.cost > b.budget/2 {
		// Workers' lanes are never folded; if they fill the budget, grow
		// it rather than prune on every event.
		b.budget = 2 * b.cost
	}
}

// compact removes the lanes marked gone and re-points the live slots.
func (b *builder) compact(gone []bool) {
	j := int32(0)
	for i := range b.lanes {
		if gone[i] {
			continue
		}
		b.lanes[j] = b.lanes[i]
		if s := b.lanes[j].slot; s >= 0 {
			b.tab.slots[s].lane = j
		}
		j++
	}
	clear(b.lanes[j:])
	b.lanes = b.lanes[:j]
	if cap(b.lanes) > 4*len(b.lanes)+64 { // let a burst's backing array go
		b.lanes = slices.Clip(b.lanes)
	}
}

// selectLanes keeps the top MaxLanes lanes — workers first, by worker id,
// then by scheduled time — and folds the rest. It returns the kept lanes in
// output order.
func (b *builder) selectLanes() []lane {
	slices.SortStableFunc(b.lanes, func(x, y lane) int {
		if (x.worker != "") != (y.worker != "") {
			if x.worker != "" {
				return -1
			}
			return 1
		}
		if x.worker != y.worker {
			return CompareWorkers(x.worker, y.worker)
		}
		if c := cmp.Compare(y.totals.Scheduled(), x.totals.Scheduled()); c != 0 {
			return c
		}
		return cmp.Compare(x.id, y.id)
	})
	for i := range b.lanes {
		b.lanes[i].slot = -1 // all spans are closed; no slot needs re-pointing
	}
	if len(b.lanes) > b.opt.MaxLanes {
		for i := b.opt.MaxLanes; i < len(b.lanes); i++ {
			b.fold(&b.lanes[i])
		}
		b.lanes = b.lanes[:b.opt.MaxLanes]
	}
	return b.lanes
}
