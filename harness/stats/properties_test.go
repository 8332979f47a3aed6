package stats

import (
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"testing"
)

// TestDegenerateInputs pins what each function returns for the inputs
// the fuzz test below throws at it: empty, single value, NaN, Inf.
func TestDegenerateInputs(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)

	t.Run("Summarize near MaxFloat64", func(t *testing.T) {
		// benchmath's interpolation overflows here (to +Inf and NaN);
		// the median is recomputed as x/2 + y/2 or the middle value.
		const big = 9.655991433947954e+307
		if s := Summarize([]float64{big, -big}); s.Median != 0 || s.Mean != 0 {
			t.Errorf("got %+v", s)
		}
		if s := Summarize([]float64{big, -big, -big}); s.Median != -big {
			t.Errorf("got %+v", s)
		}
	})
	t.Run("Compare non-finite only", func(t *testing.T) {
		c := Compare([]float64{nan}, []float64{inf, -inf})
		if c.P != 1 || c.Significant || !math.IsNaN(c.DeltaPct) || c.Reason != "both samples are empty" || c.A.Dropped != 1 || c.B.Dropped != 2 {
			t.Errorf("got %+v", c)
		}
	})
	t.Run("Compare single values", func(t *testing.T) {
		// n=1+1: best p = 2/C(2,1) = 1.
		c := Compare([]float64{1}, []float64{2})
		if c.P != 1 || c.Significant || c.DeltaPct != 100 || c.Reason == "" {
			t.Errorf("got %+v", c)
		}
	})
	t.Run("Speedup single values", func(t *testing.T) {
		r, err := Speedup(Summarize([]float64{10}), Summarize([]float64{5}))
		if err != nil || r != (Ratio{Value: 2, Lo: 2, Hi: 2, Confidence: 0, LowConfidence: true}) {
			t.Errorf("got %+v, %v", r, err)
		}
	})
	t.Run("Speedup overflow", func(t *testing.T) {
		_, err := Speedup(Summarize([]float64{1e300}), Summarize([]float64{1e-300}))
		if !errors.Is(err, ErrInvalidInput) {
			t.Errorf("error = %v; want ErrInvalidInput", err)
		}
	})
	t.Run("Speedup NaN summary", func(t *testing.T) {
		_, err := Speedup(Summary{N: 1, Median: nan, Lo: nan, Hi: nan}, Summarize([]float64{1}))
		if !errors.Is(err, ErrInvalidInput) {
			t.Errorf("error = %v; want ErrInvalidInput", err)
		}
	})
	t.Run("fits single point", func(t *testing.T) {
		if _, err := FitAmdahl([]Point{{2, 1.5}}); !errors.Is(err, ErrInsufficientData) {
			t.Errorf("FitAmdahl error = %v", err)
		}
		if _, err := FitUSL([]Point{{2, 1.5}}); !errors.Is(err, ErrInsufficientData) {
			t.Errorf("FitUSL error = %v", err)
		}
	})
	t.Run("fits extreme speedups", func(t *testing.T) {
		pts := []Point{{1, 1}, {2, 1e-310}, {1 << 40, 1e300}}
		if _, err := FitUSL(pts); !errors.Is(err, ErrInvalidInput) && !errors.Is(err, ErrPoorFit) {
			t.Errorf("FitUSL error = %v", err)
		}
	})
	t.Run("crossover empty samples", func(t *testing.T) {
		c, err := FindCrossover("a", "b", []WallTimes{{Workers: 1}, {Workers: 2, A: []float64{nan}}})
		if err != nil || c.Found || c.Reason == "" || len(c.Steps) != 2 {
			t.Errorf("got %+v, %v", c, err)
		}
	})
}

// FuzzStats feeds arbitrary float64 bit patterns (NaN, ±Inf, huge,
// subnormal) to every exported function and checks that none panics and
// that every result satisfies its documented invariants.
func FuzzStats(f *testing.F) {
	enc := func(xs ...float64) []byte {
		b := make([]byte, 0, 8*len(xs))
		for _, x := range xs {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
		}
		return b
	}
	nan, inf := math.NaN(), math.Inf(1)
	f.Add(enc(), uint8(0), 1)
	f.Add(enc(1), uint8(0), 1)
	f.Add(enc(1), uint8(1), 2)
	f.Add(enc(nan), uint8(0), 0)
	f.Add(enc(inf, -inf, nan), uint8(1), -3)
	f.Add(enc(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), uint8(5), 4)
	f.Add(enc(5, 5, 5, 5, 5, 5), uint8(3), 8)
	f.Add(enc(1e308, -1e308, 1e308, 5e-324, 0, -0.0), uint8(3), math.MaxInt)
	f.Add(enc(100, 101, 99, 100, 102, 98, 100, 150, 1, 2), uint8(8), 16)
	f.Fuzz(func(t *testing.T, data []byte, split uint8, workers int) {
		var xs []float64
		for len(data) >= 8 {
			xs = append(xs, math.Float64frombits(binary.LittleEndian.Uint64(data)))
			data = data[8:]
		}
		if len(xs) > 200 {
			xs = xs[:200] // keep the exact U distribution cheap
		}
		k := min(int(split), len(xs))
		a, b := xs[:k], xs[k:]
		orig := slices.Clone(xs)

		sa, sb := Summarize(a), Summarize(b)
		checkSummary(t, a, sa)
		checkSummary(t, b, sb)

		c := Compare(a, b)
		if !(c.P >= 0 && c.P <= 1+1e-9) || c.Significant != (c.P <= Alpha) || c.DeltaString() == "" {
			t.Errorf("Compare: P=%v Significant=%v", c.P, c.Significant)
		}
		if (c.A.N == 0 || c.B.N == 0) && (c.Significant || c.Reason == "") {
			t.Errorf("Compare with an empty sample: %+v", c)
		}

		if r, err := Speedup(sa, sb); err == nil {
			if !allFinite(r.Value, r.Lo, r.Hi) || !(r.Lo <= r.Value && r.Value <= r.Hi) || r.Confidence < 0 || r.Confidence > 1 {
				t.Errorf("Speedup = %+v", r)
			}
			if e, err := Efficiency(r, workers); err == nil {
				if workers < 1 || !(e.Lo <= e.Value && e.Value <= e.Hi) {
					t.Errorf("Efficiency(%+v, %d) = %+v", r, workers, e)
				}
			} else if !errors.Is(err, ErrInvalidInput) {
				t.Errorf("Efficiency error %v", err)
			}
		} else {
			checkErr(t, err)
		}

		// Speedups from the values, workers from the position (and the
		// fuzzed count for the first point).
		var pts []Point
		for i, x := range xs {
			w := 1 << (i % 6)
			if i == 0 {
				w = workers
			}
			pts = append(pts, Point{w, x})
		}
		af, err := FitAmdahl(pts)
		if err == nil || errors.Is(err, ErrPoorFit) {
			if !allFinite(af.Serial, af.R2, af.RMSE) || af.Serial < 0 || af.Serial > 1 || af.R2 > 1 || af.RMSE < 0 {
				t.Errorf("FitAmdahl = %+v, %v", af, err)
			}
		} else {
			checkErr(t, err)
		}
		uf, err := FitUSL(pts)
		if err == nil || errors.Is(err, ErrPoorFit) {
			if !allFinite(uf.Sigma, uf.Kappa, uf.R2, uf.RMSE, uf.PeakN, uf.PeakSpeedup) || uf.Sigma < 0 || uf.Kappa < 0 || uf.R2 > 1 || uf.RMSE < 0 ||
				(uf.Kappa > 0) != (uf.PeakN >= 1) {
				t.Errorf("FitUSL = %+v, %v", uf, err)
			}
		} else {
			checkErr(t, err)
		}

		var wt []WallTimes
		for i := 0; i+1 < len(xs) && i < 12; i += 2 {
			wt = append(wt, WallTimes{Workers: i/2 + 1, A: xs[i : i+1], B: xs[i+1 : i+2]})
		}
		wt = append(wt, WallTimes{Workers: max(workers, 1), A: a, B: b})
		if cr, err := FindCrossover("a", "b", wt); err == nil {
			if cr.Found == (cr.Reason != "") || cr.String() == "" || len(cr.Steps) != len(wt) {
				t.Errorf("FindCrossover = %+v", cr)
			}
		} else {
			checkErr(t, err)
		}

		if !slices.EqualFunc(xs, orig, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) }) {
			t.Errorf("input modified")
		}
	})
}

func checkSummary(t *testing.T, in []float64, s Summary) {
	t.Helper()
	if s.N+s.Dropped != len(in) || s.Confidence < 0 || s.Confidence > 1 || s.LowConfidence != (s.Confidence < Confidence) {
		t.Errorf("Summarize(%v) = %+v", in, s)
	}
	if s.N == 0 {
		if !math.IsNaN(s.Median) || !math.IsNaN(s.Lo) || s.Outliers != nil {
			t.Errorf("empty Summarize(%v) = %+v", in, s)
		}
		return
	}
	if !(s.Min <= s.Lo && s.Lo <= s.Median && s.Median <= s.Hi && s.Hi <= s.Max && s.Min <= s.Mean && s.Mean <= s.Max) {
		t.Errorf("Summarize(%v): order violated: %+v", in, s)
	}
	if !slices.IsSorted(s.Outliers) || len(s.Outliers) >= s.N && s.N > 0 {
		t.Errorf("Summarize(%v): outliers %v", in, s.Outliers)
	}
	for _, i := range s.Outliers {
		if i < 0 || i >= len(in) || math.IsNaN(in[i]) || math.IsInf(in[i], 0) {
			t.Errorf("Summarize(%v): bad outlier index %d", in, i)
		}
	}
}

func checkErr(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, ErrInvalidInput) && !errors.Is(err, ErrInsufficientData) && !errors.Is(err, ErrPoorFit) {
		t.Errorf("error %v wraps no sentinel", err)
	}
}
