package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/extract"
)

// maxPageBytes is the largest page the importer hands to the extractor; a
// bigger file is refused with a clear error rather than parsed.
const maxPageBytes = 32 << 20

// errTooLarge reports a page over maxPageBytes.
var errTooLarge = fmt.Errorf("page larger than %d MB", maxPageBytes>>20)

// errNoArticle reports a page on which the extractor found no article.
var errNoArticle = errors.New("no article text found on the page")

// ingester turns fetched pages into stored articles: extract, then store.
// It is the glue between the stages that only the binary may know.
type ingester struct {
	articles diembao.ArticleService
	sources  diembao.SourceService

	// onWarn, when set, receives warnings that do not fail a file.
	onWarn func(msg string)

	mu     sync.Mutex
	byHost map[string]*diembao.Source
}

func (in *ingester) warn(msg string) {
	if in.onWarn != nil {
		in.onWarn(msg)
	}
}

func newIngester(articles diembao.ArticleService, sources diembao.SourceService) *ingester {
	return &ingester{articles: articles, sources: sources}
}

// sourceFor returns the known source whose homepage host matches rawURL's
// host (ignoring a leading "www."), or nil.
func (in *ingester) sourceFor(ctx context.Context, rawURL string) *diembao.Source {
	if in.sources == nil {
		return nil
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return nil
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.byHost == nil {
		in.byHost = map[string]*diembao.Source{}
		srcs, err := in.sources.FindSources(ctx)
		if err != nil {
			return nil
		}
		for _, s := range srcs {
			in.byHost[hostKey(s.Host())] = s
		}
	}
	return in.byHost[hostKey(strings.ToLower(u.Hostname()))]
}

func hostKey(h string) string { return strings.TrimPrefix(h, "www.") }

// page extracts one fetched page and stores the article. src may be nil, in
// which case the source is looked up by the page's host. hint, when not nil,
// is what a feed or sitemap said of the page: its title and published time
// fill what the page itself does not say.
func (in *ingester) page(ctx context.Context, src *diembao.Source, f *diembao.Fetch, body []byte, hint *diembao.FrontierItem) (diembao.PutResult, error) {
	if len(body) > maxPageBytes {
		return diembao.PutResult{}, errTooLarge
	}
	a, err := extract.Article(body, f.URL, f.FetchedAt, f.Header)
	if errors.Is(err, extract.ErrNoArticle) {
		return diembao.PutResult{}, errNoArticle
	}
	if err != nil {
		return diembao.PutResult{}, err
	}
	if hint != nil {
		if a.Title == "" {
			a.Title = hint.Title
		}
		if a.Published.IsZero() && !hint.Published.IsZero() {
			a.Published = hint.Published.In(diembao.Vietnam)
			a.PublishedPrecision = diembao.PrecisionMinute
			a.PublishedFrom = "feed"
		}
	}
	if src == nil {
		src = in.sourceFor(ctx, f.URL)
	}
	if src != nil {
		a.SourceID = src.ID
		if a.SourceName == "" {
			a.SourceName = src.Name
		}
	}
	if a.SourceName == "" {
		if u, err := url.Parse(f.URL); err == nil {
			a.SourceName = hostKey(u.Hostname())
		}
	}
	a.FetchID = f.ID
	a.FetchedAt = f.FetchedAt
	if strings.TrimSpace(a.Title) == "" || len(a.Body) == 0 && a.Sapo == "" {
		return diembao.PutResult{}, errNoArticle
	}
	return in.articles.PutArticle(ctx, a)
}

// headerOf returns an http.Header with the content type, for pages read
// from files.
func headerOf(contentType string) http.Header {
	h := http.Header{}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	return h
}
