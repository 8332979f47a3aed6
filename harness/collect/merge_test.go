package collect

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/pprof/profile"

	"harness/harness/rundir"
	"harness/harness/scenario"
)

// fakeProfile is a CPU-like profile of one function with n samples, some
// carrying a worker label as pprof.Do would set it.
func fakeProfile(kind string, start, dur int64, n int, worker string) *profile.Profile {
	fn := &profile.Function{ID: 1, Name: "work"}
	loc := &profile.Location{ID: 1, Line: []profile.Line{{Function: fn}}}
	st := []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}}
	if kind == "mutex" {
		st = []*profile.ValueType{{Type: "contentions", Unit: "count"}, {Type: "delay", Unit: "nanoseconds"}}
	}
	p := &profile.Profile{SampleType: st, PeriodType: st[1], Period: 10e6,
		TimeNanos: start, DurationNanos: dur, Function: []*profile.Function{fn}, Location: []*profile.Location{loc}}
	for i := 0; i < n; i++ {
		s := &profile.Sample{Location: []*profile.Location{loc}, Value: []int64{1, 10e6}}
		if worker != "" && i%2 == 0 {
			s.Label = map[string][]string{"worker": {worker}}
		}
		p.Sample = append(p.Sample, s)
	}
	return p
}

func writeProfile(t *testing.T, dir, rel string, p *profile.Profile) {
	t.Helper()
	path := filepath.Join(dir, rel)
	os.MkdirAll(filepath.Dir(path), 0o755)
	var b bytes.Buffer
	if err := p.Write(&b); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, b.Bytes(), 0o644)
}

func TestMerge(t *testing.T) {
	dir := t.TempDir()
	const s = int64(1e9) // 1 s
	// thread trial: one process, two workers, 1 s span.
	writeProfile(t, dir, "raw/thread-w2-r1/100/cpu.pb.gz", fakeProfile("cpu", 10*s, s, 4, "w2"))
	writeProfile(t, dir, "raw/thread-w2-r1/100/mutex.pb.gz", fakeProfile("mutex", 10*s, s, 3, ""))
	// process trial: two processes side by side for 2 s; profile.Merge
	// alone would claim 4 s.
	writeProfile(t, dir, "raw/process-w2-r1/200/cpu.pb.gz", fakeProfile("cpu", 20*s, 2*s, 5, ""))
	writeProfile(t, dir, "raw/process-w2-r1/201/cpu.pb.gz", fakeProfile("cpu", 20*s+s/2, 3*s/2, 5, ""))
	os.WriteFile(filepath.Join(dir, "raw/process-w2-r1/201/heap.pb.gz"), []byte("not a profile"), 0o644)
	// warm-up: never merged.
	writeProfile(t, dir, "raw/thread-w2-warmup1/50/cpu.pb.gz", fakeProfile("cpu", s, s, 100, ""))

	run := &rundir.Run{Scenario: scenario.Scenario{Name: "m"}, Trials: []rundir.Trial{
		{ID: "thread-w2-warmup1", Model: "thread", Workers: 2, Rep: 1, Warmup: true, Processes: []rundir.Process{
			{PID: 50, Workers: []int{1, 2}, Files: []string{"raw/thread-w2-warmup1/50/cpu.pb.gz"}}}},
		{ID: "thread-w2-r1", Model: "thread", Workers: 2, Rep: 1, Processes: []rundir.Process{
			{PID: 100, Workers: []int{1, 2}, Files: []string{"raw/thread-w2-r1/100/cpu.pb.gz", "raw/thread-w2-r1/100/mutex.pb.gz", "raw/thread-w2-r1/100/trace.out"}}}},
		{ID: "process-w2-r1", Model: "process", Workers: 2, Rep: 1, Processes: []rundir.Process{
			{PID: 200, Workers: []int{1}, Files: []string{"raw/process-w2-r1/200/cpu.pb.gz"}},
			{PID: 201, Workers: []int{2}, Files: []string{"raw/process-w2-r1/201/cpu.pb.gz", "raw/process-w2-r1/201/heap.pb.gz"}}}},
	}}
	profs, warnings, err := Merge(dir, run)
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "raw/process-w2-r1/201/heap.pb.gz") {
		t.Errorf("warnings %q, want one naming the corrupt heap profile", warnings)
	}
	kinds := map[string]rundir.Profile{}
	for _, p := range profs {
		kinds[p.Kind] = p
	}
	if kinds["cpu"].Inputs != 3 || kinds["mutex"].Inputs != 1 || len(kinds["heap"].Skipped) != 1 || kinds["heap"].File != "" {
		t.Errorf("merged %+v", profs)
	}

	f, _ := os.Open(filepath.Join(dir, "profiles/cpu.pb.gz"))
	defer f.Close()
	cpu, err := profile.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	// 1 s (thread) + the 2 s the process trial's profiles span.
	if cpu.DurationNanos != 3*s || cpu.TimeNanos != 10*s {
		t.Errorf("duration %v at %v, want 3 s at 10 s", cpu.DurationNanos, cpu.TimeNanos)
	}
	count := map[string]int64{}
	for _, smp := range cpu.Sample {
		key := smp.Label["model"][0] + "/" + smp.Label["worker"][0]
		count[key] += smp.Value[0]
		if smp.NumLabel["workers"][0] != 2 || smp.NumLabel["rep"][0] != 1 || len(smp.NumLabel["pid"]) != 1 {
			t.Errorf("numeric labels %v", smp.NumLabel)
		}
	}
	want := map[string]int64{"thread/w2": 2, "thread/none": 2, "process/w1": 5, "process/w2": 5}
	for k, v := range want {
		if count[k] != v {
			t.Errorf("%s: %d samples, want %d (all: %v)", k, count[k], v, count)
		}
	}
	if len(count) != len(want) {
		t.Errorf("unexpected label sets: %v", count)
	}
}
