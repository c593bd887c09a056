package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/diembao/diembao/crawl"
	diembaohttp "github.com/diembao/diembao/http"
	"github.com/diembao/diembao/internal/demosite"
)

func init() {
	register(71, func(app *App) *cobra.Command {
		var (
			addr string
			once bool
		)
		cmd := &cobra.Command{
			Use:   "demo",
			Short: "Run an offline demo: a local newspaper site, crawled, indexed and served",
			Long: `demo needs no network. It starts a small newspaper site of three fictional
outlets on 127.0.0.1 (articles written for diembao, with RSS/Atom feeds,
sitemaps, syndicated copies and a page in a legacy Vietnamese encoding), crawls
it through the same crawler, archive, extractor and index that "serve" uses
(loopback addresses are allowed for the demo only), then serves the web UI.

The demo archive goes to DATA/demo unless --data is given. With --once it builds
the archive, prints what it indexed and exits.`,
			Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				if !cmd.Flags().Changed("data") && !envSet("DIEMBAO_DATA") {
					app.DataDir += "/demo"
				}
				return runDemo(cmd.Context(), app, addr, once)
			},
		}
		cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address the web UI listens on")
		cmd.Flags().BoolVar(&once, "once", false, "build the demo archive, print counts and exit")
		return cmd
	})
}

func runDemo(ctx context.Context, app *App, addr string, once bool) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	site, err := startDemoSite(ctx, app.DataDir)
	if err != nil {
		return err
	}
	defer site.Close()

	st, err := openStore(ctx, app)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, _, err := syncSources(ctx, st.Sources, site.Sources()); err != nil {
		return err
	}
	// The demo site is on loopback: allow it, and only it, and pace
	// requests gently since it is our own.
	cfg := crawl.Config{HostDelay: 10 * time.Millisecond, Guard: &crawl.Guard{AllowPrivate: true}}
	p, err := newPipeline(app, st, cfg)
	if err != nil {
		return err
	}
	defer p.Close()
	start := time.Now()
	sum, err := p.RunOnce(ctx)
	if err != nil {
		return err
	}
	n, err := st.Articles.CountArticles(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(app.Stdout, "demo: crawled %d sources in %s: %d feeds and sitemaps, %d pages fetched, %d failed; %d articles indexed in %s\n",
		len(sum.Sources), time.Since(start).Round(time.Millisecond), sum.Feeds, sum.Fetched, sum.Failed, n, app.storeName())
	for _, sp := range sum.Sources {
		if sp.Err != nil {
			fmt.Fprintf(app.Stderr, "demo: %s: %v\n", sp.Source.Name, sp.Err)
		}
	}
	if once {
		return nil
	}
	srv, err := diembaohttp.NewServer(diembaohttp.Config{Search: st.Search, Articles: st.Articles, Sources: st.Sources, Logger: app.Logger})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	fmt.Fprintf(app.Stdout, "demo: web UI at http://%s/ (Ctrl-C to stop)\n", ln.Addr())
	return srv.Serve(ctx, ln)
}

// demoSiteFile remembers the addresses of the demo outlets in the data
// directory, so that every run serves the same URLs and the archive keeps one
// copy of each article.
const demoSiteFile = "demo-site.json"

// startDemoSite starts the demo site on the addresses a previous run used,
// or on free ports the first time, and remembers them.
func startDemoSite(ctx context.Context, dataDir string) (*demosite.Site, error) {
	path := filepath.Join(dataDir, demoSiteFile)
	var addrs []string
	if b, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(b, &addrs); err != nil {
			return nil, fmt.Errorf("demo: %s: %v (delete it to choose new ports)", path, err)
		}
	}
	site, err := demosite.Start(ctx, addrs...)
	if err != nil {
		return nil, fmt.Errorf("demo: cannot start the demo site on the ports of the last run (%v); is another demo running on this data directory?", err)
	}
	b, _ := json.Marshal(site.Addrs())
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		site.Close()
		return nil, err
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		site.Close()
		return nil, err
	}
	return site, nil
}
