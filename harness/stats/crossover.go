package stats

import (
	"cmp"
	"fmt"
	"slices"
)

// WallTimes holds, for one worker count, the repeated wall times of
// model A and of model B.
type WallTimes struct {
	Workers int
	A, B    []float64
}

// CrossoverStep is the comparison at one worker count.
type CrossoverStep struct {
	Workers int
	// Comparison is Compare(A, B) at this worker count.
	Comparison Comparison
	// Faster names the model with the smaller median wall time when
	// the difference is significant, and is "" when it is not ("~").
	Faster string
}

// Crossover says whether, and from which worker count on, one model is
// significantly faster than the other.
type Crossover struct {
	// Found is true when one model is significantly faster at the
	// largest measured worker count; then Faster names it and From is
	// the smallest measured count from which it is significantly
	// faster at that count and every larger measured one.
	Found  bool
	Faster string
	From   int
	// Steps holds every per-count comparison, by ascending Workers.
	Steps []CrossoverStep
	// Reason explains why nothing was found; "" when Found.
	Reason string
}

// FindCrossover compares model A (named nameA) with model B (nameB) at
// each worker count with Compare: Mann-Whitney U on the wall times,
// significant at p ≤ Alpha, faster = smaller median. Scanning the
// counts from the largest downwards, it keeps extending the run of
// counts at which the same model is significantly faster; the smallest
// count of that run is From. A count where the difference is not
// significant, or the other model wins, ends the run — so the result
// holds at From and at every larger measured count. No correction for
// multiple comparisons is applied; requiring a run that reaches the
// largest count is what guards against a lone spurious win.
//
// When the largest measured count shows no significant difference,
// Found is false and Reason says why (including too-few repetitions).
//
// Empty names default to "A" and "B". It returns an error wrapping
// ErrInsufficientData for no worker counts and ErrInvalidInput for a
// worker count below 1 or listed twice. Samples with fewer values
// than a significant U test needs are not errors: they simply never
// win (see Comparison.Reason).
func FindCrossover(nameA, nameB string, points []WallTimes) (Crossover, error) {
	if nameA == "" {
		nameA = "A"
	}
	if nameB == "" {
		nameB = "B"
	}
	if len(points) == 0 {
		return Crossover{}, fmt.Errorf("stats: crossover of %s and %s: %w: no worker counts", nameA, nameB, ErrInsufficientData)
	}
	sorted := slices.Clone(points)
	slices.SortStableFunc(sorted, func(x, y WallTimes) int { return cmp.Compare(x.Workers, y.Workers) })
	for i, p := range sorted {
		if p.Workers < 1 {
			return Crossover{}, fmt.Errorf("stats: crossover of %s and %s: %w: worker count %d, need ≥ 1", nameA, nameB, ErrInvalidInput, p.Workers)
		}
		if i > 0 && sorted[i-1].Workers == p.Workers {
			return Crossover{}, fmt.Errorf("stats: crossover of %s and %s: %w: worker count %d listed twice", nameA, nameB, ErrInvalidInput, p.Workers)
		}
	}

	var c Crossover
	for _, p := range sorted {
		st := CrossoverStep{Workers: p.Workers, Comparison: Compare(p.A, p.B)}
		if st.Comparison.Significant {
			switch {
			case st.Comparison.A.Median < st.Comparison.B.Median:
				st.Faster = nameA
			case st.Comparison.B.Median < st.Comparison.A.Median:
				st.Faster = nameB
			}
		}
		c.Steps = append(c.Steps, st)
	}

	last := c.Steps[len(c.Steps)-1]
	if last.Faster == "" {
		c.Reason = fmt.Sprintf("no consistent crossover: at the largest worker count (%d) neither %s nor %s is significantly faster (p=%.3f)",
			last.Workers, nameA, nameB, last.Comparison.P)
		if last.Comparison.Reason != "" {
			c.Reason += ": " + last.Comparison.Reason
		}
		return c, nil
	}
	c.Found, c.Faster, c.From = true, last.Faster, last.Workers
	for i := len(c.Steps) - 1; i >= 0 && c.Steps[i].Faster == c.Faster; i-- {
		c.From = c.Steps[i].Workers
	}
	return c, nil
}

// String renders the result as a sentence for a report, e.g.
// "process is significantly faster from 4 workers on (thread is faster
// at 2)" — the parenthesis appears when the other model won significantly
// at the count just below From —, "process is significantly faster at every measured worker
// count (1–8)" or the Reason.
func (c Crossover) String() string {
	if !c.Found {
		if c.Reason == "" {
			return "no consistent crossover"
		}
		return c.Reason
	}
	if len(c.Steps) == 0 || c.Steps[0].Workers == c.From {
		if len(c.Steps) < 2 {
			return fmt.Sprintf("%s is significantly faster at %d %s", c.Faster, c.From, plural(c.From, "worker"))
		}
		return fmt.Sprintf("%s is significantly faster at every measured worker count (%d–%d)",
			c.Faster, c.Steps[0].Workers, c.Steps[len(c.Steps)-1].Workers)
	}
	s := fmt.Sprintf("%s is significantly faster from %d %s on", c.Faster, c.From, plural(c.From, "worker"))
	if i := slices.IndexFunc(c.Steps, func(st CrossoverStep) bool { return st.Workers == c.From }); i > 0 {
		if prev := c.Steps[i-1]; prev.Faster != "" {
			s += fmt.Sprintf(" (%s is faster at %d)", prev.Faster, prev.Workers)
		}
	}
	return s
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
