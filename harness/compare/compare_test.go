package compare

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"harness/harness/rundir"
	"harness/harness/scenario"
	"harness/harness/workload"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// trialSpec is one hand-built trial: its group, and a wall time in ms
// from which the other figures follow (CPU = wall·workers + 5 ms of
// start-up, so that CPU differs from wall; spawn grows with the rep so
// that samples are not all equal).
type trialSpec struct {
	model   string
	workers int
	wallMs  float64
	warmup  bool
	bare    bool   // a --overhead twin: no measurement either
	status  string // "" = ok
}

func newRun(name string, iterations int64, models []string, specs ...trialSpec) *rundir.Run {
	run := &rundir.Run{
		Schema: rundir.SchemaVersion, HarnessVersion: "test", Complete: true,
		Host: rundir.Host{CPUModel: "Test CPU", CPUs: 2, GOMAXPROCS: 2, GoVersion: "go1.26.8", Kernel: "6.0"},
		Scenario: scenario.Scenario{Name: name, Models: models,
			Workload: scenario.Workload{Kind: "cpu", Params: &workload.Params{Iterations: iterations}}},
	}
	reps := map[string]int{}
	for i, s := range specs {
		key := fmt.Sprintf("%s-w%d", s.model, s.workers)
		reps[key]++
		rep := reps[key]
		id := fmt.Sprintf("%s-r%d", key, rep)
		switch {
		case s.warmup:
			id = fmt.Sprintf("%s-warmup%d", key, rep)
		case s.bare:
			id += "-bare"
		}
		status := s.status
		if status == "" {
			status = rundir.StatusOK
		}
		wall := int64(s.wallMs * 1e6)
		t := rundir.Trial{
			ID: id, Model: s.model, Workers: s.workers, Rep: rep, Warmup: s.warmup, Bare: s.bare, Seq: i, Status: status,
			WallNs: wall, CPUUserNs: wall * int64(s.workers), CPUSysNs: 5e6,
			CoresBusy: float64(s.workers) * 0.98, PeakRSSBytes: int64(10<<20 + rep<<16),
		}
		spawn := int64(20_000 + 1000*rep)
		if s.model == "process" {
			spawn = int64(2_000_000 + 10_000*rep)
		}
		for w := 1; w <= s.workers; w++ {
			base := int64(1e18) + int64(i)*1e9
			t.Runs = append(t.Runs, rundir.Worker{ID: w, Name: fmt.Sprintf("w%d", w), SpawnNs: base, ReadyNs: base + spawn})
		}
		run.Trials = append(run.Trials, t)
		run.Order = append(run.Order, id)
	}
	return run
}

// reps returns one trialSpec per wall time.
func reps(model string, workers int, walls ...float64) []trialSpec {
	var specs []trialSpec
	for _, w := range walls {
		specs = append(specs, trialSpec{model: model, workers: workers, wallMs: w})
	}
	return specs
}

func batch(dir string, runs ...*rundir.Run) *Set {
	s := &Set{Dir: dir, Batch: true}
	for _, r := range runs {
		s.Scenarios = append(s.Scenarios, Scenario{Dir: filepath.Join(dir, r.Scenario.Name), Run: r})
	}
	return s
}

func single(dir string, r *rundir.Run) *Set {
	return &Set{Dir: dir, Scenarios: []Scenario{{Dir: dir, Run: r}}}
}

var (
	fast = []float64{100, 101, 99, 102, 98, 100.5}  // n=6: a 95 % interval exists
	slow = []float64{200, 203, 198, 201, 199, 202}  // ≈ +100 %, fully separated
	same = []float64{100.2, 99.5, 101, 98.5, 101.5} // n=5: overlaps fast, range only
)

func TestRunsMatching(t *testing.T) {
	a := batch("a",
		newRun("s1", 1000, []string{"thread", "process"}, slices.Concat(
			[]trialSpec{{model: "thread", workers: 2, wallMs: 900, warmup: true}}, // never counted
			[]trialSpec{{model: "thread", workers: 2, wallMs: 50, bare: true}},    // nor is a bare twin
			reps("thread", 2, fast...),
			reps("process", 1, fast...), // only in A
			reps("process", 2, fast...),
			[]trialSpec{{model: "process", workers: 2, wallMs: 5000, status: rundir.StatusFailed}},
		)...),
		newRun("only-a", 1000, []string{"thread"}, reps("thread", 1, fast...)...),
	)
	b := batch("b",
		newRun("s1", 1000, []string{"serial", "thread", "process"}, slices.Concat(
			reps("serial", 2, slow...), // only in B
			reps("thread", 2, slow...),
			reps("process", 2, same...),
		)...),
		newRun("only-b", 1000, []string{"thread"}, reps("thread", 1, fast...)...),
	)
	r, err := Runs(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.OnlyInA, []string{"only-a"}) || !slices.Equal(r.OnlyInB, []string{"only-b"}) {
		t.Errorf("scenarios only in A, B = %v, %v; want [only-a], [only-b]", r.OnlyInA, r.OnlyInB)
	}
	if len(r.Scenarios) != 1 {
		t.Fatalf("%d scenarios compared; want 1", len(r.Scenarios))
	}
	sr := r.Scenarios[0]
	if got := groupsText(sr.OnlyInA); got != "process w1" {
		t.Errorf("groups only in A = %s; want process w1", got)
	}
	if got := groupsText(sr.OnlyInB); got != "serial w2" {
		t.Errorf("groups only in B = %s; want serial w2", got)
	}
	var got []string
	for _, row := range sr.Rows {
		got = append(got, fmt.Sprintf("%s w%d", row.Model, row.Workers))
	}
	if want := []string{"thread w2", "process w2"}; !slices.Equal(got, want) {
		t.Fatalf("rows = %v; want %v", got, want)
	}
	// thread w2: neither the warm-up nor the bare twin is a sample; 6 fast
	// vs 6 slow is a significant +100 %.
	wall, _ := sr.Rows[0].figure("wall")
	if wall.A.N != 6 || wall.B.N != 6 || !wall.Significant || wall.DeltaString() != "+100.00%" {
		t.Errorf("thread w2 wall: n=%d+%d significant=%v Δ=%s; want n=6+6, significant, +100.00%%",
			wall.A.N, wall.B.N, wall.Significant, wall.DeltaString())
	}
	// process w2: the failed trial is not a sample; the samples overlap.
	wall, _ = sr.Rows[1].figure("wall")
	if wall.A.N != 6 || wall.B.N != 5 || wall.Significant || wall.DeltaString() != "~" {
		t.Errorf("process w2 wall: n=%d+%d significant=%v Δ=%s; want n=6+5, ~", wall.A.N, wall.B.N, wall.Significant, wall.DeltaString())
	}
	if !slices.ContainsFunc(sr.Notes, func(n string) bool { return strings.Contains(n, "A: 1 measured trial(s) did not succeed") }) {
		t.Errorf("notes %q do not mention A's failed trial", sr.Notes)
	}
	var figs []string
	for _, f := range sr.Rows[0].Figures {
		figs = append(figs, f.Name)
	}
	if !slices.Equal(figs, Figures()) {
		t.Errorf("figures = %v; want %v", figs, Figures())
	}
}

func TestRunsSelf(t *testing.T) {
	// A run compared with itself: every U statistic is at its centre,
	// p = 1 and every change is 0 — never significant.
	run := newRun("s", 1000, []string{"thread", "process"}, slices.Concat(reps("thread", 2, fast...), reps("process", 2, slow...))...)
	r, err := Runs(single("a", run), single("a", run))
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range r.Scenarios[0].Rows {
		for _, f := range row.Figures {
			if f.Significant || f.DeltaString() != "~" || f.DeltaPct == nil || *f.DeltaPct != 0 || f.P != 1 {
				t.Errorf("%s w%d %s: Δ=%s p=%v; want ~, 0 %%, p=1", row.Model, row.Workers, f.Name, f.DeltaString(), f.P)
			}
		}
	}
	if v := r.Check([]Threshold{{"wall", true, 0}, {"wall", false, 0}}); len(v) != 0 {
		t.Errorf("self-comparison violates ±0%%: %v", v)
	}
}

func TestRunsPairing(t *testing.T) {
	ra := newRun("x", 1000, []string{"thread"}, reps("thread", 1, fast...)...)
	rb := newRun("x-long", 2000, []string{"thread"}, reps("thread", 1, slow...)...)

	// Two scenario directories: paired whatever their names.
	r, err := Runs(single("a/x", ra), single("b/x-long", rb))
	if err != nil {
		t.Fatal(err)
	}
	if sr := r.Scenarios[0]; sr.Name != "x" || sr.NameB != "x-long" || len(sr.Rows) != 1 {
		t.Errorf("paired %q with %q, %d rows; want x with x-long, 1 row", sr.Name, sr.NameB, len(sr.Rows))
	}
	if n := r.Scenarios[0].Notes; len(n) != 1 || !strings.Contains(n[0], `the workload differs: A {"kind":"cpu","params":{"iterations":1000}}, B {"kind":"cpu","params":{"iterations":2000}}`) {
		t.Errorf("notes = %q; want the workload difference", n)
	}

	// A batch against one of its scenarios: by name.
	rx := newRun("x", 1000, []string{"thread"}, reps("thread", 1, same...)...)
	r, err = Runs(batch("a", ra, rb), single("b/x", rx))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Scenarios) != 1 || r.Scenarios[0].Name != "x" || r.Scenarios[0].NameB != "" || !slices.Equal(r.OnlyInA, []string{"x-long"}) {
		t.Errorf("batch vs scenario: compared %v, only in A %v; want x, [x-long]", r.Scenarios, r.OnlyInA)
	}
}

// A group whose trials all failed on both sides is still a row, with
// every figure empty: a table of headers alone would say nothing.
func TestRunsAllFailed(t *testing.T) {
	failed := []trialSpec{{model: "thread", workers: 2, wallMs: 100, status: rundir.StatusFailed}}
	run := newRun("x", 1000, []string{"thread"}, failed...)
	r, err := Runs(single("a", run), single("b", run))
	if err != nil {
		t.Fatal(err)
	}
	rows := r.Scenarios[0].Rows
	if len(rows) != 1 || len(rows[0].Figures) != len(figures) {
		t.Fatalf("rows = %+v; want thread w2 with every figure", rows)
	}
	for _, f := range rows[0].Figures {
		if f.A != nil || f.B != nil || f.DeltaString() != "~" || f.Reason != "both samples are empty" {
			t.Errorf("%s: %+v; want two empty samples, ~", f.Name, f)
		}
	}
}

func TestRunsNothingInCommon(t *testing.T) {
	ra := newRun("x", 1000, []string{"thread"}, reps("thread", 1, fast...)...)
	rb := newRun("y", 1000, []string{"thread"}, reps("thread", 1, fast...)...)
	rw := newRun("x", 1000, []string{"thread"}, reps("thread", 4, fast...)...)
	for _, tt := range []struct {
		name string
		a, b *Set
		want string
	}{
		{"no common scenario", batch("a", ra), batch("b", rb), "no common scenario: a has x; b has y"},
		{"scenario not in batch", batch("a", ra), single("b/y", rb), "no common scenario: a has x; b/y has y"},
		{"no common group", single("a", ra), single("b", rw), "nothing to compare: a and b have no model and worker count in common (x: A has thread w1, B has thread w4)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Runs(tt.a, tt.b)
			if err == nil || err.Error() != tt.want {
				t.Errorf("err = %v; want %q", err, tt.want)
			}
		})
	}
}

func TestModels(t *testing.T) {
	both := newRun("both", 1000, []string{"thread", "process"}, slices.Concat(
		reps("thread", 1, fast...), reps("process", 1, slow...),
		reps("thread", 2, fast...), // process w2 never ran
		reps("process", 4, fast...),
	)...)
	threadOnly := newRun("thread-only", 1000, []string{"thread"}, reps("thread", 1, fast...)...)
	serialOnly := newRun("serial-only", 1000, []string{"serial"}, reps("serial", 1, fast...)...)
	s := batch("a", both, threadOnly, serialOnly)
	r, err := Models(s, "thread", "process")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.OnlyInA, []string{"thread-only"}) || len(r.OnlyInB) != 0 {
		t.Errorf("only in A, B = %v, %v; want [thread-only], []", r.OnlyInA, r.OnlyInB)
	}
	if len(r.Notes) != 1 || r.Notes[0] != "ran neither thread nor process: serial-only" {
		t.Errorf("notes = %q", r.Notes)
	}
	sr := r.Scenarios[0]
	if len(sr.Rows) != 1 || sr.Rows[0].Workers != 1 || sr.Rows[0].Model != "" {
		t.Fatalf("rows = %+v; want one, workers 1, no model", sr.Rows)
	}
	if groupsText(sr.OnlyInA) != "thread w2" || groupsText(sr.OnlyInB) != "process w4" {
		t.Errorf("only in A, B = %s, %s; want thread w2, process w4", groupsText(sr.OnlyInA), groupsText(sr.OnlyInB))
	}

	for _, tt := range []struct {
		flag, want string
	}{
		{"thread,thread", "--models thread,thread: compare two different models"},
		{"thread,", `--models needs two model names, got "thread" and ""`},
		{"thread", `--models "thread": want two models, e.g. --models thread,process`},
	} {
		if _, _, err := ParseModels(tt.flag); err == nil || err.Error() != tt.want {
			t.Errorf("ParseModels(%q): err = %v; want %q", tt.flag, err, tt.want)
		}
	}
	if a, b, err := ParseModels(" thread , gil"); err != nil || a != "thread" || b != "gil" {
		t.Errorf("ParseModels: %q, %q, %v", a, b, err)
	}
	want := "nothing to compare: no scenario of a ran both thread and gil (both ran thread, process; thread-only ran thread; serial-only ran serial)"
	if _, err := Models(s, "thread", "gil"); err == nil || err.Error() != want {
		t.Errorf("Models(thread, gil): err = %v; want %q", err, want)
	}
	if _, err := Models(batch("a", both), "thread", "serial"); err == nil {
		t.Error("thread vs serial: no error; want nothing to compare")
	}
}

func TestParseThresholds(t *testing.T) {
	got, err := ParseThresholds([]string{"wall:+5%,cpu:+10", " rss:+20.5% ", "cores:-10%", "wall:-50%"})
	if err != nil {
		t.Fatal(err)
	}
	var s []string
	for _, th := range got {
		s = append(s, th.String())
	}
	if want := "wall:+5% cpu:+10% rss:+20.5% cores:-10% wall:-50%"; strings.Join(s, " ") != want {
		t.Errorf("parsed %q; want %q", strings.Join(s, " "), want)
	}
	for spec, want := range map[string]string{
		"wall+5%":          `--fail-on "wall+5%": want FIGURE:+N% or FIGURE:-N%`,
		"wall:5%":          `--fail-on "wall:5%": want FIGURE:+N% or FIGURE:-N% (the sign is the bad direction)`,
		"wall:+five%":      `--fail-on "wall:+five%": want`,
		"speed:+5%":        `--fail-on "speed:+5%": unknown figure "speed"; figures: wall, cpu, cores, spawn, rss`,
		"wall:+5%,wall:+1": `--fail-on "wall:+1": a limit for wall in that direction is already given`,
	} {
		if _, err := ParseThresholds([]string{spec}); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("ParseThresholds(%q): err = %v; want prefix %q", spec, err, want)
		}
	}
}

func TestCheck(t *testing.T) {
	ra := newRun("x", 1000, []string{"thread", "process"}, slices.Concat(reps("thread", 1, fast...), reps("process", 1, fast...))...)
	rb := newRun("x", 1000, []string{"thread", "process"}, slices.Concat(reps("thread", 1, slow...), reps("process", 1, same...))...)
	r, err := Runs(single("a", ra), single("b", rb))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		limits string
		want   []string
	}{
		// thread: +100 %, significant. process: ≈ +0 %, not significant.
		{"wall:+5%", []string{"x thread w1: wall +100.00% beyond wall:+5% (p=0.002)"}},
		{"wall:+100.00%", nil}, // strictly beyond
		{"wall:-5%", nil},      // wrong direction
		{"cpu:+0%,wall:+99%", []string{"x thread w1: wall +100.00% beyond wall:+99% (p=0.002)", "x thread w1: cpu +95.25% beyond cpu:+0% (p=0.002)"}},
		{"rss:+0%", nil}, // RSS is the same on both sides
	} {
		ts, err := ParseThresholds([]string{tt.limits})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, v := range r.Check(ts) {
			got = append(got, v.String())
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("--fail-on %s: %q; want %q", tt.limits, got, tt.want)
		}
		if len(r.FailOn) != len(ts) {
			t.Errorf("FailOn = %q", r.FailOn)
		}
	}
}

// TestGolden renders hand-built comparisons in every format. The runs
// cover what the formats must show: a significant change, "~", a sample
// too small for a 95 % interval (n=5), a sample too small for any
// significance (n=3), a group measured with no success, groups and
// scenarios on one side only, notes.
func TestGolden(t *testing.T) {
	ra := newRun("seed", 1000, []string{"thread", "process"}, slices.Concat(
		reps("thread", 1, fast...), reps("process", 1, fast...),
		reps("thread", 2, 50, 51, 49), reps("process", 2, fast...),
		[]trialSpec{{model: "thread", workers: 4, wallMs: 10, status: rundir.StatusTimeout}},
	)...)
	rb := newRun("seed", 2000, []string{"thread", "process"}, slices.Concat(
		reps("thread", 1, slow...), reps("process", 1, same...),
		reps("thread", 2, 70, 71, 69), reps("process", 2, fast...),
		reps("thread", 4, fast...), reps("process", 8, fast...),
	)...)
	rb.Host.CPUs = 4
	rb.Interrupted = true
	runs, err := Runs(batch("old", ra, newRun("gone", 1, []string{"thread"}, reps("thread", 1, fast...)...)), batch("new", rb))
	if err != nil {
		t.Fatal(err)
	}
	limits, _ := ParseThresholds([]string{"wall:+5%,rss:+20%"})
	runs.Check(limits)

	models, err := Models(single("old/seed", ra), "thread", "process")
	if err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string]*Result{"runs": runs, "models": models} {
		for _, format := range Formats() {
			var buf bytes.Buffer
			if err := r.Write(&buf, format); err != nil {
				t.Fatal(err)
			}
			ext := map[string]string{FormatText: "txt", FormatMarkdown: "md", FormatJSON: "json"}[format]
			golden(t, filepath.Join("testdata", name+"."+ext), buf.Bytes())
			if format == FormatJSON {
				// The JSON output decodes into the documented struct
				// and says the same.
				var back Result
				if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
					t.Fatalf("%s JSON does not decode: %v", name, err)
				}
				again, _ := json.MarshalIndent(&back, "", "  ")
				if !bytes.Equal(append(again, '\n'), buf.Bytes()) {
					t.Errorf("%s JSON does not survive a round trip", name)
				}
			}
		}
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run with -update to accept):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(path string, v any) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := rundir.WriteJSON(path, v); err != nil {
			t.Fatal(err)
		}
	}
	run := newRun("x", 1000, []string{"thread"}, reps("thread", 1, fast...)...)
	okBatch := rundir.Batch{Schema: rundir.SchemaVersion, Scenarios: []rundir.BatchScenario{
		{Name: "x", Dir: "x", Status: rundir.StatusOK},
		{Name: "broke", Dir: "broke", Status: rundir.StatusFailed, Error: "boom"},
	}}
	write(filepath.Join(dir, "good", "batch.json"), okBatch)
	write(filepath.Join(dir, "good", "x", "run.json"), run)

	s, err := Load(filepath.Join(dir, "good"))
	if err != nil {
		t.Fatal(err)
	}
	if !s.Batch || len(s.Scenarios) != 1 || s.Scenarios[0].Dir != filepath.Join(dir, "good", "x") {
		t.Errorf("batch: %+v", s)
	}
	if len(s.Notes) != 1 || !strings.Contains(s.Notes[0], "scenario broke has no run.json (status failed)") {
		t.Errorf("notes = %q", s.Notes)
	}
	s, err = Load(filepath.Join(dir, "good", "x"))
	if err != nil || s.Batch || len(s.Scenarios) != 1 {
		t.Errorf("scenario directory: %+v, %v", s, err)
	}

	bad := *run
	bad.Schema = 99
	write(filepath.Join(dir, "schema", "run.json"), bad)
	write(filepath.Join(dir, "bschema", "batch.json"), rundir.Batch{Schema: 2})
	write(filepath.Join(dir, "lost", "batch.json"), rundir.Batch{Schema: 1, Scenarios: []rundir.BatchScenario{{Name: "x", Dir: "x", Status: rundir.StatusOK}}})
	write(filepath.Join(dir, "escape", "batch.json"), rundir.Batch{Schema: 1, Scenarios: []rundir.BatchScenario{{Name: "x", Dir: "../good/x", Status: rundir.StatusOK}}})
	write(filepath.Join(dir, "nested", "batch.json"), okBatch)
	write(filepath.Join(dir, "nested", "x", "run.json"), bad)
	if err := os.MkdirAll(filepath.Join(dir, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"nowhere": "nowhere: no such directory",
		"empty":   "empty is not a run directory: it has neither run.json (a scenario) nor batch.json (a batch)",
		"schema":  "read schema/run.json: schema 99, this harness reads schema 1",
		"bschema": "read bschema/batch.json: schema 2, this harness reads schema 1",
		"lost":    "read run: open lost/x/run.json: no such file or directory",
		"escape":  `read escape/batch.json: scenario "x": directory "../good/x" is not inside the batch`,
		"nested":  "read nested/x/run.json: schema 99, this harness reads schema 1",
	} {
		_, err := Load(filepath.Join(dir, name))
		if err == nil || strings.ReplaceAll(err.Error(), dir+"/", "") != want {
			t.Errorf("Load(%s): %v; want %q", name, err, want)
		}
	}
}
