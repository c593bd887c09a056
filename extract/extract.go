package extract

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html/atom"

	"github.com/diembao/diembao"
)

// ErrNoArticle is returned when a page holds no article text.
var ErrNoArticle = errors.New("extract: no article text found")

// Options configure an Extractor.
type Options struct {
	// Rules are the per-outlet site rules (nil: generic rules only).
	Rules *Rules
	// Logger receives debug messages; nil discards them.
	Logger *slog.Logger
}

// Extractor turns news pages into articles. It is safe for concurrent use.
type Extractor struct {
	rules  *Rules
	logger *slog.Logger
}

// New returns an Extractor with the given options.
func New(opts Options) *Extractor {
	l := opts.Logger
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	return &Extractor{rules: opts.Rules, logger: l}
}

// Article extracts the article of a page with the generic rules. pageURL is
// the address the page was fetched from, fetched the fetch time (zero when
// unknown) and headers the HTTP response headers (nil when unknown).
func Article(page []byte, pageURL string, fetched time.Time, headers http.Header) (*diembao.Article, error) {
	return New(Options{}).Extract(page, pageURL, fetched, headers)
}

// Extract extracts the article of a page; see Article. It returns
// ErrNoArticle (wrapped) when the page has neither a title nor body text.
func (e *Extractor) Extract(page []byte, pageURL string, fetched time.Time, headers http.Header) (*diembao.Article, error) {
	text, cs := Decode(page, headers)
	root, jsonld := parse(text)
	measure(root, false)
	meta := collectMeta(root, jsonld)
	rule := e.rules.For(pageURL)
	markBoilerplate(root, rule)
	measureBody(root)

	a := &diembao.Article{URL: pageURL, FetchedAt: fetched}
	x := &state{root: root, meta: meta, rule: rule, fetched: fetched}

	x.findTitle()
	a.Title = x.title

	fl := &flow{curN: root}
	fl.run(root, false, false, false)
	fl.flush()
	x.blocks = fl.blocks

	x.findSapoNode()
	x.findContainer()
	x.collectBody()
	x.findSapo()
	x.findByline()
	x.findDates()

	a.Sapo = x.sapo
	a.Body = x.body
	a.Captions = x.captions
	a.Images = x.images
	a.Author = x.author
	a.Attribution = x.attribution
	a.Published, a.PublishedPrecision, a.PublishedFrom = x.published, x.precision, x.publishedFrom
	a.PageDate = x.pageDate
	a.Section = x.section()
	a.Tags = x.tags()
	a.URL = canonicalURL(pageURL, meta)
	resolveImages(a.Images, a.URL)
	fixMojibake(a)
	a.Language = language(meta, a)
	e.logger.Debug("extracted", "url", pageURL, "charset", cs.Name, "charset_from", cs.From,
		"paragraphs", len(a.Body), "published_from", a.PublishedFrom)
	if a.Title == "" && len(a.Body) == 0 && a.Sapo == "" {
		return a, fmt.Errorf("extract %s: %w", pageURL, ErrNoArticle)
	}
	return a, nil
}

// resolveImages makes the images' addresses absolute against base.
func resolveImages(images []diembao.Image, base string) {
	b, err := url.Parse(base)
	if err != nil || base == "" {
		return
	}
	for i := range images {
		if u, err := url.Parse(images[i].URL); err == nil {
			images[i].URL = b.ResolveReference(u).String()
		}
	}
}

// state is the work of one extraction.
type state struct {
	root    *node
	meta    pageMeta
	rule    *SiteRule
	fetched time.Time
	blocks  []block

	title     string
	titleNode *node
	sapoNode  *node
	container *node
	extra     []*node // siblings of the container that hold body text too

	bodyBlocks  []block
	body        []diembao.Paragraph
	captions    []string
	images      []diembao.Image
	sapo        string
	author      string
	attribution *diembao.Attribution

	published     time.Time
	precision     diembao.Precision
	publishedFrom string
	pageDate      time.Time
}

// reTitleSep splits a <title> into its parts ("Headline - VnExpress").
var reTitleSep = regexp.MustCompile(`\s+[-–—|:»]\s+|\s*\|\s*`)

// findTitle picks the headline: the rule's element, the first <h1> of the
// article, the element whose text is the bulk of <title>, then og:title,
// JSON-LD headline and <title> without the site's name.
func (x *state) findTitle() {
	if x.rule != nil {
		if n := x.rule.sel.title.first(x.root); n != nil {
			x.title, x.titleNode = textOf(n), n
			return
		}
	}
	og := x.meta.meta["og:title"]
	ref := og
	if ref == "" {
		ref = x.meta.ld.headline
	}
	if ref == "" {
		ref = x.meta.title
	}
	var h1s []*node
	walk(x.root, func(n *node) bool {
		if n.boiler == markBoil {
			return false
		}
		if n.tag == atom.H1 && n.textLen >= 5 {
			h1s = append(h1s, n)
		}
		return !n.isText()
	})
	// The h1 that matches the metadata best, else the first one outside
	// page chrome.
	for _, h := range h1s {
		t := textOf(h)
		if ref != "" && (t == ref || strings.Contains(ref, t) && utf8.RuneCountInString(t)*2 > utf8.RuneCountInString(ref)) {
			x.title, x.titleNode = t, h
			return
		}
	}
	for _, h := range h1s {
		if !hasAncestor(h, func(p *node) bool { return p.boiler == markOuter }) {
			x.title, x.titleNode = textOf(h), h
			return
		}
	}
	// An element whose text is the reference title, or one part of a
	// <title> split at its separators ("Site - Headline").
	if n := x.titleElement(ref); n != nil {
		x.title, x.titleNode = textOf(n), n
		return
	}
	switch {
	case og != "":
		x.title = og
	case x.meta.ld.headline != "":
		x.title = x.meta.ld.headline
	default:
		x.title = stripSiteName(x.meta.title)
	}
}

// titleElement finds the element of the page whose text is ref, or one
// part of the <title>; headings and elements with a title class win.
func (x *state) titleElement(ref string) *node {
	cands := map[string]bool{}
	if ref != "" {
		cands[ref] = true
	}
	// Every run of consecutive parts: a headline may hold a separator
	// itself ("Site - Man Utd - Arsenal: …").
	idx := reTitleSep.FindAllStringIndex(x.meta.title, 8)
	bounds := []int{0}
	for _, m := range idx {
		bounds = append(bounds, m[0], m[1])
	}
	bounds = append(bounds, len(x.meta.title))
	for i := 0; i+1 < len(bounds); i += 2 {
		for j := i + 1; j < len(bounds); j += 2 {
			if p := strings.TrimSpace(x.meta.title[bounds[i]:bounds[j]]); utf8.RuneCountInString(p) >= 4 {
				cands[p] = true
			}
		}
	}
	maxLen := 0
	for c := range cands {
		maxLen = max(maxLen, utf8.RuneCountInString(c))
	}
	var best *node
	bestScore := 0
	walk(x.root, func(n *node) bool {
		if n.isText() || n.boiler == markBoil || n.tag == atom.Title || n.tag == atom.Head || n.tag == atom.A {
			return false
		}
		if n.textLen < 4 {
			return false
		}
		if n.textLen <= maxLen+2 {
			t := textOf(n)
			if cands[t] {
				score := utf8.RuneCountInString(t)
				cid := n.classID()
				if isHeadingTag(n.tag) || strings.Contains(cid, "title") || strings.Contains(cid, "tieude") || strings.Contains(cid, "headline") {
					score += 1000
				}
				if hasAncestor(n, func(p *node) bool { return p.boiler == markOuter }) {
					score -= 500
				}
				if score > bestScore {
					best, bestScore = n, score
				}
				return false
			}
		}
		return true
	})
	if best == nil {
		return nil
	}
	for len(best.children) == 1 && !best.children[0].isText() && best.children[0].textLen == best.textLen {
		best = best.children[0]
	}
	return best
}

// stripSiteName keeps the longest part of a <title> split at separators.
func stripSiteName(t string) string {
	parts := reTitleSep.Split(t, -1)
	best := ""
	for _, p := range parts {
		if utf8.RuneCountInString(p) > utf8.RuneCountInString(best) {
			best = p
		}
	}
	return strings.TrimSpace(best)
}

// sapoWords are class/id tokens of a lead paragraph.
var sapoWords = []string{"sapo", "lead", "description", "summary", "tomtat", "chapeau", "intro",
	"excerpt", "abstract", "teaser", "standfirst", "desc", "trichdan", "subtitle", "headline-sub",
	"lede", "leader", "dek", "deck", "kicker-text"}

func isSapoClass(cid string) bool {
	for _, t := range classTokens(cid) {
		for _, w := range sapoWords {
			if t == w {
				return true
			}
		}
	}
	for _, w := range []string{"sapo", "tomtat", "summary", "chapeau", "description", "intro"} {
		if strings.Contains(cid, w) {
			return true
		}
	}
	return false
}

// findSapoNode looks for the element that holds the lead: the rule's, or
// the first element with a lead class after the title and near it (an
// author's bio or a teaser elsewhere on the page also has such classes).
func (x *state) findSapoNode() {
	if x.rule != nil {
		if n := x.rule.sel.sapo.first(x.root); n != nil {
			x.sapoNode = n
			return
		}
	}
	if x.titleNode == nil {
		return
	}
	near := x.neighbourhood()
	walk(near, func(n *node) bool {
		if x.sapoNode != nil || n.isText() || n.boiler != markNone || n == x.titleNode {
			return false
		}
		if n.ord < x.titleNode.ord {
			return true
		}
		cid := n.classID()
		if isAuthorClass(n) || strings.Contains(cid, "bio") || strings.Contains(cid, "profile") || strings.Contains(cid, "about") {
			return false
		}
		if n.textLen >= 20 && n.textLen < 1200 && n.linkLen*10 < n.textLen*3 &&
			(isSapoClass(cid) || n.attr("itemprop") == "description" || n.attr("data-role") == "sapo") {
			x.sapoNode = n
			return false
		}
		return true
	})
}

// findContainer picks the element that holds the body.
func (x *state) findContainer() {
	if x.rule != nil {
		if n := x.rule.sel.body.first(x.root); n != nil {
			x.container = n
			return
		}
	}
	exclude := map[*node]bool{}
	for _, b := range x.blocks {
		if x.sapoNode != nil && within(b.n, x.sapoNode) || x.titleNode != nil && within(b.n, x.titleNode) {
			exclude[b.n] = true
		}
		if within(b.n, x.root) && hasAncestor(b.n, func(p *node) bool { return p.boiler == markOuter }) {
			exclude[b.n] = true
		}
	}
	x.container, x.extra = pickContainer(x.blocks, exclude, x.sapoNode, x.titleNode)
	if x.sapoNode != nil && x.container != nil && !within(x.sapoNode, x.container) && x.sapoNode.ord > x.container.ord {
		x.sapoNode = nil
	}
}

// collectBody takes the blocks of the container, in order, as body and
// captions.
func (x *state) collectBody() {
	if x.container == nil {
		return
	}
	seen := map[string]bool{}
	for _, b := range x.blocks {
		if b.caption && !x.inBody(b.n) && x.leadPicture(b) {
			x.addCaption(b)
			continue
		}
		if !x.inBody(b.n) {
			continue
		}
		if x.sapoNode != nil && within(b.n, x.sapoNode) || x.titleNode != nil && within(b.n, x.titleNode) {
			continue
		}
		if hasBoilerAncestor(b.n, x.container.parent) {
			continue
		}
		if b.caption {
			x.addCaption(b)
			continue
		}
		if isCaptionClass(b.n) {
			x.captions = append(x.captions, b.text)
			continue
		}
		if b.linkLen*10 > len(b.text)*6 || relatedLine(b.text) {
			continue
		}
		if seen[b.text] {
			continue
		}
		seen[b.text] = true
		x.bodyBlocks = append(x.bodyBlocks, b)
	}
}

// addCaption records the caption and the pictures of an image unit.
func (x *state) addCaption(b block) {
	if b.text != "" {
		x.captions = append(x.captions, b.text)
	}
	for i, u := range b.images {
		img := diembao.Image{URL: u}
		if i == 0 {
			img.Caption = b.text
		}
		x.images = append(x.images, img)
	}
}

// leadPicture reports whether an image unit outside the body is the
// article's own picture: a <figure> or a box whose class names a picture,
// printed between the headline and the body, outside boilerplate and page
// chrome, its caption not a link, and not a byline with its portrait or a
// dateline.
func (x *state) leadPicture(b block) bool {
	n := b.n
	if x.titleNode == nil || n.ord <= x.titleNode.ord || n.ord >= x.container.ord {
		return false
	}
	if n.tag != atom.Figure && !imageClass(n.classID()) {
		return false
	}
	if n.linkLen*2 > n.textLen || hasAncestor(n, func(p *node) bool { return p.boiler != markNone }) {
		return false
	}
	credit := false
	walk(n, func(c *node) bool {
		if c.isText() || credit {
			return false
		}
		credit = c.tag == atom.Time || strings.Contains(c.classID(), "avatar") ||
			isAuthorClass(c) && !isPhotoCredit(textOf(c))
		return !credit
	})
	return !credit
}

// inBody reports whether n is in the container or one of its companions.
func (x *state) inBody(n *node) bool {
	if within(n, x.container) {
		return true
	}
	for _, e := range x.extra {
		if within(n, e) {
			return true
		}
	}
	return false
}

func hasBoilerAncestor(n, stop *node) bool {
	for p := n; p != nil && p != stop; p = p.parent {
		if p.boiler == markBoil {
			return true
		}
	}
	return false
}

func isCaptionClass(n *node) bool {
	cid := n.classID()
	return cid != "" && (strings.Contains(cid, "caption") || strings.Contains(cid, "chuthich") || strings.Contains(cid, "mota"))
}
