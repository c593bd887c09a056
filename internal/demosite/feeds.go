package demosite

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"time"
)

// rss is an RSS 2.0 document.
type rss struct {
	XMLName xml.Name   `xml:"rss"`
	Version string     `xml:"version,attr"`
	Channel rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	Description   string    `xml:"description"`
	Language      string    `xml:"language"`
	LastBuildDate string    `xml:"lastBuildDate"`
	Items         []rssItem `xml:"item"`
}

type rssItem struct {
	Title       string  `xml:"title"`
	Link        string  `xml:"link"`
	GUID        rssGUID `xml:"guid"`
	Description string  `xml:"description"`
	PubDate     string  `xml:"pubDate"`
	Category    string  `xml:"category,omitempty"`
}

type rssGUID struct {
	IsPermaLink string `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

// atomFeed is an Atom 1.0 document.
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomEntry struct {
	ID        string      `xml:"id"`
	Title     string      `xml:"title"`
	Link      atomLink    `xml:"link"`
	Published string      `xml:"published"`
	Updated   string      `xml:"updated"`
	Author    *atomAuthor `xml:"author,omitempty"`
	Summary   string      `xml:"summary"`
	Category  *atomCat    `xml:"category,omitempty"`
}

type atomAuthor struct {
	Name string `xml:"name"`
}

type atomCat struct {
	Term string `xml:"term,attr"`
}

// sitemap documents (sitemaps.org protocol 0.9).
type urlSet struct {
	XMLName xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

type sitemapIndex struct {
	XMLName  xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 sitemapindex"`
	Sitemaps []sitemapURL `xml:"sitemap"`
}

// marshalXML encodes v as an indented XML document.
func marshalXML(v any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("demosite: xml: %w", err)
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// feedResponses renders the outlet's feed and sitemaps, keyed by path.
func (o *outlet) feedResponses() (map[string]response, error) {
	out := map[string]response{}
	newest := o.articles[0].Published
	if o.Layout == layoutMeta {
		f := atomFeed{
			Lang:    "vi",
			ID:      o.base + "/",
			Title:   o.Name,
			Updated: newest.Format(time.RFC3339),
			Links: []atomLink{
				{Rel: "self", Type: "application/atom+xml", Href: o.base + metaFeed},
				{Rel: "alternate", Type: "text/html", Href: o.base + "/"},
			},
		}
		for _, a := range o.articles {
			e := atomEntry{
				ID:        a.URL(),
				Title:     a.Title,
				Link:      atomLink{Rel: "alternate", Type: "text/html", Href: a.URL()},
				Published: a.Published.Format(time.RFC3339),
				Updated:   a.Published.Format(time.RFC3339),
				Summary:   a.Sapo,
				Category:  &atomCat{Term: a.Section},
			}
			if a.Author != "" {
				e.Author = &atomAuthor{Name: a.Author}
			}
			f.Entries = append(f.Entries, e)
		}
		b, err := marshalXML(f)
		if err != nil {
			return nil, err
		}
		out[metaFeed] = response{"application/atom+xml; charset=utf-8", b}
	}

	ch := rssChannel{
		Title:         o.Name + " - Tin mới nhất",
		Link:          o.base + "/",
		Description:   o.Tagline,
		Language:      "vi-VN",
		LastBuildDate: newest.Format(time.RFC1123Z),
	}
	for _, a := range o.articles {
		ch.Items = append(ch.Items, rssItem{
			Title:       a.Title,
			Link:        a.URL(),
			GUID:        rssGUID{IsPermaLink: "true", Value: a.URL()},
			Description: a.Sapo,
			PubDate:     a.Published.Format(time.RFC1123Z),
			Category:    a.Section,
		})
	}
	b, err := marshalXML(rss{Version: "2.0", Channel: ch})
	if err != nil {
		return nil, err
	}
	rssPath := modernFeed
	switch o.Layout {
	case layoutPortal:
		rssPath = portalFeed
	case layoutMeta:
		rssPath = metaRSS
	}
	out[rssPath] = response{"application/rss+xml; charset=utf-8", b}

	const xmlType = "application/xml; charset=utf-8"
	if o.Layout != layoutModern {
		set := urlSet{URLs: []sitemapURL{{Loc: o.base + "/", LastMod: newest.Format(time.RFC3339)}}}
		for _, a := range o.articles {
			set.URLs = append(set.URLs, sitemapURL{Loc: a.URL(), LastMod: a.Published.Format("2006-01-02")})
		}
		if b, err = marshalXML(set); err != nil {
			return nil, err
		}
		out[sitemapPath] = response{xmlType, b}
		return out, nil
	}

	// The modern CMS splits its sitemap by month under a sitemap index.
	months := map[string]*urlSet{}
	var order []string
	for i := len(o.articles) - 1; i >= 0; i-- {
		a := o.articles[i]
		m := a.Published.Format("2006-01")
		if months[m] == nil {
			months[m] = &urlSet{}
			order = append(order, m)
		}
		months[m].URLs = append(months[m].URLs, sitemapURL{Loc: a.URL(), LastMod: a.Published.Format(time.RFC3339)})
	}
	var index sitemapIndex
	for _, m := range order {
		p := sitemapMonth + "sitemap-" + m + ".xml"
		if b, err = marshalXML(months[m]); err != nil {
			return nil, err
		}
		out[p] = response{xmlType, b}
		last := months[m].URLs[len(months[m].URLs)-1].LastMod
		index.Sitemaps = append(index.Sitemaps, sitemapURL{Loc: o.base + p, LastMod: last})
	}
	if b, err = marshalXML(index); err != nil {
		return nil, err
	}
	out[sitemapPath] = response{xmlType, b}
	return out, nil
}

// robots returns the outlet's robots.txt.
func (o *outlet) robots() []byte {
	var b bytes.Buffer
	b.WriteString("User-agent: *\n")
	switch o.Layout {
	case layoutModern:
		b.WriteString("Disallow: /tim-kiem/\nDisallow: /api/\n")
	case layoutPortal:
		b.WriteString("Disallow: /admin/\nDisallow: /Login.aspx\n")
	default:
		b.WriteString("Disallow: /binh-luan/\n")
	}
	b.WriteString("Allow: /\n\nSitemap: " + o.base + sitemapPath + "\n")
	return b.Bytes()
}
