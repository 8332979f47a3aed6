package reports

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"harness/harness/rundir"
	"harness/harness/scenario"
)

// sweepRun is a run of serial, thread and process at 1, 2, 4 and 8
// workers, 6 repetitions each, whose wall times follow Amdahl's law with
// the given serial fractions (plus a little deterministic jitter), so
// that the fits and the crossover have known answers.
func sweepRun(threadSerial, processSerial, processOverhead float64) *rundir.Run {
	run := &rundir.Run{
		Schema: rundir.SchemaVersion, Host: rundir.Host{CPUs: 8},
		Scenario: scenario.Scenario{Name: "sweep", Models: []string{"serial", "thread", "process"}, Workers: []int{1, 2, 4, 8}, Repeat: 6},
	}
	const work = 100e6 // ns of work per worker
	for _, n := range []int{1, 2, 4, 8} {
		for rep := 1; rep <= 6; rep++ {
			jitter := 1 + 0.002*float64(rep%3)
			for _, m := range []string{"serial", "thread", "process"} {
				var wall float64
				switch m {
				case "serial":
					wall = work * float64(n)
				case "thread":
					wall = work * float64(n) * (threadSerial + (1-threadSerial)/float64(n))
				case "process":
					wall = work*float64(n)*(processSerial+(1-processSerial)/float64(n)) + processOverhead
				}
				run.Trials = append(run.Trials, rundir.Trial{
					ID: fmt.Sprintf("%s-w%d-r%d", m, n, rep), Model: m, Workers: n, Rep: rep,
					Status: rundir.StatusOK, WallNs: int64(wall * jitter),
				})
			}
		}
	}
	return run
}

// TestScalingSynthetic: fits recover the serial fractions the data was
// made with, and the crossover names the model that wins at large counts
// and from where.
func TestScalingSynthetic(t *testing.T) {
	// Threads serialise 30% of the work (a lock); processes 5% but pay a
	// fixed 30 ms: threads win at 1 and 2 workers, processes from 4 on.
	run := sweepRun(0.30, 0.05, 30e6)
	sc := ScalingOf(run, Rows(run))
	if sc == nil || len(sc.Models) != 2 {
		t.Fatalf("scaling %+v", sc)
	}
	for _, m := range sc.Models {
		want := map[string]float64{"thread": 0.30, "process": 0.05}[m.Model]
		if m.Amdahl == nil || m.AmdahlRefused != "" {
			t.Fatalf("%s: Amdahl %+v refused %q", m.Model, m.Amdahl, m.AmdahlRefused)
		}
		if m.Model == "thread" && math.Abs(m.Amdahl.SerialFraction-want) > 0.01 {
			t.Errorf("thread: serial fraction %.3f, want %.2f", m.Amdahl.SerialFraction, want)
		}
		if m.USL == nil || m.USLRefused != "" {
			t.Errorf("%s: USL %+v refused %q", m.Model, m.USL, m.USLRefused)
		}
		if len(m.Points) != 4 {
			t.Errorf("%s: %d points", m.Model, len(m.Points))
		}
	}
	c := sc.Crossover
	if c == nil || !c.Found || c.Faster != "process" || c.From != 4 {
		t.Fatalf("crossover %+v", c)
	}
	if !strings.Contains(c.Sentence, "process is significantly faster from 4 workers on") {
		t.Errorf("sentence %q", c.Sentence)
	}
	lines := strings.Join(sc.Lines(), "\n")
	for _, s := range []string{"thread: speedup", "Amdahl serial fraction s = 0.300", "USL contention", "Crossover: process"} {
		if !strings.Contains(lines, s) {
			t.Errorf("lines lack %q:\n%s", s, lines)
		}
	}
}

// TestScalingRefusals: without a serial baseline there is nothing to fit,
// and the analysis says so rather than fitting nothing.
func TestScalingRefusals(t *testing.T) {
	run := sweepRun(0.3, 0.05, 0)
	run.Scenario.Models = []string{"thread", "process"}
	var keep []rundir.Trial
	for _, tr := range run.Trials {
		if tr.Model != "serial" {
			keep = append(keep, tr)
		}
	}
	run.Trials = keep
	sc := ScalingOf(run, Rows(run))
	if sc == nil {
		t.Fatal("no scaling")
	}
	for _, m := range sc.Models {
		if m.NoBaseline == "" || m.Amdahl != nil || len(m.Points) != 0 {
			t.Errorf("%s: %+v", m.Model, m)
		}
	}
	if !strings.Contains(strings.Join(sc.Lines(), "\n"), "no serial baseline") {
		t.Errorf("lines %q", sc.Lines())
	}
}
