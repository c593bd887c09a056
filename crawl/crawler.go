package crawl

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/archive"
)

// Services are the stores the crawler works with. Fetches may be nil, in
// which case fetches are not recorded in the store (they still are in the
// archive).
type Services struct {
	Sources  diembao.SourceService
	Frontier diembao.FrontierService
	Feeds    diembao.FeedStateService
	Fetches  diembao.FetchService
}

// Progress is the state of one source during a pass.
type Progress struct {
	Source *diembao.Source
	// Stage is "feeds", "pages" or "done".
	Stage string
	// Feeds counts feeds and sitemaps polled, Discovered the new links
	// they gave, Fetched the pages handed on, Failed the failed fetches,
	// Pending the frontier items left waiting.
	Feeds, Discovered, Fetched, Failed, Pending int
	// Err is the error recorded on the source at the end of the pass.
	Err error
	// Silent is set at the end of the pass when the source's feeds have
	// listed nothing new for much longer than their own baseline predicts;
	// LastNew is when they last did.
	Silent  bool
	LastNew time.Time
}

// BaselineWindow is the window over which a source's usual rate of new
// links is measured.
const BaselineWindow = 14 * 24 * time.Hour

// Silent reports whether a source whose feeds made a.Discovered links known
// in the baseline window before now has gone quiet: nothing new for three
// times the interval its rate predicts, and at least two days. A source
// without history is not silent.
func Silent(a diembao.SourceActivity, now time.Time) bool {
	if a.Last.IsZero() || a.Discovered == 0 {
		return !a.Last.IsZero() && now.Sub(a.Last) > BaselineWindow
	}
	span := min(now.Sub(a.First), BaselineWindow)
	if span < 24*time.Hour {
		return false
	}
	expected := time.Duration(float64(span) / float64(a.Discovered))
	quiet := now.Sub(a.Last)
	return quiet > 48*time.Hour && quiet > 3*expected
}

// Summary totals a pass over the sources.
type Summary struct {
	Sources                            []Progress
	Feeds, Discovered, Fetched, Failed int
}

// Crawler polls sources and fetches their article pages.
type Crawler struct {
	cfg    Config
	svc    Services
	f      *Fetcher
	onPage OnPageFunc
	logger *slog.Logger

	// OnProgress, when set, receives the progress of each source as it
	// changes; it is called from several goroutines at once.
	OnProgress func(Progress)

	mu      sync.Mutex
	running map[int64]bool
}

// New returns a Crawler with the settings of cfg that records exchanges in
// warc (nil keeps no archive) and hands each fetched page to onPage.
func New(cfg Config, svc Services, warc *archive.Writer, onPage OnPageFunc, logger *slog.Logger) (*Crawler, error) {
	if svc.Sources == nil || svc.Frontier == nil || svc.Feeds == nil {
		return nil, errors.New("crawl: the crawler needs source, frontier and feed-state services")
	}
	if onPage == nil {
		return nil, errors.New("crawl: the crawler needs an OnPage function")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg = cfg.withDefaults()
	return &Crawler{cfg: cfg, svc: svc, f: NewFetcher(cfg, warc, logger), onPage: onPage, logger: logger,
		running: map[int64]bool{}}, nil
}

// Fetcher returns the crawler's fetcher.
func (c *Crawler) Fetcher() *Fetcher { return c.f }

// Close releases the fetcher's connections.
func (c *Crawler) Close() { c.f.Close() }

// RunOnce makes one pass over every enabled source: it polls all their
// feeds and sitemaps, then fetches the article pages due, waiting up to
// OnceWait for those not due yet.
func (c *Crawler) RunOnce(ctx context.Context) (*Summary, error) {
	sources, err := c.enabled(ctx)
	if err != nil {
		return nil, err
	}
	sum := &Summary{Sources: make([]Progress, len(sources))}
	var wg sync.WaitGroup
	for i, src := range sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sum.Sources[i] = c.pass(ctx, src, true)
		}()
	}
	wg.Wait()
	for _, p := range sum.Sources {
		sum.Feeds += p.Feeds
		sum.Discovered += p.Discovered
		sum.Fetched += p.Fetched
		sum.Failed += p.Failed
	}
	return sum, ctx.Err()
}

// Run polls continuously until ctx is done: every Tick it starts a pass
// over each enabled source not already in one, polling only the feeds
// whose adaptive interval has run out.
func (c *Crawler) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	t := time.NewTicker(c.cfg.Tick)
	defer t.Stop()
	for {
		sources, err := c.enabled(ctx)
		if err != nil {
			c.logger.Error("crawl: list sources", "err", err)
		}
		for _, src := range sources {
			c.mu.Lock()
			busy := c.running[src.ID]
			c.running[src.ID] = true
			c.mu.Unlock()
			if busy {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				p := c.pass(ctx, src, false)
				if p.Err != nil {
					c.logger.Warn("crawl: source failing", "source", src.Name, "err", p.Err)
				}
				c.mu.Lock()
				delete(c.running, src.ID)
				c.mu.Unlock()
			}()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (c *Crawler) enabled(ctx context.Context) ([]*diembao.Source, error) {
	all, err := c.svc.Sources.FindSources(ctx)
	if err != nil {
		return nil, fmt.Errorf("crawl: list sources: %w", err)
	}
	var out []*diembao.Source
	for _, s := range all {
		if s.Enabled {
			out = append(out, s)
		}
	}
	return out, nil
}

// pass polls the feeds of src (all of them when force is set, otherwise
// those due) and fetches its due pages, then records the source's health.
func (c *Crawler) pass(ctx context.Context, src *diembao.Source, force bool) Progress {
	p := Progress{Source: src, Stage: "feeds"}
	c.report(p)
	var feedErr, pageErr error
	feedsOK, polled := 0, 0
	listings := append(append([]string{}, src.Feeds...), src.Sitemaps...)
	for _, u := range listings {
		n, done, err := c.pollFeed(ctx, src, u, force)
		if !done {
			continue
		}
		polled++
		p.Feeds++
		p.Discovered += n
		if err != nil {
			feedErr = err
		} else {
			feedsOK++
		}
		c.report(p)
	}
	p.Stage = "pages"
	c.report(p)
	pageErr = c.drain(ctx, src, &p, force)
	if st, err := c.svc.Frontier.FrontierStats(ctx, src.ID); err == nil {
		p.Pending = st.Pending + st.Leased
	}
	now := time.Now()
	if act, err := c.svc.Frontier.SourceActivity(ctx, src.ID, now.Add(-BaselineWindow)); err == nil {
		p.Silent, p.LastNew = Silent(act, now), act.Last
		if p.Silent && polled > 0 {
			c.logger.Warn("crawl: source silent", "source", src.Name, "last_new", act.Last, "baseline", act.Discovered)
		}
	}
	switch {
	case polled > 0 && feedsOK == 0:
		p.Err = feedErr
	case p.Fetched == 0 && pageErr != nil:
		p.Err = pageErr
	}
	if ctx.Err() == nil && (polled > 0 || p.Fetched+p.Failed > 0) {
		if err := c.svc.Sources.RecordAttempt(ctx, src.ID, time.Now().UTC(), p.Err); err != nil {
			c.logger.Error("crawl: record source attempt", "source", src.Name, "err", err)
		}
	}
	p.Stage = "done"
	c.report(p)
	return p
}

func (c *Crawler) report(p Progress) {
	if c.OnProgress != nil {
		c.OnProgress(p)
	}
}

// drain fetches the due pages of src. With wait set it waits up to
// OnceWait for items not due yet. It returns the last fetch error.
func (c *Crawler) drain(ctx context.Context, src *diembao.Source, p *Progress, wait bool) error {
	var last error
	var idleSince time.Time
	for ctx.Err() == nil {
		items, err := c.svc.Frontier.Lease(ctx, diembao.LeaseRequest{SourceID: src.ID, Now: time.Now(), Limit: 1, Duration: c.cfg.Lease})
		if err != nil {
			return fmt.Errorf("crawl: lease: %w", err)
		}
		if len(items) == 0 {
			if !wait || c.cfg.OnceWait <= 0 {
				return last
			}
			st, err := c.svc.Frontier.FrontierStats(ctx, src.ID)
			if err != nil {
				return fmt.Errorf("crawl: frontier stats: %w", err)
			}
			if st.Pending+st.Leased == 0 {
				return last
			}
			if idleSince.IsZero() {
				idleSince = time.Now()
			} else if time.Since(idleSince) > c.cfg.OnceWait {
				return last
			}
			sleep(ctx, 100*time.Millisecond)
			continue
		}
		idleSince = time.Time{}
		for i, it := range items {
			if ctx.Err() != nil {
				// Give back the leases not started, without waiting for
				// them to run out.
				for _, rest := range items[i:] {
					_ = c.svc.Frontier.Retry(context.WithoutCancel(ctx), rest.ID, time.Now(), "interrupted")
				}
				return last
			}
			if err := c.fetchItem(ctx, src, it); err != nil {
				last = err
				p.Failed++
			} else {
				p.Fetched++
			}
			c.report(*p)
		}
	}
	return last
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// fetchItem fetches one leased frontier item and settles it: completed,
// retried later or abandoned.
func (c *Crawler) fetchItem(ctx context.Context, src *diembao.Source, it *diembao.FrontierItem) error {
	fr := c.svc.Frontier
	bg := context.WithoutCancel(ctx)
	if it.Kind == diembao.FrontierSitemap {
		_, _, err := c.pollFeed(ctx, src, it.URL, true)
		return c.settle(bg, it, err)
	}
	resp, err := c.f.Get(ctx, it.URL, nil)
	if err != nil {
		if ctx.Err() != nil {
			_ = fr.Retry(bg, it.ID, time.Now(), "interrupted")
			return nil
		}
		return c.settle(bg, it, err)
	}
	if resp.Status == http.StatusNotModified {
		return c.settle(bg, it, nil)
	}
	fetch := &diembao.Fetch{
		SourceID: src.ID, URL: resp.FinalURL, Status: resp.Status, Header: resp.Header,
		FetchedAt: resp.FetchedAt, WARCFile: resp.WARC.File, WARCOffset: resp.WARC.Offset,
	}
	if c.svc.Fetches != nil {
		if err := c.svc.Fetches.CreateFetch(ctx, fetch); err != nil {
			return c.settle(bg, it, fmt.Errorf("crawl: record fetch: %w", err))
		}
	}
	if !isHTML(resp.Header.Get("Content-Type"), resp.Body) {
		return c.settle(bg, it, &Error{URL: it.URL, Err: fmt.Errorf("not an HTML page (%s)", resp.Header.Get("Content-Type"))})
	}
	if err := c.onPage(context.WithValue(ctx, itemKey{}, it), src, fetch, resp.Body); err != nil {
		if ctx.Err() != nil {
			_ = fr.Retry(bg, it.ID, time.Now(), "interrupted")
			return nil
		}
		return c.settle(bg, it, &Error{URL: it.URL, Temporary: true, Err: fmt.Errorf("handle page: %w", err)})
	}
	return c.settle(bg, it, nil)
}

// settle completes, retries or abandons an item after an attempt ended with
// err.
func (c *Crawler) settle(ctx context.Context, it *diembao.FrontierItem, err error) error {
	fr := c.svc.Frontier
	if err == nil {
		if cerr := fr.Complete(ctx, it.ID, time.Now()); cerr != nil {
			return fmt.Errorf("crawl: complete %s: %w", it.URL, cerr)
		}
		return nil
	}
	msg := err.Error()
	if isTemporary(err) && it.Attempts < c.cfg.MaxAttempts {
		at := time.Now().Add(max(c.backoff(it.Attempts), retryAfterOf(err)))
		if rerr := fr.Retry(ctx, it.ID, at, msg); rerr != nil {
			return errors.Join(err, rerr)
		}
		c.logger.Debug("crawl: retry", "url", it.URL, "attempt", it.Attempts, "at", at, "err", err)
		return err
	}
	if aerr := fr.Abandon(ctx, it.ID, msg); aerr != nil {
		return errors.Join(err, aerr)
	}
	c.logger.Info("crawl: gave up", "url", it.URL, "attempts", it.Attempts, "err", err)
	return err
}

// backoff is the delay before retry number n (n >= 1): Backoff doubled for
// each earlier attempt, capped at MaxBackoff, with jitter in [d/2, d).
func (c *Crawler) backoff(n int) time.Duration {
	d := c.cfg.Backoff
	for i := 1; i < n && d < c.cfg.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, c.cfg.MaxBackoff)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

func isHTML(contentType string, body []byte) bool {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil {
		return mt == "text/html" || mt == "application/xhtml+xml"
	}
	return strings.HasPrefix(http.DetectContentType(body), "text/html")
}

// pollFeed polls one feed or sitemap of src when it is due (or force is
// set), enqueues the links it lists and adapts its poll interval. done
// reports whether a poll took place; n counts the new links.
func (c *Crawler) pollFeed(ctx context.Context, src *diembao.Source, feedURL string, force bool) (n int, done bool, err error) {
	fs := c.svc.Feeds
	now := time.Now()
	st, err := fs.FindFeedState(ctx, feedURL)
	if diembao.ErrorCode(err) == diembao.ENOTFOUND {
		st = &diembao.FeedState{URL: feedURL, SourceID: src.ID, Interval: c.cfg.MinPoll}
	} else if err != nil {
		return 0, false, fmt.Errorf("crawl: feed state: %w", err)
	}
	if !force && now.Before(st.NextPoll) {
		return 0, false, nil
	}
	header := http.Header{}
	if st.ETag != "" {
		header.Set("If-None-Match", st.ETag)
	}
	if st.LastModified != "" {
		header.Set("If-Modified-Since", st.LastModified)
	}
	header.Set("Accept", "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5")
	st.LastPoll = now.UTC()
	seen := map[string]bool{}
	n, err = c.readListing(ctx, src, feedURL, header, st, seen, 0)
	if ctx.Err() != nil {
		return n, false, ctx.Err()
	}
	if err != nil {
		st.Failures++
		st.LastError = err.Error()
		wait := min(c.cfg.MinPoll<<min(st.Failures, 10), c.cfg.MaxPoll)
		st.NextPoll = now.Add(max(wait, retryAfterOf(err))).UTC()
	} else {
		st.Failures, st.LastError = 0, ""
		if n > 0 {
			st.LastNew = now.UTC()
			st.Interval /= 2
		} else {
			st.Interval += st.Interval / 2
		}
		st.Interval = min(max(st.Interval, c.cfg.MinPoll), c.cfg.MaxPoll)
		jitter := time.Duration(rand.Int64N(int64(st.Interval/10) + 1))
		st.NextPoll = now.Add(st.Interval + jitter).UTC()
	}
	if serr := fs.SaveFeedState(context.WithoutCancel(ctx), st); serr != nil {
		return n, true, errors.Join(err, fmt.Errorf("crawl: save feed state: %w", serr))
	}
	return n, true, err
}

// readListing fetches and parses one feed or sitemap, enqueues its links
// and follows the sitemaps of an index (newest first, MaxSitemaps of
// them, three levels deep, each URL once: an index listing itself ends).
func (c *Crawler) readListing(ctx context.Context, src *diembao.Source, u string, header http.Header,
	st *diembao.FeedState, seen map[string]bool, depth int) (int, error) {
	key, err := Canonicalize(u, nil)
	if err != nil {
		return 0, err
	}
	if seen[key] || depth > 3 {
		return 0, nil
	}
	seen[key] = true
	resp, err := c.f.Get(ctx, u, header)
	if err != nil {
		return 0, err
	}
	if st != nil {
		if v := resp.Header.Get("ETag"); v != "" || resp.Status != http.StatusNotModified {
			st.ETag = v
		}
		if v := resp.Header.Get("Last-Modified"); v != "" || resp.Status != http.StatusNotModified {
			st.LastModified = v
		}
	}
	if resp.Status == http.StatusNotModified {
		return 0, nil
	}
	base, _ := url.Parse(resp.FinalURL)
	ls, err := ParseListing(resp.Body, base)
	if err != nil {
		return 0, fmt.Errorf("crawl: %s: %w", u, err)
	}
	prio := diembao.PriorityFeedItem
	if ls.Kind == "urlset" || ls.Kind == "sitemapindex" {
		prio = diembao.PrioritySitemap
	}
	now := time.Now()
	home, _ := canonicalURL(src.Homepage, nil)
	var items []*diembao.FrontierItem
	for _, l := range ls.Links {
		if !c.inScope(src, home, base, l.URL) {
			continue
		}
		if c.cfg.MaxAge > 0 && !l.Published.IsZero() && now.Sub(l.Published) > c.cfg.MaxAge {
			continue
		}
		p := prio
		if l.News {
			p = diembao.PrioritySitemapNews
		}
		items = append(items, &diembao.FrontierItem{SourceID: src.ID, URL: l.URL, Kind: diembao.FrontierPage,
			Priority: p, Title: l.Title, Published: l.Published, DiscoveredAt: now})
	}
	n, err := c.svc.Frontier.Enqueue(ctx, items)
	if err != nil {
		return n, fmt.Errorf("crawl: enqueue: %w", err)
	}
	for _, sm := range newestSitemaps(ls.Sitemaps, c.cfg.MaxSitemaps) {
		if c.cfg.MaxAge > 0 && !sm.Published.IsZero() && now.Sub(sm.Published) > c.cfg.MaxAge {
			continue
		}
		m, err := c.readListing(ctx, src, sm.URL, nil, nil, seen, depth+1)
		n += m
		if err != nil && ctx.Err() == nil {
			c.logger.Warn("crawl: sitemap", "url", sm.URL, "err", err)
		}
	}
	return n, nil
}

// inScope reports whether an article link belongs to the source: on the
// host of its homepage or of the listing, or a subdomain of either, and not
// the homepage itself.
func (c *Crawler) inScope(src *diembao.Source, home, listing *url.URL, link string) bool {
	u, err := url.Parse(link)
	if err != nil {
		return false
	}
	if home != nil && u.Path == "/" && u.RawQuery == "" {
		return false
	}
	host := strings.TrimPrefix(u.Hostname(), "www.")
	for _, ref := range []*url.URL{home, listing} {
		if ref == nil {
			continue
		}
		h := strings.TrimPrefix(ref.Hostname(), "www.")
		if host == h || strings.HasSuffix(host, "."+h) || strings.HasSuffix(h, "."+host) {
			return true
		}
	}
	return false
}
