package stats

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// seq returns 1, 2, …, n in the given permutation-free order.
func seq(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = float64(i + 1)
	}
	return v
}

// approx reports whether a and b agree to a relative 1e-12 (NaN == NaN).
func approx(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return a == b || math.Abs(a-b) <= 1e-12*math.Max(math.Abs(a), math.Abs(b))
}

func TestSummarize(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name                   string
		in                     []float64
		n, dropped             int
		median, min, max, mean float64
		lo, hi, conf           float64
		low                    bool
		outliers               []int
		confTol                float64 // absolute tolerance on conf; 0 = exact
	}{
		{
			// n=10, shuffled 10…19. Median = (x(5)+x(6))/2 = (14+15)/2.
			// Order-statistic interval [x(k), x(n−k+1)] with
			// P(k ≤ B(10,½) ≤ n−k) ≥ 0.95: k=2 gives
			// 1 − 2·P(B ≤ 1) = 1 − 2·(1+10)/1024 = 1002/1024 = 0.978515625
			// (k=3 would give 1 − 2·56/1024 = 0.8906 < 0.95): [x(2), x(9)] = [11, 18].
			// |x − 14.5| = 0.5,0.5,1.5,1.5,…,4.5,4.5 → MAD = 2.5;
			// max |M| = 0.6745·4.5/2.5 = 1.21 ≤ 3.5: no outliers.
			name: "n=10 symmetric", in: []float64{12, 10, 11, 15, 13, 14, 19, 16, 18, 17},
			n: 10, median: 14.5, min: 10, max: 19, mean: 14.5,
			lo: 11, hi: 18, conf: 1002.0 / 1024,
		},
		{
			// n=11: masses ×2048: 1,11,55,165,330,462,462,330,165,55,11,1.
			// Accumulating from band 5 (462), always taking the larger
			// neighbour, the left one on ties: +462(6) +330(4) +330(7)
			// +165(3) +165(8) +55(2) = 1969/2048 = 0.961426 ≥ 0.95, bands
			// 2…8, i.e. [x(2), x(9)] — not the symmetric [x(2), x(10)].
			name: "n=11 asymmetric", in: seq(11),
			n: 11, median: 6, min: 1, max: 11, mean: 6,
			lo: 2, hi: 9, conf: 1969.0 / 2048,
		},
		{
			// n=9: binomial(9,½) masses ×512: 1,9,36,84,126,126,84,36,9,1.
			// [x(2), x(8)] covers 1 − 2·(1+9)/512 = 492/512 = 0.9609375.
			name: "n=9", in: seq(9),
			n: 9, median: 5, min: 1, max: 9, mean: 5,
			lo: 2, hi: 8, conf: 492.0 / 512,
		},
		{
			// n=8: masses ×256: 1,8,28,56,70,56,28,8,1. Symmetric
			// [x(2), x(7)] covers 1 − 2·(1+8)/256 = 238/256 = 0.9297 < 0.95,
			// so one side widens by one order statistic (+8/256 either way);
			// benchmath breaks the tie to the left: [x(1), x(7)] = 246/256.
			name: "n=8 left-biased", in: seq(8),
			n: 8, median: 4.5, min: 1, max: 8, mean: 4.5,
			lo: 1, hi: 7, conf: 246.0 / 256,
		},
		{
			// n=6 is the smallest n reaching 95 %: [x(1), x(6)] covers
			// 1 − 2·0.5⁶ = 62/64 = 0.96875.
			name: "n=6 smallest with 95%", in: []float64{6, 5, 4, 3, 2, 1},
			n: 6, median: 3.5, min: 1, max: 6, mean: 3.5,
			lo: 1, hi: 6, conf: 62.0 / 64,
		},
		{
			// n=5: even [x(1), x(5)] covers only 1 − 2·0.5⁵ = 30/32 = 0.9375
			// (benchmath returns (−∞, x(5)]): report [min, max], low confidence.
			name: "n=5 low confidence", in: []float64{5, 1, 4, 2, 3},
			n: 5, median: 3, min: 1, max: 5, mean: 3,
			lo: 1, hi: 5, conf: 0.9375, low: true,
		},
		{
			// n=3: 1 − 2·0.5³ = 0.75.
			name: "n=3", in: []float64{30, 10, 20},
			n: 3, median: 20, min: 10, max: 30, mean: 20,
			lo: 10, hi: 30, conf: 0.75, low: true,
		},
		{
			// n=2: median = (1+3)/2; 1 − 2·0.25 = 0.5.
			name: "n=2", in: []float64{3, 1},
			n: 2, median: 2, min: 1, max: 3, mean: 2,
			lo: 1, hi: 3, conf: 0.5, low: true,
		},
		{
			// n=1: no interval at all, 1 − 2·0.5 = 0.
			name: "single value", in: []float64{7},
			n: 1, median: 7, min: 7, max: 7, mean: 7,
			lo: 7, hi: 7, conf: 0, low: true,
		},
		{
			name: "empty", in: nil,
			median: nan, min: nan, max: nan, mean: nan, lo: nan, hi: nan, conf: 0, low: true,
		},
		{
			name: "only non-finite", in: []float64{nan, math.Inf(1), math.Inf(-1)},
			dropped: 3,
			median:  nan, min: nan, max: nan, mean: nan, lo: nan, hi: nan, conf: 0, low: true,
		},
		{
			// Sorted 98,99,100,100,100,101,102,150: median (100+100)/2 = 100,
			// mean 850/8 = 106.25. |x−100| sorted 0,0,0,1,1,2,2,50 → MAD = 1.
			// M(150) = 0.6745·50/1 = 33.7 > 3.5 → index 7; M(98) = 1.35.
			// n=8 interval [x(1), x(7)] = [98, 102], 246/256.
			name: "outlier", in: []float64{100, 101, 99, 100, 102, 98, 100, 150},
			n: 8, median: 100, min: 98, max: 150, mean: 106.25,
			lo: 98, hi: 102, conf: 246.0 / 256, outliers: []int{7},
		},
		{
			// Low-side outlier: 5 vs median 100 (same MAD = 1 as above
			// with 150 replaced): M = 0.6745·95 = 64 → index 0.
			name: "low outlier", in: []float64{5, 101, 99, 100, 102, 98, 100, 100},
			n: 8, median: 100, min: 5, max: 102, mean: 88.125,
			lo: 5, hi: 101, conf: 246.0 / 256, outliers: []int{0},
		},
		{
			// MAD = 0 (nine 10s): fall back to 1.253314·meanAD with
			// meanAD = (9·0 + 10)/10 = 1: M(20) = 10/1.253314 = 7.98 > 3.5.
			// Interval [x(2), x(9)] = [10, 10].
			name: "MAD zero fallback flags", in: []float64{10, 10, 10, 10, 10, 10, 10, 10, 10, 20},
			n: 10, median: 10, min: 10, max: 20, mean: 11,
			lo: 10, hi: 10, conf: 1002.0 / 1024, outliers: []int{9},
		},
		{
			// MAD = 0, meanAD = 1/4: M(11) = 1/(1.253314·0.25) = 3.19 ≤ 3.5.
			name: "MAD zero fallback spares", in: []float64{10, 10, 11, 10},
			n: 4, median: 10, min: 10, max: 11, mean: 10.25,
			lo: 10, hi: 11, conf: 0.875, low: true,
		},
		{
			name: "all equal", in: []float64{4, 4, 4, 4, 4, 4, 4},
			n: 7, median: 4, min: 4, max: 4, mean: 4,
			lo: 4, hi: 4, conf: 126.0 / 128,
		},
		{
			// NaN and Inf are dropped; outlier indices still refer to the
			// input: the 20 is at index 11. Remaining n=10 as in
			// "MAD zero fallback flags".
			name: "non-finite dropped", in: []float64{nan, 10, 10, 10, math.Inf(1), 10, 10, 10, 10, 10, 10, 20},
			n: 10, dropped: 2, median: 10, min: 10, max: 20, mean: 11,
			lo: 10, hi: 10, conf: 1002.0 / 1024, outliers: []int{11},
		},
		{
			// n=31 uses benchmath's normal approximation (n > 30):
			// μ = 15.5, sd = √31/2 = 2.78388; bounds μ ∓ 1.959964·sd =
			// 10.044, 20.956, rounded out with continuity correction to the
			// binomial band [10, 22): [x(10), x(22)] — the textbook
			// k = ⌊(n+1)/2 − 1.96·√n/2⌋ = ⌊16 − 5.456⌋ = 10, n−k+1 = 22.
			// Confidence Φ(6/2.78388) − Φ(−6/2.78388) = 2Φ(2.15526) − 1 = 0.96886.
			name: "n=31 normal approximation", in: seq(31),
			n: 31, median: 16, min: 1, max: 31, mean: 16,
			lo: 10, hi: 22, conf: 0.96886, confTol: 1e-5,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := slices.Clone(tt.in)
			s := Summarize(in)
			if !slices.EqualFunc(in, tt.in, func(a, b float64) bool { return approx(a, b) }) {
				t.Errorf("Summarize modified its input: %v", in)
			}
			if s.N != tt.n || s.Dropped != tt.dropped {
				t.Errorf("N, Dropped = %d, %d; want %d, %d", s.N, s.Dropped, tt.n, tt.dropped)
			}
			for _, f := range []struct {
				name      string
				got, want float64
			}{
				{"Median", s.Median, tt.median}, {"Min", s.Min, tt.min}, {"Max", s.Max, tt.max},
				{"Mean", s.Mean, tt.mean}, {"Lo", s.Lo, tt.lo}, {"Hi", s.Hi, tt.hi},
				{"Confidence", s.Confidence, tt.conf},
			} {
				if f.name == "Confidence" && tt.confTol > 0 {
					if math.Abs(f.got-f.want) > tt.confTol {
						t.Errorf("Confidence = %v; want %v ± %v", f.got, f.want, tt.confTol)
					}
					continue
				}
				if !approx(f.got, f.want) {
					t.Errorf("%s = %v; want %v", f.name, f.got, f.want)
				}
			}
			if s.LowConfidence != tt.low {
				t.Errorf("LowConfidence = %v; want %v", s.LowConfidence, tt.low)
			}
			if tt.low != slices.ContainsFunc(s.Warnings, func(w string) bool { return strings.Contains(w, "95%") || strings.Contains(w, "no finite") }) {
				t.Errorf("Warnings = %q; want a low-confidence warning iff LowConfidence", s.Warnings)
			}
			if (tt.dropped > 0) != slices.ContainsFunc(s.Warnings, func(w string) bool { return strings.Contains(w, "non-finite") }) {
				t.Errorf("Warnings = %q; want a non-finite warning iff values were dropped", s.Warnings)
			}
			if !slices.Equal(s.Outliers, tt.outliers) {
				t.Errorf("Outliers = %v; want %v", s.Outliers, tt.outliers)
			}
		})
	}
}
