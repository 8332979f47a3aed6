// Package collect merges the profiles every worker process wrote into one
// profile per kind, labelled so that any slice of the run can be selected
// in pprof.
package collect

import (
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"

	"github.com/google/pprof/profile"

	"harness/harness/rundir"
	"harness/harness/worker"
)

// Labels added to every sample. String labels: model, worker. Numeric
// labels: workers, rep, pid. Worker values are "w1", "w2", …, never bare
// numbers, which pprof's -tagfocus would read as a numeric range; samples
// that ran in no worker's goroutine (the runtime, GC workers, the harness's
// own code in a multi-worker process) are labelled worker=none.
const (
	LabelModel   = "model"
	LabelWorker  = worker.LabelWorker
	LabelWorkers = "workers"
	LabelRep     = "rep"
	LabelPID     = "pid"
	NoWorker     = "none"
)

// input is one raw profile file and where it came from.
type input struct {
	kind    string
	path    string // relative to the scenario directory
	trial   *rundir.Trial
	process *rundir.Process
	prof    *profile.Profile
	err     error
}

// Merge reads every raw profile of the measured (non-warm-up) trials of a
// run, labels and merges them per kind, and writes profiles/<kind>.pb.gz
// under dir. Profiles that cannot be read are skipped with a warning, so one
// crashed worker does not cost the others' profiles. Kinds are never merged
// with each other: mutex and block profiles, for one, would merge without
// complaint and mean nothing.
func Merge(dir string, run *rundir.Run) ([]rundir.Profile, []string, error) {
	// Parsed profiles are many small objects, all live until the merge is
	// written: at the default setting a third of the time went to the
	// garbage collector scanning them again and again.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	var inputs []*input
	for ti := range run.Trials {
		t := &run.Trials[ti]
		if t.Warmup {
			continue
		}
		for pi := range t.Processes {
			p := &t.Processes[pi]
			for _, f := range p.Files {
				name := filepath.Base(f)
				if strings.HasSuffix(name, ".pb.gz"+worker.Partial) {
					kind := strings.TrimSuffix(name, ".pb.gz"+worker.Partial)
					inputs = append(inputs, &input{kind: kind, path: f, trial: t, process: p,
						err: fmt.Errorf("incomplete: the process was killed before it finished writing it")})
					continue
				}
				if !strings.HasSuffix(name, ".pb.gz") {
					continue
				}
				inputs = append(inputs, &input{kind: strings.TrimSuffix(name, ".pb.gz"), path: f, trial: t, process: p})
			}
		}
	}
	parseAll(dir, inputs)

	byKind := map[string][]*input{}
	var warnings []string
	skipped := map[string][]string{}
	for _, in := range inputs {
		if in.err != nil {
			msg := fmt.Sprintf("%s: %v", in.path, in.err)
			warnings = append(warnings, "skipped unreadable profile "+msg)
			skipped[in.kind] = append(skipped[in.kind], msg)
			continue
		}
		byKind[in.kind] = append(byKind[in.kind], in)
	}
	kinds := make([]string, 0, len(byKind)+len(skipped))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	for k := range skipped {
		if byKind[k] == nil {
			kinds = append(kinds, k)
		}
	}
	sort.Strings(kinds)

	if len(byKind) > 0 {
		if err := os.MkdirAll(filepath.Join(dir, rundir.ProfilesDir), 0o755); err != nil {
			return nil, warnings, fmt.Errorf("create profiles directory: %w", err)
		}
	}
	var out []rundir.Profile
	for _, kind := range kinds {
		ins := byKind[kind]
		if len(ins) == 0 { // every input of this kind was unreadable
			out = append(out, rundir.Profile{Kind: kind, Skipped: skipped[kind]})
			continue
		}
		merged, err := mergeKind(run.Scenario.Name, kind, ins)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("%s profiles not merged: %v", kind, err))
			continue
		}
		if kind == "cpu" {
			if w := skidWarning(merged); w != "" {
				warnings = append(warnings, w)
			}
		}
		rel := filepath.Join(rundir.ProfilesDir, kind+".pb.gz")
		err = rundir.WriteWith(filepath.Join(dir, rel), func(w io.Writer) error {
			// gzip's fastest level: profile.Write's default level took
			// a third of the merge's time, for a file a few percent
			// smaller.
			zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
			if err := merged.WriteUncompressed(zw); err != nil {
				return err
			}
			return zw.Close()
		})
		if err != nil {
			return nil, warnings, err
		}
		out = append(out, rundir.Profile{Kind: kind, File: rel, Inputs: len(ins), Samples: len(merged.Sample), Skipped: skipped[kind]})
	}
	return out, warnings, nil
}

// parseAll parses the inputs in parallel: parsing dominates the cost of a
// merge (about 7–10 µs per sample here).
func parseAll(dir string, inputs []*input) {
	jobs := make(chan *input)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for in := range jobs {
				if in.err != nil {
					continue
				}
				in.prof, in.err = parseFile(filepath.Join(dir, in.path))
				if in.err == nil {
					label(in)
				}
			}
		}()
	}
	for _, in := range inputs {
		jobs <- in
	}
	close(jobs)
	wg.Wait()
}

func parseFile(path string) (*profile.Profile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("empty file")
	}
	p, err := profile.ParseData(data)
	if err != nil {
		return nil, err
	}
	if err := p.CheckValid(); err != nil {
		return nil, err
	}
	return p, nil
}

// label adds the run's labels to every sample of one process's profile.
func label(in *input) {
	defWorker := NoWorker
	if len(in.process.Workers) == 1 {
		// The process exists only for this worker: all its samples,
		// runtime's included, are the worker's cost.
		defWorker = worker.WorkerName(in.process.Workers[0])
	}
	for _, s := range in.prof.Sample {
		if s.Label == nil {
			s.Label = map[string][]string{}
		}
		if s.NumLabel == nil {
			s.NumLabel = map[string][]int64{}
		}
		s.Label[LabelModel] = []string{in.trial.Model}
		if len(s.Label[LabelWorker]) == 0 {
			s.Label[LabelWorker] = []string{defWorker}
		}
		s.NumLabel[LabelWorkers] = []int64{int64(in.trial.Workers)}
		s.NumLabel[LabelRep] = []int64{int64(in.trial.Rep)}
		s.NumLabel[LabelPID] = []int64{int64(in.process.PID)}
		if s.NumUnit != nil {
			for _, k := range []string{LabelWorkers, LabelRep, LabelPID} {
				delete(s.NumUnit, k)
			}
		}
	}
}

// mergeKind merges one kind's profiles and makes the header true.
// profile.Merge would sum DurationNanos, which for N processes running side by
// side claims N times the time that passed; pprof then shows a wrong
// "Total samples … (x%)". Instead the duration is the sum, over trials, of
// the span each trial's profiles cover: the wall time the profile actually
// describes.
func mergeKind(scenarioName, kind string, ins []*input) (*profile.Profile, error) {
	profs := make([]*profile.Profile, len(ins))
	type span struct{ start, end int64 }
	spans := map[string]*span{}
	var start int64
	for i, in := range ins {
		p := in.prof
		profs[i] = p
		if p.TimeNanos > 0 && (start == 0 || p.TimeNanos < start) {
			start = p.TimeNanos
		}
		if p.TimeNanos > 0 && p.DurationNanos > 0 {
			s := spans[in.trial.ID]
			if s == nil {
				s = &span{p.TimeNanos, p.TimeNanos + p.DurationNanos}
				spans[in.trial.ID] = s
			}
			s.start = min(s.start, p.TimeNanos)
			s.end = max(s.end, p.TimeNanos+p.DurationNanos)
		}
	}
	merged, err := concat(profs)
	if err != nil {
		return nil, err
	}
	var dur int64
	for _, s := range spans {
		dur += s.end - s.start
	}
	merged.DurationNanos = dur
	merged.TimeNanos = start
	merged.Comments = append(merged.Comments,
		fmt.Sprintf("harness: %s profiles of scenario %s merged from %d processes in %d trials", kind, scenarioName, len(ins), len(spans)),
		"harness: labels model, worker (w1…, none = no worker's goroutine), workers, rep, pid",
		"harness: duration is the sum of the trials' profiled spans, not of the processes'")
	return merged, nil
}
