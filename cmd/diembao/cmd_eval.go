package main

import "github.com/spf13/cobra"

// evalCommands is the registry of "diembao eval" subcommands.
var evalCommands []func(app *App) *cobra.Command

// registerEval adds an "eval" subcommand constructor.
func registerEval(fn func(app *App) *cobra.Command) {
	evalCommands = append(evalCommands, fn)
}

func init() {
	register(90, func(app *App) *cobra.Command {
		cmd := &cobra.Command{
			Use:   "eval",
			Short: "Measure a stage of diembao on an evaluation set and print the figures",
			Long: `eval runs one stage of diembao over an evaluation set and prints what it
measured: accuracy figures and throughput. Each subcommand names the stage.`,
		}
		for _, fn := range evalCommands {
			cmd.AddCommand(fn(app))
		}
		return cmd
	})
}
