package extract

import (
	"net/url"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/atom"
)

var (
	// reCrumbSep splits a breadcrumb written as text.
	reCrumbSep = regexp.MustCompile(`\s*(?:>>|»|›|→|>|/)\s*`)
	// reCrumbGlue is the text allowed between the links of a breadcrumb
	// without markup: separators and spaces.
	reCrumbGlue = regexp.MustCompile(`^[\s>»›→/\\:]*$`)
	// reHomePath is the path of a site's home page.
	reHomePath = regexp.MustCompile(`(?i)^/?(?:(?:default|index|home|trang-?chu)(?:\.[a-z]{2,5})?)?/?$`)
)

// crumbWords are class/id substrings of a breadcrumb: "breadcrumb",
// "pathway", "navtrail", the Vietnamese "đường dẫn" (path) and the section
// labels of Vietnamese CMSs ("chuyên mục", "trường mục").
var crumbWords = []string{"crumb", "duongdan", "duong-dan", "duong_dan", "pathway", "navpath", "sitepath",
	"navtrail", "chuyenmuc", "truongmuc"}

// crumbTokens are whole class/id tokens of a breadcrumb ("nav-path",
// "site_path", "breadcrumb-trail"; not "trailer").
var crumbTokens = []string{"path", "trail", "cate", "category"}

// crumbLabels are words of an aria-label that names a breadcrumb.
var crumbLabels = []string{"breadcrumb", "trail", "path", "đường dẫn", "duong dan", "vị trí", "you are here"}

// isCrumbElement reports whether n is marked as a breadcrumb: by its
// class or id, by an aria-label, or as schema.org BreadcrumbList
// microdata.
func isCrumbElement(n *node) bool {
	if strings.Contains(n.attr("itemtype"), "BreadcrumbList") {
		return true
	}
	if l := strings.ToLower(n.attr("aria-label")); l != "" {
		for _, w := range crumbLabels {
			if strings.Contains(l, w) {
				return true
			}
		}
	}
	cid := n.classID()
	if cid == "" || strings.Contains(cid, "cungchuyenmuc") {
		return false
	}
	for _, w := range crumbWords {
		if strings.Contains(cid, w) {
			return true
		}
	}
	return containsToken(cid, crumbTokens...)
}

// section returns the article's section: the last item of the breadcrumb
// the page marks as one (class, aria-label, microdata), else of a JSON-LD
// BreadcrumbList, else the metadata's section, else the last item of an
// unmarked row of links from the home page to the article ("Home > Kinh
// tế") printed before the headline.
func (x *state) section() string {
	var crumb string
	walk(x.root, func(n *node) bool {
		if crumb != "" || n.isText() {
			return false
		}
		if n.textLen > 0 && n.textLen < 300 && isCrumbElement(n) {
			crumb = x.lastCrumb(crumbItems(n))
			return crumb == ""
		}
		return true
	})
	if crumb != "" {
		return crumb
	}
	if c := x.lastCrumb(x.meta.ld.crumbs); c != "" {
		return c
	}
	for _, k := range []string{"article:section", "section"} {
		if v := x.meta.meta[k]; v != "" {
			return v
		}
	}
	if x.meta.ld.section != "" {
		return x.meta.ld.section
	}
	return x.lastCrumb(x.textCrumb())
}

// lastCrumb returns the last item of a breadcrumb that names a section:
// not the home page, not the article's own headline, not a long text.
func (x *state) lastCrumb(items []string) string {
	for i := len(items) - 1; i >= 0; i-- {
		c := strings.TrimSpace(items[i])
		if c == "" || c == x.title || utf8.RuneCountInString(c) > 60 || isHomeLabel(c) {
			continue
		}
		return c
	}
	return ""
}

// isHomeLabel reports whether a breadcrumb item names the home page.
func isHomeLabel(s string) bool {
	switch strings.ToLower(s) {
	case "trang chủ", "trang chu", "trang nhất", "home", "homepage", "home page":
		return true
	}
	return false
}

// crumbItems lists the items of a breadcrumb element: the names of its
// microdata items, else its list items or links, else its text split at
// the separators.
func crumbItems(n *node) []string {
	var items []string
	walk(n, func(c *node) bool {
		if c.isText() {
			return false
		}
		if c.attr("itemprop") == "name" {
			t := textOf(c)
			if t == "" {
				t = collapse(c.attr("content"))
			}
			if t != "" {
				items = append(items, t)
			}
			return false
		}
		return true
	})
	if len(items) > 0 {
		return items
	}
	walk(n, func(c *node) bool {
		if c.tag == atom.A || c.tag == atom.Li {
			if t := textOf(c); t != "" && (c.tag == atom.A || !hasLink(c)) {
				items = append(items, t)
			}
			return c.tag == atom.Li
		}
		return !c.isText()
	})
	if len(items) > 0 {
		return items
	}
	return reCrumbSep.Split(textOf(n), -1)
}

// hasLink reports whether there is a link below n.
func hasLink(n *node) bool {
	found := false
	walk(n, func(c *node) bool {
		found = found || c.tag == atom.A
		return !found && !c.isText()
	})
	return found
}

// textCrumb finds a breadcrumb with no markup of its own, the last one
// before the headline: an element that holds only two to six links joined
// by separators ("›", "»", ">", "/"), the first of which leads to the home
// page. A menu joins its links with "|" or nothing and is not one.
func (x *state) textCrumb() []string {
	if x.titleNode == nil {
		return nil
	}
	var items []string
	walk(x.root, func(n *node) bool {
		if n.isText() || n.ord >= x.titleNode.ord && n.ord != 0 {
			return false
		}
		if n.textLen == 0 || n.textLen > 200 {
			return n.textLen > 200
		}
		if it, ok := linkTrail(n); ok {
			items = it[1:] // the first link is the home page
			return false
		}
		return true
	})
	return items
}

// linkTrail reports whether the children of n are links joined by
// breadcrumb separators, the first one to the home page, and returns the
// links' texts.
func linkTrail(n *node) ([]string, bool) {
	var items []string
	sep := false
	for _, c := range n.children {
		switch {
		case c.isText():
			if !reCrumbGlue.MatchString(c.text) {
				return nil, false
			}
			sep = sep || strings.TrimSpace(c.text) != ""
		case c.tag == atom.A:
			if len(items) == 0 && !isHomeLink(c) {
				return nil, false
			}
			items = append(items, textOf(c))
		default:
			return nil, false
		}
	}
	if len(items) < 2 || len(items) > 6 || !sep {
		return nil, false
	}
	return items, true
}

// isHomeLink reports whether a link leads to a site's home page.
func isHomeLink(a *node) bool {
	if isHomeLabel(textOf(a)) {
		return true
	}
	u, err := url.Parse(strings.TrimSpace(a.attr("href")))
	if err != nil || u.RawQuery != "" {
		return false
	}
	return reHomePath.MatchString(u.Path)
}

// ldCrumbs reads the names of a JSON-LD BreadcrumbList in the order of
// their positions.
func ldCrumbs(list map[string]any) []string {
	elems, _ := list["itemListElement"].([]any)
	type item struct {
		pos  float64
		name string
	}
	var items []item
	for i, e := range elems {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		name := ldName(m)
		if name == "" {
			name = ldName(m["item"])
		}
		pos, ok := m["position"].(float64)
		if !ok {
			pos = float64(i + 1)
		}
		if name != "" {
			items = append(items, item{pos, name})
		}
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].pos < items[j].pos })
	names := make([]string, len(items))
	for i, it := range items {
		names[i] = it.name
	}
	return names
}
