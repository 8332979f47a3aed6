// Command harness answers, with measurements, what threads buy and what
// processes buy for a workload: it runs scenario files under a serial
// baseline, a thread model and a process model, profiles and traces every
// worker, watches every process from outside, and writes a report.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"harness/harness/worker"
)

// Exit codes.
const (
	exitOK     = 0
	exitFailed = 1 // a trial failed, a comparison regressed, or the harness could not write
	exitUsage  = 2 // bad usage or bad input; nothing was run
	exitSignal = 130
)

// exitError carries an exit code through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

func main() {
	// Worker mode first, before anything else is set up: it is on the
	// spawn path that the process model's start-up latency measures.
	if len(os.Args) > 1 && os.Args[1] == worker.Mode {
		os.Exit(worker.Main(os.Args[2:]))
	}
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	root := rootCmd()
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintln(os.Stderr, "harness:", ee.err)
		}
		return ee.code
	}
	// Cobra's own errors: unknown command or flag, wrong argument count.
	fmt.Fprintln(os.Stderr, "harness:", err)
	return exitUsage
}

func rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "harness",
		Short: "Measure what threads buy and what processes buy for a workload",
		Long: `harness runs a workload under a serial baseline, a thread model (goroutines in
one process) and a process model (one process per worker), records profiles
and execution traces inside every Go worker, samples every process from
outside through /proc, and writes a run directory with merged profiles and
a report.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version(),
	}
	root.AddCommand(runCmd(), validateCmd(), reportCmd(), compareCmd(), pprofCmd(), listCmd(), schemaCmd())
	return root
}
