package lanes

import "math"

// binner reduces one lane's intervals to what one pixel column can show.
//
// Drawing each of a million intervals costs time (0.3 s per 100k bars in
// PNG), bytes (9 MB of SVG per 100k) and accuracy: intervals narrower than
// a pixel are anti-aliased into pale stripes, so the eye reads a lane that
// is 70% running as a washed-out colour rather than as 70%. Binning instead
// asks, for each pixel column, which state covers most of it, and paints
// the whole column in that state if the lane is at least half covered
// there. A state's drawn share is then right to within a pixel at each
// state change, and the output grows with the number of state changes a
// reader could see, not with the number of intervals.
//
// Positions are in column units: column k covers [k, k+1).
type binner struct {
	cols    int
	nstates int
	// cov[s*cols+k] is the partial coverage of column k by state s, in
	// columns (0..1 for one interval, can exceed 1 if intervals overlap).
	cov []float64
	// full[s*(cols+1)+k] is a difference array of whole columns covered by
	// state s: a long interval costs O(1), not O(columns it spans).
	full []float64
	// state[k] is the result of finish: the drawn state of column k, or -1.
	state []int
}

func newBinner(cols, nstates int) *binner {
	return &binner{
		cols:    cols,
		nstates: nstates,
		cov:     make([]float64, cols*nstates),
		full:    make([]float64, (cols+1)*nstates),
		state:   make([]int, cols),
	}
}

// reset clears the binner for the next lane, keeping its memory.
func (b *binner) reset() {
	clear(b.cov)
	clear(b.full)
}

// add records that state s covers [u0, u1) in column units. Parts outside
// [0, cols) are dropped, so callers need not clip.
func (b *binner) add(s int, u0, u1 float64) {
	if u0 < 0 {
		u0 = 0
	}
	if n := float64(b.cols); u1 > n {
		u1 = n
	}
	if !(u1 > u0) { // also rejects NaN
		return
	}
	i0, i1 := int(u0), int(u1)
	if i1 >= b.cols { // u1 == cols exactly: the end of the last column
		i1 = b.cols - 1
	}
	cov := b.cov[s*b.cols : (s+1)*b.cols]
	if i0 == i1 {
		cov[i0] += u1 - u0
		return
	}
	cov[i0] += float64(i0+1) - u0
	cov[i1] += u1 - float64(i1)
	if i0+1 < i1 {
		full := b.full[s*(b.cols+1) : (s+1)*(b.cols+1)]
		full[i0+1]++
		full[i1]--
	}
}

// finish decides each column: the state with the largest coverage if all
// states together cover at least half the column, else -1 (nothing drawn).
// Ties go to the lower state index, so the result is deterministic.
func (b *binner) finish() {
	for s := range b.nstates {
		cov := b.cov[s*b.cols : (s+1)*b.cols]
		full := b.full[s*(b.cols+1) : (s+1)*(b.cols+1)]
		run := 0.0
		for k := range cov {
			run += full[k]
			cov[k] += run
		}
	}
	for k := range b.cols {
		best, bestCov, total := -1, 0.0, 0.0
		for s := range b.nstates {
			c := b.cov[s*b.cols+k]
			total += c
			if c > bestCov {
				best, bestCov = s, c
			}
		}
		// A small epsilon so a column exactly half covered, computed as
		// 0.49999999 from float sums, still counts as half.
		if total < 0.5-1e-9 {
			best = -1
		}
		b.state[k] = best
	}
}

// runs calls fn for each maximal run [k0, k1) of adjacent columns drawn in
// the same state, so a lane that stays in one state for a second is one
// rectangle, not one per column.
func (b *binner) runs(fn func(state, k0, k1 int)) {
	k0 := 0
	for k := 1; k <= b.cols; k++ {
		if k < b.cols && b.state[k] == b.state[k0] {
			continue
		}
		if s := b.state[k0]; s >= 0 {
			fn(s, k0, k)
		}
		k0 = k
	}
}

// columns returns the pixel grid covering [lo, hi) in device units: the
// left edge of column 0 and the number of columns. The grid is aligned to
// multiples of width from the device origin, which is where the raster's
// pixel boundaries are, so binned rectangles fill whole pixels and
// neighbouring columns do not bleed into each other through anti-aliasing.
func columns(lo, hi, width float64) (origin float64, n int) {
	origin = math.Floor(lo/width) * width
	n = int(math.Ceil((hi - origin) / width))
	return origin, max(n, 1)
}
