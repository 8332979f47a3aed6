package collect

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
)

// totals sums sample values per stack (function names) and label set: what
// every pprof view is computed from.
func totals(p *profile.Profile) map[string][]int64 {
	out := map[string][]int64{}
	for _, s := range p.Sample {
		var k []string
		for _, l := range s.Location {
			for _, ln := range l.Line {
				k = append(k, ln.Function.Name)
			}
		}
		var labels []string
		for n, v := range s.Label {
			labels = append(labels, n+"="+strings.Join(v, ","))
		}
		for n, v := range s.NumLabel {
			labels = append(labels, fmt.Sprint(n, "=", v))
		}
		sort.Strings(labels)
		key := strings.Join(k, ";") + " " + strings.Join(labels, " ")
		if out[key] == nil {
			out[key] = make([]int64, len(s.Value))
		}
		for i, v := range s.Value {
			out[key][i] += v
		}
	}
	return out
}

func TestConcatMatchesMerge(t *testing.T) {
	var profs, copies []*profile.Profile
	for pid := 1; pid <= 20; pid++ {
		p := cpuLike(pid, 200)
		for _, s := range p.Sample {
			s.NumLabel = map[string][]int64{"pid": {int64(pid)}}
		}
		profs = append(profs, p)
		copies = append(copies, p.Copy())
	}
	got, err := concat(profs)
	if err != nil {
		t.Fatal(err)
	}
	want, err := profile.Merge(copies)
	if err != nil {
		t.Fatal(err)
	}
	g, w := totals(got), totals(want)
	if len(g) != len(w) {
		t.Fatalf("%d stack/label sets, Merge has %d", len(g), len(w))
	}
	for k, v := range w {
		if fmt.Sprint(g[k]) != fmt.Sprint(v) {
			t.Errorf("%s: %v, Merge %v", k, g[k], v)
		}
	}
	if len(got.Location) != len(want.Location) || len(got.Function) != len(want.Function) || len(got.Mapping) != len(want.Mapping) {
		t.Errorf("locations/functions/mappings %d/%d/%d, Merge %d/%d/%d", len(got.Location), len(got.Function), len(got.Mapping),
			len(want.Location), len(want.Function), len(want.Mapping))
	}

	mutex := cpuLike(99, 3)
	mutex.SampleType = []*profile.ValueType{{Type: "contentions", Unit: "count"}, {Type: "delay", Unit: "nanoseconds"}}
	if _, err := concat([]*profile.Profile{profs[0], mutex}); err == nil {
		t.Error("a CPU and a mutex profile were combined")
	}
}
