package compare

import (
	"encoding/json"
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
	batchPath, runPath := filepath.Join(dir, rundir.BatchFile), filepath.Join(dir, rundir.RunFile)
	switch {
	case isFile(batchPath):
		return loadBatch(dir, batchPath)
	case isFile(runPath):
		run, err := rundir.ReadRun(dir)
		if err != nil {
			return nil, err
		}
		return &Set{Dir: dir, Scenarios: []Scenario{{Dir: dir, Run: run}}}, nil
	}
	return nil, fmt.Errorf("%s is not a run directory: it has neither %s nor %s", dir, rundir.RunFile, rundir.BatchFile)
}

func loadBatch(dir, path string) (*Set, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read batch: %w", err)
	}
	var b rundir.Batch
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	// batch.json is versioned with run.json (the runner writes
	// rundir.SchemaVersion into both).
	if b.Schema != rundir.SchemaVersion {
		return nil, fmt.Errorf("read %s: schema %d, this harness reads schema %d", path, b.Schema, rundir.SchemaVersion)
	}
	s := &Set{Dir: dir, Batch: true}
	for _, bs := range b.Scenarios {
		// batch.json names directories; never follow one out of the batch.
		if !filepath.IsLocal(bs.Dir) {
			return nil, fmt.Errorf("read %s: scenario %q: directory %q is not inside the batch", path, bs.Name, bs.Dir)
		}
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
		return nil, fmt.Errorf("%s: no scenario of the batch has a %s", path, rundir.RunFile)
	}
	return s, nil
}

func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}
