package rundir

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Names of the files in a scenario directory.
const (
	RunFile     = "run.json"
	BatchFile   = "batch.json"
	ProfilesDir = "profiles"
	RawDir      = "raw"
	SpecFile    = "spec.json"    // in a trial's raw directory: what the workers were told
	SamplesFile = "samples.json" // in a trial's raw directory: the outside observer's samples
	TraceFile   = "trace.out"    // in a process's raw directory
	StdoutFile  = "stdout.tail"
	StderrFile  = "stderr.tail"
)

// WriteFile writes data to path atomically: to a temporary file in the same
// directory, synced, then renamed, so a reader sees the whole file or none.
func WriteFile(path string, data []byte) error {
	return WriteWith(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteWith is WriteFile for content produced by a writer function.
func WriteWith(path string, write func(io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = write(f); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = os.Chmod(f.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
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
		return nil, fmt.Errorf("read run: %w", err)
	}
	var r Run
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if r.Schema != SchemaVersion {
		return nil, fmt.Errorf("read %s: schema %d, this harness reads schema %d", path, r.Schema, SchemaVersion)
	}
	return &r, nil
}
