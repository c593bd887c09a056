package extract

import (
	"regexp"
	"strings"
	"time"

	"golang.org/x/net/html/atom"

	"github.com/diembao/diembao"
)

// metaDateKeys are the <meta> names and properties of a publication time,
// most trusted first.
var metaDateKeys = []string{
	"article:published_time", "datepublished", "pubdate", "publishdate", "publish-date",
	"og:published_time", "dc.date.issued", "dcterms.created", "dc.date", "date",
	"sailthru.date", "parsely-pub-date", "article.published", "published_time",
}

// reLeadDate finds a day without a year introduced by a period word in a
// lead: "Chiều 10/1", "trưa 27/4", "Ngày 30/4".
var reLeadDate = regexp.MustCompile(`(?i)(?:^|[\s,(])((?:rạng sáng|sáng|trưa|chiều|tối|đêm|khuya|ngày|hôm)\s+(?:ngày\s+|nay\s+|qua\s+)?\d{1,2}\s*/\s*\d{1,2}(?:\s*/\s*\d{2,4})?)`)

// dateWords are class/id tokens of a dateline element.
var dateWords = []string{"date", "time", "ngay", "publish", "posted", "datetime", "thoigian",
	"ngaydang", "ngaycapnhat", "capnhat", "pubdate", "dateline", "meta"}

func isDateClass(n *node) bool {
	cid := n.classID() + " " + strings.ToLower(n.attr("itemprop")+" "+n.attr("data-role"))
	for _, w := range dateWords {
		if strings.Contains(cid, w) {
			return true
		}
	}
	return false
}

// neighbourhood returns the ancestor of the title that bounds the
// article's header (three levels up), or the root.
func (x *state) neighbourhood() *node {
	n := x.titleNode
	if n == nil {
		n = x.container
	}
	if n == nil {
		return x.root
	}
	for i := 0; i < 3 && n.parent != nil; i++ {
		if p := n.parent; p.tag == atom.Body || p.tag == atom.Html || p.parent == nil {
			break
		}
		n = n.parent
	}
	return n
}

// findDates sets the published time and the page date. The visible
// dateline near the title is what readers see and wins when the metadata
// disagrees with it (a CMS that labels the wall clock as UTC); metadata
// that agrees with it, or stands alone, gives its precision. Without
// either, a dateline in the lead ("Chiều 10/1") is resolved against the
// page date or the fetch time.
func (x *state) findDates() {
	near := x.neighbourhood()
	x.pageDate = x.findPageDate(near)

	var dl time.Time
	var dlp diembao.Precision
	found := false
	var candidates []*node
	if x.rule != nil {
		if n := x.rule.sel.date.first(x.root); n != nil {
			candidates = append(candidates, n)
		}
	}
	walk(near, func(n *node) bool {
		if n.isText() || n.boiler == markBoil {
			return false
		}
		if n == x.container || n == x.sapoNode || n == x.titleNode {
			return false
		}
		if n.textLen > 0 && n.textLen <= 80 && (n.tag == atom.Time || isDateClass(n)) {
			candidates = append(candidates, n)
		}
		return true
	})
	for _, n := range candidates {
		t, p, ok := ParseDate(textOf(n), x.fetched, x.pageDate)
		if !ok {
			continue
		}
		if p == diembao.PrecisionDay && !x.pageDate.IsZero() && sameDay(t, x.pageDate) && looksLikePageDate(textOf(n)) {
			continue
		}
		dl, dlp, found = t, p, true
		if p == diembao.PrecisionMinute {
			break
		}
	}

	mt, mp, from := x.metaDate(near)
	switch {
	case found && mp != diembao.PrecisionNone:
		if dlp == diembao.PrecisionMinute && !mt.Equal(dl) {
			x.published, x.precision, x.publishedFrom = dl, dlp, "dateline"
		} else if dlp == diembao.PrecisionDay && !sameDay(mt, dl) {
			x.published, x.precision, x.publishedFrom = dl, dlp, "dateline"
		} else {
			x.published, x.precision, x.publishedFrom = mt, mp, from
		}
		return
	case found:
		x.published, x.precision, x.publishedFrom = dl, dlp, "dateline"
		return
	case mp != diembao.PrecisionNone:
		x.published, x.precision, x.publishedFrom = mt, mp, from
		return
	}
	// A dateline in the lead.
	lead := x.sapo
	if lead == "" && len(x.body) > 0 {
		lead = x.body[0].Text
	}
	if len(lead) > 400 {
		lead = lead[:400]
	}
	if m := reLeadDate.FindStringSubmatch(lead); m != nil {
		if t, _, ok := ParseDate(m[1], x.fetched, x.pageDate); ok {
			x.published, x.precision, x.publishedFrom = t, diembao.PrecisionDay, "dateline"
		}
	}
}

// metaDate reads the publication time of JSON-LD, <meta> and the
// datetime attribute of a <time> near the title.
func (x *state) metaDate(near *node) (time.Time, diembao.Precision, string) {
	if s := x.meta.ld.datePublished; s != "" {
		if t, p, ok := ParseDate(s, time.Time{}, time.Time{}); ok {
			return t, p, "jsonld"
		}
	}
	for _, k := range metaDateKeys {
		if s := x.meta.meta[k]; s != "" {
			if t, p, ok := ParseDate(s, time.Time{}, time.Time{}); ok {
				return t, p, "meta"
			}
		}
	}
	var t time.Time
	var p diembao.Precision
	walk(near, func(n *node) bool {
		if p != diembao.PrecisionNone || n.isText() || n.boiler == markBoil {
			return false
		}
		if n.tag == atom.Time {
			if s := n.attr("datetime"); s != "" {
				if tt, pp, ok := ParseDate(s, time.Time{}, time.Time{}); ok {
					t, p = tt, pp
				}
			}
		}
		return true
	})
	if p != diembao.PrecisionNone {
		return t, p, "meta"
	}
	return time.Time{}, diembao.PrecisionNone, ""
}

// findPageDate looks for the date a site header printed: a day-only date
// outside the article's neighbourhood, before the title. When the
// neighbourhood is the whole page (a one-table layout where the header's
// date, the headline and the text are rows of the same table), the search
// enters it and stops at the title.
func (x *state) findPageDate(near *node) time.Time {
	var pd time.Time
	done := false
	wide := pageWide(near, x.root)
	walk(x.root, func(n *node) bool {
		if done || n.isText() {
			return false
		}
		if n == near && wide && n != x.titleNode && n != x.container {
			return true
		}
		if n == near || n == x.titleNode || n == x.container {
			done = n == x.titleNode || n == x.container
			return false
		}
		if n.textLen < 8 || n.textLen > 60 {
			return n.textLen > 60
		}
		// The smallest element holding the date.
		for _, c := range n.children {
			if !c.isText() && c.textLen >= 8 {
				return true
			}
		}
		t := textOf(n)
		if !looksLikePageDate(t) {
			return false
		}
		if d, p, ok := ParseDate(t, time.Time{}, time.Time{}); ok && p == diembao.PrecisionDay {
			pd, done = d, true
		}
		return false
	})
	return pd
}

// looksLikePageDate reports whether t reads like a header's date: a weekday
// and a full date, nothing else.
func looksLikePageDate(t string) bool {
	l := strings.ToLower(t)
	return (strings.HasPrefix(l, "thứ") || strings.HasPrefix(l, "chủ nhật") || strings.HasPrefix(l, "hôm nay")) &&
		reDMY.MatchString(l) && !reTime.MatchString(reDMY.ReplaceAllString(l, " "))
}

// pageWide reports whether n holds nearly all the text of the page.
func pageWide(n, root *node) bool {
	return n != root && root.textLen > 0 && n.textLen*10 >= root.textLen*9
}

func sameDay(a, b time.Time) bool {
	a, b = a.In(diembao.Vietnam), b.In(diembao.Vietnam)
	return a.Year() == b.Year() && a.YearDay() == b.YearDay()
}
