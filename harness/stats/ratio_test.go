package stats

import (
	"errors"
	"math"
	"testing"
)

func TestSpeedupEfficiency(t *testing.T) {
	// n=10 wall times; each interval is [x(2), x(9)] at 1002/1024.
	serial := Summarize([]float64{100, 95, 90, 105, 110, 100, 102, 98, 93, 107}) // sorted 90,93,95,98,100,100,102,105,107,110
	model := Summarize([]float64{50, 48, 52, 41, 59, 45, 55, 50, 47, 53})        // sorted 41,45,47,48,50,50,52,53,55,59
	c10 := 1002.0 / 1024
	tests := []struct {
		name          string
		serial, model Summary
		workers       int
		s, sLo, sHi   float64
		e, eLo, eHi   float64
		conf          float64
		low           bool
		speedupErr    error
		efficiencyErr error
	}{
		{
			// Medians 100 and 50: speedup 2. Interval [93/55, 107/45] =
			// [1.6909, 2.3778]; confidence ≥ (1002/1024)² = 0.95749.
			// Efficiency at 4 workers: 0.5, [0.42273, 0.59444].
			name: "from samples", serial: serial, model: model, workers: 4,
			s: 2, sLo: 93.0 / 55, sHi: 107.0 / 45,
			e: 0.5, eLo: 93.0 / 55 / 4, eHi: 107.0 / 45 / 4,
			conf: c10 * c10,
		},
		{
			// Hand-made summaries: 100 [90,110] / 50 [40,60] = 2 [1.5, 2.75].
			name:   "literal",
			serial: Summary{N: 6, Median: 100, Lo: 90, Hi: 110, Confidence: 0.96875},
			model:  Summary{N: 5, Median: 50, Lo: 40, Hi: 60, Confidence: 0.9375, LowConfidence: true},
			s:      2, sLo: 1.5, sHi: 2.75, workers: 2, e: 1, eLo: 0.75, eHi: 1.375,
			conf: 0.96875 * 0.9375, low: true,
		},
		{
			name: "empty model", serial: serial, model: Summarize(nil), workers: 1,
			speedupErr: ErrInsufficientData,
		},
		{
			name: "zero wall time", serial: serial, model: Summarize([]float64{0, 0, 0}), workers: 1,
			speedupErr: ErrInvalidInput,
		},
		{
			name: "negative serial", serial: Summarize([]float64{-1, -2}), model: model, workers: 1,
			speedupErr: ErrInvalidInput,
		},
		{
			name: "zero workers", serial: serial, model: model, workers: 0,
			s: 2, sLo: 93.0 / 55, sHi: 107.0 / 45, conf: c10 * c10,
			efficiencyErr: ErrInvalidInput,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Speedup(tt.serial, tt.model)
			if !errors.Is(err, tt.speedupErr) {
				t.Fatalf("Speedup error = %v; want %v", err, tt.speedupErr)
			}
			if err != nil {
				return
			}
			if !approx(s.Value, tt.s) || !approx(s.Lo, tt.sLo) || !approx(s.Hi, tt.sHi) {
				t.Errorf("speedup = %v [%v, %v]; want %v [%v, %v]", s.Value, s.Lo, s.Hi, tt.s, tt.sLo, tt.sHi)
			}
			if !approx(s.Confidence, tt.conf) || s.LowConfidence != tt.low {
				t.Errorf("speedup confidence = %v low=%v; want %v low=%v", s.Confidence, s.LowConfidence, tt.conf, tt.low)
			}
			e, err := Efficiency(s, tt.workers)
			if !errors.Is(err, tt.efficiencyErr) {
				t.Fatalf("Efficiency error = %v; want %v", err, tt.efficiencyErr)
			}
			if err != nil {
				return
			}
			if !approx(e.Value, tt.e) || !approx(e.Lo, tt.eLo) || !approx(e.Hi, tt.eHi) {
				t.Errorf("efficiency = %v [%v, %v]; want %v [%v, %v]", e.Value, e.Lo, e.Hi, tt.e, tt.eLo, tt.eHi)
			}
			if e.Confidence != s.Confidence || e.LowConfidence != s.LowConfidence {
				t.Errorf("efficiency confidence = %v/%v; want the speedup's %v/%v", e.Confidence, e.LowConfidence, s.Confidence, s.LowConfidence)
			}
		})
	}
}

func TestEfficiencyRejectsNonFinite(t *testing.T) {
	for _, r := range []Ratio{{Value: math.NaN()}, {Value: 1, Hi: math.Inf(1)}} {
		if _, err := Efficiency(r, 2); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("Efficiency(%v) error = %v; want ErrInvalidInput", r, err)
		}
	}
}
