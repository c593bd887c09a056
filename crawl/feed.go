package crawl

import (
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html/charset"

	"github.com/diembao/diembao"
)

// Limits of what one feed or sitemap may yield.
const (
	// MaxLinks is the most links read from one feed or sitemap (the
	// sitemap protocol's own limit).
	MaxLinks = 50000
	// maxTitle bounds a link's title in bytes.
	maxTitle = 1000
)

// Link is an article link found in a feed or a sitemap, with what the feed
// said of it.
type Link struct {
	URL       string
	Title     string
	Published time.Time
	// News is set for entries of a Google News sitemap.
	News bool
}

// Listing is what a feed or sitemap lists: article links and, for a
// sitemap index, further sitemaps (their Published is the lastmod).
type Listing struct {
	Links    []Link
	Sitemaps []Link
	// Kind is "rss", "atom", "json", "urlset" or "sitemapindex".
	Kind string
}

// ParseListing parses a feed (RSS, Atom, JSON Feed) or a sitemap (urlset,
// sitemap index, Google News; gzip-compressed or not), resolving links
// against base. Malformed documents give an error, never a panic.
func ParseListing(body []byte, base *url.URL) (*Listing, error) {
	if len(body) > 2 && body[0] == 0x1f && body[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("crawl: gzip sitemap: %w", err)
		}
		dec, err := io.ReadAll(io.LimitReader(zr, DefaultMaxBody+1))
		if err != nil {
			return nil, fmt.Errorf("crawl: gzip sitemap: %w", err)
		}
		if len(dec) > DefaultMaxBody || len(dec) > DefaultMaxRatio*len(body)+1<<20 {
			return nil, errors.New("crawl: gzip sitemap: decompressed size over the limit")
		}
		body = dec
	}
	switch rootElement(body) {
	case "urlset", "sitemapindex":
		return parseSitemap(body, base)
	}
	return parseFeed(body, base)
}

// rootElement returns the local name of the first element of an XML
// document, or "".
func rootElement(body []byte) string {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = false
	d.CharsetReader = charset.NewReaderLabel
	for range 64 {
		tok, err := d.RawToken()
		if err != nil {
			return ""
		}
		if se, ok := tok.(xml.StartElement); ok {
			return strings.ToLower(se.Name.Local)
		}
	}
	return ""
}

func parseFeed(body []byte, base *url.URL) (*Listing, error) {
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("crawl: feed: %w", err)
	}
	ls := &Listing{Kind: feed.FeedType}
	for _, it := range feed.Items {
		if it == nil || len(ls.Links) >= MaxLinks {
			continue
		}
		ref := it.Link
		if ref == "" && len(it.Links) > 0 {
			ref = it.Links[0]
		}
		if ref == "" && strings.HasPrefix(it.GUID, "http") {
			ref = it.GUID
		}
		u, err := Canonicalize(ref, base)
		if err != nil {
			continue
		}
		l := Link{URL: u, Title: cleanTitle(it.Title)}
		switch {
		case it.PublishedParsed != nil:
			l.Published = it.PublishedParsed.UTC()
		case it.UpdatedParsed != nil:
			l.Published = it.UpdatedParsed.UTC()
		}
		ls.Links = append(ls.Links, l)
	}
	return ls, nil
}

func cleanTitle(s string) string {
	s = strings.Join(strings.Fields(strings.ToValidUTF8(s, "\uFFFD")), " ")
	if len(s) > maxTitle {
		s = s[:maxTitle]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	return s
}

// parseSitemap reads a urlset or sitemap index with a streaming decoder, so
// that memory stays bounded by the body.
func parseSitemap(body []byte, base *url.URL) (*Listing, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = false
	d.CharsetReader = charset.NewReaderLabel
	ls := &Listing{}
	var (
		entry *Link
		news  bool
		field string
		text  strings.Builder
	)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if len(ls.Links)+len(ls.Sitemaps) > 0 {
				// Keep what came before the damage.
				break
			}
			return nil, fmt.Errorf("crawl: sitemap: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := strings.ToLower(t.Name.Local)
			switch {
			case ls.Kind == "" && (name == "urlset" || name == "sitemapindex"):
				ls.Kind = name
			case name == "url" || name == "sitemap":
				entry, news = &Link{}, false
			case entry != nil && name == "news":
				news = true
			case entry != nil:
				field = name
				text.Reset()
			}
		case xml.CharData:
			if field != "" && text.Len() < 8192 {
				text.Write(t)
			}
		case xml.EndElement:
			name := strings.ToLower(t.Name.Local)
			switch {
			case entry != nil && (name == "url" || name == "sitemap"):
				if entry.URL != "" && len(ls.Links)+len(ls.Sitemaps) < MaxLinks {
					entry.News = news
					if name == "sitemap" {
						ls.Sitemaps = append(ls.Sitemaps, *entry)
					} else {
						ls.Links = append(ls.Links, *entry)
					}
				}
				entry, field = nil, ""
			case entry != nil && name == field:
				v := strings.TrimSpace(text.String())
				switch field {
				case "loc":
					if u, err := Canonicalize(v, base); err == nil {
						entry.URL = u
					}
				case "publication_date":
					if t, ok := parseW3CDate(v); ok {
						entry.Published = t
					}
				case "lastmod":
					if t, ok := parseW3CDate(v); ok && entry.Published.IsZero() {
						entry.Published = t
					}
				case "title":
					if news {
						entry.Title = cleanTitle(v)
					}
				}
				field = ""
			}
		}
	}
	if ls.Kind == "" {
		return nil, errors.New("crawl: sitemap: no urlset or sitemapindex element")
	}
	return ls, nil
}

// parseW3CDate reads the W3C datetime forms sitemaps use; a date without a
// zone is taken in Vietnam's time.
func parseW3CDate(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02", "2006-01", "2006"} {
		t, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		if !strings.ContainsAny(s[min(len(s), 10):], "Z+-") {
			t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, diembao.Vietnam)
		}
		return t.UTC(), true
	}
	return time.Time{}, false
}

// newestSitemaps orders the sitemaps of an index newest first (undated
// ones keep their order after the dated ones) and keeps at most n.
func newestSitemaps(list []Link, n int) []Link {
	out := append([]Link(nil), list...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Published, out[j].Published
		if a.IsZero() != b.IsZero() {
			return !a.IsZero()
		}
		return a.After(b)
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}
