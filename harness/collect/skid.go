package collect

import (
	"fmt"

	"github.com/google/pprof/profile"
)

// preemptFunc is the runtime's asynchronous preemption entry: the
// preemption signal's handler makes the interrupted goroutine call it.
const preemptFunc = "runtime.asyncPreempt"

// skidThreshold is the share of CPU samples in preemptFunc from which the
// report warns. On a quiet machine it was 0.6 % of a CPU-bound run here;
// with three busy loops beside the same run, 21 %; with 4 worker processes
// on 2 cores (memory-shared), 8.5 % of the process model's samples.
const skidThreshold = 0.02

// preemptShare is the share of the profile's CPU time whose leaf frame is
// runtime.asyncPreempt. Such samples are skid, not cost: when the profiling
// signal is pending together with the runtime's preemption signal (a thread
// put back on a CPU after the kernel descheduled it has both), the profiler
// catches the goroutine in the preemption entry, one frame below where it
// was working. The time belongs to the caller.
func preemptShare(p *profile.Profile) float64 {
	vi := len(p.SampleType) - 1 // cpu nanoseconds in a CPU profile
	if vi < 0 {
		return 0
	}
	var total, leaf int64
	for _, s := range p.Sample {
		v := s.Value[vi]
		total += v
		if len(s.Location) == 0 {
			continue
		}
		if lines := s.Location[0].Line; len(lines) > 0 && lines[0].Function != nil && lines[0].Function.Name == preemptFunc {
			leaf += v
		}
	}
	if total == 0 {
		return 0
	}
	return float64(leaf) / float64(total)
}

// skidWarning says how much of a merged CPU profile landed in the
// preemption entry, when that is enough to mislead a reader of flat time.
func skidWarning(p *profile.Profile) string {
	share := preemptShare(p)
	if share < skidThreshold {
		return ""
	}
	return fmt.Sprintf("cpu profile: %.1f%% of CPU time landed in %s under the running function: "+
		"skid when the kernel deschedules busy threads (more of them than cores, from the trial itself or other load), "+
		"the profiling signal then coming with the runtime's preemption signal; "+
		"that time is the caller's: read its cum figure, or use pprof -hide=asyncPreempt",
		100*share, preemptFunc)
}
