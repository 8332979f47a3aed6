// Package reports renders a finished run directory: the summary figures,
// Markdown, HTML, JSON, charts and timelines. It reads only the run
// directory (package rundir and the files it names), never the runner's
// internals, so any run can be rendered again later.
package reports

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"harness/harness/rundir"
	"harness/harness/stats"
)

// Figure is one measured quantity over a group's successful repetitions:
// the median with a confidence interval for it, the range, and the
// repetitions flagged as outliers.
type Figure struct {
	N      int     `json:"n"`
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	Mean   float64 `json:"mean"`
	// CILo and CIHi bound the median with the stated confidence
	// (order statistics, benchmath's AssumeNothing). With fewer than 6
	// repetitions no 95% interval exists: it is [min, max] and
	// LowConfidence says so.
	CILo          float64 `json:"ci_lo"`
	CIHi          float64 `json:"ci_hi"`
	Confidence    float64 `json:"confidence"`
	LowConfidence bool    `json:"low_confidence,omitempty"`
	// Outliers are the repetitions (trial IDs) more than 3.5 robust
	// standard deviations (modified z-score) and more than 5% from the
	// median.
	Outliers []string `json:"outliers,omitempty"`
	sum      stats.Summary
	values   []float64 // the repetitions, in trial order
}

// minOutlierShare is how far from the median, relatively, a repetition
// must be to be called an outlier, besides its modified z-score.
const minOutlierShare = 0.05

// Values are the figure's repetitions, in trial order; nil for a nil
// figure (a row with no value for it).
func (f *Figure) Values() []float64 {
	if f == nil {
		return nil
	}
	return f.values
}

func figureOf(xs []float64, ids []string) *Figure {
	s := stats.Summarize(xs)
	if s.N == 0 {
		return nil
	}
	f := &Figure{N: s.N, Median: s.Median, Min: s.Min, Max: s.Max, Mean: s.Mean,
		CILo: s.Lo, CIHi: s.Hi, Confidence: s.Confidence, LowConfidence: s.LowConfidence, sum: s, values: xs}
	for _, i := range s.Outliers {
		// With a handful of tightly clustered repetitions the robust
		// spread is tiny and a 1% difference scores as an outlier; only
		// a difference that matters is worth a reviewer's attention.
		if math.Abs(xs[i]-s.Median) <= minOutlierShare*math.Abs(s.Median) {
			continue
		}
		f.Outliers = append(f.Outliers, ids[i])
	}
	return f
}

// Ratio is a speedup or an efficiency with its interval.
type Ratio struct {
	Value float64 `json:"value"`
	Lo    float64 `json:"lo"`
	Hi    float64 `json:"hi"`
	// Confidence is a lower bound on the interval's coverage (interval
	// arithmetic on the two medians' intervals).
	Confidence    float64 `json:"confidence"`
	LowConfidence bool    `json:"low_confidence,omitempty"`
}

func ratioOf(r stats.Ratio) *Ratio {
	return &Ratio{Value: r.Value, Lo: r.Lo, Hi: r.Hi, Confidence: r.Confidence, LowConfidence: r.LowConfidence}
}

// Row is one (model, worker count) of a scenario's summary table. Every
// figure is over the measured repetitions that succeeded; a nil figure was
// not measured (no successful repetition, or not applicable: commands have
// no spawn → ready).
type Row struct {
	Model   string   `json:"model"`
	Workers int      `json:"workers"`
	Trials  []string `json:"trials"`           // successful measured repetitions
	Failed  []string `json:"failed,omitempty"` // measured repetitions that failed or timed out
	// Interrupted: measured repetitions cut short by stopping the harness.
	Interrupted []string `json:"interrupted,omitempty"`
	// WallNs: work phase, first worker start → last worker end (Go
	// workers) or process start → exit (commands).
	WallNs *Figure `json:"wall_ns"`
	// CPUNs: user + system CPU of every process of the trial (rusage).
	CPUNs *Figure `json:"cpu_ns"`
	// CoresBusy: work-phase CPU / wall (Go workers: getrusage in the
	// workers; commands: the /proc sampler's average).
	CoresBusy *Figure `json:"cores_busy"`
	// SpawnNs: per trial, the median over workers of spawn requested →
	// ready at the start barrier.
	SpawnNs *Figure `json:"spawn_ns,omitempty"`
	// PeakRSSBytes: per trial, the sum of its processes' peak RSS.
	PeakRSSBytes *Figure `json:"peak_rss_bytes"`
	// Speedup: serial wall / this wall (medians) at the same worker
	// count; Efficiency: Speedup / workers. Absent without serial.
	Speedup    *Ratio `json:"speedup,omitempty"`
	Efficiency *Ratio `json:"efficiency,omitempty"`
}

// Rows computes the summary table of a run, ordered by worker count, then
// by the scenario's model order.
func Rows(run *rundir.Run) []Row {
	groups := map[groupKey][]*rundir.Trial{}
	failed, interrupted := map[groupKey][]string{}, map[groupKey][]string{}
	var keys []groupKey
	seen := map[groupKey]bool{}
	for i := range run.Trials {
		t := &run.Trials[i]
		if t.Warmup || t.Bare {
			continue
		}
		k := groupKey{t.Model, t.Workers}
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
		switch t.Status {
		case rundir.StatusOK:
			groups[k] = append(groups[k], t)
		case rundir.StatusInterrupted:
			interrupted[k] = append(interrupted[k], t.ID)
		default:
			failed[k] = append(failed[k], t.ID)
		}
	}
	sortGroups(keys, run.Scenario.Models)
	var rows []Row
	for _, k := range keys {
		ts := groups[k]
		var ids []string
		var wall, cpu, cores, rss []float64
		var spawn []float64
		var spawnIDs []string
		for _, t := range ts {
			ids = append(ids, t.ID)
			wall = append(wall, float64(t.WallNs))
			cpu = append(cpu, float64(t.CPUUserNs+t.CPUSysNs))
			cores = append(cores, t.CoresBusy)
			rss = append(rss, float64(t.PeakRSSBytes))
			if lat := spawnLatency(t); lat > 0 {
				spawn = append(spawn, lat)
				spawnIDs = append(spawnIDs, t.ID)
			}
		}
		rows = append(rows, Row{
			Model: k.model, Workers: k.workers, Trials: ids, Failed: failed[k], Interrupted: interrupted[k],
			WallNs: figureOf(wall, ids), CPUNs: figureOf(cpu, ids), CoresBusy: figureOf(cores, ids),
			SpawnNs: figureOf(spawn, spawnIDs), PeakRSSBytes: figureOf(rss, ids),
		})
	}
	serial := serialWalls(rows)
	for i := range rows {
		r := &rows[i]
		s, ok := serial[r.Workers]
		if !ok || r.WallNs == nil {
			continue
		}
		sp, err := stats.Speedup(s.sum, r.WallNs.sum)
		if err != nil {
			continue
		}
		r.Speedup = ratioOf(sp)
		// The baseline's own efficiency (1/workers) means nothing.
		if eff, err := stats.Efficiency(sp, r.Workers); err == nil && r.Model != "serial" {
			r.Efficiency = ratioOf(eff)
		}
	}
	return rows
}

// spawnLatency is the median over a trial's workers of spawn requested →
// ready at the barrier, in ns; 0 when the trial has no worker timestamps.
func spawnLatency(t *rundir.Trial) float64 {
	var lat []float64
	for _, w := range t.Runs {
		if w.ReadyNs > 0 && w.SpawnNs > 0 && w.ReadyNs >= w.SpawnNs {
			lat = append(lat, float64(w.ReadyNs-w.SpawnNs))
		}
	}
	if len(lat) == 0 {
		return 0
	}
	return stats.Summarize(lat).Median
}

// serialWalls is the serial baseline's wall-time figure per worker count:
// what speedups are computed against.
func serialWalls(rows []Row) map[int]*Figure {
	serial := map[int]*Figure{}
	for _, r := range rows {
		if r.Model == "serial" && r.WallNs != nil {
			serial[r.Workers] = r.WallNs
		}
	}
	return serial
}

// groupKey is one (model, worker count) of a run: a row of its table.
type groupKey struct {
	model   string
	workers int
}

// rowIndex finds the rows of a table by group.
type rowIndex map[groupKey]*Row

func indexRows(rows []Row) rowIndex {
	idx := rowIndex{}
	for i := range rows {
		idx[groupKey{rows[i].Model, rows[i].Workers}] = &rows[i]
	}
	return idx
}

// walls are the wall times of a group's successful repetitions; nil when
// it has none.
func (idx rowIndex) walls(model string, workers int) []float64 {
	if r := idx[groupKey{model, workers}]; r != nil {
		return r.WallNs.Values()
	}
	return nil
}

// sortGroups orders groups by worker count, then by the scenario's model
// order.
func sortGroups(keys []groupKey, models []string) {
	order := map[string]int{}
	for i, m := range models {
		order[m] = i
	}
	sort.SliceStable(keys, func(i, j int) bool {
		if keys[i].workers != keys[j].workers {
			return keys[i].workers < keys[j].workers
		}
		return order[keys[i].model] < order[keys[j].model]
	})
}

// N is the table's "n": the repetitions the figures are over, and how many
// more ran without counting.
func (r Row) N() string {
	n := fmt.Sprint(len(r.Trials))
	var not []string
	if k := len(r.Failed); k > 0 {
		not = append(not, fmt.Sprintf("%d failed", k))
	}
	if k := len(r.Interrupted); k > 0 {
		not = append(not, fmt.Sprintf("%d interrupted", k))
	}
	if len(not) > 0 {
		n += " (" + strings.Join(not, ", ") + ")"
	}
	return n
}
