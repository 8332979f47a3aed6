package runner

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
	"golang.org/x/exp/trace"

	"harness/harness/rundir"
	"harness/harness/scenario"
	"harness/harness/worker"
)

// TestMain lets the test binary be its own worker: the runner re-executes
// it with the worker mode argument, as it does the harness binary.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == worker.Mode {
		os.Exit(worker.Main(os.Args[2:]))
	}
	os.Exit(m.Run())
}

func testRunner(t testing.TB) *Runner {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return &Runner{Exe: exe}
}

func load(t testing.TB, yaml string) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.Load("test.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func trialOf(t *testing.T, run *rundir.Run, model string) *rundir.Trial {
	t.Helper()
	for i := range run.Trials {
		if run.Trials[i].Model == model && !run.Trials[i].Warmup {
			return &run.Trials[i]
		}
	}
	t.Fatalf("no %s trial", model)
	return nil
}

// TestModels runs the cpu workload under all three models and checks what
// each model means: process layout, checksums, labelled merged profiles and
// traces that parse.
func TestModels(t *testing.T) {
	const workers = 3
	sc := load(t, `
name: models
workload: {kind: cpu, iterations: 30000000}
models: [serial, thread, process]
workers: 3
profiles: [cpu, wall, trace, heap, mutex, block, goroutine]
`)
	dir := t.TempDir()
	run, err := testRunner(t).Run(context.Background(), sc, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !run.Complete || len(run.Trials) != 3 {
		t.Fatalf("complete=%v trials=%d", run.Complete, len(run.Trials))
	}
	for _, tr := range run.Trials {
		if tr.Status != rundir.StatusOK {
			t.Fatalf("%s: %s: %s", tr.ID, tr.Status, tr.Error)
		}
		if len(tr.Runs) != workers {
			t.Fatalf("%s: %d worker runs", tr.ID, len(tr.Runs))
		}
		for _, w := range tr.Runs {
			if !(w.SpawnNs > 0 && w.SpawnNs <= w.ReadyNs && w.ReadyNs <= w.StartNs && w.StartNs < w.EndNs) {
				t.Errorf("%s %s: phases out of order: %+v", tr.ID, w.Name, w)
			}
			if w.StartNs < tr.GoNs {
				t.Errorf("%s %s started before the barrier was released", tr.ID, w.Name)
			}
		}
		if tr.WallNs <= 0 || tr.CPUUserNs <= 0 || tr.PeakRSSBytes <= 0 || tr.CoresBusy <= 0 {
			t.Errorf("%s: figures missing: %+v", tr.ID, tr)
		}
		// The harness watched (and sampled) the trial: some CPU of its own,
		// and no more than all cores over the trial's span.
		if span := tr.EndNs - tr.SpawnNs; tr.HarnessCPUNs <= 0 || tr.HarnessCPUNs > span*int64(runtime.NumCPU()) {
			t.Errorf("%s: harness CPU %d ns over a %d ns trial", tr.ID, tr.HarnessCPUNs, span)
		}
	}

	// The thread and serial models ran in one process; the process model
	// in one process per worker, each a different pid.
	for _, m := range []string{"serial", "thread"} {
		tr := trialOf(t, run, m)
		if len(tr.Processes) != 1 {
			t.Errorf("%s: %d processes", m, len(tr.Processes))
		}
		for _, w := range tr.Runs {
			if w.PID != tr.Processes[0].PID {
				t.Errorf("%s: worker %s in pid %d, process is %d", m, w.Name, w.PID, tr.Processes[0].PID)
			}
		}
	}
	proc := trialOf(t, run, "process")
	pids := map[int]bool{}
	for _, w := range proc.Runs {
		pids[w.PID] = true
	}
	if len(proc.Processes) != workers || len(pids) != workers {
		t.Errorf("process model: %d processes, %d distinct worker pids", len(proc.Processes), len(pids))
	}

	// The serial model ran its workers one after another.
	ser := trialOf(t, run, "serial")
	for i := 1; i < len(ser.Runs); i++ {
		if ser.Runs[i].StartNs < ser.Runs[i-1].EndNs {
			t.Errorf("serial: %s started before %s ended", ser.Runs[i].Name, ser.Runs[i-1].Name)
		}
	}

	// Checksums agree across models, worker by worker.
	for i := 0; i < workers; i++ {
		want := ser.Runs[i].Checksum
		for _, m := range []string{"thread", "process"} {
			if got := trialOf(t, run, m).Runs[i].Checksum; got != want || got == "" {
				t.Errorf("%s w%d checksum %s, serial %s", m, i+1, got, want)
			}
		}
	}

	// The merged CPU profile parses and has samples for every worker of
	// every model; the labels select as pprof's -tagfocus would.
	cpu := readProfile(t, filepath.Join(dir, "profiles", "cpu.pb.gz"))
	seen := map[string]bool{}
	for _, s := range cpu.Sample {
		if len(s.NumLabel["pid"]) != 1 || len(s.NumLabel["workers"]) != 1 || s.NumLabel["workers"][0] != workers || len(s.NumLabel["rep"]) != 1 {
			t.Fatalf("sample lacks numeric labels: %v %v", s.Label, s.NumLabel)
		}
		seen[s.Label["model"][0]+"/"+s.Label["worker"][0]] = true
	}
	for _, m := range []string{"serial", "thread", "process"} {
		for i := 1; i <= workers; i++ {
			if k := m + "/" + worker.WorkerName(i); !seen[k] {
				t.Errorf("no CPU samples labelled %s (have %v)", k, seen)
			}
		}
	}
	if cpu.DurationNanos <= 0 || cpu.DurationNanos > run.EndNs-run.StartNs {
		t.Errorf("merged duration %d ns outside (0, %d]", cpu.DurationNanos, run.EndNs-run.StartNs)
	}
	// Kinds are merged apart, each with its own sample types.
	for _, p := range run.Profiles {
		got := readProfile(t, filepath.Join(dir, p.File))
		if p.Inputs != 5 || len(got.Sample) == 0 && p.Kind != "mutex" && p.Kind != "block" {
			t.Errorf("%s: %d inputs, %d samples", p.Kind, p.Inputs, len(got.Sample))
		}
	}
	if len(run.Profiles) != 6 {
		t.Errorf("merged profiles %v, want 6 kinds", run.Profiles)
	}

	// Every raw trace parses to the end with the toolchain's reader.
	traces, _ := filepath.Glob(filepath.Join(dir, "raw", "*", "*", "trace.out"))
	if len(traces) != 5 {
		t.Errorf("%d traces, want 5", len(traces))
	}
	for _, f := range traces {
		if n := parseTrace(t, f); n < 100 {
			t.Errorf("%s: only %d events", f, n)
		}
	}
}

func readProfile(t *testing.T, path string) *profile.Profile {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := profile.Parse(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return p
}

// parseTrace reads a trace to its end with the toolchain's reader and
// returns how many events it holds.
func parseTrace(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := trace.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	n := 0
	for {
		_, err := r.ReadEvent()
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			t.Fatalf("%s: event %d: %v", path, n, err)
		}
		n++
	}
}

// TestLockCounter checks the lock workload's counter: one shared counter in
// the thread model, one per process in the process model, the same total.
func TestLockCounter(t *testing.T) {
	sc := load(t, `
name: lock
workload: {kind: lock, iterations: 20000, critical_work: 5, outside_work: 5}
models: [thread, process]
workers: 2
profiles: [mutex]
`)
	run, err := testRunner(t).Run(context.Background(), sc, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range run.Trials {
		if tr.Status != rundir.StatusOK || tr.Counter == nil || *tr.Counter != 40000 || *tr.CounterExpected != 40000 {
			t.Errorf("%s: %s %s counter %v", tr.ID, tr.Status, tr.Error, tr.Counter)
		}
	}
	if n := len(trialOf(t, run, "process").Processes); n != 2 {
		t.Errorf("process model ran %d processes", n)
	}
	for _, p := range trialOf(t, run, "process").Processes {
		if p.Counter == nil || *p.Counter != 20000 {
			t.Errorf("pid %d counter %v, want its own 20000", p.PID, p.Counter)
		}
	}
}

// TestMemoryShared checks the seed's "memory is (not) shared": the thread
// model holds one table, the process model one per process.
func TestMemoryShared(t *testing.T) {
	sc := load(t, `
name: mem
workload: {kind: memory, shared_mb: 48, passes: 1}
models: [thread, process]
workers: 2
profiles: []
`)
	run, err := testRunner(t).Run(context.Background(), sc, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	th, pr := trialOf(t, run, "thread"), trialOf(t, run, "process")
	if th.Status != "ok" || pr.Status != "ok" {
		t.Fatalf("%s %s / %s %s", th.Status, th.Error, pr.Status, pr.Error)
	}
	// Each process holds its own table; the thread model's two workers
	// share one. (Compared with each other, not with absolute figures:
	// the race detector, for one, inflates every process's RSS.)
	const table = 48 << 20
	if th.PeakRSSBytes < table {
		t.Errorf("thread model peak RSS %d MiB, less than its table (48 MiB)", th.PeakRSSBytes>>20)
	}
	if pr.PeakRSSBytes < 2*table || pr.PeakRSSBytes-th.PeakRSSBytes < table*3/4 {
		t.Errorf("process model peak RSS %d MiB vs thread model %d MiB: want about one more table (48 MiB)",
			pr.PeakRSSBytes>>20, th.PeakRSSBytes>>20)
	}
}

// TestIO runs the io workload both ways it can wait.
func TestIO(t *testing.T) {
	for _, wait := range []string{"sleep", "pipe"} {
		sc := load(t, `
name: io
workload: {kind: io, ops: 5, duration: 2ms, wait: `+wait+`}
models: [serial, thread]
workers: 2
profiles: []
`)
		run, err := testRunner(t).Run(context.Background(), sc, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range run.Trials {
			if tr.Status != "ok" || tr.WallNs < 10e6 {
				t.Errorf("%s %s: %s %s wall %d", wait, tr.ID, tr.Status, tr.Error, tr.WallNs)
			}
		}
		// Serial waits 2 workers × 5 × 2 ms one after another; the thread
		// model's waits overlap.
		if s, th := trialOf(t, run, "serial").WallNs, trialOf(t, run, "thread").WallNs; th >= s {
			t.Errorf("%s: thread wall %d ≥ serial %d", wait, th, s)
		}
	}
}

func TestPlanInterleaves(t *testing.T) {
	sc := load(t, "name: p\nworkload: {kind: cpu}\nmodels: [serial, thread, process]\nworkers: [1, 2]\nrepeat: 2\nwarmup: 1\n")
	var ids []string
	for _, p := range plan(sc, false) {
		ids = append(ids, p.id())
	}
	want := "serial-w1-warmup1 thread-w1-warmup1 process-w1-warmup1 serial-w1-r1 thread-w1-r1 process-w1-r1 serial-w1-r2 thread-w1-r2 process-w1-r2 " +
		"serial-w2-warmup1 thread-w2-warmup1 process-w2-warmup1 serial-w2-r1 thread-w2-r1 process-w2-r1 serial-w2-r2 thread-w2-r2 process-w2-r2"
	if got := strings.Join(ids, " "); got != want {
		t.Errorf("plan:\n%s\nwant:\n%s", got, want)
	}
}
