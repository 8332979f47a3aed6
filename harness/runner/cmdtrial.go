package runner

import (
	"context"
	"os"
	"sort"
	"strconv"
	"strings"

	"harness/harness/rundir"
	"harness/harness/scenario"
)

// commandTrial runs a command scenario's program for one model. The
// program starts its own workers, so all the harness sees is from outside:
// its process tree, its rusage and the observer's samples.
func (r *Runner) commandTrial(ctx context.Context, sc *scenario.Scenario, dir string, t *rundir.Trial, w *watch) error {
	c := sc.Workload.Command
	argv := commandArgv(c.Argv[t.Model], t.Workers)
	p, err := startProc(procSpec{path: c.Resolved[t.Model], argv: argv, env: commandEnv(c.Env), dir: c.Dir, cgroupFD: w.cgroupFD()})
	if err != nil {
		t.Error = err.Error()
		return nil
	}
	w.started(p)
	t.SpawnNs = p.rec.SpawnNs
	select {
	case <-p.exited:
	case <-ctx.Done():
		r.endAll([]*proc{p}, interrupted(ctx))
	}
	p.rec.Files = processFiles(dir, t, p)
	t.Processes = []rundir.Process{p.rec}
	if ctx.Err() == nil && p.failed() != "" {
		t.Error = p.describeFailure("command " + t.Model)
	}
	t.WallNs = p.rec.EndNs - p.rec.SpawnNs
	return nil
}

// commandArgv substitutes {workers} in every argument.
func commandArgv(argv []string, workers int) []string {
	out := make([]string, len(argv))
	for i, a := range argv {
		out[i] = strings.ReplaceAll(a, "{workers}", strconv.Itoa(workers))
	}
	return out
}

// commandEnv is this process's environment with the scenario's variables
// set on top, in a stable order.
func commandEnv(extra map[string]string) []string {
	if len(extra) == 0 {
		return nil
	}
	env := os.Environ()
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		env = append(env, k+"="+extra[k])
	}
	return env
}
