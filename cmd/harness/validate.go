package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"harness/harness/scenario"
)

func validateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check scenario files; run nothing",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			scs, err := loadScenarios(cmd.ErrOrStderr(), args)
			if err != nil {
				return err
			}
			for _, sc := range scs {
				fmt.Fprintf(cmd.OutOrStdout(), "%s: ok: %s, %s, models %v, workers %v, %d trials\n",
					sc.File, sc.Name, sc.Workload.Kind, sc.Models, sc.Workers, sc.Trials())
			}
			return nil
		},
	}
}

// loadScenarios validates every file; on any error it prints them all with
// their source excerpts and returns a usage error (exit 2).
func loadScenarios(stderr io.Writer, paths []string) ([]*scenario.Scenario, error) {
	scs, err := scenario.LoadFiles(paths)
	if err != nil {
		var es scenario.Errors
		if errors.As(err, &es) {
			fmt.Fprintln(stderr, es.Detail())
			return nil, &exitError{code: exitUsage, err: fmt.Errorf("%d error(s) in scenario files; nothing was run", len(es))}
		}
		return nil, &exitError{code: exitUsage, err: err}
	}
	return scs, nil
}
