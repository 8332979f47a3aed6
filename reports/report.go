package reports

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"harness/harness/rundir"
	"harness/harness/stats"
)

// Report is what every exporter renders, computed once from a scenario's
// run directory.
type Report struct {
	Dir     string // the scenario's run directory
	Run     *rundir.Run
	Rows    []Row
	Verdict string
	// Scaling is the speedup-vs-workers analysis: fits per model and the
	// crossover between the compared models; nil unless the scenario
	// swept at least two worker counts.
	Scaling *Scaling
	// Overheads compares the instrumented trials with their bare twins;
	// nil unless the run was made with --overhead.
	Overheads []Overhead
	// Charts is filled by the chart exporter, which runs first, so the
	// documents can embed or link what was drawn.
	Charts []Chart
	// ChartProblems names the charts that could not be drawn, and why;
	// the documents list them where the charts would be.
	ChartProblems []string

	// reps caches the representative trials' raw data (samples and trace
	// schedules), read once for the charts and reused by the timeline.
	reps []*trialData
}

// Chart is one rendered chart.
type Chart struct {
	Name    string // file base name: utilization, gantt, …
	Title   string
	Caption string // how to read it and where its data comes from
	PNG     string // file name in the scenario directory
	SVG     string
	// Width and Height are the PNG's size in pixels; the SVG has the
	// same size in CSS pixels (96 per inch).
	Width, Height int
}

// Exporter writes one output format of a report into its directory.
type Exporter interface {
	// Name is the format, for errors: "markdown", "charts", ….
	Name() string
	Export(r *Report) error
}

// Exporters in the order they run: charts first, because the documents
// embed them, and the timeline before the documents, which link it.
func Exporters() []Exporter {
	return []Exporter{chartsExporter{}, timelineExporter{}, summaryJSON{}, markdownExporter{}, htmlExporter{}}
}

// Load reads a scenario's run directory and computes the figures.
func Load(dir string) (*Report, error) {
	run, err := rundir.ReadRun(dir)
	if err != nil {
		return nil, err
	}
	r := &Report{Dir: dir, Run: run, Rows: Rows(run)}
	r.Verdict = verdict(run, r.Rows)
	r.Scaling = ScalingOf(run, r.Rows)
	r.Overheads = Overheads(run)
	return r, nil
}

// Render writes every format of a scenario's report into its run
// directory. It reads only the run directory, so it can be run again at
// any time (`harness report DIR`). It returns the report and the errors
// of the exporters that failed; the others have written their files.
func Render(dir string) (*Report, error) {
	return renderWith(dir, Exporters())
}

// RenderDocuments writes only summary.json, README.md and index.html,
// without the charts and the timeline, which read every trace. It is what
// an interrupted run gets, in well under a second; `harness report DIR`
// draws the rest later.
func RenderDocuments(dir string) (*Report, error) {
	return renderWith(dir, []Exporter{summaryJSON{}, markdownExporter{}, htmlExporter{}})
}

func renderWith(dir string, exporters []Exporter) (*Report, error) {
	r, err := Load(dir)
	if err != nil {
		return nil, err
	}
	// Every exporter runs even when one fails: a chart that cannot be
	// drawn must not cost the reader the README and the summary.
	var errs []error
	for _, e := range exporters {
		if err := e.Export(r); err != nil {
			errs = append(errs, fmt.Errorf("render %s of %s: %w", e.Name(), dir, err))
		}
	}
	return r, errors.Join(errs...)
}

// compared picks the two models a verdict compares: thread and process
// when both ran, else the scenario's first two non-serial models.
func compared(run *rundir.Run) (string, string) {
	var ms []string
	for _, m := range run.Scenario.Models {
		if m != "serial" {
			ms = append(ms, m)
		}
	}
	if slices.Contains(ms, "thread") && slices.Contains(ms, "process") {
		return "thread", "process"
	}
	if len(ms) >= 2 {
		return ms[0], ms[1]
	}
	return "", ""
}

// verdict is one sentence computed from the figures at the largest worker
// count both compared models ran: which was faster and whether that is
// significant, then what the faster one cost in memory and start-up.
func verdict(run *rundir.Run, rows []Row) string {
	a, b := compared(run)
	if a == "" {
		return ""
	}
	idx := indexRows(rows)
	workers := -1
	for _, r := range rows {
		if idx[groupKey{a, r.Workers}] != nil && idx[groupKey{b, r.Workers}] != nil && r.Workers > workers {
			workers = r.Workers
		}
	}
	if workers < 0 {
		return fmt.Sprintf("No verdict: %s and %s did not both complete at any worker count.", a, b)
	}
	ra, rb := idx[groupKey{a, workers}], idx[groupKey{b, workers}]
	if ra.WallNs == nil || rb.WallNs == nil {
		return fmt.Sprintf("No verdict: %s or %s has no successful repetition at %d workers.", a, b, workers)
	}
	cmp := stats.Compare(ra.WallNs.values, rb.WallNs.values)
	var parts []string
	lead := fmt.Sprintf("With %d workers on %d CPUs, ", workers, run.Host.CPUs)
	fast, slow, rf, rs := a, b, ra, rb
	if rb.WallNs.Median < ra.WallNs.Median {
		fast, slow, rf, rs = b, a, rb, ra
	}
	ratio := rs.WallNs.Median / rf.WallNs.Median
	switch {
	case cmp.Significant && ratio >= 1+smallDifference:
		parts = append(parts, fmt.Sprintf("%s%s finished %.2f× faster than %s (%s vs %s median wall, p=%.3f)",
			lead, fast, ratio, slow, Duration(rf.WallNs.Median), Duration(rs.WallNs.Median), cmp.P))
	case cmp.Significant:
		parts = append(parts, fmt.Sprintf("%s%s and %s took about the same time (%s vs %s median wall; %s %.0f%% faster, significant at p=%.3f but small)",
			lead, a, b, Duration(ra.WallNs.Median), Duration(rb.WallNs.Median), fast, 100*(ratio-1), cmp.P))
	default:
		why := fmt.Sprintf("p=%.2f", cmp.P)
		if cmp.Reason != "" {
			why = "too few repetitions to tell: " + strings.TrimSuffix(cmp.Reason, ".")
		}
		parts = append(parts, fmt.Sprintf("%s%s and %s took about the same time (%s vs %s median wall; no significant difference, %s)",
			lead, a, b, Duration(ra.WallNs.Median), Duration(rb.WallNs.Median), why))
	}
	if ra.CoresBusy != nil && rb.CoresBusy != nil {
		parts = append(parts, fmt.Sprintf("%s kept %.2f cores busy and %s %.2f", a, ra.CoresBusy.Median, b, rb.CoresBusy.Median))
	}
	if ra.PeakRSSBytes != nil && rb.PeakRSSBytes != nil && ra.PeakRSSBytes.Median > 0 {
		parts = append(parts, fmt.Sprintf("%s used %.1f× the memory of %s (%s vs %s peak RSS)",
			b, rb.PeakRSSBytes.Median/ra.PeakRSSBytes.Median, a, Bytes(rb.PeakRSSBytes.Median), Bytes(ra.PeakRSSBytes.Median)))
	}
	if ra.SpawnNs != nil && rb.SpawnNs != nil && ra.SpawnNs.Median > 0 {
		parts = append(parts, fmt.Sprintf("a %s worker took %s to start against %s for %s",
			b, Duration(rb.SpawnNs.Median), Duration(ra.SpawnNs.Median), a))
	}
	return joinClauses(parts) + "."
}

// smallDifference is the relative difference in wall time below which the
// verdict calls two models about equally fast even when the difference is
// significant: a reviewer cares about 5%, not about 1%.
const smallDifference = 0.05

func joinClauses(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + "; " + parts[len(parts)-1]
}

// failedTrials lists the trials that did not succeed, warm-ups included.
func failedTrials(run *rundir.Run) []rundir.Trial {
	var out []rundir.Trial
	for _, t := range run.Trials {
		if t.Status != rundir.StatusOK {
			out = append(out, t)
		}
	}
	return out
}

// representative picks, per model, the trial the charts show: at the
// largest worker count, the successful measured repetition whose wall time
// is the median (so the picture is typical, not the best or worst run).
func representative(run *rundir.Run) []*rundir.Trial {
	maxW := 0
	for _, t := range run.Trials {
		if !t.Warmup && !t.Bare && t.Workers > maxW {
			maxW = t.Workers
		}
	}
	var out []*rundir.Trial
	for _, m := range run.Scenario.Models {
		var ts []*rundir.Trial
		for i := range run.Trials {
			t := &run.Trials[i]
			// Bare twins (harness run --overhead) have no profiles,
			// traces or samples to draw.
			if t.Model == m && t.Workers == maxW && !t.Warmup && !t.Bare {
				ts = append(ts, t)
			}
		}
		if len(ts) == 0 {
			continue
		}
		sort.SliceStable(ts, func(i, j int) bool {
			oi, oj := ts[i].Status == rundir.StatusOK, ts[j].Status == rundir.StatusOK
			if oi != oj {
				return oi
			}
			return ts[i].WallNs < ts[j].WallNs
		})
		ok := 0
		for _, t := range ts {
			if t.Status == rundir.StatusOK {
				ok++
			}
		}
		pick := ts[0]
		if ok > 0 {
			pick = ts[(ok-1)/2]
		}
		out = append(out, pick)
	}
	return out
}

// writeFile writes a report file atomically.
func (r *Report) writeFile(name string, data []byte) error {
	return rundir.WriteFile(filepath.Join(r.Dir, name), data)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
