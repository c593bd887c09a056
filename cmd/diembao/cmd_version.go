package main

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/diembao/diembao"
)

func init() {
	register(95, func(app *App) *cobra.Command {
		return &cobra.Command{
			Use:   "version",
			Short: "Print the version of diembao",
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				_, err := fmt.Fprintf(app.Stdout, "diembao %s (%s, %s/%s)\n", diembao.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
				return err
			},
		}
	})
}
