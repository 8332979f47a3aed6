package main

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"harness/harness/scenario"
	"harness/harness/workload"
)

func listCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the built-in workloads and their parameters",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 2, 8, 2, ' ', 0)
			for _, k := range workload.Kinds() {
				fmt.Fprintf(w, "%s\t%s\n", k.Name, k.Doc)
				for _, pa := range k.Params {
					fmt.Fprintf(w, "  %s\t%s\tdefault %s\t%s\n", pa.Name, rangeText(pa), pa.DefaultText(), pa.Doc)
				}
				fmt.Fprintln(w)
			}
			fmt.Fprintf(w, "command\tRun any program, one per model; observed from outside (/proc) only.\n")
			fmt.Fprintf(w, "  commands\tmodel: [program, args…]\trequired\t\"{workers}\" in an argument is replaced by the worker count\n")
			fmt.Fprintf(w, "  shell\ttrue|false\tdefault false\tgive each command as one string, run with sh -c\n")
			fmt.Fprintf(w, "  env\tmapping\t\tvariables added to the environment\n")
			fmt.Fprintf(w, "  dir\tpath\t\tworking directory\n")
			fmt.Fprintln(w)
			fmt.Fprintf(w, "models\t%s (built-in workloads); any name for commands\n", strings.Join([]string{scenario.Serial, scenario.Thread, scenario.Process}, ", "))
			fmt.Fprintf(w, "profiles\t%s\n", strings.Join(scenario.ProfileKinds, ", "))
			return w.Flush()
		},
	}
}

func rangeText(pa workload.Param) string {
	switch pa.Type {
	case workload.Int:
		return fmt.Sprintf("%d…%d", pa.Min, pa.Max)
	case workload.Duration:
		return fmt.Sprintf("%v…%v", time.Duration(pa.Min), time.Duration(pa.Max))
	default:
		return strings.Join(pa.Enum, "|")
	}
}
