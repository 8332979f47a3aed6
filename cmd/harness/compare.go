package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"harness/harness/compare"
)

func compareCmd() *cobra.Command {
	var (
		format string
		failOn []string
		models string
	)
	cmd := &cobra.Command{
		Use:   "compare (DIR_A DIR_B | DIR --models A,B)",
		Short: "Compare two run directories, or two models of one run, like benchstat",
		Long: `Compare two run directories (each a batch or a scenario directory), matched
by scenario name, model and worker count; or, with --models A,B, two models of
one run directory, matched by worker count. For every figure (wall, cpu,
cores, spawn, rss) it prints A and B (median ± 95% interval), the change of
the medians and the Mann-Whitney U p-value; "~" means the change is not
significant at α = 0.05. Only successful, measured trials count (not warm-ups,
nor the bare twins of run --overhead), as in the report's table.

--fail-on FIGURE:+N% (or -N%, the sign is the bad direction; repeatable or
comma-separated) exits 1 when a significant change goes beyond N%.
Exit 0 otherwise; exit 2 for unusable input (no run.json or batch.json,
another schema version, nothing in common, a malformed flag).`,
		Example: `  harness compare results/old results/new
  harness compare results/old/seed-cpu results/new --fail-on wall:+5%,cpu:+10% --fail-on rss:+20%
  harness compare results/new --models thread,process --format markdown`,
		Args: func(cmd *cobra.Command, args []string) error {
			if models != "" {
				if len(args) != 1 {
					return usageErr("compare --models takes one run directory, got %d argument(s)", len(args))
				}
				return nil
			}
			if len(args) != 2 {
				return usageErr("compare takes two run directories (or one with --models A,B), got %d argument(s)", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			// Check every flag before reading anything, so that a typo
			// is reported as such, not as a missing file.
			if !slices.Contains(compare.Formats(), format) {
				return usageErr("--format %q: want one of %s", format, strings.Join(compare.Formats(), ", "))
			}
			limits, err := compare.ParseThresholds(failOn)
			if err != nil {
				return usageErr("%v", err)
			}
			var ma, mb string
			if models != "" {
				if ma, mb, err = compare.ParseModels(models); err != nil {
					return usageErr("%v", err)
				}
			}
			res, err := compareDirs(args, ma, mb)
			if err != nil {
				return usageErr("%v", err) // every error here is about the input
			}
			bad := res.Check(limits)
			if err := res.Write(cmd.OutOrStdout(), format); err != nil {
				return &exitError{code: exitFailed, err: fmt.Errorf("write the comparison: %w", err)}
			}
			if len(bad) > 0 {
				var what []string
				for _, v := range bad {
					what = append(what, v.String())
				}
				return &exitError{code: exitFailed, err: fmt.Errorf("%d significant change(s) beyond --fail-on: %s",
					len(bad), strings.Join(what, "; "))}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", compare.FormatText, "output `format`: "+strings.Join(compare.Formats(), ", "))
	cmd.Flags().StringSliceVar(&failOn, "fail-on", nil, "exit 1 when a significant change goes beyond `FIGURE:±N%`, e.g. wall:+5% (figures: "+strings.Join(compare.Figures(), ", ")+"); repeatable")
	cmd.Flags().StringVar(&models, "models", "", "compare two models of one run directory, `A,B`: A is the baseline")
	return cmd
}

// compareDirs compares two run directories, or models ma and mb within
// one when they are set.
func compareDirs(dirs []string, ma, mb string) (*compare.Result, error) {
	a, err := compare.Load(dirs[0])
	if err != nil {
		return nil, err
	}
	if ma != "" {
		return compare.Models(a, ma, mb)
	}
	b, err := compare.Load(dirs[1])
	if err != nil {
		return nil, err
	}
	return compare.Runs(a, b)
}
