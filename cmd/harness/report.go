package main

import (
	"fmt"
	"os"
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
			switch {
			case isFile(filepath.Join(dir, rundir.BatchFile)):
				if err := reports.RenderBatch(dir); err != nil {
					return &exitError{code: exitFailed, err: err}
				}
			case isFile(filepath.Join(dir, rundir.RunFile)):
				if _, err := reports.Render(dir); err != nil {
					return &exitError{code: exitFailed, err: err}
				}
			default:
				return usageErr("%s is not a run directory: it has neither %s nor %s", dir, rundir.RunFile, rundir.BatchFile)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "report: %s\n", filepath.Join(dir, "README.md"))
			return nil
		},
	}
}

func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}
