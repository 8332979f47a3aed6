// Package compare compares two sets of measurements the way benchstat
// does: two run directories (same scenarios, models and worker counts,
// measured twice) or two models of one run. For every figure — wall,
// CPU, cores busy, spawn latency, peak RSS — it gives each side's median
// with its interval, the change of the medians in percent and the
// Mann-Whitney U p-value, and calls a change significant at
// p ≤ stats.Alpha only. It reads run directories and renders text,
// Markdown and JSON; the command line lives in cmd/harness.
//
// Only successful, measured trials count, grouped as the report's table
// groups them (reports.Rows): warm-ups and the bare twins of --overhead are
// never measurements, and a failed trial's figures describe the failure,
// not the workload.
package compare

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"harness/harness/rundir"
	"harness/harness/stats"
	"harness/reports"
)

// Schema is the JSON output's "schema". It changes when a field changes
// meaning or goes away, not when one is added.
const Schema = 1

// Comparison modes (Result.Mode).
const (
	ModeRuns   = "runs"   // two run directories, matched by scenario, model and workers
	ModeModels = "models" // two models of one run directory, matched by scenario and workers
)

// Result is a whole comparison; it is also the JSON output, so its fields
// are the documented, stable format. Units are in Figure.Unit.
type Result struct {
	Schema int    `json:"schema"`
	Mode   string `json:"mode"`
	// A is the baseline, B what is compared with it: a change is B
	// relative to A. In models mode both sides have the same Dir and
	// Model names the model of the side.
	A     Side    `json:"a"`
	B     Side    `json:"b"`
	Alpha float64 `json:"alpha"` // significance level of every p-value: stats.Alpha
	// Scenarios are the scenarios compared, in A's order.
	Scenarios []ScenarioResult `json:"scenarios"`
	// OnlyInA and OnlyInB name scenarios that only one side has (runs
	// mode) or that do not have both models (models mode, in OnlyInA
	// when only A's model ran, in OnlyInB when only B's did).
	OnlyInA []string `json:"only_in_a,omitempty"`
	OnlyInB []string `json:"only_in_b,omitempty"`
	Notes   []string `json:"notes,omitempty"`
	// FailOn are the thresholds checked (see Check), as given; Violations
	// the significant changes beyond them. Violations is [] when none.
	FailOn     []string    `json:"fail_on,omitempty"`
	Violations []Violation `json:"violations"`
}

// Side describes one side of the comparison.
type Side struct {
	Dir   string `json:"dir"`
	Model string `json:"model,omitempty"` // models mode only
}

// ScenarioResult compares one scenario.
type ScenarioResult struct {
	Name string `json:"name"`
	// NameB is B's scenario name when it differs: two scenario
	// directories given explicitly are compared whatever their names.
	NameB string `json:"name_b,omitempty"`
	DirA  string `json:"dir_a"`
	DirB  string `json:"dir_b"`
	// Rows are the (model, workers) groups both sides measured, by
	// workers then model.
	Rows []Row `json:"rows"`
	// OnlyInA and OnlyInB are the groups only one side has measured trials
	// for; they are not compared. In models mode Model is that side's
	// model.
	OnlyInA []Group  `json:"only_in_a,omitempty"`
	OnlyInB []Group  `json:"only_in_b,omitempty"`
	Notes   []string `json:"notes,omitempty"`
}

// Group is a model and worker count.
type Group struct {
	Model   string `json:"model"`
	Workers int    `json:"workers"`
}

// Row compares one group's figures.
type Row struct {
	// Model is the model of both sides in runs mode; empty in models
	// mode, where Result.A.Model and Result.B.Model name them.
	Model   string `json:"model,omitempty"`
	Workers int    `json:"workers"`
	// Figures are, in this order and when measured on either side:
	// wall, cpu, cores, spawn, rss (see Figures).
	Figures []Figure `json:"figures"`
}

// Figure is one figure of a row, A against B.
type Figure struct {
	Name string `json:"name"` // wall, cpu, cores, spawn, rss
	Unit string `json:"unit"` // ns, cores or bytes
	// A and B summarise each side's successful measured repetitions;
	// null when a side has none.
	A *Sample `json:"a"`
	B *Sample `json:"b"`
	// DeltaPct is 100·(B.Median/A.Median − 1); null when undefined (a
	// side has no sample, or A's median is 0). It is given whether or
	// not the change is significant; only Significant says it is real.
	DeltaPct *float64 `json:"delta_pct"`
	// P is the two-sided Mann-Whitney U p-value (1 when the test
	// cannot run); Significant is P ≤ Result.Alpha.
	P           float64 `json:"p"`
	Significant bool    `json:"significant"`
	// Reason says why no difference could be significant whatever the
	// values, such as too few repetitions; empty otherwise.
	Reason string `json:"reason,omitempty"`
}

// DeltaString renders the change as benchstat does: "~" when it is not
// significant, "?" when it is undefined, else a signed percentage such as
// "+12.34%".
func (f Figure) DeltaString() string {
	c := stats.Comparison{Significant: f.Significant, DeltaPct: math.NaN()}
	if f.DeltaPct != nil {
		c.DeltaPct = *f.DeltaPct
	}
	return c.DeltaString()
}

// Sample summarises one side of a figure.
type Sample struct {
	N      int     `json:"n"`
	Median float64 `json:"median"`
	// Lo and Hi bound the median with Confidence (order statistics);
	// with fewer than 6 values no 95 % interval exists, they are the
	// min and max and LowConfidence is set.
	Lo            float64 `json:"lo"`
	Hi            float64 `json:"hi"`
	Confidence    float64 `json:"confidence"`
	LowConfidence bool    `json:"low_confidence,omitempty"`
}

// figure defines one compared quantity: its name (also the --fail-on
// key), the unit and which of a report row's figures it is, so that
// compare and the report never disagree on a definition.
type figure struct {
	name, unit, title string
	of                func(r *reports.Row) *reports.Figure
	format            func(float64) string
}

// figures are compared in this order.
var figures = []figure{
	{"wall", "ns", "wall", func(r *reports.Row) *reports.Figure { return r.WallNs }, reports.Duration},
	{"cpu", "ns", "CPU", func(r *reports.Row) *reports.Figure { return r.CPUNs }, reports.Duration},
	{"cores", "cores", "cores busy", func(r *reports.Row) *reports.Figure { return r.CoresBusy }, reports.Cores},
	{"spawn", "ns", "spawn", func(r *reports.Row) *reports.Figure { return r.SpawnNs }, reports.Duration},
	{"rss", "bytes", "peak RSS", func(r *reports.Row) *reports.Figure { return r.PeakRSSBytes }, reports.Bytes},
}

// Figures lists the figure names in output order; they are the keys
// --fail-on accepts.
func Figures() []string {
	names := make([]string, len(figures))
	for i, f := range figures {
		names[i] = f.name
	}
	return names
}

// Runs compares two run directories. Scenarios are matched by name; when
// both arguments are single scenario directories they are compared
// whatever their names, since the user paired them. Within a scenario,
// groups are matched by model and worker count. The error says why
// nothing could be compared: no scenario, or no group, in common.
func Runs(a, b *Set) (*Result, error) {
	for _, s := range []*Set{a, b} {
		if len(s.Scenarios) == 0 {
			return nil, fmt.Errorf("%s: no run to compare", s.Dir)
		}
	}
	r := newResult(ModeRuns, Side{Dir: a.Dir}, Side{Dir: b.Dir})
	r.Notes = append(slices.Clone(a.Notes), b.Notes...)
	if !a.Batch && !b.Batch {
		r.Scenarios = append(r.Scenarios, compareRuns(a.Scenarios[0], b.Scenarios[0]))
	} else {
		onlyA, onlyB := pair(a.Scenarios, b.Scenarios, Scenario.name, func(sa, sb Scenario) {
			r.Scenarios = append(r.Scenarios, compareRuns(sa, sb))
		})
		r.OnlyInA, r.OnlyInB = scenarioNames(onlyA), scenarioNames(onlyB)
	}
	if len(r.Scenarios) == 0 {
		return nil, fmt.Errorf("no common scenario: %s has %s; %s has %s",
			a.Dir, strings.Join(scenarioNames(a.Scenarios), ", "), b.Dir, strings.Join(scenarioNames(b.Scenarios), ", "))
	}
	if !r.hasRows() {
		return nil, fmt.Errorf("nothing to compare: %s and %s have no model and worker count in common (%s)",
			a.Dir, b.Dir, strings.Join(onlyText(r), "; "))
	}
	return r, nil
}

// ParseModels reads --models A,B: two different model names.
func ParseModels(s string) (a, b string, err error) {
	ms := strings.Split(s, ",")
	if len(ms) != 2 {
		return "", "", fmt.Errorf("--models %q: want two models, e.g. --models thread,process", s)
	}
	a, b = strings.TrimSpace(ms[0]), strings.TrimSpace(ms[1])
	switch {
	case a == "" || b == "":
		return "", "", fmt.Errorf("--models needs two model names, got %q and %q", a, b)
	case a == b:
		return "", "", fmt.Errorf("--models %s,%s: compare two different models", a, b)
	}
	return a, b, nil
}

// Models compares model ma (A) with model mb (B) within every scenario of
// one run directory, matched by worker count (see ParseModels). The error
// says why nothing could be compared.
func Models(s *Set, ma, mb string) (*Result, error) {
	r := newResult(ModeModels, Side{Dir: s.Dir, Model: ma}, Side{Dir: s.Dir, Model: mb})
	r.Notes = slices.Clone(s.Notes)
	var missing, ran []string
	for _, sc := range s.Scenarios {
		t := tableOf(sc.Run)
		ra, rb := t.model(ma), t.model(mb)
		name := sc.name()
		ran = append(ran, fmt.Sprintf("%s ran %s", name, strings.Join(t.models(), ", ")))
		switch {
		case len(ra) == 0 && len(rb) == 0:
			missing = append(missing, name)
		case len(rb) == 0:
			r.OnlyInA = append(r.OnlyInA, name)
		case len(ra) == 0:
			r.OnlyInB = append(r.OnlyInB, name)
		default:
			sr := ScenarioResult{Name: name, DirA: sc.Dir, DirB: sc.Dir, Notes: t.notes("", ma, mb)}
			sr.compare(t, t, ra, rb, false)
			r.Scenarios = append(r.Scenarios, sr)
		}
	}
	if len(missing) > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("ran neither %s nor %s: %s", ma, mb, strings.Join(missing, ", ")))
	}
	if len(r.Scenarios) == 0 {
		return nil, fmt.Errorf("nothing to compare: no scenario of %s ran both %s and %s (%s)",
			s.Dir, ma, mb, strings.Join(ran, "; "))
	}
	if !r.hasRows() {
		return nil, fmt.Errorf("nothing to compare: %s and %s never ran with the same worker count in %s", ma, mb, s.Dir)
	}
	return r, nil
}

func newResult(mode string, a, b Side) *Result {
	return &Result{Schema: Schema, Mode: mode, A: a, B: b, Alpha: stats.Alpha, Violations: []Violation{}}
}

func (r *Result) hasRows() bool {
	return slices.ContainsFunc(r.Scenarios, func(sr ScenarioResult) bool { return len(sr.Rows) > 0 })
}

// compareRuns compares one scenario measured twice.
func compareRuns(a, b Scenario) ScenarioResult {
	sr := ScenarioResult{Name: a.name(), DirA: a.Dir, DirB: b.Dir}
	if b.name() != a.name() {
		sr.NameB = b.name()
	}
	ta, tb := tableOf(a.Run), tableOf(b.Run)
	sr.Notes = slices.Concat(differences(a.Run, b.Run), ta.notes("A"), tb.notes("B"))
	sr.compare(ta, tb, ta.rows, tb.rows, true)
	return sr
}

// table is a run's summary table as its report has it (reports.Rows): a
// row per model and worker count of its measured trials — warm-ups and
// the bare twins of --overhead are no measurements —, ordered by worker
// count, then model; a row's Trials are its successful trials. A group
// whose trials all failed has a row with no trials, so that it is
// compared with an empty sample and says so rather than looking
// unmeasured.
type table struct {
	run  *rundir.Run
	rows []reports.Row
}

func tableOf(run *rundir.Run) table { return table{run: run, rows: reports.Rows(run)} }

// model returns the rows of model m.
func (t table) model(m string) []reports.Row {
	var rows []reports.Row
	for _, row := range t.rows {
		if row.Model == m {
			rows = append(rows, row)
		}
	}
	return rows
}

// models lists the models the table has rows of.
func (t table) models() []string {
	var ms []string
	for _, row := range t.rows {
		if !slices.Contains(ms, row.Model) {
			ms = append(ms, row.Model)
		}
	}
	return ms
}

// compare pairs the rows of A (ra, from table a) with those of B (rb, from
// b) and compares each pair, in A's order. Rows are paired by model and
// worker count, or by worker count alone when byModel is false (two models
// of one run); the rows left unpaired are listed as only in A or B.
func (sr *ScenarioResult) compare(a, b table, ra, rb []reports.Row, byModel bool) {
	key := func(row reports.Row) Group {
		if byModel {
			return Group{row.Model, row.Workers}
		}
		return Group{Workers: row.Workers}
	}
	onlyA, onlyB := pair(ra, rb, key, func(x, y reports.Row) {
		k := key(x)
		sr.Rows = append(sr.Rows, compareGroup(k.Model, k.Workers, &x, &y))
	})
	sr.OnlyInA, sr.OnlyInB = groups(onlyA), groups(onlyB)
}

// pair calls both for every element of as that has an element of bs with
// the same key, in as's order, and returns the elements of either that
// have none.
func pair[T any, K comparable](as, bs []T, key func(T) K, both func(a, b T)) (onlyA, onlyB []T) {
	inB := map[K]T{}
	for _, b := range bs {
		inB[key(b)] = b
	}
	inA := map[K]bool{}
	for _, a := range as {
		k := key(a)
		inA[k] = true
		if b, ok := inB[k]; ok {
			both(a, b)
		} else {
			onlyA = append(onlyA, a)
		}
	}
	for _, b := range bs {
		if !inA[key(b)] {
			onlyB = append(onlyB, b)
		}
	}
	return onlyA, onlyB
}

func groups(rows []reports.Row) []Group {
	var gs []Group
	for _, row := range rows {
		gs = append(gs, Group{row.Model, row.Workers})
	}
	return gs
}

func compareGroup(model string, workers int, ra, rb *reports.Row) Row {
	row := Row{Model: model, Workers: workers}
	for _, f := range figures {
		va, vb := f.of(ra).Values(), f.of(rb).Values()
		if len(va) == 0 && len(vb) == 0 && len(ra.Trials)+len(rb.Trials) > 0 {
			continue // a figure the workload does not have: spawn of a command
		}
		c := stats.Compare(va, vb)
		fig := Figure{Name: f.name, Unit: f.unit, A: sample(c.A), B: sample(c.B),
			P: c.P, Significant: c.Significant, Reason: c.Reason}
		if !math.IsNaN(c.DeltaPct) && !math.IsInf(c.DeltaPct, 0) {
			d := c.DeltaPct
			fig.DeltaPct = &d
		}
		row.Figures = append(row.Figures, fig)
	}
	return row
}

func sample(s stats.Summary) *Sample {
	if s.N == 0 {
		return nil // its figures are NaN, which JSON cannot carry
	}
	return &Sample{N: s.N, Median: s.Median, Lo: s.Lo, Hi: s.Hi, Confidence: s.Confidence, LowConfidence: s.LowConfidence}
}

// differences notes what differs between two runs of a scenario besides
// the figures: a reviewer must know whether B ran another workload, on
// another machine or with another harness before reading a change as a
// regression.
func differences(a, b *rundir.Run) []string {
	var notes []string
	if wa, wb := jsonText(a.Scenario.Workload), jsonText(b.Scenario.Workload); wa != wb {
		notes = append(notes, fmt.Sprintf("the workload differs: A %s, B %s", wa, wb))
	}
	ha, hb := hostText(a.Host), hostText(b.Host)
	if ha != hb {
		notes = append(notes, fmt.Sprintf("measured on different hosts: A %s; B %s", ha, hb))
	}
	if a.HarnessVersion != b.HarnessVersion {
		notes = append(notes, fmt.Sprintf("measured by different harness versions: A %s, B %s", a.HarnessVersion, b.HarnessVersion))
	}
	return notes
}

func hostText(h rundir.Host) string {
	return fmt.Sprintf("%s, %d CPUs, GOMAXPROCS %d, %s, kernel %s", h.CPUModel, h.CPUs, h.GOMAXPROCS, h.GoVersion, h.Kernel)
}

func jsonText(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(data)
}

// notes says what of a run is missing from the comparison: an incomplete
// or interrupted run, and measured trials left out because they did not
// succeed. side is "A", "B" or "" (models mode); models, when given,
// restricts the failed trials to those models.
func (t table) notes(side string, models ...string) []string {
	prefix := ""
	if side != "" {
		prefix = side + ": "
	}
	var notes []string
	switch {
	case t.run.Interrupted:
		notes = append(notes, prefix+"the run was interrupted; only the trials it finished are compared")
	case !t.run.Complete:
		notes = append(notes, prefix+"the run is incomplete; only the trials it finished are compared")
	}
	status := map[string]string{}
	for _, tr := range t.run.Trials {
		status[tr.ID] = tr.Status
	}
	var failed []string
	for _, row := range t.rows {
		if len(models) > 0 && !slices.Contains(models, row.Model) {
			continue
		}
		for _, id := range row.Failed {
			failed = append(failed, fmt.Sprintf("%s (%s)", id, status[id]))
		}
	}
	if len(failed) > 0 {
		notes = append(notes, fmt.Sprintf("%s%d measured trial(s) did not succeed and are left out: %s", prefix, len(failed), strings.Join(failed, ", ")))
	}
	return notes
}

func (s Scenario) name() string { return s.Run.Scenario.Name }

func scenarioNames(ss []Scenario) []string {
	var ns []string
	for _, s := range ss {
		ns = append(ns, s.name())
	}
	return ns
}

// onlyText lists, per scenario, the groups only one side has.
func onlyText(r *Result) []string {
	var parts []string
	for _, sr := range r.Scenarios {
		parts = append(parts, fmt.Sprintf("%s: A has %s, B has %s", sr.Name, groupsText(sr.OnlyInA), groupsText(sr.OnlyInB)))
	}
	return parts
}

func groupsText(gs []Group) string {
	if len(gs) == 0 {
		return "nothing"
	}
	var parts []string
	for _, g := range gs {
		parts = append(parts, fmt.Sprintf("%s w%d", g.Model, g.Workers))
	}
	return strings.Join(parts, ", ")
}
