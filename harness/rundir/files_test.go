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
