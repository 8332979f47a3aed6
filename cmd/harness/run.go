package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"harness/harness/cgroup"
	"harness/harness/rundir"
	"harness/harness/runner"
	"harness/harness/scenario"
	"harness/reports"
)

func runCmd() *cobra.Command {
	var out string
	var overhead bool
	cmd := &cobra.Command{
		Use:   "run [-o DIR] FILE...",
		Short: "Run scenarios, write a batch directory, print a summary table",
		Long: `Run every scenario file. All files are validated first; if any is invalid,
nothing runs (exit 2). The batch is written to DIR (-o), which must not exist
or be empty, or to results/<UTC time>-<random>/. Exit 1 when any trial failed.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			scs, err := loadScenarios(cmd.ErrOrStderr(), args)
			if err != nil {
				return err
			}
			dir, err := batchDir(out)
			if err != nil {
				return err
			}
			return runBatch(cmd.OutOrStdout(), cmd.ErrOrStderr(), scs, dir, overhead)
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "write the batch into `DIR` (one folder per scenario)")
	cmd.Flags().BoolVar(&overhead, "overhead", false, "also run every trial bare (no profiles, no sampler) and report what the instrumentation costs")
	return cmd
}

// batchDir picks and creates the batch directory. An existing non-empty
// directory is refused: a run is never written over another.
func batchDir(out string) (string, error) {
	if out == "" {
		var b [3]byte
		rand.Read(b[:])
		out = filepath.Join("results", time.Now().UTC().Format("20060102T150405Z")+"-"+hex.EncodeToString(b[:]))
	}
	entries, err := os.ReadDir(out)
	switch {
	case err == nil && len(entries) > 0:
		return "", usageErr("%s exists and is not empty; choose another directory (runs are never overwritten)", out)
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return "", usageErr("output directory %s: %v", out, err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return "", &exitError{code: exitFailed, err: fmt.Errorf("create output directory: %w", err)}
	}
	return out, nil
}

func runBatch(stdout, stderr io.Writer, scs []*scenario.Scenario, dir string, overhead bool) error {
	exe, err := os.Executable()
	if err != nil {
		return &exitError{code: exitFailed, err: fmt.Errorf("find the harness binary: %w", err)}
	}
	if err := runner.EnableSubreaper(); err != nil {
		fmt.Fprintf(stderr, "harness: warning: cannot become child subreaper (%v); double-forked descendants may escape\n", err)
	}
	runner.Version = version()

	// The first Ctrl-C or SIGTERM ends the current trial's children and
	// writes what was measured, marked interrupted; a second one kills the
	// children and exits at once.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		<-sigs
		fmt.Fprintln(stderr, "\nharness: interrupted; ending the trial's processes and writing what was measured (Ctrl-C again to quit at once)")
		cancel()
		<-sigs
		// At once, but not leaving the trial's cgroup behind: killing its
		// members and removing it takes milliseconds.
		cgroup.CloseAll()
		os.Exit(exitSignal)
	}()

	batch := rundir.Batch{Schema: rundir.SchemaVersion, HarnessVersion: runner.Version, StartNs: time.Now().UnixNano()}
	prog := newProgress(stderr)
	r := &runner.Runner{Exe: exe, Progress: prog.update, Overhead: overhead}
	anyFailed := false
	var reps []*reports.Report
	fmt.Fprintf(stdout, "batch %s\n", dir)
	for _, sc := range scs {
		if ctx.Err() != nil {
			break
		}
		bs := rundir.BatchScenario{Name: sc.Name, File: sc.File, Dir: sc.Name}
		run, err := r.Run(ctx, sc, filepath.Join(dir, sc.Name))
		prog.finish()
		switch {
		case errors.Is(err, runner.ErrInterrupted):
			batch.Interrupted = true
			bs.Status = rundir.StatusInterrupted
		case err != nil:
			bs.Status, bs.Error = rundir.StatusFailed, err.Error()
			anyFailed = true
			fmt.Fprintf(stderr, "harness: %s: %v\n", sc.Name, err)
		default:
			bs.Status = rundir.StatusOK
		}
		var rep *reports.Report
		if run != nil {
			bs.Trials = len(run.Trials)
			for _, t := range run.Trials {
				if t.Status != rundir.StatusOK {
					bs.Failed++
				}
			}
			if bs.Failed > 0 && bs.Status == rundir.StatusOK {
				bs.Status = rundir.StatusFailed
				anyFailed = true
			}
			render := reports.Render
			if ctx.Err() != nil {
				// Interrupted: the documents now, the charts on request.
				render = reports.RenderDocuments
				fmt.Fprintf(stderr, "harness: charts not drawn; run 'harness report %s' for them\n", filepath.Join(dir, sc.Name))
			}
			// The report's figures are the terminal's too: computed
			// once, from the run directory.
			var rerr error
			rep, rerr = render(filepath.Join(dir, sc.Name))
			if rep != nil {
				printSummary(stdout, rep)
			}
			if rerr != nil {
				fmt.Fprintf(stderr, "harness: %v\n", rerr)
				anyFailed = true
			} else {
				fmt.Fprintf(stdout, "report: %s\n", filepath.Join(dir, sc.Name, "README.md"))
			}
		}
		reps = append(reps, rep)
		batch.Scenarios = append(batch.Scenarios, bs)
	}
	batch.EndNs = time.Now().UnixNano()
	// A signal between two scenarios (while one's report was drawn) ends
	// the batch as surely as one during a trial.
	batch.Interrupted = batch.Interrupted || ctx.Err() != nil
	batch.Complete = !batch.Interrupted && len(batch.Scenarios) == len(scs)
	if err := rundir.WriteJSON(filepath.Join(dir, rundir.BatchFile), batch); err != nil {
		return &exitError{code: exitFailed, err: err}
	}
	if err := reports.WriteBatchIndex(dir, &batch, reps); err != nil {
		return &exitError{code: exitFailed, err: err}
	}
	switch {
	case batch.Interrupted:
		return &exitError{code: exitSignal, err: fmt.Errorf("interrupted; partial results in %s", dir)}
	case anyFailed:
		return &exitError{code: exitFailed, err: fmt.Errorf("some trials failed; see %s", dir)}
	}
	return nil
}
