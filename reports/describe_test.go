package reports

import (
	"strings"
	"testing"

	"harness/harness/rundir"
)

// TestHarnessCPUText: the median over measured trials, warm-ups and bare
// twins left out; nothing for a run recorded without the figure.
func TestHarnessCPUText(t *testing.T) {
	run := &rundir.Run{}
	run.Scenario.SampleInterval = 10e6
	if got := harnessCPUText(run); got != "" {
		t.Errorf("no trials: %q", got)
	}
	trial := func(cpu, span int64, warmup, bare bool) rundir.Trial {
		return rundir.Trial{HarnessCPUNs: cpu, SpawnNs: 1e9, EndNs: 1e9 + span, Warmup: warmup, Bare: bare}
	}
	run.Trials = []rundir.Trial{
		trial(10e6, 1e9, false, false), // 10 ms over 1 s: 1%
		trial(20e6, 1e9, false, false), // 2%
		trial(30e6, 1e9, false, false), // 3%
		trial(900e6, 1e9, true, false), // warm-up: not counted
		trial(1e6, 1e9, false, true),   // bare twin: not counted
		trial(0, 1e9, false, false),    // recorded before the figure existed
	}
	got := harnessCPUText(run)
	for _, want := range []string{"a median 20.0 ms of CPU per trial", "2.0% of one core", "every 10ms"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q does not say %q", got, want)
		}
	}
}
