package extract

import (
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html/atom"

	"github.com/diembao/diembao"
)

// reSapoPrefix matches an outlet prefix or a location stamp at the start
// of a lead: "(Dân trí) - ", "TTO - ", "NDĐT - ", "HÀ NỘI - ".
var reSapoPrefix = regexp.MustCompile(`^(?:\([^()]{2,30}\)\s*[-–—:]?|[\p{Lu}\p{N}][\p{Lu}\p{N}. ]{1,24}\s[-–—])\s+`)

// stripSapoPrefix removes an outlet prefix or location stamp from a lead.
func stripSapoPrefix(s string) string {
	for i := 0; i < 2; i++ {
		m := reSapoPrefix.FindStringIndex(s)
		if m == nil || m[1] >= len(s) {
			break
		}
		s = strings.TrimSpace(s[m[1]:])
	}
	return s
}

// sapoText is the text of the lead element without a leading location
// stamp element.
func sapoText(n *node) string {
	var b strings.Builder
	skipped := false
	walk(n, func(c *node) bool {
		if c.isText() {
			if strings.TrimSpace(c.text) != "" {
				skipped = true
			}
			b.WriteString(c.text)
			return false
		}
		if !skipped && c != n && c.textLen > 0 && c.textLen < 40 {
			cid := c.classID()
			if strings.Contains(cid, "location") || strings.Contains(cid, "stamp") || strings.Contains(cid, "dateline") || strings.Contains(cid, "place") {
				skipped = true
				return false
			}
		}
		if c.tag == atom.Br || c.tag == atom.P || c.tag == atom.Div {
			b.WriteByte(' ')
		}
		return true
	})
	return collapse(b.String())
}

// findSapo sets the lead and removes its repetitions from the body. Without
// a lead element, a bold first paragraph or one that the page's description
// repeats is the lead.
func (x *state) findSapo() {
	if x.sapoNode != nil {
		x.sapo = stripSapoPrefix(sapoText(x.sapoNode))
	} else if len(x.bodyBlocks) > 0 {
		first := x.bodyBlocks[0]
		desc := x.meta.meta["description"]
		if desc == "" {
			desc = x.meta.meta["og:description"]
		}
		bold := first.boldLen*10 >= len(first.text)*9 && utf8.RuneCountInString(first.text) > 60
		if bold || desc != "" && similarStart(first.text, desc) {
			x.sapo = stripSapoPrefix(first.text)
			x.bodyBlocks = x.bodyBlocks[1:]
		}
	}
	if x.sapo == "" {
		return
	}
	key := comparable(x.sapo)
	kept := x.bodyBlocks[:0]
	for i, b := range x.bodyBlocks {
		k := comparable(stripSapoPrefix(b.text))
		if i < 2 && (k == key || len(k) > 40 && (strings.HasPrefix(key, k) || strings.HasPrefix(k, key) && len(key)*10 >= len(k)*9)) {
			continue
		}
		kept = append(kept, b)
	}
	x.bodyBlocks = kept
}

// comparable lower-cases s and keeps only letters and digits.
func comparable(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func similarStart(a, b string) bool {
	ka, kb := comparable(a), comparable(b)
	if len(ka) < 30 || len(kb) < 30 {
		return false
	}
	n := min(len(ka), len(kb), 120)
	return ka[:n] == kb[:n]
}

// authorWords are class/id tokens of a byline element.
var authorWords = []string{"author", "byline", "tacgia", "writer", "reporter", "nguoiviet", "butdanh"}

func isAuthorClass(n *node) bool {
	cid := n.classID() + " " + strings.ToLower(n.attr("itemprop")+" "+n.attr("rel"))
	for _, w := range authorWords {
		if strings.Contains(cid, w) {
			return !strings.Contains(cid, "avatar") && !strings.Contains(cid, "time") && !strings.Contains(cid, "date")
		}
	}
	return strings.Contains(cid, "tac-gia")
}

// findByline reads the author and attribution from the last lines of the
// body, an author element, the lines after the body, then the metadata.
func (x *state) findByline() {
	// Trailing lines of the body, from the last one up.
	credit := false
	for i := len(x.bodyBlocks) - 1; i >= 0 && i >= len(x.bodyBlocks)-4; i-- {
		bl, ok := readByline(x.bodyBlocks[i])
		if !ok {
			break
		}
		if bl.author != "" && credit && !bl.credit && x.attribution == nil {
			// An agency credit below a person's byline names the
			// source: an article has one byline.
			if a, ok := parseAttribution(x.author); ok {
				x.attribution, x.author = a, ""
			}
		}
		if bl.author != "" && x.author == "" {
			x.author, credit = bl.author, bl.credit
		}
		if bl.attribution != nil && x.attribution == nil {
			x.attribution = bl.attribution
		}
		x.bodyBlocks = x.bodyBlocks[:i]
	}
	// An element marked as the byline, the shortest one.
	if x.author == "" {
		var best string
		walk(x.root, func(n *node) bool {
			if n.isText() || n.boiler == markBoil {
				return false
			}
			if n.tag == atom.Figure || n.tag == atom.Figcaption {
				return false
			}
			if n.textLen > 0 && n.textLen < 120 && isAuthorClass(n) {
				t := cleanAuthor(textOf(n))
				if isPhotoCredit(t) {
					return false
				}
				if t != "" && utf8.RuneCountInString(t) <= 60 && !reDMY.MatchString(t) &&
					(best == "" || utf8.RuneCountInString(t) < utf8.RuneCountInString(best)) {
					best = t
				}
			}
			return true
		})
		if best != "" {
			if m := reNameThenAttribution.FindStringSubmatch(best); m != nil {
				best = strings.TrimSpace(m[1])
				if x.attribution == nil {
					x.attribution = &diembao.Attribution{Kind: "Theo", Outlet: strings.TrimSpace(m[3])}
				}
			}
			if a, ok := parseAttribution(best); ok && namesPublication(a.Outlet) {
				// "Theo Báo Hà Nam" in the byline's place names the
				// source, not a writer.
				if x.attribution == nil {
					x.attribution = a
				}
				best = ""
			}
			x.author = best
		}
	}
	// Lines just after the body: an attribution box ("Theo BBC").
	if x.attribution == nil && x.container != nil {
		after, n := false, 0
		for _, b := range x.blocks {
			if x.inBody(b.n) {
				after = true
				continue
			}
			if !after || b.caption {
				continue
			}
			if n++; n > 3 {
				break
			}
			if isAuthorClass(b.n) || hasAncestor(b.n, isAuthorClass) {
				continue
			}
			if bl, ok := readByline(b); ok && bl.attribution != nil {
				x.attribution = bl.attribution
				break
			}
		}
	}
	if x.author == "" {
		a := x.meta.ld.author
		if a == "" {
			a = x.meta.meta["author"]
		}
		if a == "" {
			a = x.meta.meta["article:author"]
		}
		if a != "" && !strings.Contains(a, "://") && looksLikeName(cleanAuthor(a)) && !x.isSiteName(a) {
			x.author = cleanAuthor(a)
		}
	}
	// Box headings left at the end ("Related posts", "Mehr zum Thema:").
	for len(x.bodyBlocks) > 1 {
		b := x.bodyBlocks[len(x.bodyBlocks)-1]
		if !b.heading && !(utf8.RuneCountInString(b.text) < 60 && strings.HasSuffix(b.text, ":")) {
			break
		}
		x.bodyBlocks = x.bodyBlocks[:len(x.bodyBlocks)-1]
	}
	for _, b := range x.bodyBlocks {
		x.body = append(x.body, diembao.Paragraph{Text: b.text, Heading: b.heading || isSubheading(b)})
	}
}

// isPhotoCredit reports whether t credits a picture ("Ảnh: AFP").
func isPhotoCredit(t string) bool {
	l := strings.ToLower(strings.TrimLeft(t, "( "))
	return strings.HasPrefix(l, "ảnh") || strings.HasPrefix(l, "photo") || strings.HasPrefix(l, "video")
}

// isSiteName reports whether s names the outlet itself (an organisation
// given as the author in the metadata).
func (x *state) isSiteName(s string) bool {
	if x.meta.ld.authorIsOrg {
		return true
	}
	k := comparable(s)
	if k == "" {
		return false
	}
	names := []string{x.meta.meta["og:site_name"], x.meta.ld.publisher, x.meta.meta["copyright"], x.meta.meta["application-name"]}
	names = append(names, reTitleSep.Split(x.meta.title, -1)...)
	for _, v := range names {
		if v != "" && v != x.title && strings.Contains(comparable(v), k) {
			return true
		}
	}
	return false
}

// isSubheading reports whether a body block is a subheading written as a
// short bold paragraph.
func isSubheading(b block) bool {
	l := utf8.RuneCountInString(b.text)
	if l == 0 || l > 120 || b.boldLen*10 < len(b.text)*9 {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(b.text)
	return !strings.ContainsRune(".:;,", last)
}

func containsToken(cid string, words ...string) bool {
	for _, t := range classTokens(cid) {
		for _, w := range words {
			if t == w {
				return true
			}
		}
	}
	return false
}

// tags returns the article's tags: the links of a tag box, else the
// metadata's keywords.
func (x *state) tags() []string {
	var tags []string
	seen := map[string]bool{}
	walk(x.root, func(n *node) bool {
		if len(tags) > 0 || n.isText() {
			return false
		}
		if cid := n.classID(); cid != "" && containsToken(cid, "tags", "tag", "keywords", "tukhoa", "keyword") &&
			!hasAncestor(n, func(p *node) bool { return containsToken(p.classID(), "tags", "tag", "keywords", "tukhoa") }) {
			walk(n, func(c *node) bool {
				if c.tag == atom.A {
					if t := textOf(c); t != "" && !seen[t] && utf8.RuneCountInString(t) < 60 {
						seen[t] = true
						tags = append(tags, t)
					}
					return false
				}
				return true
			})
			return false
		}
		return true
	})
	if len(tags) > 0 {
		return tags
	}
	if v := x.meta.meta["article:tag"]; v != "" {
		return strings.Split(v, "\x00")
	}
	if len(x.meta.ld.keywords) > 0 {
		return x.meta.ld.keywords
	}
	for _, k := range []string{"news_keywords", "keywords"} {
		if v := x.meta.meta[k]; v != "" {
			for _, w := range strings.Split(v, ",") {
				if w = strings.TrimSpace(w); w != "" && !seen[w] {
					seen[w] = true
					tags = append(tags, w)
				}
			}
			return tags
		}
	}
	return nil
}

// canonicalURL resolves the canonical address of the page.
func canonicalURL(pageURL string, m pageMeta) string {
	for _, c := range []string{m.canonical, m.meta["og:url"], m.ld.url} {
		if c == "" {
			continue
		}
		u, err := url.Parse(c)
		if err != nil {
			continue
		}
		if base, err := url.Parse(pageURL); err == nil && pageURL != "" {
			u = base.ResolveReference(u)
		}
		if u.Scheme == "http" || u.Scheme == "https" {
			return u.String()
		}
	}
	return pageURL
}

// language returns the page's language as a short code: the declared one,
// else "vi" when the text is Vietnamese.
func language(m pageMeta, a *diembao.Article) string {
	l := strings.ToLower(strings.TrimSpace(m.lang))
	if l == "" {
		l = strings.ToLower(m.meta["og:locale"])
	}
	if i := strings.IndexAny(l, "-_"); i > 0 {
		l = l[:i]
	}
	if l != "" {
		return l
	}
	sample := a.Title + " " + a.Sapo
	if len(a.Body) > 0 {
		sample += " " + a.Body[0].Text
	}
	if vietnameseShare(sample) > 0.05 {
		return "vi"
	}
	return ""
}

// vietnameseShare is the share of letters of s that only Vietnamese uses
// (ă, ơ, ư, đ and the letters with a dot below or a hook above).
func vietnameseShare(s string) float64 {
	letters, viet := 0, 0
	for _, r := range s {
		if !unicode.IsLetter(r) {
			continue
		}
		letters++
		if strings.ContainsRune("ăâđêôơưĂÂĐÊÔƠƯạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ", unicode.ToLower(r)) {
			viet++
		}
	}
	if letters == 0 {
		return 0
	}
	return float64(viet) / float64(letters)
}
