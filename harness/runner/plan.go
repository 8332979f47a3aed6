package runner

import (
	"fmt"

	"harness/harness/scenario"
)

// planned is one trial to run.
type planned struct {
	Model   string
	Workers int
	Rep     int
	Warmup  bool
	// Bare runs without profiles and without the outside sampler: the
	// baseline that instrumentation overhead is measured against.
	Bare bool
}

func (p planned) id() string {
	id := fmt.Sprintf("%s-w%d-r%d", p.Model, p.Workers, p.Rep)
	if p.Warmup {
		id = fmt.Sprintf("%s-w%d-warmup%d", p.Model, p.Workers, p.Rep)
	}
	if p.Bare {
		id += "-bare"
	}
	return id
}

// plan orders a scenario's trials. Within each worker count, warm-ups come
// first, then the repetitions, and the models are interleaved (serial,
// thread, process, serial, thread, process, …) so that drift of a shared
// machine — another job starting, the CPU warming up — lands on every model
// alike instead of on whichever ran last.
//
// With overhead, every trial is paired with a bare twin, run right before
// or after it (alternating, so neither always runs second).
func plan(sc *scenario.Scenario, overhead bool) []planned {
	var out []planned
	add := func(p planned) {
		if !overhead {
			out = append(out, p)
			return
		}
		bare := p
		bare.Bare = true
		if p.Rep%2 == 1 {
			out = append(out, p, bare)
		} else {
			out = append(out, bare, p)
		}
	}
	for _, w := range sc.Workers {
		for rep := 1; rep <= sc.Warmup; rep++ {
			for _, m := range sc.Models {
				add(planned{Model: m, Workers: w, Rep: rep, Warmup: true})
			}
		}
		for rep := 1; rep <= sc.Repeat; rep++ {
			for _, m := range sc.Models {
				add(planned{Model: m, Workers: w, Rep: rep})
			}
		}
	}
	return out
}

// layout assigns worker IDs (1-based) to processes for a Go trial.
func layout(model string, workers int) (procs [][]int) {
	all := make([]int, workers)
	for i := range all {
		all[i] = i + 1
	}
	switch model {
	case scenario.Process:
		for _, id := range all {
			procs = append(procs, []int{id})
		}
		return procs
	default: // thread, and serial: one process, which runs them in turn
		return [][]int{all}
	}
}
