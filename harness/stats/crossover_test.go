package stats

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// Five wall times around a level; any two of these sets at different
// levels are completely separated (Mann-Whitney p = 2/252 = 0.0079),
// two at the same level are identical in distribution (p = 1).
func around(level float64) []float64 {
	return []float64{level - 2, level - 1, level, level + 1, level + 2}
}

// at is one worker count with each model's wall times around a level.
func at(workers int, a, b float64) WallTimes {
	return WallTimes{Workers: workers, A: around(a), B: around(b)}
}

func TestFindCrossover(t *testing.T) {
	tests := []struct {
		name    string
		points  []WallTimes
		found   bool
		faster  string
		from    int
		winners []string // Faster at each step, by ascending workers
		text    string   // substring of String()
	}{
		{
			// Threads win at 1 and 2 workers, processes from 4 on.
			name:   "reversal",
			points: []WallTimes{at(1, 100, 120), at(2, 60, 70), at(4, 50, 40), at(8, 50, 30)},
			found:  true, faster: "process", from: 4,
			winners: []string{"thread", "thread", "process", "process"},
			text:    "process is significantly faster from 4 workers on (thread is faster at 2)",
		},
		{
			// Indistinguishable at 1 and 2, process faster from 4 on; the
			// input order does not matter.
			name:   "from tie, unsorted input",
			points: []WallTimes{at(8, 50, 30), at(1, 100, 100), at(4, 50, 40), at(2, 60, 60)},
			found:  true, faster: "process", from: 4,
			winners: []string{"", "", "process", "process"},
			text:    "process is significantly faster from 4 workers on",
		},
		{
			// Process wins at 2, not at 4, again at 8: only 8 counts.
			name:   "gap restarts the run",
			points: []WallTimes{at(2, 60, 50), at(4, 50, 50), at(8, 50, 30)},
			found:  true, faster: "process", from: 8,
			winners: []string{"process", "", "process"},
			text:    "from 8 workers on",
		},
		{
			name:   "always faster",
			points: []WallTimes{at(1, 90, 100), at(2, 50, 60)},
			found:  true, faster: "thread", from: 1,
			winners: []string{"thread", "thread"},
			text:    "thread is significantly faster at every measured worker count (1–2)",
		},
		{
			// Process wins at 1, 2 but not at the largest count.
			name:    "no win at the largest count",
			points:  []WallTimes{at(1, 100, 80), at(2, 60, 50), at(4, 50, 50)},
			winners: []string{"process", "process", ""},
			text:    "no consistent crossover: at the largest worker count (4) neither thread nor process is significantly faster (p=1.000)",
		},
		{
			// Three repetitions can never reach p ≤ 0.05 (best 0.1).
			name: "too few repetitions",
			points: []WallTimes{
				{Workers: 1, A: []float64{1, 2, 3}, B: []float64{10, 11, 12}},
				{Workers: 2, A: []float64{1, 2, 3}, B: []float64{10, 11, 12}},
			},
			winners: []string{"", ""},
			text:    "need >= 4 samples",
		},
		{
			name:   "single count",
			points: []WallTimes{at(2, 60, 50)},
			found:  true, faster: "process", from: 2,
			winners: []string{"process"},
			text:    "process is significantly faster at 2 workers",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := FindCrossover("thread", "process", tt.points)
			if err != nil {
				t.Fatalf("FindCrossover: %v", err)
			}
			if c.Found != tt.found || c.Faster != tt.faster || c.From != tt.from {
				t.Errorf("Found, Faster, From = %v, %q, %d; want %v, %q, %d", c.Found, c.Faster, c.From, tt.found, tt.faster, tt.from)
			}
			var winners []string
			for i, st := range c.Steps {
				winners = append(winners, st.Faster)
				if i > 0 && c.Steps[i-1].Workers >= st.Workers {
					t.Errorf("steps not ascending: %d then %d", c.Steps[i-1].Workers, st.Workers)
				}
			}
			if !slices.Equal(winners, tt.winners) {
				t.Errorf("winners = %q; want %q", winners, tt.winners)
			}
			if got := c.String(); !strings.Contains(got, tt.text) {
				t.Errorf("String() = %q; want it to contain %q", got, tt.text)
			}
			if c.Found == (c.Reason != "") {
				t.Errorf("Reason = %q with Found = %v", c.Reason, c.Found)
			}
		})
	}
}

func TestFindCrossoverErrors(t *testing.T) {
	tests := []struct {
		name   string
		points []WallTimes
		want   error
	}{
		{"none", nil, ErrInsufficientData},
		{"duplicate", []WallTimes{{Workers: 2}, {Workers: 4}, {Workers: 2}}, ErrInvalidInput},
		{"zero workers", []WallTimes{{Workers: 0}, {Workers: 4}}, ErrInvalidInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FindCrossover("", "", tt.points)
			if !errors.Is(err, tt.want) || !strings.HasPrefix(err.Error(), "stats: crossover of A and B: ") {
				t.Errorf("error = %v; want %v with context", err, tt.want)
			}
		})
	}
}

func TestFindCrossoverDoesNotReorderInput(t *testing.T) {
	in := []WallTimes{at(4, 50, 40), at(1, 9, 9)}
	if _, err := FindCrossover("a", "b", in); err != nil {
		t.Fatal(err)
	}
	if in[0].Workers != 4 || in[1].Workers != 1 {
		t.Errorf("input reordered: %+v", in)
	}
}
