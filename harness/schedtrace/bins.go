package schedtrace

import "math"

// The bin grid and the two ways of filling it.
//
// The end of a trace is unknown while streaming, so unless the caller fixes a
// window the grid adapts: it starts at 1µs bins and, whenever time runs past
// the last bin, doubles the width by merging bins pairwise (halve). Memory
// stays at most n bins per lane whatever the trace length.

// initialBinNs is the adaptive grid's first width; widths are initialBinNs·2ᵏ.
const initialBinNs = 1000

type grid struct {
	origin int64 // wall ns where bin 0 starts
	width  int64 // ns per bin
	n      int   // bins available
	fixed  bool  // caller-fixed window: never halves

	// The bin of the latest event, [curStart, curEnd): nearly every span
	// ends in it, so index needs no division on the hot path.
	cur              int32
	curStart, curEnd int64
}

func newGrid(origin, width int64, n int, fixed bool) grid {
	g := grid{origin: origin, width: width, n: n, fixed: fixed}
	g.resetCur()
	return g
}

func (g *grid) resetCur() { g.curStart, g.curEnd = math.MaxInt64, math.MinInt64 }

// advance moves the current bin to the one holding w (event time, never
// decreasing).
func (g *grid) advance(w int64) {
	if w < g.curEnd || w < g.origin {
		return
	}
	i := (w - g.origin) / g.width
	if i >= int64(g.n) { // past a fixed window: nothing is binned there
		g.curStart, g.curEnd = math.MaxInt64, math.MaxInt64
		return
	}
	g.cur = int32(i)
	g.curStart = g.edge(g.cur)
	g.curEnd = g.curStart + g.width
}

// index returns the bin of w, which must lie in [origin, end()).
func (g *grid) index(w int64) int32 {
	if w >= g.curStart && w < g.curEnd {
		return g.cur
	}
	return int32((w - g.origin) / g.width)
}
func (g *grid) edge(i int32) int64 { return g.origin + int64(i)*g.width }
func (g *grid) end() int64         { return g.edge(int32(g.n)) }

// binRec is the time one lane spent in bin `bin`. Bins wholly covered by one
// span get no record: they are the gap between two records and were spent in
// the earlier record's tail state. So a lane costs two records per span at
// most and one per bin at most, and a goroutine blocked for the whole trace
// costs two records, not n.
type binRec struct {
	ns   StateNs
	bin  int32
	tail State // state through the gap bins that follow, up to the next record
}

// sparse holds a lane's records in ascending bin order.
type sparse []binRec

// at returns the record for bin i, appending it if needed. Spans arrive in
// time order, so i is never below the last record's bin.
func (sp *sparse) at(i int32) *binRec {
	s := *sp
	if n := len(s); n > 0 && s[n-1].bin == i {
		return &s[n-1]
	}
	*sp = append(s, binRec{bin: i})
	return &(*sp)[len(*sp)-1]
}

// add accounts the span [a, b) (a < b, inside the grid) in state st and
// reports how many records it appended.
func (sp *sparse) add(g *grid, a, b int64, st State) int {
	n0 := len(*sp)
	ba, bl := g.index(a), g.index(b-1)
	r := sp.at(ba)
	if ba == bl {
		r.ns[st] += b - a
		r.tail = st
		return len(*sp) - n0
	}
	r.ns[st] += g.edge(ba+1) - a
	r.tail = st
	r = sp.at(bl)
	r.ns[st] += b - g.edge(bl)
	r.tail = st
	return len(*sp) - n0
}

// halve re-bins to twice the width w (in place) and returns the records
// left. Gap bins that end up sharing a new bin with a record are made
// explicit; gap bins paired with gap bins stay a gap.
func (sp sparse) halve(w int64) sparse {
	out := sp[:0]
	var prev binRec // original record before sp[i] (out may overwrite it)
	for i := 0; i < len(sp); i++ {
		r := sp[i]
		hasNext := i+1 < len(sp)
		var nextBin int32
		if hasNext {
			nextBin = sp[i+1].bin
		}
		nb := r.bin / 2
		if len(out) > 0 && out[len(out)-1].bin == nb {
			o := &out[len(out)-1]
			o.ns.add(&r.ns)
			o.tail = r.tail
			prev = r
			continue
		}
		if r.bin%2 == 1 && i > 0 {
			// The even partner had no record but lies after one: a gap bin.
			r.ns[prev.tail] += w
		}
		if r.bin%2 == 0 && hasNext && nextBin > r.bin+1 {
			// The odd partner is a gap bin before the next record.
			r.ns[r.tail] += w
		}
		prev = sp[i]
		r.bin = nb
		out = append(out, r)
	}
	return out
}

// expand returns the lane's bins densely from its first to its last record,
// filling the gaps.
func (sp sparse) expand(w int64) (first int32, bins []StateNs) {
	if len(sp) == 0 {
		return 0, nil
	}
	first = sp[0].bin
	bins = make([]StateNs, sp[len(sp)-1].bin-first+1)
	for i, r := range sp {
		bins[r.bin-first].add(&r.ns)
		if i+1 < len(sp) {
			for j := r.bin + 1; j < sp[i+1].bin; j++ {
				bins[j-first][r.tail] = w
			}
		}
	}
	return first, bins
}

// dense is a lane with every bin allocated: the Other lane, which absorbs
// many goroutines. Runs of whole bins go into a difference array so that a
// long span costs O(1), not O(bins spanned).
type dense struct {
	direct []StateNs
	diff   []StateNs // diff[i][s] − diff[i−1]… prefix sums add whole-bin time
}

func (d *dense) init(n int) {
	if d.direct == nil {
		d.direct = make([]StateNs, n)
		d.diff = make([]StateNs, n+1)
	}
}

// add accounts the span [a, b) (a < b, inside the grid) in state st.
func (d *dense) add(g *grid, a, b int64, st State) {
	d.init(g.n)
	ba, bl := g.index(a), g.index(b-1)
	if ba == bl {
		d.direct[ba][st] += b - a
		return
	}
	d.direct[ba][st] += g.edge(ba+1) - a
	d.direct[bl][st] += b - g.edge(bl)
	d.run(ba+1, bl, st, g.width)
}

// run adds w to state st of every bin in [from, to).
func (d *dense) run(from, to int32, st State, w int64) {
	if from < to {
		d.diff[from][st] += w
		d.diff[to][st] -= w
	}
}

// addSparse folds a lane's records in.
func (d *dense) addSparse(g *grid, sp sparse) {
	d.init(g.n)
	for i, r := range sp {
		d.direct[r.bin].add(&r.ns)
		if i+1 < len(sp) {
			d.run(r.bin+1, sp[i+1].bin, r.tail, g.width)
		}
	}
}

// flush moves the difference array into direct.
func (d *dense) flush() {
	var acc StateNs
	for i := range d.direct {
		acc.add(&d.diff[i])
		d.direct[i].add(&acc)
	}
	clear(d.diff)
}

// halve re-bins to twice the width.
func (d *dense) halve() {
	if d.direct == nil {
		return
	}
	d.flush()
	n := len(d.direct)
	for i := 0; i < n; i += 2 {
		v := d.direct[i]
		if i+1 < n {
			v.add(&d.direct[i+1])
		}
		d.direct[i/2] = v
	}
	clear(d.direct[(n+1)/2:])
}

// bins returns the flushed bins [0, n).
func (d *dense) bins(n int) []StateNs {
	if d.direct == nil {
		return nil
	}
	d.flush()
	return d.direct[:n]
}
