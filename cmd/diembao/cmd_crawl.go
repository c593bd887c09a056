package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/crawl"
)

func init() {
	register(20, func(app *App) *cobra.Command {
		var (
			once  bool
			flags crawlFlags
		)
		cmd := &cobra.Command{
			Use:   "crawl --once [--allow-private]",
			Short: "Collect new articles from every enabled source",
			Long: `crawl polls every enabled source's feeds and sitemaps (with conditional
requests), then fetches the new article pages, politely: robots.txt obeyed,
one connection and a minimum delay per host, a global limit on requests in
flight. Each exchange is kept in WARC files under DATA/warc and each article
stored and indexed.

With --once it makes one pass and exits, showing each source's progress on a
terminal and a summary at the end; it exits with status 1 when no source could
be read. Without --once it polls continuously (as "serve" does, without the
web UI) until interrupted, each feed at an interval that adapts to how often
it publishes.

Only public addresses are fetched unless --allow-private (every address) or
--allow-net (listed networks) says otherwise.`,
			Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				return runCrawl(cmd.Context(), app, &flags, once)
			},
		}
		cmd.Flags().BoolVar(&once, "once", false, "make one pass over the sources and exit")
		flags.add(cmd.Flags())
		return cmd
	})
}

func runCrawl(ctx context.Context, app *App, flags *crawlFlags, once bool) error {
	cfg, err := flags.config()
	if err != nil {
		return err
	}
	st, err := openStore(ctx, app)
	if err != nil {
		return err
	}
	defer st.Close()
	p, err := newPipeline(app, st, cfg)
	if err != nil {
		return err
	}
	defer p.Close()
	if !once {
		fmt.Fprintln(app.Stderr, "crawl: polling the sources until interrupted (Ctrl-C to stop)")
		return p.Run(ctx)
	}
	prog := newCrawlProgress(app.Stderr, isTerminal(app.Stderr))
	p.OnProgress = prog.update
	start := time.Now()
	sum, err := p.RunOnce(ctx)
	prog.finish()
	if err != nil {
		return err
	}
	if len(sum.Sources) == 0 {
		return &exitError{code: 1, msg: `no enabled source: add one with "diembao sources add HOMEPAGE_URL"`}
	}
	printCrawlSummary(app.Stdout, sum, time.Since(start))
	ok := 0
	for _, s := range sum.Sources {
		if s.Err == nil {
			ok++
		}
	}
	if ok == 0 {
		return &exitError{code: 1, msg: "no source could be read"}
	}
	return nil
}

// crawlProgress shows each source's progress: on a terminal, one line per
// source rewritten in place; elsewhere, one line when a source is done.
type crawlProgress struct {
	mu    sync.Mutex
	w     io.Writer
	tty   bool
	order []int64
	state map[int64]crawl.Progress
	lines int
	last  time.Time
}

func newCrawlProgress(w io.Writer, tty bool) *crawlProgress {
	return &crawlProgress{w: w, tty: tty, state: map[int64]crawl.Progress{}}
}

func (c *crawlProgress) update(p crawl.Progress) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id := p.Source.ID
	if _, ok := c.state[id]; !ok {
		c.order = append(c.order, id)
	}
	c.state[id] = p
	if !c.tty {
		if p.Stage == "done" {
			fmt.Fprintln(c.w, progressLine(p))
		}
		return
	}
	if time.Since(c.last) < 100*time.Millisecond && p.Stage != "done" {
		return
	}
	c.last = time.Now()
	c.redraw()
}

func (c *crawlProgress) redraw() {
	if c.lines > 0 {
		fmt.Fprintf(c.w, "\x1b[%dA", c.lines)
	}
	for _, id := range c.order {
		fmt.Fprintf(c.w, "\x1b[2K%s\n", progressLine(c.state[id]))
	}
	c.lines = len(c.order)
}

func (c *crawlProgress) finish() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tty && len(c.order) > 0 {
		c.redraw()
	}
}

func progressLine(p crawl.Progress) string {
	mark := map[string]string{"feeds": "…", "pages": "↓", "done": "✓"}[p.Stage]
	if p.Stage == "done" && p.Err != nil {
		mark = "✗"
	}
	s := fmt.Sprintf("%s %-32s %2d feeds  %4d new  %4d fetched  %3d failed", mark, truncate(p.Source.Name, 32), p.Feeds, p.Discovered, p.Fetched, p.Failed)
	if p.Stage == "done" && p.Err != nil {
		s += "  " + truncate(p.Err.Error(), 80)
	}
	return s
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func printCrawlSummary(w io.Writer, sum *crawl.Summary, took time.Duration) {
	list := append([]crawl.Progress(nil), sum.Sources...)
	sort.SliceStable(list, func(i, j int) bool { return list[i].Source.Name < list[j].Source.Name })
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tFEEDS\tNEW\tFETCHED\tFAILED\tWAITING\tERROR")
	failing := 0
	for _, p := range list {
		errMsg := ""
		switch {
		case p.Err != nil:
			failing++
			errMsg = truncate(strings.ReplaceAll(p.Err.Error(), "\n", " "), 100)
		case p.Silent:
			errMsg = "silent: nothing new since " + p.LastNew.In(diembao.Vietnam).Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%s\n", p.Source.Name, p.Feeds, p.Discovered, p.Fetched, p.Failed, p.Pending, errMsg)
	}
	tw.Flush()
	fmt.Fprintf(w, "crawled %d sources in %s: %d feeds and sitemaps polled, %d new links, %d pages fetched, %d failed; %d sources failing\n",
		len(list), took.Round(time.Millisecond), sum.Feeds, sum.Discovered, sum.Fetched, sum.Failed, failing)
}
