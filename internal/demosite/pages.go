package demosite

import (
	"fmt"
	"strconv"
	"time"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/viet"
)

// Paths of the feeds and sitemaps of each layout.
const (
	modernFeed   = "/rss/tin-moi-nhat.rss"
	portalFeed   = "/rss.aspx"
	metaFeed     = "/feed.atom"
	metaRSS      = "/rss/trang-chu.rss"
	sitemapPath  = "/sitemap.xml"
	portalPage   = "/Default.aspx"
	imagePrefix  = "/images/"
	sitemapMonth = "/sitemaps/"
)

// path returns the article's path and query on its outlet's host.
func (a *article) path() string {
	o := a.Outlet
	switch o.Layout {
	case layoutModern:
		return "/" + viet.Slug(a.Section) + "/" + a.Slug + "-post" + strconv.Itoa(a.Num) + ".html"
	case layoutPortal:
		if a.Encoding != "" {
			return fmt.Sprintf("/LuuTru/%d/tin%d.htm", a.Published.Year(), a.Num)
		}
		return fmt.Sprintf("%s?tabid=86&ID=%d&CateID=%d", portalPage, a.Num, o.sectionNum(a.Section))
	default:
		return "/tin-tuc/" + viet.Slug(a.Section) + "/" + a.Slug + "-" + strconv.Itoa(a.Num) + ".htm"
	}
}

// URL returns the article's absolute URL.
func (a *article) URL() string { return a.Outlet.base + a.path() }

// imageURL returns the absolute URL of the article's photo.
func (a *article) imageURL() string {
	return a.Outlet.base + imagePrefix + a.Outlet.ID + "-" + strconv.Itoa(a.Num) + ".gif"
}

// sectionNum returns the portal's category number of a section.
func (o *outlet) sectionNum(section string) int {
	for i, s := range o.Sections {
		if s == section {
			return 21 + i
		}
	}
	return 20
}

// sectionPath returns the path of a section's listing page.
func (o *outlet) sectionPath(section string) string {
	switch o.Layout {
	case layoutModern:
		return "/" + viet.Slug(section) + "/"
	case layoutPortal:
		return portalPage + "?tabid=85&CateID=" + strconv.Itoa(o.sectionNum(section))
	default:
		return "/tin-tuc/" + viet.Slug(section) + "/"
	}
}

// tagPath returns the path of a tag's listing page, or "" when the layout
// has none.
func (o *outlet) tagPath(tag string) string {
	switch o.Layout {
	case layoutModern:
		return "/tag/" + viet.Slug(tag) + "/"
	case layoutMeta:
		return "/tu-khoa/" + viet.Slug(tag) + "/"
	}
	return ""
}

// feedPaths returns the paths of the outlet's feeds, the main one first.
func (o *outlet) feedPaths() []string {
	switch o.Layout {
	case layoutModern:
		return []string{modernFeed}
	case layoutPortal:
		return []string{portalFeed}
	default:
		return []string{metaFeed, metaRSS}
	}
}

// source returns the outlet as a diembao source on its live URL.
func (o *outlet) source() diembao.Source {
	var feeds []string
	for _, p := range o.feedPaths() {
		feeds = append(feeds, o.base+p)
	}
	return diembao.Source{
		Name:        o.Name,
		Homepage:    o.base + "/",
		Feeds:       feeds,
		Sitemaps:    []string{o.base + sitemapPath},
		Province:    o.Province,
		Kind:        o.Kind,
		Collections: []string{Collection},
		Enabled:     true,
	}
}

// gold returns what a correct extraction finds in every article page.
func (lib *library) gold() []Article {
	var out []Article
	for _, o := range lib.outlets {
		for i := len(o.articles) - 1; i >= 0; i-- {
			a := o.articles[i]
			g := Article{Seed: a.Seed, Encoding: a.Encoding}
			if a.Original != nil {
				g.Original = a.Original.URL()
			}
			g.URL = a.URL()
			g.SourceName = o.Name
			g.Title = a.Title
			g.Sapo = a.Sapo
			for _, p := range a.Body {
				g.Body = append(g.Body, diembao.Paragraph{Text: p, Heading: a.isSubhead(p)})
			}
			if a.Caption != "" {
				g.Captions = []string{a.Caption}
				g.Images = []diembao.Image{{URL: a.imageURL(), Caption: a.Caption}}
			}
			g.Author = a.Author
			g.Attribution = parseAttribution(a.Attribution)
			switch o.Layout {
			case layoutPortal:
				g.Published = truncateDay(a.Published)
				g.PublishedPrecision = diembao.PrecisionDay
				g.PublishedFrom = "dateline"
				g.PageDate = a.PageDate
			case layoutModern:
				g.Published = a.Published.Truncate(time.Minute)
				g.PublishedPrecision = diembao.PrecisionMinute
				g.PublishedFrom = "jsonld"
			default:
				g.Published = a.Published.Truncate(time.Minute)
				g.PublishedPrecision = diembao.PrecisionMinute
				g.PublishedFrom = "meta"
			}
			g.Section = a.Section
			g.Tags = append([]string(nil), a.Tags...)
			g.Language = "vi"
			out = append(out, g)
		}
	}
	return out
}

// isSubhead reports whether body paragraph p is printed as a subheading.
func (a *article) isSubhead(p string) bool {
	for _, s := range a.Subheads {
		if s == p {
			return true
		}
	}
	return false
}

// weekdays are the Vietnamese day names, Sunday first, in the three styles
// the layouts print.
var (
	weekdayShort = [7]string{"Chủ nhật", "Thứ 2", "Thứ 3", "Thứ 4", "Thứ 5", "Thứ 6", "Thứ 7"}
	weekdayLong  = [7]string{"Chủ nhật", "Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy"}
	weekdayTitle = [7]string{"Chủ Nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"}
)

// portalDate prints a day as the portal's header does: "Thứ 2 Ngày 13/01/2020".
func portalDate(t time.Time) string {
	return weekdayShort[t.Weekday()] + " Ngày " + t.Format("02/01/2006")
}

// modernDate prints "Thứ hai, 06/01/2020, 08:15 (GMT+7)".
func modernDate(t time.Time) string {
	return weekdayLong[t.Weekday()] + ", " + t.Format("02/01/2006, 15:04") + " (GMT+7)"
}

// metaDate prints "Thứ Hai, 06/01/2020 - 08:15".
func metaDate(t time.Time) string {
	return weekdayTitle[t.Weekday()] + ", " + t.Format("02/01/2006 - 15:04")
}
