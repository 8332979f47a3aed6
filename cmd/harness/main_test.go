package main

import (
	"errors"
	"fmt"
	"flag"
	"os"
	"os/exec"
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
