package lanes

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"gonum.org/v1/plot"
)

// exampleDir is where the example charts go: a directory that outlives
// the test under -v, so the printed paths can be opened, else t.TempDir.
func exampleDir(t *testing.T) string {
	if !testing.Verbose() {
		return t.TempDir()
	}
	dir, err := os.MkdirTemp("", "lanes-example-")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestExampleGantt renders the start-up Gantt chart. Run with
// -run Example -v to keep the files and print their paths.
func TestExampleGantt(t *testing.T) {
	p, leg := ganttPlot(t)
	base := filepath.Join(exampleDir(t), "gantt")
	if err := Save(base, testW, testH, leg, p); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s.png and %s.svg", base, base)
}

// TestExampleSchedule renders a scheduler timeline of 8 goroutines and 1M
// intervals.
func TestExampleSchedule(t *testing.T) {
	p, leg := schedulePlot(t, schedule(8, 1_000_000, 1))
	base := filepath.Join(exampleDir(t), "schedule")
	if err := Save(base, testW, testH, leg, p); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s.png and %s.svg", base, base)
}

// TestExampleGanttPanels renders one panel per model on a shared time
// axis, the other way the Gantt chart can be laid out.
func TestExampleGanttPanels(t *testing.T) {
	all := exampleGantt()
	var panels []*plot.Plot
	for _, group := range []string{"serial", "thread", "process"} {
		var lanes []Lane
		for _, ln := range all {
			if ln.Group == group {
				ln.Group = ""
				lanes = append(lanes, ln)
			}
		}
		l, err := New(lanes, ganttStates)
		if err != nil {
			t.Fatal(err)
		}
		p := plot.New()
		p.Title.Text = group
		p.X.Tick.Marker = NiceTicks{}
		if group == "process" { // the bottom panel; the axis is shared
			p.X.Label.Text = "time since first request (s)"
		}
		p.Y.Label.Text = "worker"
		p.Add(l)
		p.Y.Tick.Marker = l.Ticks(0)
		panels = append(panels, p)
	}
	base := filepath.Join(exampleDir(t), "gantt-panels")
	if err := Save(base, testW, testH, legendOf(ganttStates), panels...); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s.png and %s.svg", base, base)
}

// TestExampleManyLanes renders 120 goroutines in two groups, to show the
// lane labels thinned to at most 25 and group names over thin lanes.
func TestExampleManyLanes(t *testing.T) {
	lanes := schedule(120, 1_000_000, 4)
	for i := range lanes {
		lanes[i].Group = "process " + strconv.Itoa(1+i/60)
	}
	p, leg := schedulePlot(t, lanes)
	p.Title.Text = "Goroutine states, 2 processes × 60 goroutines"
	base := filepath.Join(exampleDir(t), "many-lanes")
	if err := Save(base, testW, testH, leg, p); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s.png and %s.svg", base, base)
}
