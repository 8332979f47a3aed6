package stats

import (
	"fmt"
	"math"
	"slices"

	"golang.org/x/perf/benchmath"
)

// Confidence is the confidence level requested for every interval
// around a median (95 %).
const Confidence = 0.95

// OutlierThreshold is the modified z-score above which a repetition is
// flagged as an outlier: 3.5, the cut-off recommended by Iglewicz and
// Hoaglin (1993, "How to Detect and Handle Outliers"). A modified
// z-score is a distance from the median in robust standard deviations,
// so 3.5 flags what lies 3.5σ away for normal data. hyperfine uses the
// same score with a far laxer cut-off (10σ) because it only warns about
// gross interference; this package flags the milder cases too, since
// flagged repetitions are only reported, never removed.
const OutlierThreshold = 3.5

// Summary describes the repetitions of one figure (wall ns, CPU ns,
// cores busy, spawn latency, peak RSS …).
type Summary struct {
	// N is the number of finite values summarised.
	N int
	// Dropped counts the NaN and ±Inf values that were ignored.
	Dropped int

	// Median is the sample median (the middle value, or the mean of
	// the two middle values for even N), as benchmath computes it.
	Median float64
	// Min, Max and Mean are the smallest, largest and arithmetic mean
	// of the finite values.
	Min, Max, Mean float64

	// Lo and Hi bound the confidence interval for the population
	// median: two order statistics of the sorted sample, chosen by
	// benchmath.AssumeNothing (exact binomial for N ≤ 30, normal
	// approximation with continuity correction above; see Summarize).
	// When benchmath cannot reach 95 % (N ≤ 5) the interval is
	// [Min, Max] and LowConfidence is set.
	Lo, Hi float64
	// Confidence is the coverage actually achieved by [Lo, Hi]: the
	// binomial probability that the population median lies between
	// the two order statistics. At least 0.95 unless LowConfidence;
	// for [Min, Max] it is 1 − 2·0.5^N (0 for N = 1, 0.5 for N = 2,
	// 0.75, 0.875, 0.9375 for N = 3, 4, 5).
	Confidence float64
	// LowConfidence is true when Confidence < 0.95 (N ≤ 5), i.e.
	// [Lo, Hi] must not be quoted as a 95 % interval.
	LowConfidence bool

	// Outliers lists, in ascending order, the indices into the input
	// slice of the values whose modified z-score exceeds
	// OutlierThreshold; nil when there are none. See Summarize.
	Outliers []int

	// Warnings are human-readable notes to print next to the
	// summary (dropped values, low confidence); nil when none.
	Warnings []string
}

// Summarize summarises the repetitions of one figure. It never
// modifies values and never panics.
//
// Non-finite values are dropped (counted in Dropped, with a warning);
// the remaining N values give:
//
//   - Median, Lo, Hi, Confidence: benchmath.AssumeNothing.Summary at
//     95 %. The interval is [x(l), x(h)], order statistics of the
//     sorted sample. The population median falls between x(j) and
//     x(j+1) with probability P(B = j), B ~ binomial(N, ½); benchmath
//     (N ≤ 30) adds these bands outwards from the middle, always
//     taking the more probable neighbour and the left one on ties,
//     until their sum — Confidence — reaches 95 %. The result is often
//     the textbook symmetric [x(k), x(N−k+1)] (N = 10: [x(2), x(9)],
//     97.9 %) but can be one band shorter on the right (N = 8:
//     [x(1), x(7)], 96.1 %; N = 11: [x(2), x(9)], 96.1 %). For N > 30
//     it uses the normal approximation with continuity correction.
//   - Small N: 95 % needs N ≥ 6, since even [x(1), x(N)] covers the
//     median only with probability 1 − 2·0.5^N. For N ≤ 5 benchmath
//     returns an infinite bound; Summarize reports [Min, Max] instead,
//     with that lower Confidence, LowConfidence = true and a warning.
//   - Mean: Σx / N (computed as Σ(x/N) if Σx overflows), kept within
//     [Min, Max] against rounding.
//   - Outliers: modified z-score M = 0.6745·(x − median)/MAD, with MAD
//     the median of |x − median|, flagged when |M| > OutlierThreshold.
//     When MAD is 0 (more than half the values identical) the scale
//     falls back to 1.253314·meanAD, meanAD the mean of |x − median|
//     (both constants turn the deviation into a standard deviation
//     for normal data); when that is 0 too, all values are equal and
//     none is an outlier.
//
// With N = 0 every figure is NaN, Confidence is 0 and LowConfidence is
// true; with N = 1 the figures equal the value, [Lo, Hi] is [x, x] and
// Confidence is 0.
func Summarize(values []float64) Summary {
	finite, index := finiteValues(values)
	s := Summary{N: len(finite), Dropped: len(values) - len(finite)}
	if s.Dropped > 0 {
		s.Warnings = append(s.Warnings, fmt.Sprintf("ignored %d non-finite value(s) (NaN or Inf)", s.Dropped))
	}
	if s.N == 0 {
		nan := math.NaN()
		s.Median, s.Min, s.Max, s.Mean, s.Lo, s.Hi = nan, nan, nan, nan, nan, nan
		s.LowConfidence = true
		s.Warnings = append(s.Warnings, "no finite values to summarise")
		return s
	}

	sorted := slices.Clone(finite)
	slices.Sort(sorted)
	s.Min, s.Max = sorted[0], sorted[len(sorted)-1]
	s.Mean = clamp(mean(sorted), s.Min, s.Max) // rounding must not push it outside

	sum := benchmath.AssumeNothing.Summary(newSample(sorted), Confidence)
	s.Median, s.Lo, s.Hi, s.Confidence = sum.Center, sum.Lo, sum.Hi, sum.Confidence
	// benchmath interpolates x(k) + f·(x(k+1) − x(k)), which overflows
	// (to ±Inf, or NaN when f = 0) for values near ±MaxFloat64 and may
	// round an ulp past x(k+1).
	if !allFinite(s.Median) {
		s.Median = medianSorted(sorted)
	}
	s.Median = clamp(s.Median, sorted[(s.N-1)/2], sorted[s.N/2])
	if math.IsInf(s.Lo, 0) || math.IsInf(s.Hi, 0) {
		s.Lo, s.Hi = s.Min, s.Max
		s.Confidence = 1 - 2*math.Pow(0.5, float64(s.N))
	}
	if s.Confidence < Confidence {
		s.LowConfidence = true
		s.Warnings = append(s.Warnings, fmt.Sprintf(
			"n=%d is too few for a 95%% interval on the median (need n ≥ 6): [min, max] covers it with only %.2f%% confidence",
			s.N, 100*s.Confidence))
	}

	if scale := robustScale(sorted, s.Median); scale > 0 {
		for i, v := range finite {
			if math.Abs(v-s.Median)/scale > OutlierThreshold {
				s.Outliers = append(s.Outliers, index[i])
			}
		}
	}
	return s
}

// robustScale returns the divisor that turns |x − median| into the
// modified z-score documented on Summarize: MAD/0.6745, or
// 1.253314·meanAD when MAD is 0, or 0 when all values are equal.
// sorted holds the sample in ascending order.
func robustScale(sorted []float64, median float64) float64 {
	dev := make([]float64, len(sorted))
	for i, v := range sorted {
		dev[i] = math.Abs(v - median)
	}
	slices.Sort(dev)
	if mad := medianSorted(dev); mad > 0 {
		return mad / 0.6745
	}
	return 1.253314 * mean(dev)
}

// finiteValues returns the finite values of values, in input order,
// and the index in values of each.
func finiteValues(values []float64) (finite []float64, index []int) {
	for i, v := range values {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			finite = append(finite, v)
			index = append(index, i)
		}
	}
	return finite, index
}

// sortedFinite returns the finite values of values in ascending order,
// in a new slice.
func sortedFinite(values []float64) []float64 {
	finite, _ := finiteValues(values) // a new slice already
	slices.Sort(finite)
	return finite
}

// mean returns the arithmetic mean of a non-empty finite sample,
// avoiding overflow of the running sum.
func mean(xs []float64) float64 {
	var sum float64
	for _, x := range xs {
		sum += x
	}
	n := float64(len(xs))
	if !math.IsInf(sum, 0) {
		return sum / n
	}
	sum = 0
	for _, x := range xs {
		sum += x / n
	}
	return sum
}

// medianSorted returns the median of a non-empty ascending slice.
func medianSorted(xs []float64) float64 {
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return xs[n/2-1]/2 + xs[n/2]/2
}

// newSample wraps an ascending, finite, non-empty slice as a benchmath
// sample. benchmath.NewSample sorts in place, so callers pass a copy.
func newSample(sorted []float64) *benchmath.Sample {
	t := benchmath.DefaultThresholds
	t.CompareAlpha = Alpha
	return benchmath.NewSample(sorted, &t)
}
