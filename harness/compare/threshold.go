package compare

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Threshold is one --fail-on limit: a significant change of Figure beyond
// Pct percent in the bad direction fails the comparison. The sign is
// required because "bad" depends on the figure and the question: more
// wall time is a regression, fewer cores busy may be one too.
type Threshold struct {
	Figure   string  // a name from Figures()
	Increase bool    // true: an increase is bad ("+"); false: a decrease ("-")
	Pct      float64 // ≥ 0
}

func (t Threshold) String() string {
	sign := "-"
	if t.Increase {
		sign = "+"
	}
	return fmt.Sprintf("%s:%s%s%%", t.Figure, sign, strconv.FormatFloat(t.Pct, 'f', -1, 64))
}

// exceeded reports whether a change of deltaPct percent is beyond t in its
// bad direction (strictly: "+5%" tolerates exactly +5 %).
func (t Threshold) exceeded(deltaPct float64) bool {
	if t.Increase {
		return deltaPct > t.Pct
	}
	return deltaPct < -t.Pct
}

var thresholdRE = regexp.MustCompile(`^([a-z]+):([+-])([0-9]+(?:\.[0-9]+)?)%?$`)

// ParseThresholds parses --fail-on values: FIGURE:+N% or FIGURE:-N%, each
// value possibly a comma-separated list. The error names the value that is
// wrong and what is expected.
func ParseThresholds(specs []string) ([]Threshold, error) {
	var ts []Threshold
	seen := map[string]bool{}
	for _, spec := range specs {
		for _, s := range strings.Split(spec, ",") {
			s = strings.TrimSpace(s)
			if s == "" {
				continue
			}
			m := thresholdRE.FindStringSubmatch(s)
			if m == nil {
				return nil, fmt.Errorf("--fail-on %q: want FIGURE:+N%% or FIGURE:-N%% (the sign is the bad direction), e.g. wall:+5%%", s)
			}
			if !slices.Contains(Figures(), m[1]) {
				return nil, fmt.Errorf("--fail-on %q: unknown figure %q; figures: %s", s, m[1], strings.Join(Figures(), ", "))
			}
			pct, err := strconv.ParseFloat(m[3], 64)
			if err != nil { // too many digits: out of range
				return nil, fmt.Errorf("--fail-on %q: %q is not a percentage", s, m[3])
			}
			t := Threshold{Figure: m[1], Increase: m[2] == "+", Pct: pct}
			// Two limits for one figure and direction would leave the
			// reader guessing which one applies.
			key := t.Figure + m[2]
			if seen[key] {
				return nil, fmt.Errorf("--fail-on %q: a limit for %s in that direction is already given", s, t.Figure)
			}
			seen[key] = true
			ts = append(ts, t)
		}
	}
	return ts, nil
}

// Violation is a significant change beyond a threshold.
type Violation struct {
	Scenario string `json:"scenario"`
	// Model is the row's model (runs mode); empty in models mode.
	Model     string  `json:"model,omitempty"`
	Workers   int     `json:"workers"`
	Figure    string  `json:"figure"`
	DeltaPct  float64 `json:"delta_pct"`
	P         float64 `json:"p"`
	Threshold string  `json:"threshold"` // as Threshold.String prints it
}

func (v Violation) String() string {
	where := v.Scenario
	if v.Model != "" {
		where += " " + v.Model
	}
	return fmt.Sprintf("%s w%d: %s %+.2f%% beyond %s (p=%.3f)", where, v.Workers, v.Figure, v.DeltaPct, v.Threshold, v.P)
}

// Check records the thresholds in r and returns the significant changes
// beyond them (also stored in r.Violations). A change that is not
// significant never violates a threshold, however large: that is what
// "~" means. A significant change with an undefined percentage (A's median
// is 0) cannot be measured against a percentage and does not either.
func (r *Result) Check(ts []Threshold) []Violation {
	r.FailOn = nil
	for _, t := range ts {
		r.FailOn = append(r.FailOn, t.String())
	}
	r.Violations = []Violation{}
	for _, sr := range r.Scenarios {
		for _, row := range sr.Rows {
			for _, f := range row.Figures {
				if !f.Significant || f.DeltaPct == nil {
					continue
				}
				for _, t := range ts {
					if t.Figure == f.Name && t.exceeded(*f.DeltaPct) {
						r.Violations = append(r.Violations, Violation{
							Scenario: sr.Name, Model: row.Model, Workers: row.Workers, Figure: f.Name,
							DeltaPct: *f.DeltaPct, P: f.P, Threshold: t.String(),
						})
					}
				}
			}
		}
	}
	return r.Violations
}
