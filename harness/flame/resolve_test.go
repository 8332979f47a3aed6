package flame

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// scenarioTree writes a scenario run directory with the given merged
// profile kinds, recorded in run.json (empty files: Resolve does not read
// them).
func scenarioTree(t *testing.T, dir string, kinds ...string) {
	t.Helper()
	var profs []string
	for _, k := range kinds {
		writeFile(t, filepath.Join(dir, "profiles", k+".pb.gz"), "")
		profs = append(profs, fmt.Sprintf(`{"kind": %q, "file": "profiles/%s.pb.gz"}`, k, k))
	}
	writeFile(t, filepath.Join(dir, "run.json"), `{"schema": 1, "profiles": [`+strings.Join(profs, ", ")+`]}`)
}

func TestResolve(t *testing.T) {
	root := t.TempDir()
	scen := filepath.Join(root, "scen")
	scenarioTree(t, scen, "wall", "cpu", "heap")
	raw := filepath.Join(scen, "raw", "thread-w2-r1", "p1", "cpu.pb.gz")
	writeFile(t, raw, "")

	one := filepath.Join(root, "one")
	writeFile(t, filepath.Join(one, "batch.json"), `{"schema": 1, "scenarios": [{"name": "small", "dir": "small"}]}`)
	scenarioTree(t, filepath.Join(one, "small"), "cpu", "mutex")

	two := filepath.Join(root, "two")
	writeFile(t, filepath.Join(two, "batch.json"), `{"schema": 1, "scenarios": [{"name": "a", "dir": "a"}, {"name": "b", "dir": "b"}]}`)
	scenarioTree(t, filepath.Join(two, "a"), "cpu")
	scenarioTree(t, filepath.Join(two, "b"), "cpu")

	empty := filepath.Join(root, "empty")
	writeFile(t, filepath.Join(empty, "batch.json"), `{"schema": 1, "scenarios": []}`)
	badBatch := filepath.Join(root, "badbatch")
	writeFile(t, filepath.Join(badBatch, "batch.json"), `{`)
	noProfiles := filepath.Join(root, "noprof")
	scenarioTree(t, noProfiles)
	skipped := filepath.Join(root, "skipped")
	writeFile(t, filepath.Join(skipped, "run.json"), `{"schema": 1, "profiles": [{"kind": "cpu", "file": "", "skipped": ["raw/t/1/cpu.pb.gz: truncated"]}]}`)
	plain := filepath.Join(root, "plain")
	writeFile(t, filepath.Join(plain, "notes.txt"), "")

	t.Chdir(root)
	for _, c := range []struct {
		name, dir, prof string
		want            string   // the resolved path, or
		errs            []string // substrings of the error
	}{
		{name: "scenario default cpu", dir: scen, want: filepath.Join(scen, "profiles", "cpu.pb.gz")},
		{name: "scenario kind", dir: scen, prof: "wall", want: filepath.Join(scen, "profiles", "wall.pb.gz")},
		{name: "missing kind lists available", dir: scen, prof: "mutex",
			errs: []string{"no mutex profile in " + scen, "available: cpu, wall, heap"}},
		{name: "unknown kind", dir: scen, prof: "cpux", errs: []string{"no cpux profile", "available: cpu, wall, heap"}},
		{name: "no merged profiles", dir: noProfiles, errs: []string{"no cpu profile", "no merged profiles"}},
		{name: "every input skipped", dir: skipped, errs: []string{"no cpu profile", "every input was skipped", "raw/t/1/cpu.pb.gz: truncated"}},
		{name: "path in scenario", dir: scen, prof: "raw/thread-w2-r1/p1/cpu.pb.gz", want: raw},
		{name: "file name in profiles", dir: scen, prof: "heap.pb.gz", want: filepath.Join(scen, "profiles", "heap.pb.gz")},
		{name: "path from working dir", dir: scen, prof: "scen/profiles/wall.pb.gz", want: "scen/profiles/wall.pb.gz"},
		{name: "absolute path", dir: scen, prof: raw, want: raw},
		{name: "missing path", dir: scen, prof: "raw/nope.pb.gz", errs: []string{"profile raw/nope.pb.gz: not found", filepath.Join(scen, "raw/nope.pb.gz")}},
		{name: "batch of one", dir: one, want: filepath.Join(one, "small", "profiles", "cpu.pb.gz")},
		{name: "batch of one, kind", dir: one, prof: "mutex", want: filepath.Join(one, "small", "profiles", "mutex.pb.gz")},
		{name: "batch of one, missing kind", dir: one, prof: "wall", errs: []string{"available: cpu, mutex"}},
		{name: "batch of two", dir: two, errs: []string{"has 2 scenarios", filepath.Join(two, "a"), filepath.Join(two, "b")}},
		{name: "empty batch", dir: empty, errs: []string{"has no scenarios"}},
		{name: "unreadable batch", dir: badBatch, errs: []string{"batch.json"}},
		{name: "neither", dir: plain, errs: []string{"not a run directory", "run.json", "batch.json"}},
		{name: "no such dir", dir: filepath.Join(root, "nope"), errs: []string{"no such file"}},
		{name: "profile file as DIR", dir: raw, want: raw},
		{name: "profile file as DIR and a PROFILE", dir: raw, prof: "cpu", errs: []string{"is a file"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := Resolve(c.dir, c.prof)
			if c.errs == nil {
				if err != nil || got != c.want {
					t.Fatalf("Resolve(%q, %q) = %q, %v; want %q", c.dir, c.prof, got, err, c.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("Resolve(%q, %q) = %q, want an error", c.dir, c.prof, got)
			}
			for _, e := range c.errs {
				if !strings.Contains(err.Error(), e) {
					t.Errorf("error %q lacks %q", err, e)
				}
			}
		})
	}

	// A missing kind is still recognisably "does not exist".
	if _, err := Resolve(scen, "block"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing kind: %v does not wrap os.ErrNotExist", err)
	}
}
