package extract

import (
	"strings"

	"golang.org/x/net/html/atom"
)

// Boilerplate marks of a node, set once before the content pass.
const (
	markNone  int8 = 0
	markBoil  int8 = 1 // never body text: menus, related boxes, comments…
	markOuter int8 = 2 // page chrome (header, nav, footer); may hold a page date
)

// negWords are class/id tokens (split at space, '-' and '_') that mark
// boilerplate whatever the subtree holds.
var negWords = map[string]bool{
	"ads": true, "ad": true, "adv": true, "advert": true, "advertisement": true, "banner": true,
	"quangcao": true, "qc": true, "share": true, "sharing": true, "social": true, "tags": true,
	"tag": true, "keyword": true, "keywords": true, "tukhoa": true, "comment": true, "comments": true,
	"binhluan": true, "related": true, "relate": true, "footer": true, "menu": true,
	"nav": true, "navbar": true, "breadcrumb": true, "breadcrumbs": true, "print": true, "rating": true, "ratings": true,
	"newsletter": true, "popup": true, "modal": true, "audio": true, "player": true, "toolbar": true,
	"pagination": true, "paging": true, "login": true, "subscribe": true, "hotline": true, "cookie": true,
	"admzone": true, "dta": true, "outbrain": true, "taboola": true, "tinkhac": true,
	"cungchuyenmuc": true, "lienquan": true, "tinlienquan": true, "topbar": true, "masthead": true,
	"logo": true, "copyright": true, "sitemap": true, "search": true,
}

// weakWords are class/id tokens that mark boilerplate only when the
// subtree is mostly links or holds no paragraph: themes call their main
// column "sidebar-1" or wrap every block in a "widget".
var weakWords = map[string]bool{
	"sidebar": true, "widget": true, "sponsor": true, "promo": true, "recommend": true,
	"recommended": true, "trending": true, "popular": true, "mostread": true, "newest": true,
	"latest": true, "xemnhieu": true, "docnhieu": true, "more": true, "readmore": true, "aside": true,
}

// negSubstrings are class/id substrings that mark boilerplate whatever the
// token boundaries (for CMSs that glue words: "TT_TinChiTiet_TinLienQuan").
var negSubstrings = []string{
	"comment", "lienquan", "tinkhac", "cungchuyenmuc", "related", "crumb", "quangcao",
	"advert", "social", "share", "newsletter", "chucnang", "phantrang", "popup", "popmake",
	"modal", "cookie",
}

// weakSubstrings are glued forms of the weak words.
var weakSubstrings = []string{"xemnhieu", "docnhieu", "sidebar", "most-viewed", "mostviewed", "tinmoi"}

// relatedHeadings are headings of related-news and similar boxes; a box
// whose first text is one of them is boilerplate.
var relatedHeadings = []string{
	"tin liên quan", "các tin khác", "tin khác", "tin cùng chuyên mục", "cùng chuyên mục",
	"đọc nhiều", "xem nhiều", "tin mới nhất", "tin mới", "tin nổi bật", "bài liên quan",
	"bài viết liên quan", "có thể bạn quan tâm", "bạn có thể quan tâm", "tin đọc nhiều",
	"ý kiến bạn đọc", "bình luận", "ý kiến", "từ khóa", "từ khoá", "tags", "chủ đề",
	"tin xem nhiều", "liên kết website", "thống kê truy cập", "related",
	"most read", "comments", "more stories", "tin tiêu điểm", "tin ảnh",
}

// classTokens splits a lower-cased class/id string at spaces, '-' and '_'.
func classTokens(cid string) []string {
	return strings.FieldsFunc(cid, func(r rune) bool { return r == ' ' || r == '-' || r == '_' })
}

// negativeness tells how strongly a class/id string marks boilerplate: 0
// not at all, 1 weakly, 2 strongly.
func negativeness(cid string) int {
	if cid == "" {
		return 0
	}
	weak := false
	for _, t := range classTokens(cid) {
		if negWords[t] {
			return 2
		}
		weak = weak || weakWords[t]
	}
	for _, s := range negSubstrings {
		if strings.Contains(cid, s) && (s != "comment" || strings.Count(cid, "comment") > strings.Count(cid, "commentary")) {
			return 2
		}
	}
	for _, s := range weakSubstrings {
		if strings.Contains(cid, s) {
			weak = true
		}
	}
	if weak {
		return 1
	}
	return 0
}

// markBoilerplate sets n.boiler on the roots of boilerplate subtrees.
func markBoilerplate(root *node, rules *SiteRule) {
	pageText := root.ptext
	walk(root, func(n *node) bool {
		if n.isText() {
			return false
		}
		switch n.tag {
		// Page chrome, unless a tag left open made it hold the article.
		case atom.Nav, atom.Footer, atom.Aside, atom.Menu:
			if !holdsArticle(n, pageText) {
				n.boiler = markBoil
			}
			return true
		case atom.Header:
			if !holdsArticle(n, pageText) && !hasAncestor(n, func(p *node) bool { return p.tag == atom.Article || p.tag == atom.Main }) {
				n.boiler = markOuter
			}
			return true
		case atom.Form:
			// A comment, search or newsletter form; not the form some
			// CMSs wrap the whole page in.
			if n.inputs > 0 && !holdsArticle(n, pageText) {
				n.boiler = markBoil
			}
			return true
		case atom.Body, atom.Html, atom.Main, atom.Article:
			return true
		}
		if n.attr("role") == "navigation" || n.attr("role") == "complementary" {
			n.boiler = markBoil
			return true
		}
		cid := n.classID()
		switch negativeness(cid) {
		case 2:
			if !isContentClass(cid) && !holdsArticle(n, pageText) {
				n.boiler = markBoil
				return true
			}
		case 1:
			if !isContentClass(cid) && (n.ptext == 0 || n.linkLen*10 > n.textLen*4 && !holdsArticle(n, pageText)) {
				n.boiler = markBoil
				return true
			}
		}
		if rules != nil && rules.drops(n) {
			n.boiler = markBoil
			return true
		}
		if boxHeading(n) {
			n.boiler = markBoil
		}
		return true
	})
}

// holdsArticle reports whether n, though its class sounds like boilerplate,
// holds most of the page's paragraph text: it is the article, not a box.
func holdsArticle(n *node, pageText int) bool {
	return pageText > 0 && n.ptext*2 > pageText
}

// isContentClass reports whether a class/id names the article's own parts,
// which a negative word inside it ("detail-content-share-free") must not
// remove.
func isContentClass(cid string) bool {
	// WordPress marks the post's wrapper with its tags ("tag-politik").
	if strings.Contains(cid, "hentry") || strings.Contains(cid, "type-post") || strings.Contains(cid, "status-publish") {
		return true
	}
	for _, t := range classTokens(cid) {
		switch t {
		case "articlebody", "fck", "sapo", "content", "body", "detail", "singular", "maincontent":
			if !strings.Contains(cid, "comment") && !strings.Contains(cid, "related") &&
				!strings.Contains(cid, "lienquan") && !strings.Contains(cid, "share") &&
				!strings.Contains(cid, "social") && !strings.Contains(cid, "tag") {
				return true
			}
		}
	}
	return false
}

// boxHeading reports whether n is a box (div, section, ul…) whose first text
// child element is a related-news style heading.
func boxHeading(n *node) bool {
	switch n.tag {
	case atom.Div, atom.Section, atom.Ul, atom.Table, atom.Td, atom.Aside:
	default:
		return false
	}
	for _, c := range n.children {
		if c.isText() {
			if strings.TrimSpace(c.text) != "" {
				return false
			}
			continue
		}
		switch c.tag {
		case atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Div, atom.Span, atom.P, atom.Strong, atom.B, atom.Li:
			if c.textLen > 45 {
				return false
			}
			t := strings.ToLower(strings.TrimRight(textOf(c), " :"))
			if len(t) > 40 {
				return false
			}
			for _, h := range relatedHeadings {
				if t == h || strings.HasPrefix(t, h+" (") || strings.HasPrefix(t, h+" trong") {
					// The box must hold more than the heading.
					return len(n.children) > 1
				}
			}
			return false
		default:
			return false
		}
	}
	return false
}
