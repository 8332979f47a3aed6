package schedtrace

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"syscall"
	"testing"
	"time"

	xtrace "golang.org/x/exp/trace"

	"harness/internal/tracegen"
)

// BenchmarkRead100MB measures trace → schedule end to end on a generated
// trace of at least 100 MB: each iteration runs Read in a child process (so
// peak RSS is that of a process doing only this) and reports MB/s measured
// around the child (so including its start), MB per CPU-second of the child
// (steadier than wall time on a shared machine) and the child's peak RSS.
//
// The GOMEMLIMIT variant shows what a soft memory limit in the reading
// process buys: x/exp/trace's live heap is below 200 MiB, the rest of the
// default peak is GC headroom.
func BenchmarkRead100MB(b *testing.B) {
	b.Run("default", func(b *testing.B) { benchChild(b, "summarize") })
	b.Run("GOMEMLIMIT=200MiB", func(b *testing.B) { benchChild(b, "summarize", "GOMEMLIMIT=200MiB") })
}

// BenchmarkParseOnly100MB is the floor: the same trace through
// x/exp/trace's ReadEvent alone, nothing kept. It also reports the largest
// generation, which is what the reader's memory follows.
func BenchmarkParseOnly100MB(b *testing.B) { benchChild(b, "parse") }

// BenchmarkReadInProcess100MB runs Read in the test process, for profiling
// (-cpuprofile); its MB/s includes no process start.
func BenchmarkReadInProcess100MB(b *testing.B) {
	path := benchTrace(b)
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := childSummarize(path, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

func benchChild(b *testing.B, mode string, env ...string) {
	path := benchTrace(b)
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	mb := float64(st.Size()) / (1 << 20)
	b.ResetTimer()
	var maxRSS int64
	var elapsed, cpu time.Duration
	var sum childSummary
	for i := 0; i < b.N; i++ {
		start := time.Now()
		out, ps := runChild(b, mode+":"+path, env...)
		elapsed += time.Since(start)
		cpu += ps.UserTime() + ps.SystemTime()
		if ru, ok := ps.SysUsage().(*syscall.Rusage); ok && ru.Maxrss > maxRSS {
			maxRSS = ru.Maxrss // KB on Linux
		}
		if err := json.Unmarshal(out, &sum); err != nil {
			b.Fatalf("child output %q: %v", out, err)
		}
	}
	b.StopTimer()
	b.ReportMetric(mb*float64(b.N)/elapsed.Seconds(), "MB/s")
	b.ReportMetric(mb*float64(b.N)/cpu.Seconds(), "MB/cpu-s")
	b.ReportMetric(float64(maxRSS)/1024, "peak-RSS-MB")
	b.ReportMetric(mb, "trace-MB")
	if mode == "parse" {
		b.ReportMetric(sum.MaxGenMB, "max-gen-MB")
	}
	b.Logf("%s: %.1f MB, %d events, %d goroutines, %d lanes, binned=%v, largest generation %.1f MB, read in child %.2fs, totals %v, parallelism %.2f, lanes peaked at %d records (budget %d)",
		path, mb, sum.Events, sum.Goroutines, sum.Lanes, sum.Binned, sum.MaxGenMB, sum.ReadSeconds, sum.Totals, sum.Parallelism, sum.PeakCost, sum.Budget)
}

// childSummary is what the summarize and parse children print.
type childSummary struct {
	Events      int64
	Goroutines  int
	Lanes       int
	Binned      bool
	MaxGenMB    float64
	ReadSeconds float64
	Totals      StateNs
	Parallelism float64 // scheduled goroutine-seconds per second of trace
	PeakCost    int     // lanes' peak size in records
	Budget      int     // and their budget
}

// childSummarize reads the trace at path with default options, as the report
// renderer would.
func childSummarize(path string, out io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	start := time.Now()
	s, bld, err := read(f, Options{}.withDefaults())
	if err != nil {
		return err
	}
	if s.Truncated {
		return fmt.Errorf("benchmark trace truncated: %s", s.Err)
	}
	return json.NewEncoder(out).Encode(childSummary{
		Events:      s.Events,
		Goroutines:  s.NumGoroutines,
		Lanes:       len(s.Goroutines),
		Binned:      s.Binned,
		ReadSeconds: time.Since(start).Seconds(),
		Totals:      s.Totals,
		Parallelism: float64(s.Totals.Scheduled()) / float64(s.EndNs-s.StartNs),
		PeakCost:    bld.peakCost,
		Budget:      bld.budget,
	})
}

// childParse only parses, measuring generation sizes by the bytes the reader
// consumed between Sync events (each is emitted once its generation is in).
func childParse(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	start := time.Now()
	cr := &countingReader{r: f}
	r, err := xtrace.NewReader(cr)
	if err != nil {
		return err
	}
	var sum childSummary
	var lastSync int64
	for {
		ev, err := r.ReadEvent()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		sum.Events++
		if ev.Kind() == xtrace.EventSync {
			sum.MaxGenMB = max(sum.MaxGenMB, float64(cr.n-lastSync)/(1<<20))
			lastSync = cr.n
		}
	}
	sum.ReadSeconds = time.Since(start).Seconds()
	return json.NewEncoder(os.Stdout).Encode(sum)
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// benchTrace returns the shared, cached benchmark trace (≥ 100 MB),
// generated in a child process when missing.
func benchTrace(b *testing.B) string {
	return tracegen.Bench(b, func(tmp string) { runChild(b, "generate:"+tmp) })
}
