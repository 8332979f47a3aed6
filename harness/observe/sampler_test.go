package observe

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"harness/harness/cgroup"
)

// newGroup returns a fresh cgroup, closed at cleanup, where cgroups are
// writable; nil otherwise.
func newGroup(t *testing.T) *cgroup.Group {
	t.Helper()
	if !cgroup.Available() {
		return nil
	}
	g, err := cgroup.New(t.Name())
	if err != nil {
		t.Fatalf("cgroup available but New failed: %v", err)
	}
	t.Cleanup(func() {
		if err := g.Close(); err != nil {
			t.Errorf("close cgroup: %v", err)
		}
	})
	return g
}

// inGroup has cmd start in g, if there is one.
func inGroup(cmd *exec.Cmd, g *cgroup.Group) {
	if g != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: g.FD()}
	}
}

// observed runs cmd to its end, watched from its start by a fresh
// sampler, and returns the samples.
func observed(t *testing.T, cmd *exec.Cmd) *Samples {
	t.Helper()
	o := Start(Config{})
	if err := cmd.Start(); err != nil {
		o.Stop()
		t.Fatal(err)
	}
	o.Watch(cmd.Process.Pid)
	err := cmd.Wait()
	s := o.Stop()
	if err != nil {
		t.Fatalf("helper: %v", err)
	}
	return s
}

// TestSampledCPUMatchesRusage runs a workload under the sampler and checks
// the sampled on-CPU total against the child's rusage (which includes its
// reaped descendants), and the cgroup's cpu.stat against rusage.
//
// Polling misses what threads run between their last read and their exit:
// up to CPUs × (exit gap + 4 ms of schedstat lag), ~28 ms here, whatever
// the workload's size. So the 5% bound says something only when the
// workload is large against that (with 300 ms of spinning, an ordinary
// 10 ms tick before the exits once lost 5.2%: the child now spins 700 ms),
// the sampler ran on time around the exits and the workload got most of
// the CPU it was meant to use (under heavy load a child got 120–160 ms and
// lost 7–9%). This VM is at times descheduled whole by its host (a
// SCHED_FIFO ticker saw 115 ms gaps) and is shared, so a run whose exitGap
// exceeds maxGap, or whose child got less than minCPU, is retried, and the
// test skips if no run was fair.
func TestSampledCPUMatchesRusage(t *testing.T) {
	const (
		attempts = 4
		maxGap   = 15 * time.Millisecond
		minCPU   = 600 * time.Millisecond // ~0.85 core over the 700 ms
	)
	cases := []struct {
		name  string
		args  []string
		procs int
	}{
		{"threads", []string{"spin", "4", "700ms"}, 1},
		{"processes", []string{"tree", "2", "700ms"}, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var unfair []string
			for range attempts {
				s, ru, gap := cpuTrial(t, tc.args)
				if n := len(goProcesses(s)); n != tc.procs {
					t.Errorf("sampled %d Go processes, want %d", n, tc.procs)
					for _, p := range s.Processes {
						t.Logf("pid %d ppid %d comm %q argv %q: %d reads %v..%v, %d threads", p.PID, p.PPID, p.Comm, p.Argv, len(p.T), p.T[0], p.T[len(p.T)-1], len(p.Threads))
					}
				}
				if gap > maxGap || ru < int64(minCPU) {
					unfair = append(unfair, fmt.Sprintf("exit gap %v, child CPU %v", gap.Round(time.Millisecond), time.Duration(ru).Round(time.Millisecond)))
					continue
				}
				sum := s.Summary(s.span())
				rel := float64(sum.CPUNs-ru) / float64(ru)
				prel := float64(sum.ProcessCPUNs-ru) / float64(ru)
				t.Logf("rusage %.1f ms, sampled %.1f ms (%+.2f%%), process clocks %.1f ms (%+.2f%%), exit gap %v, avg %.2f cores, peak %.2f cores",
					ms(ru), ms(sum.CPUNs), 100*rel, ms(sum.ProcessCPUNs), 100*prel, gap.Round(time.Microsecond), sum.AvgCores, sum.PeakCores)
				if math.Abs(rel) > 0.05 {
					t.Errorf("sampled CPU %.1f ms differs from rusage %.1f ms by %.2f%% (> 5%%)", ms(sum.CPUNs), ms(ru), 100*rel)
				}
				if math.Abs(prel) > 0.05 {
					t.Errorf("process clocks %.1f ms differ from rusage %.1f ms by %.2f%% (> 5%%)", ms(sum.ProcessCPUNs), ms(ru), 100*prel)
				}
				return
			}
			t.Skipf("machine overloaded: no run with exit gap ≤ %v and child CPU ≥ %v in %d: %q", maxGap, minCPU, attempts, unfair)
		})
	}
}

// cpuTrial runs one helper under a fresh sampler, in a fresh cgroup where
// available (checking its cpu.stat against rusage), and returns the
// samples, the helper's rusage CPU and its exitGap.
func cpuTrial(t *testing.T, args []string) (*Samples, int64, time.Duration) {
	t.Helper()
	cmd := helperCmd(args...)
	g := newGroup(t)
	inGroup(cmd, g)
	s := observed(t, cmd)
	ru := rusageNs(t, cmd)
	if g != nil {
		usage, _, _, err := g.CPU()
		if err != nil {
			t.Fatal(err)
		}
		diff := usage.Nanoseconds() - ru
		if tol := max(int64(2*time.Millisecond), ru/100); abs(diff) > tol {
			t.Errorf("cgroup usage %v differs from rusage %.1f ms by more than %.1f ms", usage, ms(ru), ms(tol))
		} else {
			t.Logf("cgroup cpu.stat %.3f ms, rusage %.3f ms", ms(usage.Nanoseconds()), ms(ru))
		}
	}
	return s, ru, exitGap(s)
}

// exitGap bounds how late the sampler was where lateness loses CPU: for
// each thread that exited, the time from its last read to the next tick,
// which found it gone. Late reads elsewhere lose nothing, the counters
// being cumulative.
func exitGap(s *Samples) time.Duration {
	var gap int64
	for _, p := range s.Processes {
		for _, th := range p.Threads {
			last := th.T[len(th.T)-1]
			i := sort.Search(len(s.Machine.T), func(i int) bool { return s.Machine.T[i] > last })
			if i < len(s.Machine.T) {
				gap = max(gap, s.Machine.T[i]-last)
			}
		}
	}
	return time.Duration(gap)
}

// TestDescendants checks that a chain of processes is found to the bottom
// through the children files alone.
func TestDescendants(t *testing.T) {
	cmd := helperCmd("chain", "3", "200ms")
	s := observed(t, cmd)
	parent := map[int]int{}
	for _, p := range goProcesses(s) {
		parent[p.PID] = p.PPID
		if len(p.Threads) == 0 || len(p.T) < 3 {
			t.Errorf("process %d: %d threads, %d reads", p.PID, len(p.Threads), len(p.T))
		}
	}
	depth := 0
	for pid := range parent {
		d := 0
		for q := pid; q != cmd.Process.Pid; q = parent[q] {
			if _, ok := parent[q]; !ok {
				t.Fatalf("process %d does not descend from the root %d", pid, cmd.Process.Pid)
			}
			d++
		}
		depth = max(depth, d)
	}
	if len(parent) != 4 || depth != 3 {
		t.Errorf("found %d processes, deepest at depth %d; want 4 and 3", len(parent), depth)
	}
}

// goProcesses leaves out processes seen with fewer than two threads: the
// first start of a child by os/exec forks a probe that exits at once, to
// check that clone(CLONE_PIDFD) works, and the sampler may catch it (on a
// loaded machine it was seen living 90 ms); every Go helper runs several
// threads.
func goProcesses(s *Samples) []ProcessSeries {
	var out []ProcessSeries
	for _, p := range s.Processes {
		if len(p.Threads) >= 2 {
			out = append(out, p)
		}
	}
	return out
}

// TestDiscoverOrphan checks that a grandchild whose parent has exited is
// sampled once Discover reports it: as our own child when we are a child
// subreaper, and as a member of the trial's cgroup; whether it was there
// when sampling started (the first tick) or was born during it (a later
// tick at which a task was created).
func TestDiscoverOrphan(t *testing.T) {
	for _, when := range []struct {
		name   string
		during bool
	}{{"before", false}, {"during", true}} {
		name, during := when.name, when.during
		t.Run("subreaper/"+name, func(t *testing.T) {
			if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
				t.Skipf("cannot become a child subreaper: %v", err)
			}
			defer unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)
			checkOrphan(t, nil, ownChildren, during)
		})
		t.Run("cgroup/"+name, func(t *testing.T) {
			g := newGroup(t)
			if g == nil {
				t.Skip("cgroup v2 not writable here")
			}
			checkOrphan(t, g, func() []int {
				pids, _ := g.Procs()
				return pids
			}, during)
		})
	}
}

// checkOrphan runs a helper that starts a spinning grandchild and exits.
// The sampler never watches the helper, so only Discover can lead to the
// grandchild, which spins until we close its stdin. The sampler starts
// after the helper was reaped, or with during, before the helper starts.
func checkOrphan(t *testing.T, g *cgroup.Group, discover func() []int, during bool) {
	t.Helper()
	var o *Observer
	if during {
		o = Start(Config{Discover: discover})
		defer o.Stop()
		time.Sleep(30 * time.Millisecond) // a few ticks before the orphan is born
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	cmd := helperCmd("orphan")
	cmd.Stdin = r
	inGroup(cmd, g)
	out, err := cmd.Output()
	r.Close()
	if err != nil {
		t.Fatalf("helper: %v", err)
	}
	gpid, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("helper output %q: %v", out, err)
	}
	defer func() {
		w.Close()                     // first: the orphan spins until then, even after a failure
		unix.Wait4(gpid, nil, 0, nil) // ours when we are the subreaper (else ECHILD at once)
	}()

	if o == nil {
		o = Start(Config{Discover: discover})
		defer o.Stop()
	}
	for deadline := time.Now().Add(10 * time.Second); !slices.Contains(o.Live(), gpid); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("orphan %d not found in 10 s", gpid)
		}
	}
	time.Sleep(100 * time.Millisecond)
	w.Close() // the orphan exits
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if st, err := os.ReadFile("/proc/" + strconv.Itoa(gpid) + "/stat"); err != nil || isZombie(st) {
			break
		}
	}
	s := o.Stop()
	for _, p := range s.Processes {
		if p.PID != gpid {
			continue
		}
		var cpu int64
		for _, ps := range s.Summary(s.span()).Processes {
			if ps.PID == gpid {
				cpu = ps.CPUNs
			}
		}
		t.Logf("orphan %d (ppid %d): %d reads, %.1f ms on CPU", gpid, p.PPID, len(p.T), ms(cpu))
		if len(p.T) < 3 || len(p.Threads) == 0 || cpu <= 0 {
			t.Errorf("orphan %d: %d reads, %d threads, %.1f ms sampled; want a running process", gpid, len(p.T), len(p.Threads), ms(cpu))
		}
		return
	}
	t.Errorf("orphan %d was not sampled; processes: %+v", gpid, s.Processes)
}

func isZombie(stat []byte) bool {
	st, err := parseStat(stat)
	return err == nil && isDead(st)
}

// ownChildren is what a subreaping runner would pass as Discover.
func ownChildren() []int {
	var pids []int
	tasks, _ := filepath.Glob("/proc/self/task/*/children")
	for _, f := range tasks {
		b, err := os.ReadFile(f)
		if err == nil {
			pids = appendPIDs(pids, b)
		}
	}
	return pids
}

func TestLiveAndStop(t *testing.T) {
	cmd := helperCmd("spin", "1", "200ms")
	o := Start(Config{Interval: 5 * time.Millisecond})
	if err := cmd.Start(); err != nil {
		o.Stop()
		t.Fatal(err)
	}
	o.Watch(cmd.Process.Pid)
	if live := o.Live(); !slices.Contains(live, cmd.Process.Pid) {
		t.Errorf("Live() = %v while %d runs", live, cmd.Process.Pid)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	if live := o.Live(); slices.Contains(live, cmd.Process.Pid) {
		t.Errorf("Live() = %v after %d was reaped", live, cmd.Process.Pid)
	}
	s1, s2 := o.Stop(), o.Stop()
	if s1 != s2 {
		t.Error("Stop is not idempotent")
	}
	if o.Live() != nil {
		t.Error("Live after Stop is not empty")
	}
	o.Watch(os.Getpid()) // no effect after Stop
	if len(s1.Processes) != 1 || s1.IntervalNs != int64(5*time.Millisecond) || s1.CPUs < 1 {
		t.Errorf("samples: %d processes, interval %d, %d CPUs", len(s1.Processes), s1.IntervalNs, s1.CPUs)
	}
	p := s1.Processes[0]
	if p.Comm == "" || len(p.Argv) == 0 || p.Argv[0] != os.Args[0] {
		t.Errorf("comm %q argv %q", p.Comm, p.Argv)
	}
	if !slices.IsSorted(p.T) || !slices.IsSorted(s1.Machine.T) {
		t.Error("times not increasing")
	}
	if slices.Max(p.RSSBytes) < 1<<20 {
		t.Errorf("peak RSS %d bytes: implausible for a Go process", slices.Max(p.RSSBytes))
	}
	// Reads are at most a few intervals apart even on a loaded machine.
	if n := len(s1.Machine.T); n < 10 {
		t.Errorf("%d machine reads in 200 ms at 5 ms", n)
	}
}

// TestNoFDLeak checks that the files of exited tasks are closed.
func TestNoFDLeak(t *testing.T) {
	before := countFDs(t)
	o := Start(Config{})
	cmd := helperCmd("tree", "2", "50ms")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	o.Watch(cmd.Process.Pid)
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(30 * time.Millisecond) // a tick or two sees them gone
	o.mu.Lock()
	alive := len(o.alive)
	o.mu.Unlock()
	if alive != 0 {
		t.Errorf("%d processes still tracked after exit", alive)
	}
	o.Stop()
	if after := countFDs(t); after > before {
		t.Errorf("%d fds open before, %d after", before, after)
	}
}

func countFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// The sampler parses the machine line the same way procfs would.
func TestMachineLine(t *testing.T) {
	f, err := os.Open("/proc/stat")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadBytes('\n')
	busy, err := parseCPULine(line)
	if err != nil || busy == 0 {
		t.Errorf("parseCPULine(%q) = %d, %v", line, busy, err)
	}
}

func ms(ns int64) float64 { return float64(ns) / 1e6 }

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}
