package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

func init() {
	register(41, func(app *App) *cobra.Command {
		return &cobra.Command{
			Use:   "reextract",
			Short: "Run the extractor again over every page kept in the WARC archive",
			Long: `reextract reads every WARC file under DATA/warc (and any WARC files given as
arguments), extracts each archived HTML page again with the current extractor
and stores the result: articles whose clean text changed are updated in place
and in the index, unchanged ones are left alone. It needs no network.`,
			RunE: func(cmd *cobra.Command, args []string) error {
				return runReextract(cmd.Context(), app, args)
			},
		}
	})
}

func runReextract(ctx context.Context, app *App, extra []string) error {
	st, err := openStore(ctx, app)
	if err != nil {
		return err
	}
	defer st.Close()
	in := newIngester(st.Articles, st.Sources)
	in.onWarn = func(msg string) { fmt.Fprintln(app.Stderr, "reextract:", msg) }

	dir := filepath.Join(app.DataDir, "warc")
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	files := append([]string(nil), extra...)
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() && (strings.HasSuffix(name, ".warc.gz") || strings.HasSuffix(name, ".warc")) {
			files = append(files, filepath.Join(dir, name))
		}
	}
	sort.Strings(files)
	if len(files) == 0 {
		fmt.Fprintf(app.Stdout, "reextract: no WARC files in %s\n", dir)
		return nil
	}
	stats := &importStats{start: time.Now()}
	for _, f := range files {
		stats.files++
		if err := importWARC(ctx, in, f, stats); err != nil {
			stats.failedFiles++
			fmt.Fprintf(app.Stderr, "reextract %s: %v\n", f, err)
		}
	}
	fmt.Fprintf(app.Stdout, "reextracted %d WARC files in %s: %d new articles, %d updated, %d unchanged; %d records skipped, %d failed; %d files failed\n",
		stats.files, time.Since(stats.start).Round(time.Millisecond), stats.created, stats.updated, stats.same,
		stats.skipped, stats.failedRecords, stats.failedFiles)
	if stats.failedFiles > 0 {
		return &exitError{code: 1}
	}
	return nil
}
