package extract

import (
	"encoding/json"
	"strings"

	"golang.org/x/net/html/atom"
)

// pageMeta is what the <head>, <meta> elements and JSON-LD of a page say.
type pageMeta struct {
	title     string            // <title>
	meta      map[string]string // lower-cased name/property/itemprop → content
	canonical string
	lang      string
	ld        ldArticle
}

// ldArticle holds the fields of a JSON-LD NewsArticle the extractor uses.
type ldArticle struct {
	headline      string
	datePublished string
	author        string
	section       string
	keywords      []string
	description   string
	url           string
	publisher     string
	authorIsOrg   bool
	crumbs        []string // the names of a BreadcrumbList, in order
}

func collectMeta(root *node, jsonld []string) pageMeta {
	m := pageMeta{meta: map[string]string{}}
	walk(root, func(n *node) bool {
		if n.isText() {
			return false
		}
		switch n.tag {
		case atom.Html:
			if l := n.attr("lang"); l != "" && m.lang == "" {
				m.lang = l
			}
		case atom.Title:
			if m.title == "" && !hasAncestor(n, func(p *node) bool { return p.tag == atom.Svg || p.tag == atom.Body }) {
				m.title = textOf(n)
			}
			return false
		case atom.Meta:
			key := n.attr("property")
			if key == "" {
				key = n.attr("name")
			}
			if key == "" {
				key = n.attr("itemprop")
			}
			key = strings.ToLower(strings.TrimSpace(key))
			if key == "" {
				if strings.EqualFold(n.attr("http-equiv"), "content-language") && m.lang == "" {
					m.lang = n.attr("content")
				}
				return false
			}
			v := collapse(n.attr("content"))
			if v == "" {
				v = collapse(n.attr("datetime"))
			}
			if _, seen := m.meta[key]; !seen && v != "" {
				m.meta[key] = v
			} else if seen && (key == "article:tag") {
				m.meta[key] += "\x00" + v
			}
			return false
		case atom.Link:
			if strings.EqualFold(n.attr("rel"), "canonical") && m.canonical == "" {
				m.canonical = strings.TrimSpace(n.attr("href"))
			}
			return false
		}
		return true
	})
	for _, raw := range jsonld {
		var v any
		if err := json.Unmarshal([]byte(strings.TrimSpace(raw)), &v); err != nil {
			continue
		}
		findLD(v, &m.ld, 0)
	}
	return m
}

// findLD looks for an article object in a decoded JSON-LD value (possibly
// inside a list or an @graph) and copies its fields into ld.
func findLD(v any, ld *ldArticle, depth int) {
	if depth > 8 {
		return
	}
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			findLD(e, ld, depth+1)
		}
	case map[string]any:
		if g, ok := x["@graph"]; ok {
			findLD(g, ld, depth+1)
		}
		if isType(x["@type"], "BreadcrumbList") {
			if len(ld.crumbs) == 0 {
				ld.crumbs = ldCrumbs(x)
			}
			return
		}
		if b, ok := x["breadcrumb"].(map[string]any); ok {
			findLD(b, ld, depth+1)
		}
		if !isArticleType(x["@type"]) {
			return
		}
		if s, ok := x["headline"].(string); ok && ld.headline == "" {
			ld.headline = collapse(s)
		}
		if s, ok := x["datePublished"].(string); ok && ld.datePublished == "" {
			ld.datePublished = s
		}
		if s, ok := x["description"].(string); ok && ld.description == "" {
			ld.description = collapse(s)
		}
		if s, ok := x["articleSection"].(string); ok && ld.section == "" {
			ld.section = collapse(s)
		}
		if s, ok := x["url"].(string); ok && ld.url == "" {
			ld.url = s
		}
		switch k := x["keywords"].(type) {
		case string:
			for _, w := range strings.Split(k, ",") {
				if w = collapse(w); w != "" {
					ld.keywords = append(ld.keywords, w)
				}
			}
		case []any:
			for _, w := range k {
				if s, ok := w.(string); ok && collapse(s) != "" {
					ld.keywords = append(ld.keywords, collapse(s))
				}
			}
		}
		if ld.author == "" {
			ld.author = ldName(x["author"])
			if au, ok := x["author"].(map[string]any); ok && au["@type"] == "Organization" {
				ld.authorIsOrg = true
			}
		}
		if ld.publisher == "" {
			ld.publisher = ldName(x["publisher"])
		}
	}
}

func isArticleType(t any) bool {
	switch x := t.(type) {
	case string:
		return strings.HasSuffix(x, "Article") || x == "BlogPosting" || x == "Report" || x == "WebPage"
	case []any:
		for _, e := range x {
			if isArticleType(e) {
				return true
			}
		}
	}
	return false
}

// isType reports whether a JSON-LD @type value is or holds name.
func isType(t any, name string) bool {
	switch x := t.(type) {
	case string:
		return x == name
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok && s == name {
				return true
			}
		}
	}
	return false
}

func ldName(v any) string {
	switch x := v.(type) {
	case string:
		return collapse(x)
	case map[string]any:
		if s, ok := x["name"].(string); ok {
			return collapse(s)
		}
	case []any:
		var names []string
		for _, e := range x {
			if s := ldName(e); s != "" {
				names = append(names, s)
			}
		}
		return strings.Join(names, ", ")
	}
	return ""
}
