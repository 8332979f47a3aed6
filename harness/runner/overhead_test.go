package runner

import (
	"context"
	"sort"
	"testing"

	"harness/harness/rundir"
)

// BenchmarkInstrumentationOverhead measures what the instrumentation costs
// on the seed's CPU loop: wall time with cpu + trace profiles and the
// /proc sampler over the same trial bare (no profiles, no sampler), run as
// interleaved pairs. The goal: ≤ 1.02. Reported per model as the
// ratio of the medians. The sub-benchmarks break it down: the sampler
// alone (no profiles) at the default 10 ms and at 20 ms, cpu, trace, both
// (the default), and with fgprof's wall profile, which costs more. On 2
// cores with 2 busy workers each tick takes its CPU from a worker.
func BenchmarkInstrumentationOverhead(b *testing.B) {
	for _, c := range []struct{ name, profiles string }{
		{"sampler", "[]"},
		{"sampler-20ms", "[]\nsample_interval: 20ms"},
		{"cpu", "[cpu]"},
		{"trace", "[trace]"},
		{"cpu+trace", "[cpu, trace]"},
		{"cpu+wall+trace", "[cpu, wall, trace]"},
	} {
		b.Run(c.name, func(b *testing.B) {
			sc := load(b, `
name: overhead
workload: {kind: cpu, iterations: 100000000}
models: [thread, process]
workers: 2
repeat: 4
profiles: `+c.profiles+`
`)
			r := testRunner(b)
			r.Overhead = true
			walls := map[string][]float64{}
			for b.Loop() {
				run, err := r.Run(context.Background(), sc, b.TempDir())
				if err != nil {
					b.Fatal(err)
				}
				for _, t := range run.Trials {
					if t.Status != rundir.StatusOK {
						b.Fatalf("%s: %s", t.ID, t.Error)
					}
					key := t.Model
					if t.Bare {
						key += "-bare"
					}
					walls[key] = append(walls[key], float64(t.WallNs))
				}
			}
			for _, m := range []string{"thread", "process"} {
				b.ReportMetric(median(walls[m])/median(walls[m+"-bare"]), m+"-ratio")
			}
		})
	}
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}
