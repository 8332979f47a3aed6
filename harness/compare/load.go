package compare

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"harness/harness/rundir"
)

// Set is what one directory argument holds: every scenario run of a batch
// directory, or the one run of a scenario directory.
type Set struct {
	Dir       string     // as given on the command line
	Batch     bool       // Dir is a batch directory (batch.json)
	Scenarios []Scenario // in batch order
	// Notes say what of the batch could not be compared, and why: a
	// scenario the harness failed on before it wrote run.json.
	Notes []string
}

// Scenario is one scenario's run and where it was read from.
type Scenario struct {
	Dir string // the scenario directory: Set.Dir itself or Set.Dir/<name>
	Run *rundir.Run
}

// Load reads a run directory: a batch directory (batch.json and one
// sub-directory per scenario) or a scenario directory (run.json). Every
// error names the file or directory that is unusable; the caller treats all
// of them as bad input.
func Load(dir string) (*Set, error) {
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s: no such directory", dir)
	case err != nil:
		return nil, err
	case !st.IsDir():
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	kind, err := rundir.KindOf(dir)
	if err != nil {
		return nil, err
	}
	if kind == rundir.ScenarioDir {
		run, err := rundir.ReadRun(dir)
		if err != nil {
			return nil, err
		}
		return &Set{Dir: dir, Scenarios: []Scenario{{Dir: dir, Run: run}}}, nil
	}
	b, err := rundir.ReadBatch(dir)
	if err != nil {
		return nil, err
	}
	s := &Set{Dir: dir, Batch: true}
	for _, bs := range b.Scenarios {
		sdir := filepath.Join(dir, bs.Dir)
		run, err := rundir.ReadRun(sdir)
		if err != nil {
			// A scenario the harness itself failed on may have no
			// run.json; the batch says so and the rest is comparable.
			// A missing run.json of a scenario that succeeded, or a
			// run.json that cannot be read, is damage: refuse it.
			if errors.Is(err, fs.ErrNotExist) && bs.Status != rundir.StatusOK {
				s.Notes = append(s.Notes, fmt.Sprintf("%s: scenario %s has no %s (status %s) and is left out", dir, bs.Name, rundir.RunFile, bs.Status))
				continue
			}
			return nil, err
		}
		s.Scenarios = append(s.Scenarios, Scenario{Dir: sdir, Run: run})
	}
	if len(s.Scenarios) == 0 {
		return nil, fmt.Errorf("%s: no scenario of the batch has a %s", filepath.Join(dir, rundir.BatchFile), rundir.RunFile)
	}
	return s, nil
}
