package runner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"harness/harness/rundir"
	"harness/harness/scenario"
	"harness/harness/worker"
	"harness/harness/workload"
)

// goTrial runs a built-in workload: it starts the worker processes, waits
// until every worker is ready at the start barrier, releases them all at
// once and collects what they report.
func (r *Runner) goTrial(ctx context.Context, sc *scenario.Scenario, dir string, t *rundir.Trial, w *watch) error {
	abs, err := filepath.Abs(filepath.Join(dir, t.Dir))
	if err != nil {
		return err
	}
	procIDs := layout(t.Model, t.Workers)
	spec := worker.Spec{
		Scenario: sc.Name, Trial: t.ID, Model: t.Model, Workers: t.Workers, Rep: t.Rep,
		Kind: sc.Workload.Kind, Params: *sc.Workload.Params,
		GIL: sc.GIL, GILInterval: sc.GILInterval,
		Profiles: sc.Profiles, Processes: procIDs, Dir: abs,
	}
	if t.Bare {
		spec.Profiles = nil
	}
	specPath := filepath.Join(abs, rundir.SpecFile)
	if err := rundir.WriteJSON(specPath, spec); err != nil {
		return err
	}

	t.SpawnNs = time.Now().UnixNano()
	var procs []*proc
	for k := range procIDs {
		argv := r.workerArgv("--spec", specPath, "--process", strconv.Itoa(k))
		p, err := startProc(procSpec{path: r.Exe, argv: argv, control: true, cgroupFD: w.cgroupFD()})
		if err != nil {
			t.Error = fmt.Sprintf("start worker process %d: %v", k, err)
			break
		}
		w.started(p)
		p.rec.Workers = procIDs[k]
		procs = append(procs, p)
	}

	type event struct {
		i    int
		msg  worker.Message
		exit bool
	}
	events := make(chan event)
	for i, p := range procs {
		go func() {
			for m := range p.msgs {
				events <- event{i: i, msg: m}
			}
			<-p.exited
			events <- event{i: i, exit: true}
		}()
	}

	var (
		ready    = make([]bool, len(procs))
		done     = make([]*worker.Message, len(procs))
		nReady   int
		live     = len(procs)
		released bool
		ending   bool
		problems []string
	)
	release := func() {
		released = true
		t.GoNs = time.Now().UnixNano()
		for _, p := range procs {
			p.toChild.Write([]byte("go\n"))
		}
	}
	// endAll runs beside the loop below; the records are read only once
	// it has returned.
	var endDone chan struct{}
	end := func(interrupted bool) {
		ending = true
		endDone = make(chan struct{})
		go func() {
			defer close(endDone)
			r.endAll(procs, interrupted)
		}()
	}
	if t.Error != "" { // not every process started: end the ones that did
		end(false)
	}
	// Done stays closed once the context ends: after ending the trial, stop
	// selecting on it, or the loop spins a core through the grace period.
	cancelled := ctx.Done()
	for live > 0 {
		select {
		case e := <-events:
			p := procs[e.i]
			switch {
			case e.exit:
				live--
				if !ready[e.i] && !released && !ending {
					// It died before the barrier: release the others anyway,
					// so what they measure is still collected.
					problems = append(problems, "exited before it was ready")
					nReady++
					ready[e.i] = true
				}
			case e.msg.Type == "ready":
				ready[e.i] = true
				nReady++
				p.rec.MainNs, p.rec.ReadyNs = e.msg.MainNs, e.msg.ReadyNs
			case e.msg.Type == "done":
				m := e.msg
				done[e.i] = &m
			default:
				problems = append(problems, fmt.Sprintf("pid %d: %s", p.rec.PID, e.msg.Error))
			}
			if !released && !ending && nReady == len(procs) {
				release()
			}
		case <-cancelled:
			cancelled = nil
			if !ending {
				end(interrupted(ctx))
			}
		}
	}

	if endDone != nil {
		<-endDone
	}

	// Records, and why the trial failed if it did.
	var failures []string
	if t.Error != "" {
		failures = append(failures, t.Error)
	}
	// Every process has been reaped and endAll has returned: nothing else
	// touches the records now.
	for i, p := range procs {
		rec := &p.rec
		rec.Files = processFiles(dir, t, p)
		if m := done[i]; m != nil {
			rec.WorkCPUNs, rec.MaxRSSBytes, rec.Counter = m.WorkCPUNs, m.PeakRSSBytes, m.Counter
			rec.GILSwitches = m.GILSwitch
			for _, w := range m.Workers {
				switch t.Model {
				case scenario.Process:
					w.SpawnNs = rec.SpawnNs
				case scenario.Serial:
					w.SpawnNs, w.ReadyNs = rec.SpawnNs, rec.ReadyNs
				}
				t.Runs = append(t.Runs, w)
			}
			if m.Error != "" && rec.Error == "" {
				rec.Error = m.Error
			}
		} else {
			for _, id := range rec.Workers {
				t.Runs = append(t.Runs, rundir.Worker{ID: id, Name: worker.WorkerName(id), PID: rec.PID, SpawnNs: rec.SpawnNs})
			}
			if rec.Error == "" && p.failed() == "" && ctx.Err() == nil {
				rec.Error = "exited without reporting its workers"
			}
		}
		t.Processes = append(t.Processes, *rec)
		if ctx.Err() == nil && p.failed() != "" {
			failures = append(failures, p.describeFailure(workerNames(rec.Workers)))
		}
	}
	if len(failures) == 0 && len(problems) > 0 && ctx.Err() == nil {
		failures = problems
	}
	if len(failures) == 0 && ctx.Err() == nil {
		if k, _ := workload.Lookup(sc.Workload.Kind); k != nil && k.Counter != nil {
			want := k.Counter(*sc.Workload.Params, t.Workers)
			var sum int64
			for _, p := range t.Processes {
				if p.Counter != nil {
					sum += *p.Counter
				}
			}
			t.Counter, t.CounterExpected = &sum, &want
			if sum != want {
				failures = append(failures, fmt.Sprintf("shared counter is %d, want %d", sum, want))
			}
		}
	}
	t.Error = strings.Join(failures, "\n")
	return nil
}

func workerNames(ids []int) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = worker.WorkerName(id)
	}
	if len(names) == 1 {
		return "worker " + names[0]
	}
	return "workers " + strings.Join(names, ",")
}

// processFiles writes the process's output tails next to its other raw
// files and returns every raw file of the process, relative to dir. The
// directory is the truth, not what the worker said it wrote: a killed
// worker leaves .partial files it could not report.
func processFiles(dir string, t *rundir.Trial, p *proc) []string {
	rel := filepath.Join(t.Dir, strconv.Itoa(p.rec.PID))
	abs := filepath.Join(dir, rel)
	var files []string
	for _, s := range []struct {
		name string
		tail *tail
	}{{rundir.StdoutFile, p.stdout}, {rundir.StderrFile, p.stderr}} {
		if s.tail.Total() == 0 {
			continue
		}
		if err := os.MkdirAll(abs, 0o755); err == nil && rundir.WriteFile(filepath.Join(abs, s.name), s.tail.Bytes()) == nil {
			files = append(files, filepath.Join(rel, s.name))
		}
	}
	entries, _ := os.ReadDir(abs)
	for _, e := range entries {
		if e.Name() == rundir.StdoutFile || e.Name() == rundir.StderrFile || e.IsDir() {
			continue
		}
		files = append(files, filepath.Join(rel, e.Name()))
	}
	return files
}
