// Command diembao is the one binary of diembao, a press-monitoring engine for
// Vietnamese-language news. Its subcommands run the web UI and the scheduler
// (serve), build an offline demo (demo), crawl, import, search, extract and
// evaluate. Run "diembao help" for the list.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
