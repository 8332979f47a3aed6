// Package stats computes the statistics that harness reports and
// `harness compare` print: per-figure summaries with a confidence
// interval for the median and MAD-based outlier flags (summary.go),
// speedup and parallel-efficiency ratios with intervals (ratio.go),
// benchstat-style comparisons of two samples (compare.go), Amdahl and
// Universal Scalability Law fits (fit.go) and the worker count from
// which one execution model is consistently faster (crossover.go).
//
// Order-statistic intervals and Mann-Whitney U tests come from
// golang.org/x/perf/benchmath (benchstat's engine, AssumeNothing);
// everything else is closed-form and documented on the function that
// computes it. All functions are pure: no I/O, no randomness, no
// global state, and they never modify their arguments.
//
// Conventions shared by every function:
//
//   - Non-finite inputs (NaN, ±Inf) are never measurements. Summaries
//     and comparisons drop them, count them and say so in a warning;
//     fits and ratios refuse them with an error wrapping
//     ErrInvalidInput.
//   - A figure that cannot be computed (the median of nothing) is NaN,
//     never 0, so that it cannot be mistaken for a measurement. NaN is
//     not JSON-encodable: check Summary.N > 0 before printing or
//     encoding a summary.
//   - Errors are wrapped with context and match ErrInvalidInput,
//     ErrInsufficientData or ErrPoorFit under errors.Is.
package stats

import "errors"

// Sentinel errors. Every error returned by this package wraps exactly
// one of them.
var (
	// ErrInvalidInput reports an input no statistic can be computed
	// from: NaN or infinite values, non-positive wall times or
	// speedups, worker counts below 1, duplicate worker counts.
	ErrInvalidInput = errors.New("invalid input")

	// ErrInsufficientData reports inputs that are valid but too few
	// to support the requested statistic, e.g. a USL fit over fewer
	// than three distinct worker counts.
	ErrInsufficientData = errors.New("insufficient data")

	// ErrPoorFit reports a scaling fit that was computed but
	// explains the data too badly to be quoted. The fit is still
	// returned alongside the error so the report can show why.
	ErrPoorFit = errors.New("poor fit")
)
