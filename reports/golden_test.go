package reports

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestGoldenSummary pins summary.json and the Markdown table of the fixed
// run directories: both are computed from run.json alone, so they must not
// change with the machine the tests run on. Rerun with -update after an
// intended change and review the diff.
func TestGoldenSummary(t *testing.T) {
	for _, name := range []string{"cpu", "cmd"} {
		t.Run(name, func(t *testing.T) {
			r, err := Load(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			golden(t, name+".summary.json", mustJSON(t, SummaryOf(r)))
			golden(t, name+".table.md", []byte(MarkdownTable(r.Rows, r.Run.Scenario.Workload.IsCommand())))
		})
	}
}

// TestScalingOfFixture checks the scaling analysis of the cpu fixture
// beyond the golden file: it exists (two worker counts), has no serial
// entry, and every model says either its fit or why there is none.
func TestScalingOfFixture(t *testing.T) {
	r, err := Load(filepath.Join("testdata", "cpu"))
	if err != nil {
		t.Fatal(err)
	}
	sc := r.Scaling
	if sc == nil {
		t.Fatal("no scaling for a sweep of 1 and 2 workers")
	}
	if len(sc.Workers) != 2 || sc.CPUs != r.Run.Host.CPUs {
		t.Errorf("workers %v, cpus %d", sc.Workers, sc.CPUs)
	}
	var models []string
	for _, m := range sc.Models {
		models = append(models, m.Model)
		if len(m.Points) != 2 {
			t.Errorf("%s: %d speedup points, want 2", m.Model, len(m.Points))
		}
		if (m.Amdahl == nil) == (m.AmdahlRefused == "") && m.Amdahl == nil {
			t.Errorf("%s: no Amdahl fit and no reason", m.Model)
		}
		// Two worker counts cannot fit the USL's two parameters.
		if m.USLRefused == "" || !strings.Contains(m.USLRefused, "need 3") {
			t.Errorf("%s: USL refusal %q, want one asking for 3 worker counts", m.Model, m.USLRefused)
		}
	}
	if strings.Join(models, ",") != "thread,process" {
		t.Errorf("models %v", models)
	}
	if sc.Crossover == nil || sc.Crossover.Sentence == "" {
		t.Errorf("crossover %+v", sc.Crossover)
	}
	if r2, err := Load(filepath.Join("testdata", "cmd")); err != nil || r2.Scaling != nil {
		t.Errorf("command fixture (one worker count): scaling %+v, err %v", r2.Scaling, err)
	}
}
