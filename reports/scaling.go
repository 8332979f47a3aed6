package reports

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"harness/harness/rundir"
	"harness/harness/stats"
)

// Scaling is how each model's speedup grows with the worker count, with
// Amdahl and USL fits, and from which worker count one of the compared
// models is faster. It exists only for scenarios that measured at least
// two worker counts.
type Scaling struct {
	Workers []int          `json:"workers"` // the measured worker counts
	CPUs    int            `json:"cpus"`    // of the host: speedup past it needs waiting, not computing
	Models  []ModelScaling `json:"models"`
	// Crossover compares the verdict's two models (thread and process)
	// at every worker count; nil when they were not both run.
	Crossover *CrossoverResult `json:"crossover,omitempty"`
}

// ModelScaling is one model's speedups and fits. A fit that was computed
// but explains the data too badly is kept (the chart does not draw it)
// and Refused says why; a fit that could not be computed is nil.
type ModelScaling struct {
	Model  string         `json:"model"`
	Points []SpeedupPoint `json:"points"`
	// NoBaseline says why there are no speedups (no serial model).
	NoBaseline    string     `json:"no_baseline,omitempty"`
	Amdahl        *AmdahlFit `json:"amdahl,omitempty"`
	AmdahlRefused string     `json:"amdahl_refused,omitempty"`
	USL           *USLFit    `json:"usl,omitempty"`
	USLRefused    string     `json:"usl_refused,omitempty"`
}

// SpeedupPoint is Row.Speedup at one worker count.
type SpeedupPoint struct {
	Workers int `json:"workers"`
	Ratio
}

// AmdahlFit is stats.AmdahlFit for summary.json.
type AmdahlFit struct {
	SerialFraction float64 `json:"serial_fraction"`
	// MaxSpeedup is 1/SerialFraction, the limit as workers grow; 0 when
	// the fitted serial fraction is 0 (no limit).
	MaxSpeedup float64 `json:"max_speedup,omitempty"`
	R2         float64 `json:"r2"`
	RMSE       float64 `json:"rmse"`
	Points     int     `json:"points"`
}

// predict is the fitted curve: the speedup at n workers.
func (f *AmdahlFit) predict(n float64) float64 {
	return stats.AmdahlFit{Serial: f.SerialFraction}.Predict(n)
}

// USLFit is stats.USLFit for summary.json.
type USLFit struct {
	Sigma float64 `json:"sigma"` // contention
	Kappa float64 `json:"kappa"` // coherency: retrograde scaling past PeakWorkers
	// PeakWorkers and PeakSpeedup: where the fitted curve peaks; 0 when
	// Kappa is 0 (no peak).
	PeakWorkers float64 `json:"peak_workers,omitempty"`
	PeakSpeedup float64 `json:"peak_speedup,omitempty"`
	R2          float64 `json:"r2"`
	RMSE        float64 `json:"rmse"`
	Points      int     `json:"points"`
}

// predict is the fitted curve: the speedup at n workers.
func (f *USLFit) predict(n float64) float64 {
	return stats.USLFit{Sigma: f.Sigma, Kappa: f.Kappa}.Predict(n)
}

// CrossoverResult is stats.FindCrossover between two models.
type CrossoverResult struct {
	Models   []string `json:"models"` // the two compared
	Found    bool     `json:"found"`
	Faster   string   `json:"faster,omitempty"`
	From     int      `json:"from,omitempty"`
	Sentence string   `json:"sentence"`
}

// ScalingOf computes the scaling analysis of a run from its summary rows;
// nil when fewer than two worker counts were measured.
func ScalingOf(run *rundir.Run, rows []Row) *Scaling {
	counts := map[int]bool{}
	for _, r := range rows {
		counts[r.Workers] = true
	}
	if len(counts) < 2 {
		return nil
	}
	s := &Scaling{CPUs: run.Host.CPUs}
	idx := indexRows(rows)
	for n := range counts {
		s.Workers = append(s.Workers, n)
	}
	sort.Ints(s.Workers)
	serial := serialWalls(rows)
	for _, m := range run.Scenario.Models {
		if m == "serial" {
			continue
		}
		ms := ModelScaling{Model: m}
		for _, r := range rows {
			if r.Model == m && r.Speedup != nil {
				ms.Points = append(ms.Points, SpeedupPoint{Workers: r.Workers, Ratio: *r.Speedup})
			}
		}
		if len(serial) == 0 {
			ms.NoBaseline = "no serial baseline was run, so there is no speedup to fit"
			s.Models = append(s.Models, ms)
			continue
		}
		// One point per successful repetition: the fit's residuals then
		// carry the repetitions' spread.
		var pts []stats.Point
		for _, n := range s.Workers {
			base, ok := serial[n]
			if !ok {
				continue
			}
			for _, w := range idx.walls(m, n) {
				if w > 0 {
					pts = append(pts, stats.Point{Workers: n, Speedup: base.Median / w})
				}
			}
		}
		a, err := stats.FitAmdahl(pts)
		if err == nil || errors.Is(err, stats.ErrPoorFit) {
			ms.Amdahl = &AmdahlFit{SerialFraction: a.Serial, R2: a.R2, RMSE: a.RMSE, Points: a.Points}
			if a.Serial > 0 {
				ms.Amdahl.MaxSpeedup = 1 / a.Serial
			}
		}
		if err != nil {
			ms.AmdahlRefused = fitReason(err)
		}
		u, err := stats.FitUSL(pts)
		if err == nil || errors.Is(err, stats.ErrPoorFit) {
			ms.USL = &USLFit{Sigma: u.Sigma, Kappa: u.Kappa, PeakWorkers: u.PeakN, PeakSpeedup: u.PeakSpeedup, R2: u.R2, RMSE: u.RMSE, Points: u.Points}
		}
		if err != nil {
			ms.USLRefused = fitReason(err)
		}
		s.Models = append(s.Models, ms)
	}
	if a, b := compared(run); a != "" {
		s.Crossover = crossoverOf(idx, a, b, s.Workers)
	}
	return s
}

// fitReason is a refused fit's error without the package's prefix.
func fitReason(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, " fit: "); i >= 0 {
		msg = msg[i+len(" fit: "):]
	}
	return msg
}

func crossoverOf(idx rowIndex, a, b string, counts []int) *CrossoverResult {
	var pts []stats.WallTimes
	for _, n := range counts {
		wa, wb := idx.walls(a, n), idx.walls(b, n)
		if len(wa) > 0 && len(wb) > 0 {
			pts = append(pts, stats.WallTimes{Workers: n, A: wa, B: wb})
		}
	}
	res := &CrossoverResult{Models: []string{a, b}}
	c, err := stats.FindCrossover(a, b, pts)
	if err != nil {
		res.Sentence = fmt.Sprintf("no crossover of %s and %s: %s and %s did not both succeed at any worker count", a, b, a, b)
		return res
	}
	res.Found, res.Faster, res.From, res.Sentence = c.Found, c.Faster, c.From, c.String()
	return res
}

// Lines describes the analysis for the documents, one sentence per model
// and one for the crossover.
func (s *Scaling) Lines() []string {
	var out []string
	for _, m := range s.Models {
		var parts []string
		if m.NoBaseline != "" {
			out = append(out, fmt.Sprintf("%s: %s", m.Model, m.NoBaseline))
			continue
		}
		var sp []string
		for _, p := range m.Points {
			sp = append(sp, fmt.Sprintf("%.2f× at %d", p.Value, p.Workers))
		}
		if len(sp) > 0 {
			parts = append(parts, "speedup "+strings.Join(sp, ", "))
		}
		switch {
		case m.Amdahl != nil && m.AmdahlRefused == "":
			lim := "no limit"
			if m.Amdahl.MaxSpeedup > 0 {
				lim = fmt.Sprintf("at most %.2f× however many workers", m.Amdahl.MaxSpeedup)
			}
			parts = append(parts, fmt.Sprintf("Amdahl serial fraction s = %.3f (%s; R² %.2f)", m.Amdahl.SerialFraction, lim, m.Amdahl.R2))
		default:
			parts = append(parts, "Amdahl fit refused: "+m.AmdahlRefused)
		}
		switch {
		case m.USL != nil && m.USLRefused == "":
			peak := "no peak"
			if m.USL.PeakWorkers > 0 {
				peak = fmt.Sprintf("peaks at %.1f workers with %.2f×", m.USL.PeakWorkers, m.USL.PeakSpeedup)
			}
			parts = append(parts, fmt.Sprintf("USL contention σ = %.3f, coherency κ = %.4f (%s; R² %.2f)", m.USL.Sigma, m.USL.Kappa, peak, m.USL.R2))
		default:
			parts = append(parts, "USL fit refused: "+m.USLRefused)
		}
		out = append(out, fmt.Sprintf("%s: %s", m.Model, strings.Join(parts, "; ")))
	}
	if s.Crossover != nil {
		out = append(out, "Crossover: "+s.Crossover.Sentence)
	}
	return out
}

// scalingIntro introduces the scaling lines in the documents.
const scalingIntro = "Speedup over serial at each measured worker count, fitted with Amdahl's law and the Universal Scalability Law (every successful repetition a point; a fit is refused when it has too few worker counts or explains the data too badly), and from which worker count one model is significantly faster (Mann-Whitney U on the wall times, p ≤ 0.05)."
