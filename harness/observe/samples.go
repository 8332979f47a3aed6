package observe

import (
	"encoding/json"
	"fmt"
	"io"
)

// Samples is everything an Observer read, as written to samples.json.
//
// Every series is columnar: parallel arrays of one entry per read. All
// times are wall clock, Unix nanoseconds, taken just before the read they
// stamp. Counters are cumulative since the task started, so rates come from
// deltas over each delta's own interval. The first entry of a process or
// thread series is a synthesized zero at the task's start time (stat field
// 22, resolution 1/CLK_TCK = 10 ms) so that the CPU used before the first
// read is counted, spread over the time it was used in.
type Samples struct {
	// IntervalNs is the configured sampling period; actual intervals vary
	// (the sampler is preempted), so use the T columns.
	IntervalNs int64 `json:"interval_ns"`
	// CPUs is the number of online CPUs when sampling started.
	CPUs      int             `json:"cpus"`
	Machine   MachineSeries   `json:"machine"`
	Processes []ProcessSeries `json:"processes"`
}

// MachineSeries is the machine-wide "cpu" line of /proc/stat, read once at
// the start of every tick. Its resolution is 1/CLK_TCK (10 ms) per CPU.
type MachineSeries struct {
	T []int64 `json:"t"` // Unix ns of each read; also the start of each tick
	// BusyNs is cumulative busy CPU time over all CPUs, ns: every column
	// but idle and iowait (user, nice, system, irq, softirq, steal).
	BusyNs []int64 `json:"busy_ns"`
}

// ProcessSeries is one process (thread group), from discovery until it was
// gone. A pid that is reused later appears again as a new series.
type ProcessSeries struct {
	PID  int `json:"pid"`
	PPID int `json:"ppid"` // parent when discovered
	// Comm is the kernel's short name (≤ 15 bytes); it follows an exec.
	Comm string   `json:"comm"`
	Argv []string `json:"argv"` // /proc/<pid>/cmdline, read once (again after an exec)
	T    []int64  `json:"t"`    // Unix ns of each /proc/<pid>/stat read; T[0] is the start
	// CPUNs is the cumulative CPU time of the whole process, ns, threads
	// that have exited included: its CPU-time clock (exact, current for
	// running threads), or where that cannot be read, stat utime+stime
	// (1/CLK_TCK = 10 ms resolution).
	CPUNs    []int64        `json:"cpu_ns"`
	RSSBytes []int64        `json:"rss_bytes"` // statm resident pages × page size
	Threads  []ThreadSeries `json:"threads"`
}

// ThreadSeries is /proc/<pid>/task/<tid>/schedstat of one thread, in ns.
// The kernel brings a running thread's figure up to date only at its
// scheduler tick (4 ms at HZ 250), so a single 10 ms delta can be off by
// that much. CPU a thread used between its last read and its exit is not
// seen (summed over a trial: 0.4–4.6% below rusage on this machine).
type ThreadSeries struct {
	TID  int     `json:"tid"`
	Name string  `json:"name"` // comm when discovered
	T    []int64 `json:"t"`    // Unix ns of each read
	// OnCPUNs is cumulative time running on a CPU, ns (schedstat field 1).
	OnCPUNs []int64 `json:"on_cpu_ns"`
	// RunqueueNs is cumulative time runnable but waiting for a CPU, ns
	// (schedstat field 2): the contention the thread suffered.
	RunqueueNs []int64 `json:"runqueue_ns"`
}

// Write encodes s as compact JSON.
func (s *Samples) Write(w io.Writer) error {
	if err := json.NewEncoder(w).Encode(s); err != nil {
		return fmt.Errorf("observe: write samples: %w", err)
	}
	return nil
}

// Read decodes what Write wrote and checks that parallel columns have equal
// lengths, so the derived figures can index them without checks.
func Read(r io.Reader) (*Samples, error) {
	var s Samples
	if err := json.NewDecoder(r).Decode(&s); err != nil {
		return nil, fmt.Errorf("observe: read samples: %w", err)
	}
	if err := s.validate(); err != nil {
		return nil, fmt.Errorf("observe: read samples: %w", err)
	}
	return &s, nil
}

func (s *Samples) validate() error {
	if len(s.Machine.T) != len(s.Machine.BusyNs) {
		return fmt.Errorf("machine: %d times, %d values", len(s.Machine.T), len(s.Machine.BusyNs))
	}
	for _, p := range s.Processes {
		if len(p.T) != len(p.CPUNs) || len(p.T) != len(p.RSSBytes) {
			return fmt.Errorf("process %d: %d times, %d cpu, %d rss", p.PID, len(p.T), len(p.CPUNs), len(p.RSSBytes))
		}
		for _, th := range p.Threads {
			if len(th.T) != len(th.OnCPUNs) || len(th.T) != len(th.RunqueueNs) {
				return fmt.Errorf("thread %d/%d: %d times, %d on-cpu, %d runqueue", p.PID, th.TID, len(th.T), len(th.OnCPUNs), len(th.RunqueueNs))
			}
		}
	}
	return nil
}
