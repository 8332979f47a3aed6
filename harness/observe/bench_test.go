package observe

import (
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// BenchmarkSampler10Threads measures the sampler's own cost while it
// watches a child with 10 busy threads at the default 10 ms. One op is one
// tick interval; -benchtime=200x samples for 2 s. Metrics:
//
//	%core     this process's CPU (getrusage, sampler and Go runtime
//	          together) over the elapsed time, in percent of one core
//	µs/tick   wall time spent inside a tick (reads, parsing, bookkeeping;
//	          preemption included)
//	cpu-µs/tick this process's CPU per tick, Go runtime included
//	gap-p99-ms 99th percentile of the interval between ticks
func BenchmarkSampler10Threads(b *testing.B) { benchSampler(b, Config{}) }

// BenchmarkSampler10ThreadsDiscover is the same with the Discover a runner
// passes where it has no cgroup: its own children, as a child subreaper
// (the costlier of the runner's two).
func BenchmarkSampler10ThreadsDiscover(b *testing.B) {
	benchSampler(b, Config{Discover: ownChildren})
}

func benchSampler(b *testing.B, cfg Config) {
	cmd := helperCmd("spin", "10", "1h")
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	// Let the child start its threads (the runtime's own come on top).
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		raw, err := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/stat")
		if st, perr := parseStat(raw); err == nil && perr == nil && st.numThreads > 10 {
			break
		}
		if time.Now().After(deadline) {
			b.Fatal("helper did not start 10 threads in 5 s")
		}
	}

	o := Start(cfg)
	o.Watch(cmd.Process.Pid)
	o.mu.Lock()
	ticks0, tickNs0 := o.ticks, o.tickNs
	o.mu.Unlock()
	var ru0, ru1 unix.Rusage
	unix.Getrusage(unix.RUSAGE_SELF, &ru0)
	t0 := time.Now()
	b.ResetTimer()
	time.Sleep(time.Duration(b.N) * o.interval)
	b.StopTimer()
	elapsed := time.Since(t0)
	unix.Getrusage(unix.RUSAGE_SELF, &ru1)
	o.mu.Lock()
	ticks, tickNs := o.ticks-ticks0, o.tickNs-tickNs0
	o.mu.Unlock()
	s := o.Stop()

	cpu := (ru1.Utime.Nano() + ru1.Stime.Nano()) - (ru0.Utime.Nano() + ru0.Stime.Nano())
	b.ReportMetric(100*float64(cpu)/float64(elapsed), "%core")
	if ticks > 0 {
		b.ReportMetric(float64(tickNs)/float64(ticks)/1e3, "µs/tick")
		b.ReportMetric(float64(cpu)/float64(ticks)/1e3, "cpu-µs/tick")
	}
	var gaps []int64
	for i := 1; i < len(s.Machine.T); i++ {
		gaps = append(gaps, s.Machine.T[i]-s.Machine.T[i-1])
	}
	if len(gaps) > 0 {
		slices.Sort(gaps)
		b.ReportMetric(float64(gaps[len(gaps)*99/100])/1e6, "gap-p99-ms")
	}
	if n := len(s.Processes); n != 1 || len(s.Processes[0].Threads) < 10 {
		b.Fatalf("watched %d processes, %d threads", n, len(s.Processes[0].Threads))
	}
}
