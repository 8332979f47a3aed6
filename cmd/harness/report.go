package main

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"harness/harness/rundir"
	"harness/reports"
)

func reportCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "report DIR",
		Short: "Re-render the report of a run directory without running anything",
		Long: `Re-render every report file of a run directory from what it holds: a
scenario directory (with run.json) or a batch directory (with batch.json, one
sub-directory per scenario). Nothing is run; the same files as 'harness run'
writes are written again.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			kind, err := rundir.KindOf(dir)
			if err != nil {
				return usageErr("%v", err)
			}
			if kind == rundir.BatchDir {
				err = reports.RenderBatch(dir)
			} else {
				_, err = reports.Render(dir)
			}
			var bad *rundir.InputError
			switch {
			case errors.As(err, &bad): // nothing rendered: bad input
				return usageErr("%v", err)
			case err != nil:
				return &exitError{code: exitFailed, err: err}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "report: %s\n", filepath.Join(dir, "README.md"))
			return nil
		},
	}
}
