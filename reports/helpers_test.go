package reports

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"harness/harness/rundir"
	"harness/harness/schedtrace"
	"harness/internal/tracegen"
)

// The tests render two real run directories kept under testdata (see
// testdata/fixture-*.yaml for how they were made):
//
//   - testdata/cpu: a cpu scenario, serial/thread/process at 1 and 2
//     workers, 3 repetitions, with execution traces;
//   - testdata/cmd: a command scenario (Python threads against forked
//     processes), observed from outside only.
//
// Rendering writes into the run directory, so tests render a copy.

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// childEnv makes the test binary a child doing one job (see TestMain):
// benchmarks measure peak RSS in a process that does only that job.
const childEnv = "REPORTS_TEST_CHILD"

func TestMain(m *testing.M) {
	if mode, ok := os.LookupEnv(childEnv); ok {
		if err := runChildMode(mode); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func runChildMode(mode string) error {
	kind, arg, _ := strings.Cut(mode, ":")
	switch kind {
	case "render":
		_, err := Render(arg)
		return err
	case "generate":
		return tracegen.Write(arg, tracegen.MinBytes, schedtrace.WorkerCategory)
	}
	return fmt.Errorf("unknown child mode %q", mode)
}

// fixture copies testdata/<name> to a new temporary directory and returns
// the copy's path.
func fixture(t testing.TB, name string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), name)
	src := filepath.Join("testdata", name)
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		out := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(out, 0o755)
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		if _, err := io.Copy(f, in); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	})
	if err != nil {
		t.Fatalf("copy fixture %s: %v", name, err)
	}
	return dst
}

// editRun rewrites a scenario directory's run.json through edit.
func editRun(t testing.TB, dir string, edit func(run *rundir.Run)) {
	t.Helper()
	run, err := rundir.ReadRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	edit(run)
	if err := rundir.WriteJSON(filepath.Join(dir, rundir.RunFile), run); err != nil {
		t.Fatal(err)
	}
}

// golden compares got with testdata/golden/<name>, or rewrites the file
// under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	// JSON numbers are compared to 1e-9 relative: the golden figures come
	// from floating-point arithmetic that a compiler may fuse differently
	// on another architecture (FMA on arm64), not from the machine's
	// measurements, which are fixed in the fixture.
	if !bytes.Equal(got, want) && !(strings.HasSuffix(name, ".json") && jsonClose(got, want)) {
		t.Errorf("%s differs from the golden file (rerun with -update if the change is intended):\n%s", name, lineDiff(string(want), string(got)))
	}
}

// jsonClose reports whether two JSON documents are equal but for numbers
// within 1e-9 of each other, relatively.
func jsonClose(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	var near func(x, y any) bool
	near = func(x, y any) bool {
		switch x := x.(type) {
		case float64:
			y, ok := y.(float64)
			return ok && math.Abs(x-y) <= 1e-9*math.Max(math.Abs(x), math.Abs(y))
		case []any:
			y, ok := y.([]any)
			if !ok || len(x) != len(y) {
				return false
			}
			for i := range x {
				if !near(x[i], y[i]) {
					return false
				}
			}
			return true
		case map[string]any:
			y, ok := y.(map[string]any)
			if !ok || len(x) != len(y) {
				return false
			}
			for k := range x {
				if !near(x[k], y[k]) {
					return false
				}
			}
			return true
		}
		return x == y
	}
	return near(x, y)
}

// lineDiff lists the lines that differ, for a readable failure.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 20; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n  want %s\n  got  %s\n", i+1, wl, gl)
			shown++
		}
	}
	return b.String()
}

// mustJSON indents v as summary.json is written.
func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// trialByID returns the trial with id.
func trialByID(t testing.TB, run *rundir.Run, id string) *rundir.Trial {
	t.Helper()
	for i := range run.Trials {
		if run.Trials[i].ID == id {
			return &run.Trials[i]
		}
	}
	t.Fatalf("no trial %s", id)
	return nil
}
