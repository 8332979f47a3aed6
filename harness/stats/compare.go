package stats

import (
	"fmt"
	"math"
	"strings"

	"golang.org/x/perf/benchmath"
)

// Alpha is the significance level of every comparison (5 %).
const Alpha = 0.05

// Comparison is the benchstat-style comparison of an old sample A with
// a new sample B.
type Comparison struct {
	// A and B summarise the two samples (N, median and its interval,
	// …), exactly as Summarize would.
	A, B Summary

	// DeltaPct is the change of the medians in percent,
	// 100·(B.Median/A.Median − 1): negative when B is smaller (for
	// wall time: faster). It is 0 when both medians are equal and NaN
	// when a sample is empty or only A's median is 0.
	DeltaPct float64

	// P is the two-sided p-value of the Mann-Whitney U test of "A and
	// B come from the same distribution", from
	// benchmath.AssumeNothing.Compare: exact U distribution for
	// samples of up to 50 values (25 with ties), normal approximation
	// with tie and continuity correction above. P is 1 when the test
	// cannot run (an empty sample, or every value equal), and is capped
	// at 1 because with heavy ties benchmath's doubled one-sided tail
	// can exceed it.
	P float64
	// Alpha is the significance level used, always the package
	// constant Alpha.
	Alpha float64
	// Significant is P ≤ Alpha, the rule benchstat uses to print a
	// delta rather than "~".
	Significant bool

	// Reason explains a result that is not significant for a reason
	// other than the data: the test could not run, or the sample
	// sizes make p ≤ Alpha impossible whatever the values (with n1
	// and n2 values and no ties the smallest two-sided p is
	// 2/C(n1+n2, n1): 0.1 for 3+3, 0.029 for 4+4, 0.095 for 2+5).
	// Empty otherwise.
	Reason string
}

// Compare compares sample A (old, baseline) with sample B (new) like
// benchstat: the percent change of the medians, the Mann-Whitney U
// p-value and whether it is significant at Alpha. Non-finite values
// are dropped from both samples first (see Summarize). It never
// modifies its arguments and never panics.
func Compare(a, b []float64) Comparison {
	c := Comparison{A: Summarize(a), B: Summarize(b), P: 1, Alpha: Alpha, DeltaPct: math.NaN()}
	switch {
	case c.A.N == 0 && c.B.N == 0:
		c.Reason = "both samples are empty"
		return c
	case c.A.N == 0:
		c.Reason = "sample A is empty"
		return c
	case c.B.N == 0:
		c.Reason = "sample B is empty"
		return c
	}
	c.DeltaPct = deltaPct(c.A.Median, c.B.Median)

	res := benchmath.AssumeNothing.Compare(newSample(sortedFinite(a)), newSample(sortedFinite(b)))
	// With ties, doubling the one-sided tail can exceed 1 (A = [0],
	// B = [0, 1] gives 4/3): a p-value is a probability, so cap it.
	c.P = math.Min(res.P, 1)
	c.Significant = c.P <= c.Alpha

	var reasons []string
	for _, w := range res.Warnings {
		reasons = append(reasons, w.Error())
	}
	if !c.Significant && len(reasons) == 0 {
		if minP := minUTestP(c.A.N, c.B.N); minP > c.Alpha {
			reasons = append(reasons, fmt.Sprintf(
				"with n=%d+%d the smallest possible p is %.3f > α=%v: no difference can be significant, more repetitions are needed",
				c.A.N, c.B.N, minP, c.Alpha))
		}
	}
	c.Reason = strings.Join(reasons, "; ")
	return c
}

// DeltaString renders DeltaPct as benchstat does: "~" when the
// difference is not significant, "?" when it is undefined, otherwise a
// signed percentage with two decimals, e.g. "-12.34%" ("0.00%" when
// the medians are equal although the distributions differ).
func (c Comparison) DeltaString() string {
	switch {
	case !c.Significant:
		return "~"
	case math.IsNaN(c.DeltaPct) || math.IsInf(c.DeltaPct, 0):
		return "?"
	case c.DeltaPct == 0:
		return "0.00%"
	}
	return fmt.Sprintf("%+.2f%%", c.DeltaPct)
}

// deltaPct returns 100·(b/a − 1), 0 when a == b and NaN when only a is 0.
func deltaPct(a, b float64) float64 {
	switch {
	case a == b:
		return 0
	case a == 0:
		return math.NaN()
	}
	return (b/a - 1) * 100
}

// minUTestP returns the smallest two-sided Mann-Whitney p-value that
// samples of n1 and n2 distinct values can reach: 2/C(n1+n2, n1), the
// probability of complete separation in either direction.
func minUTestP(n1, n2 int) float64 {
	binom := 1.0 // C(n1+n2, n1), built as Π_{i=1..n1} (n2+i)/i
	for i := 1; i <= n1; i++ {
		binom = binom * float64(n2+i) / float64(i)
	}
	return math.Min(1, 2/binom)
}
