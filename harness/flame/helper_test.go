package flame

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/google/pprof/profile"
)

// sampleSpec is one sample of a test profile: the leaf function, its
// labels and its CPU time.
type sampleSpec struct {
	fn, model, worker string
	nanos             int64
}

// testSamples have one leaf function per model, so a view focused on a
// model can be checked by which functions it shows. The last model has a
// comma and regexp metacharacters, as a command model name might.
var testSamples = []sampleSpec{
	{"main.serialWork", "serial", "w1", 30e6},
	{"main.threadWork", "thread", "w1", 20e6},
	{"main.threadWork", "thread", "w2", 20e6},
	{"main.processWork", "process", "w1", 10e6},
	{"main.processWork", "process", "w2", 10e6},
	{"main.oddWork", "py,3.1", "none", 10e6},
	{"main.numWork", "2", "w1", 10e6}, // pprof reads a bare "2" as a numeric range
}

// makeProfile builds a small CPU-like profile, labelled as collect labels
// merged profiles; empty model or worker leaves the label out.
func makeProfile(specs []sampleSpec) *profile.Profile {
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		PeriodType: &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
		Period:     10e6,
	}
	mainFn := &profile.Function{ID: 1, Name: "main.main", SystemName: "main.main", Filename: "main.go"}
	mainLoc := &profile.Location{ID: 1, Line: []profile.Line{{Function: mainFn, Line: 10}}}
	p.Function = append(p.Function, mainFn)
	p.Location = append(p.Location, mainLoc)
	locs := map[string]*profile.Location{}
	for i, s := range specs {
		loc := locs[s.fn]
		if loc == nil {
			fn := &profile.Function{ID: uint64(len(p.Function) + 1), Name: s.fn, SystemName: s.fn, Filename: "main.go"}
			loc = &profile.Location{ID: uint64(len(p.Location) + 1), Line: []profile.Line{{Function: fn, Line: 20}}}
			p.Function = append(p.Function, fn)
			p.Location = append(p.Location, loc)
			locs[s.fn] = loc
		}
		smp := &profile.Sample{
			Location: []*profile.Location{loc, mainLoc},
			Value:    []int64{s.nanos / 10e6, s.nanos},
			Label:    map[string][]string{},
			NumLabel: map[string][]int64{"workers": {2}, "rep": {1}, "pid": {int64(1000 + i)}},
		}
		if s.model != "" {
			smp.Label["model"] = []string{s.model}
		}
		if s.worker != "" {
			smp.Label["worker"] = []string{s.worker}
		}
		p.Sample = append(p.Sample, smp)
	}
	return p
}

func writeProfile(t *testing.T, path string, p *profile.Profile) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Write(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// checkGoroutines fails the test if the goroutine count does not come back
// to before within a settle period: a small goleak.
func checkGoroutines(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= before {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("%d goroutines after stop, %d before:\n%s", n, before, buf)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// isolatePprofSettings points pprof's settings file (os.UserConfigDir) at
// a temporary directory, so no user's saved configs leak into the pages.
func isolatePprofSettings(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
}
