package runner

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/procfs"

	"harness/harness/rundir"
	"harness/harness/scenario"
	"harness/internal/proctest"
)

// agree runs build() up to three times and passes when one run's sampled
// CPU total is within 5% of rusage (and the cgroup's total within 1% of
// it, where there is a cgroup). A shared machine can starve the sampler
// or the child in one run; it cannot make a broken sampler agree.
func agree(t *testing.T, name string, run func() *rundir.Trial) {
	t.Helper()
	var why []string
	for attempt := 1; attempt <= 3; attempt++ {
		tr := run()
		if tr.Status != rundir.StatusOK {
			t.Fatalf("%s: %s: %s", name, tr.Status, tr.Error)
		}
		o := tr.Observed
		if o == nil {
			t.Fatalf("%s: no observation", name)
		}
		ru := float64(tr.CPUUserNs + tr.CPUSysNs)
		sampled := float64(o.ProcessCPUNs)
		off := math.Abs(sampled-ru) / ru
		msg := fmt.Sprintf("attempt %d: sampled %.1f ms (threads %.1f ms) vs rusage %.1f ms: %.1f%% off; exact %s %.1f ms; machine other load %.2f cores",
			attempt, sampled/1e6, float64(o.SampledCPUNs)/1e6, ru/1e6, 100*off, o.ExactSource, float64(o.ExactCPUNs)/1e6, o.MachineOtherAvgCores)
		t.Log(msg)
		if o.ExactSource == "cgroup" {
			if d := math.Abs(float64(o.ExactCPUNs) - ru); d > 0.01*ru+2e6 {
				t.Errorf("%s: cgroup total %d ns differs from rusage %d ns by %.0f ns", name, o.ExactCPUNs, int64(ru), d)
			}
		}
		if o.UnattributedCPUNs != o.ExactCPUNs-max(o.ProcessCPUNs, o.SampledCPUNs) {
			t.Errorf("unattributed %d ≠ exact − sampled", o.UnattributedCPUNs)
		}
		if off <= 0.05 {
			return
		}
		why = append(why, msg)
	}
	t.Errorf("%s: sampled CPU never within 5%% of rusage:\n%s", name, strings.Join(why, "\n"))
}

// TestObservedGoChild: a multi-threaded Go worker process.
func TestObservedGoChild(t *testing.T) {
	sc := load(t, `
name: obs-go
workload: {kind: cpu, iterations: 150000000}
models: [thread]
workers: 2
profiles: []
`)
	agree(t, "thread model", func() *rundir.Trial {
		run, err := testRunner(t).Run(context.Background(), sc, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		tr := &run.Trials[0]
		if tr.Observed != nil && len(tr.Observed.Processes) != 1 {
			t.Errorf("observed %d processes, want the one worker process", len(tr.Observed.Processes))
		}
		return tr
	})
}

// TestObservedCommandTree: a command whose work happens in two children it
// forks (the multiprocessing shape).
func TestObservedCommandTree(t *testing.T) {
	sc := load(t, `
name: obs-cmd
workload:
  kind: command
  shell: true
  commands:
    process: 'for w in $(seq {workers}); do (i=0; while [ $i -lt 400000 ]; do i=$((i+1)); done) & done; wait'
workers: 2
`)
	agree(t, "process tree", func() *rundir.Trial {
		run, err := testRunner(t).Run(context.Background(), sc, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		tr := &run.Trials[0]
		if tr.Observed != nil && len(tr.Observed.Processes) < 3 {
			t.Errorf("observed %d processes, want the shell and its 2 workers: %+v", len(tr.Observed.Processes), tr.Observed.Processes)
		}
		return tr
	})
}

// TestDoubleForkedGrandchild: a command leaves a double-forked sleep
// behind. The observer sees it while it runs; after the trial it is gone,
// and the trial says it was ended.
func TestDoubleForkedGrandchild(t *testing.T) {
	marker := fmt.Sprintf("%d.%d", 30+os.Getpid()%1000, os.Getpid())
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "grandchild.pid")
	sc := load(t, `
name: double-fork
workload:
  kind: command
  shell: true
  commands:
    process: '(sleep `+marker+` & echo $! > `+pidFile+`) ; sleep 0.3'
workers: 1
`)
	if err := EnableSubreaper(); err != nil {
		t.Logf("no subreaper: %v (the cgroup still holds the grandchild)", err)
	}
	run, err := testRunner(t).Run(context.Background(), sc, filepath.Join(dir, "out"))
	if err != nil {
		t.Fatal(err)
	}
	tr := run.Trials[0]
	if tr.Status != rundir.StatusOK {
		t.Fatalf("%s: %s", tr.Status, tr.Error)
	}
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	seen := false
	for _, p := range tr.Observed.Processes {
		seen = seen || p.PID == pid && p.Comm == "sleep"
	}
	if !seen {
		t.Errorf("grandchild sleep (pid %d) not observed: %+v", pid, tr.Observed.Processes)
	}
	left := false
	for _, p := range tr.Observed.Leftovers {
		left = left || p.PID == pid
	}
	if !left || len(tr.Notes) == 0 {
		t.Errorf("grandchild not reported as left over: leftovers %+v notes %q", tr.Observed.Leftovers, tr.Notes)
	}
	if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
		t.Errorf("grandchild %d still exists after the trial (kill 0: %v)", pid, err)
	}
	if pids := proctest.Matching(marker); len(pids) > 0 {
		t.Errorf("processes with marker %s still running: %v", marker, pids)
	}
}

// TestPythonGIL runs the seed's own scripts: Python threads take turns on
// one core under the GIL, Python processes run in parallel.
func TestPythonGIL(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed: the seed's Python scenario cannot run here")
	}
	root, _ := filepath.Abs("../..")
	sc, err := scenario.LoadFile(filepath.Join(root, "scenarios", "python-gil.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sc.Workload.Command.Dir = root
	sc.Repeat = 1
	sc.Workers = []int{2}
	if n := len(sc.Workload.Command.Resolved); n != 2 {
		t.Fatalf("resolved %d programs", n)
	}
	for _, exe := range sc.Workload.Command.Resolved {
		if isScript(exe) {
			t.Errorf("resolved interpreter %s is still a script (shim)", exe)
		}
	}
	var loaded []string
	for attempt := 1; attempt <= 3; attempt++ {
		// Under `go test ./...` other packages' tests share the 2 cores;
		// wait for them to finish, so processes can show their parallelism.
		waitQuiet(t, 0.5, time.Minute)
		run, err := testRunner(t).Run(context.Background(), sc, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		th, pr := trialOf(t, run, "thread"), trialOf(t, run, "process")
		if th.Status != "ok" || pr.Status != "ok" {
			t.Fatalf("thread %s %s; process %s %s", th.Status, th.Error, pr.Status, pr.Error)
		}
		t.Logf("attempt %d: thread %.2f cores, process %.2f cores; other load %.2f / %.2f cores",
			attempt, th.CoresBusy, pr.CoresBusy, th.Observed.MachineOtherAvgCores, pr.Observed.MachineOtherAvgCores)
		if th.CoresBusy >= 1.3 {
			t.Fatalf("Python threads kept %.2f cores busy; the GIL allows about one", th.CoresBusy)
		}
		if run.Host.CPUs < 2 {
			t.Skip("one CPU: processes cannot be shown to run in parallel")
		}
		if pr.CoresBusy > 1.5 {
			return
		}
		if pr.Observed.MachineOtherAvgCores < 0.5 {
			t.Fatalf("Python processes kept only %.2f cores busy on a quiet machine; want > 1.5", pr.CoresBusy)
		}
		loaded = append(loaded, fmt.Sprintf("%.2f", pr.Observed.MachineOtherAvgCores))
	}
	t.Skipf("the machine was busy with other work (%s cores) in every attempt: processes could not show their parallelism", strings.Join(loaded, ", "))
}

func isScript(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	b := make([]byte, 2)
	n, _ := f.Read(b)
	return n == 2 && string(b) == "#!"
}

// waitQuiet waits, for at most max, until the machine's busy cores
// (/proc/stat over 300 ms, this idle test included) fall below limit, and
// logs how long it waited. It returns in any case: the caller judges the
// load its run measured.
func waitQuiet(t *testing.T, limit float64, max time.Duration) {
	t.Helper()
	fs, err := procfs.NewDefaultFS()
	if err != nil {
		return
	}
	busy := func() (float64, error) {
		st, err := fs.Stat()
		if err != nil {
			return 0, err
		}
		c := st.CPUTotal
		return c.User + c.Nice + c.System + c.IRQ + c.SoftIRQ + c.Steal, nil
	}
	start := time.Now()
	for {
		b0, err := busy()
		if err != nil {
			return
		}
		time.Sleep(300 * time.Millisecond)
		b1, err := busy()
		if err != nil {
			return
		}
		cores := (b1 - b0) / 0.3
		if cores < limit || time.Since(start) > max {
			t.Logf("machine load %.2f cores after waiting %v for < %.1f", cores, time.Since(start).Round(time.Millisecond), limit)
			return
		}
	}
}
