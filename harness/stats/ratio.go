package stats

import (
	"fmt"
	"math"
)

// Ratio is a ratio of two medians (speedup) or one scaled by the
// worker count (efficiency), with a conservative interval.
type Ratio struct {
	// Value is the point estimate, e.g. serial median / model median.
	Value float64
	// Lo and Hi bound the interval for the ratio of the population
	// medians, obtained by interval arithmetic (see Speedup).
	Lo, Hi float64
	// Confidence is a guaranteed lower bound on the coverage of
	// [Lo, Hi]: the product of the two median intervals' confidences.
	Confidence float64
	// LowConfidence is true when either input interval was a
	// low-confidence [min, max] fallback (see Summary.LowConfidence).
	LowConfidence bool
}

// Speedup returns serial wall time / model wall time, computed on the
// medians of the two summaries, with an interval by interval
// arithmetic on the two medians' confidence intervals:
//
//	Value = serial.Median / model.Median
//	Lo    = serial.Lo / model.Hi
//	Hi    = serial.Hi / model.Lo
//
// Whenever both median intervals contain their population medians the
// ratio interval contains the ratio of the population medians. The
// serial and model runs are independent samples, so that happens with
// probability serial.Confidence × model.Confidence, which is reported
// as Confidence (≥ 0.9025 when both are ≥ 0.95). It is a lower bound:
// interval arithmetic is conservative and the true coverage is higher.
// No resampling is involved, so results are exactly reproducible.
//
// Wall times must be positive: Speedup returns an error wrapping
// ErrInsufficientData when a summary is empty (N = 0) and one wrapping
// ErrInvalidInput when a median or bound is not a positive finite
// number or the quotients overflow or underflow float64.
func Speedup(serial, model Summary) (Ratio, error) {
	if err := checkPositive("serial", serial); err != nil {
		return Ratio{}, fmt.Errorf("stats: speedup: %w", err)
	}
	if err := checkPositive("model", model); err != nil {
		return Ratio{}, fmt.Errorf("stats: speedup: %w", err)
	}
	r := Ratio{
		Value:         serial.Median / model.Median,
		Lo:            serial.Lo / model.Hi,
		Hi:            serial.Hi / model.Lo,
		Confidence:    serial.Confidence * model.Confidence,
		LowConfidence: serial.LowConfidence || model.LowConfidence,
	}
	if !allFinite(r.Value, r.Lo, r.Hi) || r.Lo == 0 {
		return Ratio{}, fmt.Errorf("stats: speedup: %w: %v/%v overflows or underflows", ErrInvalidInput, serial.Median, model.Median)
	}
	return r, nil
}

// Efficiency returns the parallel efficiency speedup / workers: Value,
// Lo and Hi are divided by workers (an exact constant, so the interval
// and its Confidence carry over unchanged). 1 means perfect linear
// scaling. It returns an error wrapping ErrInvalidInput when workers
// is below 1 or the speedup is not finite.
func Efficiency(speedup Ratio, workers int) (Ratio, error) {
	if workers < 1 {
		return Ratio{}, fmt.Errorf("stats: efficiency: %w: workers = %d, need ≥ 1", ErrInvalidInput, workers)
	}
	if !allFinite(speedup.Value, speedup.Lo, speedup.Hi) {
		return Ratio{}, fmt.Errorf("stats: efficiency: %w: speedup %v [%v, %v] is not finite",
			ErrInvalidInput, speedup.Value, speedup.Lo, speedup.Hi)
	}
	w := float64(workers)
	speedup.Value /= w
	speedup.Lo /= w
	speedup.Hi /= w
	return speedup, nil
}

// checkPositive verifies that a wall-time summary can be divided.
func checkPositive(name string, s Summary) error {
	if s.N == 0 {
		return fmt.Errorf("%w: %s sample is empty", ErrInsufficientData, name)
	}
	for _, v := range []float64{s.Median, s.Lo, s.Hi} {
		if !(v > 0) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: %s wall time median %v [%v, %v] must be positive and finite",
				ErrInvalidInput, name, s.Median, s.Lo, s.Hi)
		}
	}
	return nil
}
