package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var updateScripts = flag.Bool("update-scripts", false, "rewrite cmp files in the scripts")

// TestMain makes the test binary the harness binary too: testscript runs it
// as "harness", and the runner re-executes it in worker mode the same way.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"harness": func() { os.Exit(main1()) },
	})
}

var goCache = sync.OnceValue(func() string {
	out, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		panic(fmt.Sprintf("go env GOCACHE: %v", err))
	}
	return strings.TrimSpace(string(out))
})

func main1() int {
	main()
	return 0
}

// TestScripts runs the end-to-end scripts in testdata/script against the
// real binary.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *updateScripts,
		Setup: func(env *testscript.Env) error {
			// Scripts call `go tool pprof`; with testscript's empty HOME
			// the go command would rebuild pprof into a fresh cache.
			env.Setenv("GOCACHE", goCache())
			env.Setenv("HOME", env.WorkDir+"/home")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"cp-tree":    cpTree,
			"rm-report":  rmReport,
			"same-files": sameFiles,
			"find-files": findFiles,
			// exitcode N CMD ARGS... runs CMD and checks its exit code is
			// exactly N (testscript's ! only says "not zero").
			"exitcode": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) < 2 || neg {
					ts.Fatalf("usage: exitcode N command [args...]")
				}
				want, err := strconv.Atoi(args[0])
				if err != nil {
					ts.Fatalf("exitcode: %v", err)
				}
				err = ts.Exec(args[1], args[2:]...)
				got := 0
				var ee *exec.ExitError
				switch {
				case errors.As(err, &ee):
					got = ee.ExitCode()
				case err != nil:
					ts.Fatalf("exitcode: %v", err)
				}
				if got != want {
					ts.Fatalf("exit code %d, want %d", got, want)
				}
			},
		},
	})
}

// cp-tree SRC DST copies a directory tree.
func cpTree(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || neg {
		ts.Fatalf("usage: cp-tree src dst")
	}
	src, dst := ts.MkAbs(args[0]), ts.MkAbs(args[1])
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	ts.Check(err)
}

// reportFiles are what `harness report` writes (not run.json, the raw
// files or the merged profiles, which are the run itself).
var reportFiles = regexp.MustCompile(`(^|/)(README\.md|index\.html|summary\.json|timeline\.json|[a-z]+\.(png|svg))$`)

// rm-report DIR removes every report file under DIR.
func rmReport(ts *testscript.TestScript, neg bool, args []string) {
	for _, f := range treeFiles(ts, ts.MkAbs(args[0])) {
		if reportFiles.MatchString(f) {
			ts.Check(os.Remove(filepath.Join(ts.MkAbs(args[0]), f)))
		}
	}
}

// same-files A B checks that two trees hold the same file names.
func sameFiles(ts *testscript.TestScript, neg bool, args []string) {
	a, b := treeFiles(ts, ts.MkAbs(args[0])), treeFiles(ts, ts.MkAbs(args[1]))
	if strings.Join(a, "\n") != strings.Join(b, "\n") {
		ts.Fatalf("file sets differ:\n%s:\n  %s\n%s:\n  %s", args[0], strings.Join(a, "\n  "), args[1], strings.Join(b, "\n  "))
	}
	n := 0
	for _, f := range a {
		if reportFiles.MatchString(f) {
			n++
		}
	}
	ts.Logf("%d files, %d of them report files", len(a), n)
}

func treeFiles(ts *testscript.TestScript, root string) []string {
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(root, path)
			out = append(out, rel)
		}
		return nil
	})
	ts.Check(err)
	sort.Strings(out)
	return out
}

// find-files DIR NAME prints every file named NAME under DIR.
func findFiles(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: find-files dir name")
	}
	for _, f := range treeFiles(ts, ts.MkAbs(args[0])) {
		if filepath.Base(f) == args[1] {
			fmt.Fprintln(ts.Stdout(), filepath.Join(args[0], f))
		}
	}
}
