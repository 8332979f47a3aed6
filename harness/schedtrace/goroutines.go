package schedtrace

// The live-goroutine table. Goroutine ids are allocated by a counter (in
// per-P batches), so they are dense and roughly increasing: a paged array
// indexed by id beats a map on the hot path, and a page is freed once all of
// its goroutines have exited, so memory follows the live goroutines, not the
// number ever created.

const (
	pageBits = 12
	pageSize = 1 << pageBits
	// maxPagedID bounds the page directory (8 B per 4096 ids: 8 MB at most);
	// larger ids, never seen in practice, go to a map.
	maxPagedID = 1 << 32
)

// slot is a live goroutine.
type slot struct {
	since  int64 // wall ns when the current state began
	lane   int32 // index into builder.lanes; -1: summed into Other
	state  State // current state, valid if !idle
	idle   bool  // no state yet (seen only via a range or log event)
	assist bool  // inside a GC mark-assist range
	live   bool  // in use (false: on the free list)
}

type page struct {
	slot [pageSize]int32 // index into table.slots plus one; 0: none
	live int
}

type table struct {
	pages []*page
	big   map[int64]int32
	slots []slot
	free  []int32
}

// get returns the slot index of goroutine id, or -1.
func (t *table) get(id int64) int32 {
	if uint64(id) < maxPagedID {
		if p := id >> pageBits; p < int64(len(t.pages)) && t.pages[p] != nil {
			return t.pages[p].slot[id&(pageSize-1)] - 1
		}
		return -1
	}
	if i, ok := t.big[id]; ok {
		return i
	}
	return -1
}

// add registers goroutine id with a fresh slot and returns its index.
func (t *table) add(id int64, s slot) int32 {
	s.live = true
	var i int32
	if n := len(t.free); n > 0 {
		i = t.free[n-1]
		t.free = t.free[:n-1]
		t.slots[i] = s
	} else {
		i = int32(len(t.slots))
		t.slots = append(t.slots, s)
	}
	if uint64(id) >= maxPagedID {
		if t.big == nil {
			t.big = make(map[int64]int32)
		}
		t.big[id] = i
		return i
	}
	p := id >> pageBits
	for int64(len(t.pages)) <= p {
		t.pages = append(t.pages, nil)
	}
	if t.pages[p] == nil {
		t.pages[p] = new(page)
	}
	t.pages[p].slot[id&(pageSize-1)] = i + 1
	t.pages[p].live++
	return i
}

// remove forgets goroutine id (which must be present).
func (t *table) remove(id int64, i int32) {
	t.slots[i] = slot{}
	t.free = append(t.free, i)
	if uint64(id) >= maxPagedID {
		delete(t.big, id)
		return
	}
	p := t.pages[id>>pageBits]
	p.slot[id&(pageSize-1)] = 0
	if p.live--; p.live == 0 {
		t.pages[id>>pageBits] = nil
	}
}
