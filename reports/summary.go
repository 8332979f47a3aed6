// Package reports renders a finished run directory: the summary figures,
// Markdown, HTML, JSON, charts and timelines. It reads only the run
// directory (package rundir), never the runner's internals, so any run can
// be rendered again later.
package reports

import (
	"sort"

	"harness/harness/rundir"
)

// Stat is one figure over a group's repetitions.
type Stat struct {
	N      int     `json:"n"`
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
}

func statOf(xs []float64) Stat {
	if len(xs) == 0 {
		return Stat{}
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return Stat{N: len(s), Median: m, Min: s[0], Max: s[len(s)-1]}
}

// Row is one (model, worker count) of a scenario's summary table. Every
// figure is over the measured repetitions that succeeded.
type Row struct {
	Model   string `json:"model"`
	Workers int    `json:"workers"`
	Trials  int    `json:"trials"` // measured repetitions that succeeded
	Failed  int    `json:"failed"` // measured repetitions that did not
	// WallNs: work phase wall time (run.json wall_ns).
	WallNs Stat `json:"wall_ns"`
	// CPUNs: user+system CPU of all the trial's processes (rusage).
	CPUNs Stat `json:"cpu_ns"`
	// CoresBusy: CPU during the work phase / wall (run.json cores_busy).
	CoresBusy Stat `json:"cores_busy"`
	// Speedup: median serial wall / median wall at the same worker count;
	// 0 when serial did not run.
	Speedup float64 `json:"speedup,omitempty"`
	// SpawnNs: per trial, the median over workers of spawn → ready.
	SpawnNs Stat `json:"spawn_ns"`
	// PeakRSSBytes: per trial, the sum of the processes' peak RSS.
	PeakRSSBytes Stat `json:"peak_rss_bytes"`
}

// Rows computes the summary table of a run, ordered by worker count, then
// by the scenario's model order.
func Rows(run *rundir.Run) []Row {
	type key struct {
		model   string
		workers int
	}
	groups := map[key][]*rundir.Trial{}
	failed := map[key]int{}
	var keys []key
	for i := range run.Trials {
		t := &run.Trials[i]
		if t.Warmup {
			continue
		}
		k := key{t.Model, t.Workers}
		if _, seen := groups[k]; !seen {
			keys = append(keys, k)
			groups[k] = nil
		}
		if t.Status != rundir.StatusOK {
			failed[k]++
			continue
		}
		groups[k] = append(groups[k], t)
	}
	order := map[string]int{}
	for i, m := range run.Scenario.Models {
		order[m] = i
	}
	sort.SliceStable(keys, func(i, j int) bool {
		if keys[i].workers != keys[j].workers {
			return keys[i].workers < keys[j].workers
		}
		return order[keys[i].model] < order[keys[j].model]
	})
	var rows []Row
	for _, k := range keys {
		ts := groups[k]
		var wall, cpu, cores, spawn, rss []float64
		for _, t := range ts {
			wall = append(wall, float64(t.WallNs))
			cpu = append(cpu, float64(t.CPUUserNs+t.CPUSysNs))
			cores = append(cores, t.CoresBusy)
			rss = append(rss, float64(t.PeakRSSBytes))
			var lat []float64
			for _, w := range t.Runs {
				if w.ReadyNs > 0 && w.SpawnNs > 0 {
					lat = append(lat, float64(w.ReadyNs-w.SpawnNs))
				}
			}
			if len(lat) > 0 {
				spawn = append(spawn, statOf(lat).Median)
			}
		}
		rows = append(rows, Row{
			Model: k.model, Workers: k.workers, Trials: len(ts), Failed: failed[k],
			WallNs: statOf(wall), CPUNs: statOf(cpu), CoresBusy: statOf(cores),
			SpawnNs: statOf(spawn), PeakRSSBytes: statOf(rss),
		})
	}
	serial := map[int]float64{}
	for _, r := range rows {
		if r.Model == "serial" && r.WallNs.N > 0 {
			serial[r.Workers] = r.WallNs.Median
		}
	}
	for i := range rows {
		if s, ok := serial[rows[i].Workers]; ok && rows[i].WallNs.Median > 0 {
			rows[i].Speedup = s / rows[i].WallNs.Median
		}
	}
	return rows
}
