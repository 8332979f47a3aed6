package lanes

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// NiceTicks is a plot.Ticker for a time axis: about N labels at round
// values (1, 2 or 5 × 10^k apart), with unlabelled minor ticks between.
// gonum's DefaultTicks aims for three labels, which on a wide chart leaves
// the reader to interpolate between "0.00" and "2.50".
type NiceTicks struct {
	// N is the number of labels to aim for; zero means 8, which suits an
	// axis about 6 in long.
	N int
}

// Ticks implements plot.Ticker.
func (t NiceTicks) Ticks(min, max float64) []plot.Tick {
	n := t.N
	if n <= 0 {
		n = 8
	}
	if !(max > min) || math.IsInf(max-min, 0) {
		return []plot.Tick{{Value: min, Label: strconv.FormatFloat(min, 'g', 6, 64)}}
	}
	// The smallest round step that gives at most about n labels.
	raw := (max - min) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step, div := 10*mag, 5.0 // div: minor ticks per major step
	switch f := raw / mag; {
	case f <= 1:
		step, div = mag, 5
	case f <= 2:
		step, div = 2*mag, 4
	case f <= 5:
		step, div = 5*mag, 5
	}
	decimals := 0
	if e := math.Floor(math.Log10(step) + 1e-9); e < 0 {
		decimals = int(-e)
	}
	minor := step / div
	var ticks []plot.Tick
	// Counting in minor steps, k*minor, avoids the drift of adding.
	for k := math.Ceil(min/minor - 1e-9); k*minor <= max+minor*1e-9; k++ {
		v := k * minor
		tk := plot.Tick{Value: v}
		if math.Mod(k, div) == 0 {
			if v == 0 {
				v = 0 // no "-0"
			}
			tk.Label = strconv.FormatFloat(v, 'f', decimals, 64)
		}
		ticks = append(ticks, tk)
	}
	return ticks
}
