package crawl

import (
	"bytes"
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/temoto/robotstxt"
	"golang.org/x/net/html"
)

// commonFeedPaths are where outlets often publish a feed; Discover tries
// them when the homepage names none.
var commonFeedPaths = []string{
	"/rss", "/feed", "/rss.xml", "/feed.xml", "/atom.xml", "/index.rss",
	"/rss/home.rss", "/rss/tin-moi-nhat.rss", "/rss/trang-chu.rss",
}

// Discovery is what Discover found on a site.
type Discovery struct {
	Feeds    []string
	Sitemaps []string
}

// maxDiscovered bounds the feeds and sitemaps Discover returns.
const maxDiscovered = 10

// Discover looks for the feeds and sitemaps of the site at homepage: the
// feeds the homepage links to (<link rel="alternate">), the sitemaps its
// robots.txt lists, and, when the homepage names no feed, the usual feed
// paths. Only feeds that parse and list at least one link are kept.
func Discover(ctx context.Context, f *Fetcher, homepage string) (*Discovery, error) {
	home, err := canonicalURL(homepage, nil)
	if err != nil {
		return nil, err
	}
	d := &Discovery{}
	seen := map[string]bool{}
	try := func(u string) bool {
		if seen[u] || len(d.Feeds)+len(d.Sitemaps) >= maxDiscovered {
			return false
		}
		seen[u] = true
		resp, err := f.Get(ctx, u, nil)
		if err != nil || resp.Status != 200 {
			return false
		}
		base, _ := url.Parse(resp.FinalURL)
		ls, err := ParseListing(resp.Body, base)
		if err != nil || len(ls.Links)+len(ls.Sitemaps) == 0 {
			return false
		}
		if ls.Kind == "urlset" || ls.Kind == "sitemapindex" {
			d.Sitemaps = append(d.Sitemaps, u)
		} else {
			d.Feeds = append(d.Feeds, u)
		}
		return true
	}

	resp, err := f.Get(ctx, home.String(), nil)
	if err != nil {
		return nil, err
	}
	base, _ := url.Parse(resp.FinalURL)
	for _, u := range feedLinks(resp.Body, base) {
		try(u)
	}
	ru := &url.URL{Scheme: base.Scheme, Host: base.Host, Path: "/robots.txt"}
	if rr, err := f.get(ctx, ru.String(), nil, false); err == nil && rr.Status == 200 {
		if data, err := robotstxt.FromStatusAndBytes(200, rr.Body); err == nil {
			for _, s := range data.Sitemaps {
				if u, err := Canonicalize(s, base); err == nil {
					try(u)
				}
			}
		}
	}
	if len(d.Feeds) == 0 {
		for _, p := range commonFeedPaths {
			if ctx.Err() != nil {
				break
			}
			u := (&url.URL{Scheme: base.Scheme, Host: base.Host, Path: p}).String()
			if try(u) {
				break
			}
		}
	}
	if len(d.Sitemaps) == 0 {
		try((&url.URL{Scheme: base.Scheme, Host: base.Host, Path: "/sitemap.xml"}).String())
	}
	return d, ctx.Err()
}

// feedLinks returns the feeds an HTML page declares with <link
// rel="alternate" type="application/rss+xml"> (or Atom, JSON Feed), and the
// links of its anchors that end in ".rss", resolved against base.
func feedLinks(page []byte, base *url.URL) []string {
	z := html.NewTokenizer(bytes.NewReader(page))
	var out []string
	add := func(href string) {
		if u, err := Canonicalize(href, base); err == nil && len(out) < 50 {
			out = append(out, u)
		}
	}
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		if !hasAttr {
			continue
		}
		attrs := map[string]string{}
		for {
			k, v, more := z.TagAttr()
			attrs[string(k)] = string(v)
			if !more {
				break
			}
		}
		switch string(name) {
		case "link":
			rel := strings.ToLower(attrs["rel"])
			typ := strings.ToLower(attrs["type"])
			if strings.Contains(rel, "alternate") && (strings.Contains(typ, "rss") || strings.Contains(typ, "atom") || strings.Contains(typ, "feed+json")) {
				add(attrs["href"])
			}
		case "a":
			if h := strings.ToLower(attrs["href"]); strings.HasSuffix(h, ".rss") {
				add(attrs["href"])
			}
		}
	}
}

// FeedReport is the result of checking one feed or sitemap.
type FeedReport struct {
	URL    string
	Status int
	// Kind is the listing's format ("rss", "atom", "urlset", …).
	Kind string
	// Links counts the article links, Sitemaps the sitemaps of an index.
	Links, Sitemaps int
	// Newest is the latest publication time among the links.
	Newest  time.Time
	Elapsed time.Duration
	Err     error
}

// Check fetches one feed or sitemap once and reports what it lists. It
// changes nothing in any store.
func Check(ctx context.Context, f *Fetcher, feedURL string) (r FeedReport) {
	r.URL = feedURL
	start := time.Now()
	defer func() { r.Elapsed = time.Since(start) }()
	resp, err := f.Get(ctx, feedURL, nil)
	if resp != nil {
		r.Status = resp.Status
	}
	if err != nil {
		r.Err = err
		return r
	}
	base, _ := url.Parse(resp.FinalURL)
	ls, err := ParseListing(resp.Body, base)
	if err != nil {
		r.Err = err
		return r
	}
	r.Kind, r.Links, r.Sitemaps = ls.Kind, len(ls.Links), len(ls.Sitemaps)
	for _, l := range ls.Links {
		if l.Published.After(r.Newest) {
			r.Newest = l.Published
		}
	}
	return r
}
