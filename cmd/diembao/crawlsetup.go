package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/archive"
	"github.com/diembao/diembao/crawl"
)

// crawlFlags are the crawler settings shared by serve, crawl and demo.
type crawlFlags struct {
	allowPrivate bool
	allowList    []string
	userAgent    string
	hostDelay    time.Duration
	concurrency  int
	maxBody      int64
}

// add registers the flags on fs.
func (c *crawlFlags) add(fs *pflag.FlagSet) {
	fs.BoolVar(&c.allowPrivate, "allow-private", false, "allow fetching loopback, private and link-local addresses (intranet sources, tests)")
	fs.StringSliceVar(&c.allowList, "allow-net", nil, "allow fetching these private networks only (CIDR, repeatable), e.g. 10.1.0.0/16")
	fs.StringVar(&c.userAgent, "user-agent", "", "User-Agent header: name diembao and a contact URL (default \"diembao/VERSION (+https://github.com/diembao/diembao)\")")
	fs.DurationVar(&c.hostDelay, "host-delay", crawl.DefaultHostDelay, "minimum time between two requests to one host (robots.txt Crawl-delay may raise it)")
	fs.IntVar(&c.concurrency, "concurrency", crawl.DefaultConcurrency, "requests in flight at once over all hosts (one per host)")
	fs.Int64Var(&c.maxBody, "max-body", crawl.DefaultMaxBody, "largest response body read, in bytes")
}

// config returns the crawler configuration the flags describe.
func (c *crawlFlags) config() (crawl.Config, error) {
	g := &crawl.Guard{AllowPrivate: c.allowPrivate}
	if len(c.allowList) > 0 {
		nets, err := crawl.ParseAllowList(c.allowList)
		if err != nil {
			return crawl.Config{}, diembao.Errorf(diembao.EINVALID, "--allow-net: %v", err)
		}
		g.Allow = nets
	}
	return crawl.Config{
		UserAgent:   c.userAgent,
		HostDelay:   c.hostDelay,
		Concurrency: c.concurrency,
		MaxBody:     c.maxBody,
		Guard:       g,
	}, nil
}

// pipelineRun is a crawler wired to the archive, the extractor and the
// store of a data directory.
type pipelineRun struct {
	*crawl.Crawler
	warc *archive.Writer
	in   *ingester
}

// Close stops the crawler and closes the current WARC file.
func (p *pipelineRun) Close() error {
	p.Crawler.Close()
	return p.warc.Close()
}

// newPipeline builds the crawler of a data directory: pages fetched go to
// WARC files under DATA/warc, then through the extractor into the store.
func newPipeline(app *App, st *store, cfg crawl.Config) (*pipelineRun, error) {
	w, err := archive.NewWriter(archive.WriterConfig{Dir: filepath.Join(app.DataDir, "warc"), Logger: app.Logger})
	if err != nil {
		return nil, err
	}
	in := newIngester(st.Articles, st.Sources)
	onPage := func(ctx context.Context, src *diembao.Source, f *diembao.Fetch, body []byte) error {
		hint, _ := crawl.ItemFromContext(ctx)
		_, err := in.page(ctx, src, f, body, hint)
		if errors.Is(err, errNoArticle) {
			// A page without an article (an index page, a video page) is
			// fetched and archived, not retried.
			app.Logger.Debug("no article on page", "url", f.URL)
			return nil
		}
		if err != nil {
			return fmt.Errorf("store %s: %w", f.URL, err)
		}
		return nil
	}
	c, err := crawl.New(cfg, crawl.Services{Sources: st.Sources, Frontier: st.Frontier, Feeds: st.Feeds, Fetches: st.Fetches}, w, onPage, app.Logger)
	if err != nil {
		w.Close()
		return nil, err
	}
	return &pipelineRun{Crawler: c, warc: w, in: in}, nil
}
