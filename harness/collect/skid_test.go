package collect

import (
	"strings"
	"testing"

	"github.com/google/pprof/profile"
)

// skidProfile has work samples under a worker function and preempt samples
// whose leaf is runtime.asyncPreempt, called from the same function.
func skidProfile(work, preempt int) *profile.Profile {
	fw := &profile.Function{ID: 1, Name: "workload.(*cpu).Work"}
	fp := &profile.Function{ID: 2, Name: preemptFunc}
	lw := &profile.Location{ID: 1, Line: []profile.Line{{Function: fw}}}
	lp := &profile.Location{ID: 2, Line: []profile.Line{{Function: fp}}}
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		Function:   []*profile.Function{fw, fp}, Location: []*profile.Location{lw, lp},
	}
	for range work {
		p.Sample = append(p.Sample, &profile.Sample{Location: []*profile.Location{lw}, Value: []int64{1, 10e6}})
	}
	for range preempt {
		p.Sample = append(p.Sample, &profile.Sample{Location: []*profile.Location{lp, lw}, Value: []int64{1, 10e6}})
	}
	return p
}

func TestSkidWarning(t *testing.T) {
	for _, c := range []struct {
		work, preempt int
		share         float64
		warn          string
	}{
		{100, 0, 0, ""},
		{99, 1, 0.01, ""}, // below the threshold: a quiet machine
		{79, 21, 0.21, "21.0% of CPU time landed in runtime.asyncPreempt"},
		{0, 0, 0, ""}, // an empty profile
	} {
		p := skidProfile(c.work, c.preempt)
		if got := preemptShare(p); got != c.share {
			t.Errorf("%d+%d samples: share %v, want %v", c.work, c.preempt, got, c.share)
		}
		w := skidWarning(p)
		if (c.warn == "") != (w == "") || !strings.Contains(w, c.warn) {
			t.Errorf("%d+%d samples: warning %q, want one containing %q", c.work, c.preempt, w, c.warn)
		}
	}
}
