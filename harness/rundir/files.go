package rundir

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"harness/internal/atomicfile"
)

// Names of the files in a scenario directory.
const (
	RunFile      = "run.json"
	BatchFile    = "batch.json"
	ProfilesDir  = "profiles"
	RawDir       = "raw"
	SpecFile     = "spec.json"     // in a trial's raw directory: what the workers were told
	SamplesFile  = "samples.json"  // in a trial's raw directory: the outside observer's samples
	TraceFile    = "trace.out"     // in a process's raw directory
	TimelineFile = "timeline.json" // the report's Chrome-trace timeline
	StdoutFile   = "stdout.tail"
	StderrFile   = "stderr.tail"
)

// WriteFile writes data to path atomically (see WriteWith).
func WriteFile(path string, data []byte) error {
	return WriteWith(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteWith writes what write produces to path atomically: a reader, or a
// later `harness report`, sees the whole file or none. The run's records
// are synced to the disk before they are renamed.
func WriteWith(path string, write func(io.Writer) error) error {
	return atomicfile.WriteWith(path, true, write)
}

// WriteJSON writes v as indented JSON, atomically.
func WriteJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	return WriteFile(path, append(data, '\n'))
}

// ReadRun reads a scenario directory's run.json and checks its schema.
func ReadRun(dir string) (*Run, error) {
	path := filepath.Join(dir, RunFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, inputErrorf("read run: %w", err)
	}
	var r Run
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, inputErrorf("read %s: %w", path, err)
	}
	if r.Schema != SchemaVersion {
		return nil, inputErrorf("read %s: schema %d, this harness reads schema %d", path, r.Schema, SchemaVersion)
	}
	return &r, nil
}

// ReadBatch reads a batch directory's batch.json and checks its schema and
// that every scenario directory it names is inside the batch.
func ReadBatch(dir string) (*Batch, error) {
	path := filepath.Join(dir, BatchFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, inputErrorf("read batch: %w", err)
	}
	var b Batch
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, inputErrorf("read %s: %w", path, err)
	}
	if b.Schema != SchemaVersion {
		return nil, inputErrorf("read %s: schema %d, this harness reads schema %d", path, b.Schema, SchemaVersion)
	}
	for _, s := range b.Scenarios {
		// batch.json names directories; never follow one out of the batch.
		if !filepath.IsLocal(s.Dir) {
			return nil, inputErrorf("read %s: scenario %q: directory %q is not inside the batch", path, s.Name, s.Dir)
		}
	}
	return &b, nil
}

// What a directory holds.
type DirKind int

const (
	ScenarioDir DirKind = iota + 1 // run.json: one scenario's run
	BatchDir                       // batch.json: a batch of scenario directories
)

// KindOf tells a scenario directory from a batch directory, or says that
// dir is neither.
func KindOf(dir string) (DirKind, error) {
	switch {
	case isFile(filepath.Join(dir, BatchFile)):
		return BatchDir, nil
	case isFile(filepath.Join(dir, RunFile)):
		return ScenarioDir, nil
	}
	return 0, fmt.Errorf("%s is not a run directory: it has neither %s (a scenario) nor %s (a batch)", dir, RunFile, BatchFile)
}

func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

// InputError is a run or batch directory that cannot be used: its record
// is missing, malformed or of another schema. Commands treat it as bad
// input (exit 2), not as a failure of their own.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

func inputErrorf(format string, args ...any) error {
	return &InputError{Err: fmt.Errorf(format, args...)}
}
