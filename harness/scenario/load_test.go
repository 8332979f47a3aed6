package scenario

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden .err files")

// TestInvalid checks every file under testdata/invalid against its golden
// error output: file, line, column, field, message and source excerpt.
func TestInvalid(t *testing.T) {
	files, _ := filepath.Glob("testdata/invalid/*.yaml")
	if len(files) < 20 {
		t.Fatalf("only %d invalid cases", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			s, err := LoadFile(f)
			if err == nil {
				t.Fatalf("loaded %+v, want an error", s)
			}
			var es Errors
			if !errors.As(err, &es) {
				t.Fatalf("error %T %v, want Errors", err, err)
			}
			for _, e := range es {
				if e.File != f {
					t.Errorf("error names file %q, want %q", e.File, f)
				}
			}
			got := es.Detail() + "\n"
			golden := strings.TrimSuffix(f, ".yaml") + ".err"
			if *update {
				os.WriteFile(golden, []byte(got), 0o644)
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("no golden file (run with -update): %v", err)
			}
			if got != string(want) {
				t.Errorf("errors:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestValid(t *testing.T) {
	files, _ := filepath.Glob("testdata/valid/*.yaml")
	scs, err := LoadFiles(files)
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]*Scenario{}
	for _, s := range scs {
		by[s.Name] = s
	}

	m := by["minimal"]
	if m.Workload.Params.Iterations != 400_000_000 || m.Repeat != 1 || m.Warmup != 0 ||
		m.Timeout != DefaultTimeout || m.SampleInterval != DefaultSampleInterval || m.GIL || m.GILInterval != 0 {
		t.Errorf("defaults not applied: %+v %+v", m, m.Workload.Params)
	}
	if strings.Join(m.Models, ",") != "thread,process" || strings.Join(m.Profiles, ",") != "cpu,trace" {
		t.Errorf("default models/profiles: %v %v", m.Models, m.Profiles)
	}
	if len(m.Workers) != 1 || m.Workers[0] != runtime.NumCPU() || m.WorkersSpec != "auto" {
		t.Errorf("workers auto → %v (%s)", m.Workers, m.WorkersSpec)
	}

	f := by["full.example_1"]
	if p := f.Workload.Params; p.Ops != 10 || p.Duration != 5*time.Millisecond || p.Wait != "pipe" {
		t.Errorf("io params %+v", p)
	}
	if strings.Join(strings.Fields(strings.Trim(strings.ReplaceAll(f.WorkersSpec, ",", ""), "[]")), " ") != "4 1 2" ||
		f.Workers[0] != 1 || f.Workers[2] != 4 {
		t.Errorf("sweep %v %q, want sorted [1 2 4] and spec as written", f.Workers, f.WorkersSpec)
	}
	if !f.GIL || f.GILInterval != time.Millisecond || f.Timeout != 30*time.Second || f.Trials() != 3*3*4 {
		t.Errorf("full: %+v", f)
	}

	a := by["anchors"]
	if a.Workload.Params.Iterations != 10_000 || a.Workload.Params.CriticalWork != 10_000 {
		t.Errorf("anchors: %+v", a.Workload.Params)
	}

	c := by["cmd"]
	if c.Workload.Command == nil || strings.Join(c.Models, ",") != "thread,asyncio" || len(c.Profiles) != 0 {
		t.Fatalf("command: %+v", c)
	}
	if got := c.Workload.Command.Argv["asyncio"]; len(got) != 1 || got[0] != "true" {
		t.Errorf("argv %v", got)
	}
	if c.Workload.Command.Env["N"] != "1" || !filepath.IsAbs(c.Workload.Command.Resolved["thread"]) {
		t.Errorf("env/resolved: %+v", c.Workload.Command)
	}
	sh := by["shell"]
	if got := sh.Workload.Command.Argv["process"]; len(got) != 3 || got[0] != "sh" || got[1] != "-c" {
		t.Errorf("shell argv %v", got)
	}
}

func TestDuplicateNamesInBatch(t *testing.T) {
	f := "testdata/valid/minimal.yaml"
	_, err := LoadFiles([]string{f, f})
	var es Errors
	if !errors.As(err, &es) || len(es) != 1 {
		t.Fatalf("err %v, want one error", err)
	}
	if want := f + ":1:7: name: scenario \"minimal\" is also defined in " + f; !strings.HasPrefix(es[0].Error(), want) {
		t.Errorf("got %q, want prefix %q", es[0].Error(), want)
	}
}

func TestFileProblems(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	os.WriteFile(big, []byte("name: x\n"+strings.Repeat("# padding\n", MaxFileBytes/10+1)), 0o644)
	for _, c := range []struct{ path, want string }{
		{filepath.Join(dir, "missing.yaml"), "cannot read: no such file or directory"},
		{dir, "is a directory"},
		{big, "file is larger than"},
	} {
		_, err := LoadFile(c.path)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), c.path) {
			t.Errorf("%s: %v, want %q", c.path, err, c.want)
		}
	}
}

func TestSchemaIsJSON(t *testing.T) {
	data, err := Schema()
	if err != nil || !strings.Contains(string(data), `"iterations"`) {
		t.Fatalf("schema: %v\n%s", err, data)
	}
}
