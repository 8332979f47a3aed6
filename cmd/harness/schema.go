package main

import (
	"github.com/spf13/cobra"

	"harness/harness/scenario"
)

func schemaCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of scenario files",
		Long: `Print the JSON Schema of scenario files, for editors. With the YAML language
server, put this first in a scenario file:

  # yaml-language-server: $schema=scenario.schema.json

after 'harness schema > scenario.schema.json'.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := scenario.Schema()
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(append(data, '\n'))
			return err
		},
	}
}
