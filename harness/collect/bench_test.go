package collect

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/pprof/profile"

	"harness/harness/rundir"
	"harness/harness/scenario"
)

// cpuLike builds a CPU profile shaped like a worker's: n samples over a
// pool of 10-frame stacks drawn from 200 functions, one mapping.
func cpuLike(seed, n int) *profile.Profile {
	m := &profile.Mapping{ID: 1, Start: 0x400000, Limit: 0x800000, File: "/usr/bin/harness", HasFunctions: true}
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		PeriodType: &profile.ValueType{Type: "cpu", Unit: "nanoseconds"}, Period: 10e6,
		TimeNanos: int64(seed) * 1e9, DurationNanos: 1e9, Mapping: []*profile.Mapping{m},
	}
	for i := 0; i < 200; i++ {
		fn := &profile.Function{ID: uint64(i + 1), Name: fmt.Sprintf("pkg.fn%d", i), SystemName: fmt.Sprintf("pkg.fn%d", i), Filename: "pkg/f.go"}
		p.Function = append(p.Function, fn)
		p.Location = append(p.Location, &profile.Location{ID: uint64(i + 1), Mapping: m, Address: 0x400000 + uint64(i)*16,
			Line: []profile.Line{{Function: fn, Line: int64(i)}}})
	}
	x := uint64(seed)*2654435761 + 1
	for i := 0; i < n; i++ {
		var stack []*profile.Location
		for d := 0; d < 10; d++ {
			x = x*6364136223846793005 + 1442695040888963407
			stack = append(stack, p.Location[(x>>33)%200])
		}
		p.Sample = append(p.Sample, &profile.Sample{Location: stack, Value: []int64{1, 10e6},
			Label: map[string][]string{"worker": {"w1"}}})
	}
	return p
}

// BenchmarkMerge1000 merges 1000 CPU profiles of 55 samples each (55k
// samples), parse to written file. The goal: ≤ 0.5 s.
func BenchmarkMerge1000(b *testing.B) {
	dir := b.TempDir()
	run := &rundir.Run{Scenario: scenario.Scenario{Name: "bench"}}
	for t := 0; t < 100; t++ {
		tr := rundir.Trial{ID: fmt.Sprintf("process-w10-r%d", t+1), Model: "process", Workers: 10, Rep: t + 1}
		for w := 0; w < 10; w++ {
			pid := 1000 + t*10 + w
			rel := filepath.Join("raw", tr.ID, fmt.Sprint(pid), "cpu.pb.gz")
			os.MkdirAll(filepath.Dir(filepath.Join(dir, rel)), 0o755)
			var buf bytes.Buffer
			cpuLike(pid, 55).Write(&buf)
			os.WriteFile(filepath.Join(dir, rel), buf.Bytes(), 0o644)
			tr.Processes = append(tr.Processes, rundir.Process{PID: pid, Workers: []int{w + 1}, Files: []string{rel}})
		}
		run.Trials = append(run.Trials, tr)
	}
	b.ResetTimer()
	for b.Loop() {
		profs, _, err := Merge(dir, run)
		if err != nil || profs[0].Inputs != 1000 {
			b.Fatalf("%v %+v", err, profs)
		}
	}
}
