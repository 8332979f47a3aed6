package rundir

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunRoundTrip(t *testing.T) {
	dir := t.TempDir()
	in := &Run{Schema: SchemaVersion, HarnessVersion: "test", Trials: []Trial{{ID: "thread-w2-r1", Model: "thread", Workers: 2,
		Runs: []Worker{{ID: 1, Name: "w1", Checksum: "00ff"}}}}}
	if err := WriteJSON(filepath.Join(dir, RunFile), in); err != nil {
		t.Fatal(err)
	}
	out, err := ReadRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	if out.Trials[0].Runs[0].Checksum != "00ff" || out.HarnessVersion != "test" {
		t.Errorf("read back %+v", out)
	}
	data, _ := os.ReadFile(filepath.Join(dir, RunFile))
	for _, key := range []string{`"schema": 1`, `"worker_runs"`, `"wall_ns"`, `"complete": false`} {
		if !strings.Contains(string(data), key) {
			t.Errorf("run.json lacks %s", key)
		}
	}
}

func TestReadRunErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadRun(dir); err == nil || !strings.Contains(err.Error(), "run.json") {
		t.Errorf("missing: %v", err)
	}
	os.WriteFile(filepath.Join(dir, RunFile), []byte(`{"schema": 2}`), 0o644)
	if _, err := ReadRun(dir); err == nil || !strings.Contains(err.Error(), "schema 2, this harness reads schema 1") {
		t.Errorf("other schema: %v", err)
	}
	os.WriteFile(filepath.Join(dir, RunFile), []byte(`{"schema":`), 0o644)
	if _, err := ReadRun(dir); err == nil || !strings.Contains(err.Error(), RunFile) {
		t.Errorf("truncated: %v", err)
	}
}

func TestKindOfAndReadBatch(t *testing.T) {
	dir := t.TempDir()
	if _, err := KindOf(dir); err == nil || !strings.Contains(err.Error(), "is not a run directory") {
		t.Errorf("empty dir: %v", err)
	}
	WriteJSON(filepath.Join(dir, RunFile), &Run{Schema: SchemaVersion})
	if k, err := KindOf(dir); k != ScenarioDir || err != nil {
		t.Errorf("scenario dir: %v %v", k, err)
	}
	WriteJSON(filepath.Join(dir, BatchFile), &Batch{Schema: SchemaVersion, Scenarios: []BatchScenario{{Name: "a", Dir: "a"}}})
	if k, err := KindOf(dir); k != BatchDir || err != nil {
		t.Errorf("batch dir: %v %v", k, err)
	}
	if b, err := ReadBatch(dir); err != nil || b.Scenarios[0].Name != "a" {
		t.Errorf("read batch: %+v %v", b, err)
	}
	WriteJSON(filepath.Join(dir, BatchFile), &Batch{Schema: 9})
	if _, err := ReadBatch(dir); err == nil || !strings.Contains(err.Error(), "schema 9") {
		t.Errorf("other schema: %v", err)
	}
}

func TestReadBatchStaysInside(t *testing.T) {
	dir := t.TempDir()
	WriteJSON(filepath.Join(dir, BatchFile), &Batch{Schema: SchemaVersion, Scenarios: []BatchScenario{{Name: "x", Dir: "../elsewhere"}}})
	if _, err := ReadBatch(dir); err == nil || !strings.Contains(err.Error(), "not inside the batch") {
		t.Errorf("escaping directory: %v", err)
	}
}
