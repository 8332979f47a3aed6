package reports

import (
	"fmt"

	"harness/harness/rundir"
	"harness/harness/stats"
)

// Overhead is the cost of the instrumentation for one (model, workers) of
// a run made with `harness run --overhead`: every trial was paired with a
// bare twin (no profiles, no outside sampler), run right before or after
// it.
type Overhead struct {
	Model   string `json:"model"`
	Workers int    `json:"workers"`
	// Ratio is the instrumented trials' median wall over the bare trials'
	// (1.02 = 2% slower), with an interval by interval arithmetic on the
	// two medians' intervals.
	Ratio *Ratio `json:"ratio"`
	// P is the Mann-Whitney U p-value of the difference; Significant at
	// α = 0.05. N counts the pairs' successful trials on each side.
	P                float64 `json:"p"`
	Significant      bool    `json:"significant"`
	NInstrumented    int     `json:"n_instrumented"`
	NBare            int     `json:"n_bare"`
	InstrumentedWall float64 `json:"instrumented_wall_ns"`
	BareWall         float64 `json:"bare_wall_ns"`
	// The harness's own CPU per trial (medians of harness_cpu_ns): the
	// difference is what sampling cost it.
	InstrumentedHarnessCPU float64 `json:"instrumented_harness_cpu_ns,omitempty"`
	BareHarnessCPU         float64 `json:"bare_harness_cpu_ns,omitempty"`
}

// Overheads computes the instrumentation overhead per (model, workers) of
// a run with bare twins; nil for a normal run.
func Overheads(run *rundir.Run) []Overhead {
	instr, bare := map[groupKey][]float64{}, map[groupKey][]float64{}
	instrCPU, bareCPU := map[groupKey][]float64{}, map[groupKey][]float64{}
	var keys []groupKey
	for _, t := range run.Trials {
		if t.Warmup || t.Status != rundir.StatusOK {
			continue
		}
		k := groupKey{t.Model, t.Workers}
		if _, seen := instr[k]; !seen {
			if _, seenBare := bare[k]; !seenBare {
				keys = append(keys, k)
			}
		}
		walls, cpus := instr, instrCPU
		if t.Bare {
			walls, cpus = bare, bareCPU
		}
		walls[k] = append(walls[k], float64(t.WallNs))
		if t.HarnessCPUNs > 0 {
			cpus[k] = append(cpus[k], float64(t.HarnessCPUNs))
		}
	}
	sortGroups(keys, run.Scenario.Models)
	var out []Overhead
	for _, k := range keys {
		in, b := instr[k], bare[k]
		if len(in) == 0 || len(b) == 0 {
			continue
		}
		si, sb := stats.Summarize(in), stats.Summarize(b)
		r, err := stats.Speedup(si, sb) // instrumented / bare
		if err != nil {
			continue
		}
		c := stats.Compare(b, in)
		o := Overhead{Model: k.model, Workers: k.workers, Ratio: ratioOf(r), P: c.P, Significant: c.Significant,
			NInstrumented: len(in), NBare: len(b), InstrumentedWall: si.Median, BareWall: sb.Median}
		if len(instrCPU[k]) > 0 && len(bareCPU[k]) > 0 {
			o.InstrumentedHarnessCPU = stats.Summarize(instrCPU[k]).Median
			o.BareHarnessCPU = stats.Summarize(bareCPU[k]).Median
		}
		out = append(out, o)
	}
	return out
}

// overheadIntro introduces the overhead lines in the documents.
const overheadIntro = "This run paired every trial with a bare twin — no profiles, no outside sampler — run right before or after it (harness run --overhead). The ratio is the instrumented trials' median wall over the bare twins' with its interval (interval arithmetic on the two medians' intervals), and the Mann-Whitney U p-value of the difference."

// OverheadLines are the overhead figures as sentences.
func OverheadLines(ovs []Overhead) []string {
	var out []string
	for _, o := range ovs {
		sig := "not significant"
		if o.Significant {
			sig = "significant"
		}
		line := fmt.Sprintf("%s, %d workers: %.3f× the bare wall time [%.3f–%.3f] (%s vs %s median; p=%.3f, n=%d+%d, %s)",
			o.Model, o.Workers, o.Ratio.Value, o.Ratio.Lo, o.Ratio.Hi, Duration(o.InstrumentedWall), Duration(o.BareWall),
			o.P, o.NInstrumented, o.NBare, sig)
		if o.InstrumentedHarnessCPU > 0 {
			line += fmt.Sprintf("; the harness's own CPU per trial %s vs %s bare", Duration(o.InstrumentedHarnessCPU), Duration(o.BareHarnessCPU))
		}
		out = append(out, line)
	}
	return out
}
