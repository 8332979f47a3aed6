package lanes

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestNewValidates(t *testing.T) {
	for _, tc := range []struct {
		name   string
		lanes  []Lane
		states []State
		want   string
	}{
		{"unknown state", []Lane{{Name: "w0", Intervals: []Interval{{0, 1, 2}}}}, twoStates, `lane 0 ("w0") interval 0: state 2 not in the state table`},
		{"negative state", []Lane{{Name: "w0", Intervals: []Interval{{0, 1, -1}}}}, twoStates, "state -1"},
		{"backwards", []Lane{{}, {Name: "w1", Intervals: []Interval{{2, 1, 0}}}}, twoStates, `lane 1 ("w1") interval 0: bad span [2, 1]`},
		{"NaN", []Lane{{Intervals: []Interval{{math.NaN(), 1, 0}}}}, twoStates, "bad span"},
		{"infinite", []Lane{{Intervals: []Interval{{0, math.Inf(1), 0}}}}, twoStates, "infinity"},
		{"no colour", nil, []State{{Name: "x"}}, `state 0 ("x") has no colour`},
	} {
		_, err := New(tc.lanes, tc.states)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

// Lane 0 is at the top; each group gets a header row above its lanes and
// a separator from the group before.
func TestLayout(t *testing.T) {
	l, err := New(exampleGantt(), ganttStates)
	if err != nil {
		t.Fatal(err)
	}
	// 10 lanes + 3 headers.
	xmin, xmax, ymin, ymax := l.DataRange()
	if xmin != 0 || math.Abs(xmax-0.11) > 0.01 || ymin != 0 || ymax != 13 {
		t.Errorf("DataRange = %g, %g, %g, %g", xmin, xmax, ymin, ymax)
	}
	for i := 1; i < len(l.y); i++ {
		if l.y[i] >= l.y[i-1] {
			t.Errorf("lane %d at y %g is not below lane %d at %g", i, l.y[i], i-1, l.y[i-1])
		}
	}
	if l.y[0] != 11.5 || l.y[2] != 8.5 { // serial header, w0, w1, thread header, w0
		t.Errorf("lane centres %v", l.y)
	}
	var names []string
	for _, h := range l.headers {
		names = append(names, h.name)
	}
	if strings.Join(names, ",") != "serial,thread,process" || l.headers[0].y != 12.5 {
		t.Errorf("headers %+v", l.headers)
	}
	if len(l.separators) != 2 || l.separators[0] != 10 || l.separators[1] != 5 {
		t.Errorf("separators %v, want [10 5]", l.separators)
	}
}

// With many lanes only every k-th is named, at most maxLabels, but every
// lane keeps a tick mark.
func TestTicksThinning(t *testing.T) {
	var lanes []Lane
	for i := range 100 {
		lanes = append(lanes, Lane{Name: "G" + strconv.Itoa(i)})
	}
	l, err := New(lanes, twoStates)
	if err != nil {
		t.Fatal(err)
	}
	ticks := l.Ticks(30) // every 4th
	if len(ticks) != 100 {
		t.Fatalf("%d ticks, want one per lane", len(ticks))
	}
	labelled := 0
	for i, tk := range ticks {
		if tk.Value != l.y[i] {
			t.Errorf("tick %d at %g, lane at %g", i, tk.Value, l.y[i])
		}
		if tk.Label != "" {
			labelled++
			if i%4 != 0 || tk.Label != lanes[i].Name {
				t.Errorf("tick %d labelled %q", i, tk.Label)
			}
		}
	}
	if labelled != 25 {
		t.Errorf("%d labels, want 25", labelled)
	}
	if n := len(l.Ticks(0)); n != 100 {
		t.Errorf("Ticks(0): %d ticks", n)
	}
}

func TestShorten(t *testing.T) {
	long := "github.com/example/project/internal/worker.(*Pool).run"
	got := shorten(long, 28)
	if n := len([]rune(got)); n != 28 || !strings.HasPrefix(got, "…") || !strings.HasSuffix(got, "(*Pool).run") {
		t.Errorf("shorten = %q (%d runes)", got, n)
	}
	if shorten("main.main", 28) != "main.main" {
		t.Error("short names must stay as they are")
	}
}

func TestNiceTicks(t *testing.T) {
	for _, tc := range []struct {
		min, max float64
		labels   string
	}{
		{0, 2.95, "0.0 0.5 1.0 1.5 2.0 2.5"},
		{0, 0.11, "0.00 0.02 0.04 0.06 0.08 0.10"},
		{-0.3, 0.3, "-0.3 -0.2 -0.1 0.0 0.1 0.2 0.3"},
		{100, 900, "100 200 300 400 500 600 700 800 900"},
	} {
		var got []string
		for _, tk := range (NiceTicks{}).Ticks(tc.min, tc.max) {
			if tk.Value < tc.min-1e-12 || tk.Value > tc.max+1e-12 {
				t.Errorf("[%g, %g]: tick %g outside", tc.min, tc.max, tk.Value)
			}
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if g := strings.Join(got, " "); g != tc.labels {
			t.Errorf("[%g, %g]: labels %q, want %q", tc.min, tc.max, g, tc.labels)
		}
	}
}
