package stats

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// amdahl and usl generate exact speedups.
func amdahl(s float64, ns ...int) []Point {
	var pts []Point
	for _, n := range ns {
		pts = append(pts, Point{n, 1 / (s + (1-s)/float64(n))})
	}
	return pts
}

func usl(sigma, kappa float64, ns ...int) []Point {
	var pts []Point
	for _, n := range ns {
		N := float64(n)
		pts = append(pts, Point{n, N / (1 + sigma*(N-1) + kappa*N*(N-1))})
	}
	return pts
}

// jitter multiplies the i-th speedup by 1 + amp·((i mod 3) − 1): a
// deterministic ±amp noise pattern.
func jitter(pts []Point, amp float64) []Point {
	out := make([]Point, len(pts))
	for i, p := range pts {
		out[i] = Point{p.Workers, p.Speedup * (1 + amp*float64(i%3-1))}
	}
	return out
}

func TestFitAmdahl(t *testing.T) {
	tests := []struct {
		name      string
		pts       []Point
		s, sTol   float64
		r2, r2Tol float64
	}{
		{name: "exact s=0.1", pts: amdahl(0.1, 1, 2, 4, 8, 16), s: 0.1, sTol: 1e-12, r2: 1, r2Tol: 1e-12},
		{name: "exact s=0.5 no N=1", pts: amdahl(0.5, 2, 3), s: 0.5, sTol: 1e-12, r2: 1, r2Tol: 1e-12},
		{name: "perfect scaling s=0", pts: amdahl(0, 1, 2, 4), s: 0, sTol: 1e-12, r2: 1, r2Tol: 1e-12},
		// s=1: every speedup is 1, SStot = 0 and the fit is exact: R² := 1.
		{name: "no scaling s=1", pts: amdahl(1, 1, 2, 4, 8), s: 1, sTol: 1e-12, r2: 1, r2Tol: 0},
		{name: "repeated points", pts: append(amdahl(0.25, 2, 4, 8), amdahl(0.25, 2, 4, 8)...), s: 0.25, sTol: 1e-12, r2: 1, r2Tol: 1e-12},
		{
			// ±2 % deterministic noise on s=0.2, N=1…8.
			name: "noisy s=0.2", pts: jitter(amdahl(0.2, 1, 2, 3, 4, 5, 6, 7, 8), 0.02),
			s: 0.2, sTol: 0.01, r2: 1, r2Tol: 0.02,
		},
		{
			// By hand: y = N/S − 1, x = N − 1. (2, 1.6): x=1, y=0.25;
			// (4, 2.5): x=3, y=0.6. s = Σxy/Σx² = (0.25 + 1.8)/(1 + 9) = 0.205.
			// Ŝ(2) = 2/1.205 = 1.65975, Ŝ(4) = 4/1.615 = 2.47678;
			// residuals −0.05975, 0.02322: SSres = 0.0041092; mean 2.05,
			// SStot = 0.45² + 0.45² = 0.405; R² = 1 − 0.0041092/0.405 = 0.98985.
			name: "hand computed", pts: []Point{{2, 1.6}, {4, 2.5}},
			s: 0.205, sTol: 1e-12, r2: 0.98985, r2Tol: 1e-5,
		},
		{
			// Superlinear S = 1.1N: y = 1/1.1 − 1 < 0, s clamps to 0 (Ŝ = N).
			// Residuals 0.2, 0.4, 0.8: SSres = 0.84; mean 5.1333, SStot =
			// 22.5867; R² = 1 − 0.84/22.5867 = 0.96281.
			name: "superlinear clamps to 0", pts: []Point{{2, 2.2}, {4, 4.4}, {8, 8.8}},
			s: 0, sTol: 0, r2: 0.96281, r2Tol: 1e-5,
		},
		{
			// Noisy flat data: s clamps to 1 (Ŝ = 1). R² is 0 but RMSE =
			// √(0.0004·4/4) = 0.0158 is 1.6 % of the mean 1.0: accepted.
			name: "flat within noise", pts: []Point{{1, 1.02}, {2, 0.98}, {4, 1.01}, {8, 0.99}},
			s: 1, sTol: 0, r2: 0, r2Tol: 1e-9,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := FitAmdahl(tt.pts)
			if err != nil {
				t.Fatalf("FitAmdahl: %v", err)
			}
			if math.Abs(f.Serial-tt.s) > tt.sTol {
				t.Errorf("Serial = %v; want %v ± %v", f.Serial, tt.s, tt.sTol)
			}
			if math.Abs(f.R2-tt.r2) > tt.r2Tol {
				t.Errorf("R2 = %v; want %v ± %v", f.R2, tt.r2, tt.r2Tol)
			}
			if f.Points != len(tt.pts) || f.RMSE < 0 || math.IsNaN(f.RMSE) {
				t.Errorf("Points, RMSE = %d, %v", f.Points, f.RMSE)
			}
		})
	}
}

func TestFitUSL(t *testing.T) {
	tests := []struct {
		name              string
		pts               []Point
		sigma, kappa, tol float64
		kTol              float64
		peakN, peakS      float64
		peakTol           float64
		r2Min             float64
	}{
		{
			// Peak at √((1−0.05)/0.002) = √475 = 21.7945; there N(N−1) =
			// 475 − 21.7945 = 453.2055, so S = 21.7945/(1 + 0.05·20.7945 +
			// 0.002·453.2055) = 21.7945/2.946136 = 7.39765.
			name: "exact", pts: usl(0.05, 0.002, 1, 2, 4, 8, 16, 32),
			sigma: 0.05, kappa: 0.002, tol: 1e-12, kTol: 1e-12,
			peakN: math.Sqrt(475), peakS: 7.39765, peakTol: 1e-4, r2Min: 1 - 1e-12,
		},
		{
			// κ = 0 is Amdahl: no peak.
			name: "exact kappa=0", pts: usl(0.1, 0, 1, 2, 4, 8),
			sigma: 0.1, kappa: 0, tol: 1e-12, kTol: 1e-12, r2Min: 1 - 1e-12,
		},
		{
			// Pure coherency: σ = 0, peak √(1/0.01) = 10, S(10) = 10/1.9 = 5.26316.
			name: "exact sigma=0", pts: usl(0, 0.01, 2, 4, 8, 16),
			sigma: 0, kappa: 0.01, tol: 1e-12, kTol: 1e-12,
			peakN: 10, peakS: 10 / 1.9, peakTol: 1e-9, r2Min: 1 - 1e-12,
		},
		{
			// σ ≥ 1: (1−σ)/κ < 0, speedup falls from the first worker; PeakN
			// is clamped to 1, where S = 1.
			name: "retrograde sigma>1", pts: usl(1.2, 0.01, 1, 2, 4, 8),
			sigma: 1.2, kappa: 0.01, tol: 1e-12, kTol: 1e-12,
			peakN: 1, peakS: 1, peakTol: 1e-12, r2Min: 1 - 1e-12,
		},
		{
			// ±1 % deterministic noise on σ=0.05, κ=0.002 at 8 counts.
			name: "noisy", pts: jitter(usl(0.05, 0.002, 1, 2, 3, 4, 6, 8, 12, 16), 0.01),
			sigma: 0.05, kappa: 0.002, tol: 0.005, kTol: 0.0002,
			peakN: math.Sqrt(475), peakS: 7.39765, peakTol: 0.5, r2Min: 0.99,
		},
		{
			// Non-negativity: the linearised data y = 0.3(N−1) − 0.01N(N−1)
			// (S = 1.5625, 2.24719, 3.14961 at N = 2, 4, 8) has the
			// unconstrained solution κ = −0.01. Constrained: κ = 0 and
			// σ = Σx1·y/Σx1² with x1 = 1, 3, 7 and y = 0.28, 0.78, 1.54:
			// (0.28 + 2.34 + 10.78)/(1 + 9 + 49) = 13.4/59 = 0.227119.
			// (The σ = 0 face is worse: κ = Σx2·y/Σx2² = 93.76/3280 gives a
			// larger residual.)
			name: "kappa constrained to 0", pts: []Point{{2, 2 / 1.28}, {4, 4 / 1.78}, {8, 8 / 2.54}},
			sigma: 13.4 / 59, kappa: 0, tol: 1e-12, kTol: 0, r2Min: 0.9,
		},
		{
			// Superlinear S = 1.1N: every linearised y = 1/1.1 − 1 is
			// negative, so the best feasible point is σ = κ = 0 (Ŝ = N).
			name: "superlinear clamps to 0,0", pts: []Point{{2, 2.2}, {4, 4.4}, {8, 8.8}},
			sigma: 0, kappa: 0, tol: 0, kTol: 0, r2Min: 0.96,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := FitUSL(tt.pts)
			if err != nil {
				t.Fatalf("FitUSL: %v", err)
			}
			if math.Abs(f.Sigma-tt.sigma) > tt.tol || math.Abs(f.Kappa-tt.kappa) > tt.kTol {
				t.Errorf("σ, κ = %v, %v; want %v ± %v, %v ± %v", f.Sigma, f.Kappa, tt.sigma, tt.tol, tt.kappa, tt.kTol)
			}
			if f.Sigma < 0 || f.Kappa < 0 {
				t.Errorf("σ, κ = %v, %v; want both ≥ 0", f.Sigma, f.Kappa)
			}
			if math.Abs(f.PeakN-tt.peakN) > tt.peakTol || math.Abs(f.PeakSpeedup-tt.peakS) > tt.peakTol {
				t.Errorf("peak = S(%v) = %v; want S(%v) = %v ± %v", f.PeakN, f.PeakSpeedup, tt.peakN, tt.peakS, tt.peakTol)
			}
			if f.R2 < tt.r2Min {
				t.Errorf("R2 = %v; want ≥ %v", f.R2, tt.r2Min)
			}
		})
	}
}

func TestFitRefusals(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	zigzag := []Point{{1, 1}, {2, 4}, {4, 0.5}, {8, 6}, {16, 0.7}}
	tests := []struct {
		name              string
		pts               []Point
		amdahlErr, uslErr error
		msg               string // substring of the Amdahl error
	}{
		{name: "no points", amdahlErr: ErrInsufficientData, uslErr: ErrInsufficientData, msg: "no points"},
		{name: "all N equal", pts: []Point{{4, 2}, {4, 2.1}, {4, 1.9}}, amdahlErr: ErrInsufficientData, uslErr: ErrInsufficientData, msg: "all 3 points have N=4"},
		{name: "only N=1", pts: []Point{{1, 1}}, amdahlErr: ErrInsufficientData, uslErr: ErrInsufficientData, msg: "N=1"},
		// Two distinct counts suffice for Amdahl (1 parameter) but not the USL (2).
		{name: "two distinct N", pts: amdahl(0.1, 1, 2, 2), uslErr: ErrInsufficientData},
		{name: "zero speedup", pts: []Point{{1, 1}, {2, 0}, {4, 3}}, amdahlErr: ErrInvalidInput, uslErr: ErrInvalidInput, msg: "speedup 0 at N=2"},
		{name: "negative speedup", pts: []Point{{1, 1}, {2, -1}, {4, 3}}, amdahlErr: ErrInvalidInput, uslErr: ErrInvalidInput},
		{name: "NaN speedup", pts: []Point{{1, 1}, {2, nan}, {4, 3}}, amdahlErr: ErrInvalidInput, uslErr: ErrInvalidInput},
		{name: "Inf speedup", pts: []Point{{1, 1}, {2, inf}, {4, 3}}, amdahlErr: ErrInvalidInput, uslErr: ErrInvalidInput},
		{name: "zero workers", pts: []Point{{0, 1}, {2, 2}, {4, 3}}, amdahlErr: ErrInvalidInput, uslErr: ErrInvalidInput, msg: "worker count 0"},
		// Zigzag: Amdahl R² = −0.43, RMSE 2.62 = 107 % of the mean 2.44;
		// USL R² = −0.21, RMSE 2.41 = 99 %.
		{name: "terrible fit", pts: zigzag, amdahlErr: ErrPoorFit, uslErr: ErrPoorFit, msg: "R²=-0.433"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			af, err := FitAmdahl(tt.pts)
			if !errors.Is(err, tt.amdahlErr) {
				t.Errorf("FitAmdahl error = %v; want %v", err, tt.amdahlErr)
			}
			if err != nil && (!strings.HasPrefix(err.Error(), "stats: Amdahl fit: ") || !strings.Contains(err.Error(), tt.msg)) {
				t.Errorf("FitAmdahl error = %q; want context and %q", err, tt.msg)
			}
			if errors.Is(err, ErrPoorFit) && af.Points != len(tt.pts) {
				t.Errorf("poor Amdahl fit not returned alongside the error: %+v", af)
			}
			uf, err := FitUSL(tt.pts)
			if !errors.Is(err, tt.uslErr) {
				t.Errorf("FitUSL error = %v; want %v", err, tt.uslErr)
			}
			if errors.Is(err, ErrPoorFit) && uf.Points != len(tt.pts) {
				t.Errorf("poor USL fit not returned alongside the error: %+v", uf)
			}
		})
	}
}
