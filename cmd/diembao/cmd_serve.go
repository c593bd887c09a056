package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/spf13/cobra"

	"github.com/diembao/diembao/crawl"
	diembaohttp "github.com/diembao/diembao/http"
)

func init() {
	register(70, func(app *App) *cobra.Command {
		var (
			addr        string
			sourcesFile string
			allowRemote bool
			noCrawl     bool
			cf          crawlFlags
		)
		cmd := &cobra.Command{
			Use:   "serve",
			Short: "Collect the news continuously and serve the web UI and JSON API",
			Long: `serve runs diembao: the scheduler polls every enabled source's feeds and
sitemaps, fetches new article pages (keeping every response in WARC files under
DATA/warc), extracts and indexes them, and the web UI and JSON API answer at
--addr.

Sources come from --sources FILE, or DATA/sources.toml, which serve writes from
diembao's default list of Vietnamese outlets on first start so that you can
edit it. Each start adds the file's new outlets to the store and applies its
changes; "diembao sources list" shows each source's health.

The UI has no login yet, so serve listens on loopback only unless
--allow-remote is given.`,
			Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				return runServe(cmd.Context(), app, addr, sourcesFile, allowRemote, noCrawl, &cf)
			},
		}
		cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address the web UI and API listen on")
		cmd.Flags().StringVar(&sourcesFile, "sources", "", "TOML list of sources (default DATA/sources.toml, written from the built-in list on first start)")
		cmd.Flags().BoolVar(&allowRemote, "allow-remote", false, "allow listening on a non-loopback address (the UI has no login: anyone who reaches it can use it)")
		cmd.Flags().BoolVar(&noCrawl, "no-crawl", false, "serve the archive without collecting")
		cf.add(cmd.Flags())
		return cmd
	})
}

// isLoopback reports whether addr (host:port) names only loopback
// addresses. An empty host means every interface.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

func runServe(ctx context.Context, app *App, addr, sourcesFile string, allowRemote, noCrawl bool, cf *crawlFlags) error {
	if !isLoopback(addr) {
		if !allowRemote {
			return fmt.Errorf("refusing to listen on %s: the web UI has no login yet; listen on 127.0.0.1 or pass --allow-remote", addr)
		}
		fmt.Fprintf(app.Stderr, "WARNING: listening on %s: the web UI has no login; anyone who can reach this address can use it.\n", addr)
	}
	cfg, err := cf.config()
	if err != nil {
		return err
	}
	st, err := openStore(ctx, app)
	if err != nil {
		return err
	}
	defer st.Close()
	if w, ok := st.Search.(interface{ Warm(context.Context) error }); ok {
		go func() {
			if err := w.Warm(ctx); err != nil && ctx.Err() == nil {
				app.Logger.Warn("search: reading article attributes", "err", err)
			}
		}()
	}

	path, list, err := loadSourcesFile(app, sourcesFile)
	if err != nil {
		return err
	}
	created, updated, err := syncSources(ctx, st.Sources, list)
	if err != nil {
		return err
	}
	fmt.Fprintf(app.Stdout, "serve: %d sources from %s (%d new, %d changed)\n", len(list), path, created, updated)

	fetcher := crawl.NewFetcher(cfg, nil, app.Logger)
	defer fetcher.Close()
	discover := func(ctx context.Context, home string) ([]string, []string, error) {
		d, err := crawl.Discover(ctx, fetcher, home)
		if err != nil {
			return nil, nil, err
		}
		return d.Feeds, d.Sitemaps, nil
	}
	srv, err := diembaohttp.NewServer(diembaohttp.Config{Search: st.Search, Articles: st.Articles, Sources: st.Sources, Logger: app.Logger, Discover: discover})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	crawlDone := make(chan error, 1)
	if noCrawl {
		crawlDone <- nil
	} else {
		p, err := newPipeline(app, st, cfg)
		if err != nil {
			ln.Close()
			return err
		}
		defer p.Close()
		go func() { crawlDone <- p.Run(ctx) }()
	}
	fmt.Fprintf(app.Stdout, "serve: web UI at http://%s/ (Ctrl-C to stop)\n", ln.Addr())
	serr := srv.Serve(ctx, ln)
	cancel()
	cerr := <-crawlDone
	if errors.Is(cerr, context.Canceled) {
		cerr = nil
	}
	return errors.Join(serr, cerr)
}
