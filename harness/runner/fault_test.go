package runner

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"harness/harness/rundir"
	"harness/internal/proctest"
)

// runFault runs a fault scenario and checks afterwards that no process it
// started is left: every worker's argv holds the run's unique directory.
func runFault(t *testing.T, yaml string, grace time.Duration) (*rundir.Run, string) {
	t.Helper()
	dir := t.TempDir()
	r := testRunner(t)
	r.Grace = grace
	run, err := r.Run(context.Background(), load(t, yaml), dir)
	if err != nil {
		t.Fatal(err)
	}
	if pids := proctest.Matching(dir); len(pids) > 0 {
		t.Errorf("processes of the run still alive: %v", pids)
	}
	return run, dir
}

func TestCrashedWorkerIsNamed(t *testing.T) {
	for _, c := range []struct {
		fault, model string
		want         string // in the trial's error
	}{
		{"panic", "process", `worker w2 \(pid \d+\): exit status 2; stderr: .*panics on purpose`},
		{"exit", "process", `worker w2 \(pid \d+\): exit status 3; stderr: harness fault workload: worker w2 exits with status 3`},
		{"kill", "process", `worker w2 \(pid \d+\): killed by signal SIGKILL; stderr: harness fault workload: worker w2 kills its process`},
		// A crashing thread takes its whole process with it.
		{"panic", "thread", `workers w1,w2,w3 \(pid \d+\): exit status 2; stderr: .*`},
	} {
		t.Run(c.fault+"-"+c.model, func(t *testing.T) {
			run, dir := runFault(t, `
name: crash
workload: {kind: fault, fault: `+c.fault+`, target: 2, after: 30ms}
models: [`+c.model+`]
workers: 3
profiles: [heap, trace]
`, 0)
			tr := run.Trials[0]
			if tr.Status != rundir.StatusFailed {
				t.Fatalf("status %s, want failed", tr.Status)
			}
			if !regexp.MustCompile(c.want).MatchString(tr.Error) {
				t.Errorf("error %q does not match %q", tr.Error, c.want)
			}
			if c.model != "process" {
				return
			}
			// The other workers' files are still collected and merged.
			var heap *rundir.Profile
			for i := range run.Profiles {
				if run.Profiles[i].Kind == "heap" {
					heap = &run.Profiles[i]
				}
			}
			if heap == nil || heap.Inputs != 2 {
				t.Errorf("merged heap profile %+v, want the 2 surviving workers'", heap)
			}
			traces, _ := filepath.Glob(filepath.Join(dir, tr.Dir, "*", rundir.TraceFile))
			if len(traces) != 2 {
				t.Errorf("%d whole traces, want the 2 surviving workers'", len(traces))
			}
			if tr.Observed == nil || len(tr.Observed.Processes) != 3 {
				t.Errorf("observer missed processes: %+v", tr.Observed)
			}
			if !run.Complete {
				t.Errorf("a failed trial is still a complete run")
			}
		})
	}
}

// TestHangTimesOut: a hung worker is ended on timeout; it flushes its
// profiles and trace on SIGTERM, so they are whole and usable.
func TestHangTimesOut(t *testing.T) {
	run, dir := runFault(t, `
name: hang
workload: {kind: fault, fault: hang, target: 1, after: 10ms}
models: [thread]
workers: 2
timeout: 1s
profiles: [cpu, trace]
`, 3*time.Second)
	tr := run.Trials[0]
	if tr.Status != rundir.StatusTimeout || !strings.Contains(tr.Error, "timed out after") {
		t.Fatalf("status %s %q, want timeout", tr.Status, tr.Error)
	}
	p := tr.Processes[0]
	if p.Signal != "" || p.ExitCode != 143 {
		t.Errorf("exit %d signal %q, want the worker's own exit 143 after flushing", p.ExitCode, p.Signal)
	}
	f := filepath.Join(dir, tr.Dir, itoa(p.PID), rundir.TraceFile)
	if n := parseTrace(t, f); n == 0 {
		t.Errorf("flushed trace %s has no events", f)
	}
	if _, err := os.Stat(filepath.Join(dir, "profiles", "cpu.pb.gz")); err != nil {
		t.Errorf("timed-out trial's CPU profile was not merged: %v", err)
	}
}

// TestHangIgnoringSIGTERM: a program that ignores SIGTERM still ends, by
// SIGKILL after the grace period; its files are left marked partial and
// the merge says it skipped them.
func TestHangIgnoringSIGTERM(t *testing.T) {
	run, dir := runFault(t, `
name: stubborn
workload: {kind: fault, fault: hang-ignore-term, target: 1, after: 10ms}
models: [process]
workers: 2
timeout: 1s
profiles: [cpu, trace]
`, 500*time.Millisecond)
	tr := run.Trials[0]
	if tr.Status != rundir.StatusTimeout {
		t.Fatalf("status %s, want timeout", tr.Status)
	}
	killed := 0
	for _, p := range tr.Processes {
		if p.Signal == "SIGKILL" {
			killed++
			partial, _ := filepath.Glob(filepath.Join(dir, tr.Dir, itoa(p.PID), "*.partial"))
			if len(partial) != 2 {
				t.Errorf("pid %d left %v, want its cpu profile and trace marked partial", p.PID, partial)
			}
		}
	}
	if killed != 1 {
		t.Errorf("%d processes killed, want the one ignoring SIGTERM: %+v", killed, tr.Processes)
	}
	// Waiting out the grace period costs the harness nothing: it used to
	// spin a core on the closed context for all of it.
	if tr.HarnessCPUNs > int64(250*time.Millisecond) {
		t.Errorf("the harness used %v of CPU over a 1.5 s trial", time.Duration(tr.HarnessCPUNs))
	}
	if !strings.Contains(strings.Join(run.Warnings, "\n"), "incomplete") {
		t.Errorf("no warning about the partial profile: %q", run.Warnings)
	}
}

// TestRunawayOutput: 100 MiB of stdout neither blocks the worker nor is
// kept: a bounded tail and an exact count.
func TestRunawayOutput(t *testing.T) {
	run, dir := runFault(t, `
name: spew
workload: {kind: fault, fault: spew, spew_mb: 100, target: 1, after: 1ms}
models: [process]
workers: 1
profiles: []
`, 0)
	tr := run.Trials[0]
	if tr.Status != rundir.StatusOK {
		t.Fatalf("%s: %s", tr.Status, tr.Error)
	}
	p := tr.Processes[0]
	if p.StdoutBytes < 100<<20 || len(p.StdoutTail) > tailJSONBytes {
		t.Errorf("stdout %d bytes, tail %d bytes in run.json", p.StdoutBytes, len(p.StdoutTail))
	}
	st, err := os.Stat(filepath.Join(dir, tr.Dir, itoa(p.PID), rundir.StdoutFile))
	if err != nil || st.Size() != tailFileBytes {
		t.Errorf("stdout tail file: %v, %v; want exactly %d bytes", st, err, tailFileBytes)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
