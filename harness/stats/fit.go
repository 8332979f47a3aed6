package stats

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Point is one measured speedup: Speedup (serial wall / model wall)
// with Workers workers. Several points may share a worker count (e.g.
// one per repetition); each counts once in the fit.
type Point struct {
	Workers int
	Speedup float64
}

// Thresholds below which a computed fit is refused with ErrPoorFit
// (both must fail; see FitAmdahl).
const (
	minR2      = 0.5
	maxRelRMSE = 0.10
)

// negligible is the contribution to the USL denominator below which a
// fitted coefficient is treated as rounding noise (see FitUSL).
const negligible = 1e-9

// AmdahlFit is Amdahl's law S(N) = 1 / (s + (1−s)/N) fitted to
// measured speedups.
type AmdahlFit struct {
	// Serial is the fitted serial fraction s ∈ [0, 1]; the speedup
	// can never exceed 1/s.
	Serial float64
	// R2 is the coefficient of determination of the fitted curve on
	// the measured speedups, 1 − Σ(S−Ŝ)²/Σ(S−S̄)². When all speedups
	// are equal it is 1 for an exact fit and 0 otherwise.
	R2 float64
	// RMSE is √(Σ(S−Ŝ)²/n), in units of speedup.
	RMSE float64
	// Points is the number of points fitted.
	Points int
}

// Predict returns the speedup Amdahl's law predicts for n workers.
func (f AmdahlFit) Predict(n float64) float64 {
	return n / (1 + f.Serial*(n-1))
}

// USLFit is the Universal Scalability Law S(N) = N / (1 + σ(N−1) +
// κN(N−1)) fitted to measured speedups.
type USLFit struct {
	// Sigma is the contention coefficient σ ≥ 0 (serialisation);
	// Kappa is the coherency coefficient κ ≥ 0 (crosstalk, the
	// cause of retrograde scaling).
	Sigma, Kappa float64
	// R2 and RMSE are as in AmdahlFit.
	R2, RMSE float64
	// PeakN is the worker count of maximum predicted speedup,
	// √((1−σ)/κ), when κ > 0; it is clamped to 1 when that is below
	// 1 (adding workers never helps). It is 0 when κ = 0: the
	// speedup then rises monotonically towards 1/σ and has no peak.
	PeakN float64
	// PeakSpeedup is Predict(PeakN), 0 when PeakN is 0.
	PeakSpeedup float64
	// Points is the number of points fitted.
	Points int
}

// Predict returns the speedup the USL predicts for n workers.
func (f USLFit) Predict(n float64) float64 {
	return n / (1 + f.Sigma*(n-1) + f.Kappa*n*(n-1))
}

// FitAmdahl fits Amdahl's serial fraction s to the points.
//
// Method: Amdahl's law is the USL with κ = 0, since 1/(s + (1−s)/N) =
// N/(1 + s(N−1)). Gunther's linearisation y = N/S − 1 = s·(N−1) turns
// the fit into least squares through the origin, s = Σxy/Σx² with
// x = N−1, which is then clamped to [0, 1] (exact for a one-parameter
// convex problem). Points at N = 1 have x = 0 and do not move s, but
// their residuals count in R2 and RMSE, which are computed on the
// speedups themselves, not on the linearised y.
//
// Refusals: an error wrapping ErrInvalidInput when a point has
// Workers < 1 or a speedup that is not positive and finite (or so
// extreme that the fit overflows); one
// wrapping ErrInsufficientData with fewer than 2 distinct worker
// counts (one parameter + 1); and ErrPoorFit, with the fit still
// returned, when R2 < 0.5 and RMSE > 10 % of the mean measured
// speedup. Both must fail: flat data (a workload that does not scale)
// has almost no variance to explain, so a low R2 alone would refuse a
// fit that matches the data within its noise.
func FitAmdahl(points []Point) (AmdahlFit, error) {
	if err := checkPoints(points, 1); err != nil {
		return AmdahlFit{}, fmt.Errorf("stats: Amdahl fit: %w", err)
	}
	var sxy, sxx float64
	for _, p := range points {
		x, y := float64(p.Workers-1), float64(p.Workers)/p.Speedup-1
		sxy += x * y
		sxx += x * x
	}
	f := AmdahlFit{Serial: clamp(sxy/sxx, 0, 1), Points: len(points)}
	var mean float64
	f.R2, f.RMSE, mean = goodness(points, f.Predict)
	if !allFinite(f.Serial, f.R2, f.RMSE) {
		return AmdahlFit{}, fmt.Errorf("stats: Amdahl fit: %w: speedups or worker counts out of numeric range", ErrInvalidInput)
	}
	if err := checkGoodness(f.R2, f.RMSE, mean); err != nil {
		return f, fmt.Errorf("stats: Amdahl fit: %w", err)
	}
	return f, nil
}

// FitUSL fits the USL's contention σ and coherency κ to the points.
//
// Method: Gunther's linearisation y = N/S − 1 = σ·x1 + κ·x2 with
// x1 = N−1, x2 = N(N−1), least squares through the origin under
// σ ≥ 0, κ ≥ 0. The constrained minimum of this convex quadratic is
// either the unconstrained one (if both coefficients are ≥ 0) or lies
// on a boundary, so FitUSL solves the 2×2 normal equations and, if a
// coefficient is negative, takes the better of the one-parameter fits
// (κ = 0, σ = max(0, Σx1y/Σx1²)) and (σ = 0, κ = max(0, Σx2y/Σx2²)) —
// an exact non-negative least squares. A coefficient whose term adds
// less than 1e-9 to the denominator at the largest measured N is
// rounding noise and set to 0 (otherwise exact Amdahl data would yield
// κ ≈ 1e-17 and an absurd PeakN). R2 and RMSE are computed on the
// speedups. PeakN = √((1−σ)/κ) when κ > 0.
//
// Refusals are those of FitAmdahl, except that the USL has two
// parameters and so needs at least 3 distinct worker counts.
func FitUSL(points []Point) (USLFit, error) {
	if err := checkPoints(points, 2); err != nil {
		return USLFit{}, fmt.Errorf("stats: USL fit: %w", err)
	}
	var s11, s12, s22, s1y, s2y float64
	for _, p := range points {
		n := float64(p.Workers)
		x1, x2, y := n-1, n*(n-1), n/p.Speedup-1
		s11 += x1 * x1
		s12 += x1 * x2
		s22 += x2 * x2
		s1y += x1 * y
		s2y += x2 * y
	}
	// The normal equations are non-singular: checkPoints guarantees
	// two distinct N > 1, so x1 and x2 = N·x1 are independent.
	det := s11*s22 - s12*s12
	sigma := (s1y*s22 - s2y*s12) / det
	kappa := (s2y*s11 - s1y*s12) / det
	if !(sigma >= 0 && kappa >= 0) {
		// sse(σ, κ) up to the constant Σy²: −2σΣx1y − 2κΣx2y + σ²Σx1² + 2σκΣx1x2 + κ²Σx2².
		sse := func(a, b float64) float64 {
			return -2*a*s1y - 2*b*s2y + a*a*s11 + 2*a*b*s12 + b*b*s22
		}
		sOnly := math.Max(0, s1y/s11)
		kOnly := math.Max(0, s2y/s22)
		if sse(sOnly, 0) <= sse(0, kOnly) {
			sigma, kappa = sOnly, 0
		} else {
			sigma, kappa = 0, kOnly
		}
	}
	// Rounding leaves coefficients of ±1e-17 where the data has none
	// (an exact Amdahl curve gives κ ≈ 0 but not 0, and a huge PeakN).
	// A coefficient whose term adds less than 1e-9 to the denominator
	// (which is ≥ 1) at the largest measured N is such noise: make it 0.
	maxN := float64(slices.MaxFunc(points, func(a, b Point) int { return cmp.Compare(a.Workers, b.Workers) }).Workers)
	if sigma*(maxN-1) < negligible {
		sigma = 0
	}
	if kappa*maxN*(maxN-1) < negligible {
		kappa = 0
	}
	f := USLFit{Sigma: sigma, Kappa: kappa, Points: len(points)}
	if kappa > 0 {
		f.PeakN = math.Max(1, math.Sqrt(math.Max(0, (1-sigma)/kappa)))
		f.PeakSpeedup = f.Predict(f.PeakN)
	}
	var mean float64
	f.R2, f.RMSE, mean = goodness(points, f.Predict)
	if !allFinite(f.Sigma, f.Kappa, f.PeakN, f.PeakSpeedup, f.R2, f.RMSE) {
		return USLFit{}, fmt.Errorf("stats: USL fit: %w: speedups or worker counts out of numeric range", ErrInvalidInput)
	}
	if err := checkGoodness(f.R2, f.RMSE, mean); err != nil {
		return f, fmt.Errorf("stats: USL fit: %w", err)
	}
	return f, nil
}

// checkPoints validates fit input for a model with params parameters.
func checkPoints(points []Point, params int) error {
	if len(points) == 0 {
		return fmt.Errorf("%w: no points", ErrInsufficientData)
	}
	var distinct []int
	for _, p := range points {
		if p.Workers < 1 {
			return fmt.Errorf("%w: worker count %d, need ≥ 1", ErrInvalidInput, p.Workers)
		}
		if !(p.Speedup > 0) || math.IsInf(p.Speedup, 0) {
			return fmt.Errorf("%w: speedup %v at N=%d, need a positive finite speedup", ErrInvalidInput, p.Speedup, p.Workers)
		}
		if !slices.Contains(distinct, p.Workers) {
			distinct = append(distinct, p.Workers)
		}
	}
	slices.Sort(distinct)
	need := params + 1
	switch {
	case len(distinct) == 1:
		return fmt.Errorf("%w: all %d points have N=%d; need %d distinct worker counts", ErrInsufficientData, len(points), distinct[0], need)
	case len(distinct) < need:
		return fmt.Errorf("%w: %d distinct worker counts %v; need %d for %d parameter(s)", ErrInsufficientData, len(distinct), distinct, need, params)
	}
	return nil
}

// goodness returns R² and RMSE of predict on the measured speedups, and
// their mean.
func goodness(points []Point, predict func(float64) float64) (r2, rmse, mean float64) {
	var sumSq float64
	for _, p := range points {
		mean += p.Speedup
		sumSq += p.Speedup * p.Speedup
	}
	mean /= float64(len(points))
	var ssRes, ssTot float64
	for _, p := range points {
		r := p.Speedup - predict(float64(p.Workers))
		ssRes += r * r
		d := p.Speedup - mean
		ssTot += d * d
	}
	rmse = math.Sqrt(ssRes / float64(len(points)))
	const tiny = 1e-12 // relative: rounding noise of an exact fit
	switch {
	case ssRes <= tiny*sumSq:
		r2 = 1
	case ssTot <= tiny*sumSq:
		r2 = 0
	default:
		r2 = 1 - ssRes/ssTot
	}
	return r2, rmse, mean
}

// checkGoodness returns an ErrPoorFit error when both R² < minR2 and
// RMSE > maxRelRMSE × the mean speedup.
func checkGoodness(r2, rmse, mean float64) error {
	if r2 < minR2 && rmse > maxRelRMSE*mean {
		return fmt.Errorf("%w: R²=%.3f < %v and RMSE=%.3g is %.0f%% of the mean speedup %.3g (> %.0f%%)",
			ErrPoorFit, r2, minR2, rmse, 100*rmse/mean, mean, 100*maxRelRMSE)
	}
	return nil
}

// allFinite reports whether no value is NaN or ±Inf.
func allFinite(xs ...float64) bool {
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

func clamp(x, lo, hi float64) float64 {
	return math.Min(hi, math.Max(lo, x))
}
