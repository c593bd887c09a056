package extract

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Limits of the tree builder. They keep time and memory bounded on hostile
// pages: a page deeper than maxDepth is flattened below that depth, and the
// builder stops reading after maxNodes elements or maxTextBytes of text.
const (
	maxDepth     = 256
	maxNodes     = 400_000
	maxTextBytes = 8 << 20
	// maxJSONLD caps the JSON-LD kept from one page.
	maxJSONLD = 1 << 20
)

// node is one element or text run of the light tree the extractor works on.
// The tree is built from the tokenizer directly, not by the HTML5 tree
// construction algorithm: that algorithm scans the whole stack of open
// elements for many tags, which is quadratic on deeply nested pages, and
// the extractor needs only a faithful nesting of the common tags.
type node struct {
	tag      atom.Atom // 0 for a text node or an unknown element
	name     string    // the tag name ("" for text)
	text     string    // text of a text node
	attrs    []html.Attribute
	parent   *node
	children []*node

	// Filled by the content pass.
	textLen int  // length of all text below, in runes
	linkLen int  // length of text below inside <a>
	ptext   int  // length of the text of paragraphs below (see measure)
	pbody   int  // ptext outside boilerplate (see measureBody)
	para    bool // n is a paragraph counted by ptext
	imgs    int  // number of images below
	ord     int  // place of an element in document order
	inputs  int  // number of form fields below (input, textarea, select)
	boiler  int8
}

func (n *node) isText() bool { return n.name == "" }

// attr returns the value of the attribute key, or "".
func (n *node) attr(key string) string {
	for _, a := range n.attrs {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// classID returns the lower-cased class and id of n joined by a space.
func (n *node) classID() string {
	c, id := n.attr("class"), n.attr("id")
	if c == "" && id == "" {
		return ""
	}
	return strings.ToLower(c + " " + id)
}

// voidElements have no content and no end tag.
var voidElements = map[atom.Atom]bool{
	atom.Area: true, atom.Base: true, atom.Br: true, atom.Col: true, atom.Embed: true,
	atom.Hr: true, atom.Img: true, atom.Input: true, atom.Link: true, atom.Meta: true,
	atom.Param: true, atom.Source: true, atom.Track: true, atom.Wbr: true,
}

// closesP are the start tags that close an open <p>.
var closesP = map[atom.Atom]bool{
	atom.Address: true, atom.Article: true, atom.Aside: true, atom.Blockquote: true,
	atom.Div: true, atom.Dl: true, atom.Fieldset: true, atom.Figure: true, atom.Footer: true,
	atom.Form: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true,
	atom.H6: true, atom.Header: true, atom.Hr: true, atom.Main: true, atom.Nav: true,
	atom.Ol: true, atom.P: true, atom.Pre: true, atom.Section: true, atom.Table: true,
	atom.Ul: true, atom.Figcaption: true, atom.Li: true,
}

// skipContent are elements whose content is never text of the page.
var skipContent = map[atom.Atom]bool{
	atom.Style: true, atom.Noscript: true, atom.Template: true, atom.Svg: true,
	atom.Math: true, atom.Iframe: true, atom.Object: true, atom.Select: true,
	atom.Textarea: true, atom.Button: true, atom.Canvas: true, atom.Video: true,
	atom.Audio: true, atom.Map: true,
}

// headElements may appear in <head>; any other start tag closes it.
var headElements = map[atom.Atom]bool{
	atom.Meta: true, atom.Link: true, atom.Title: true, atom.Base: true, atom.Style: true,
	atom.Script: true, atom.Noscript: true, atom.Template: true, atom.Head: true, atom.Html: true,
}

// closesSkip are the end tags that end a skipped element left open.
var closesSkip = map[atom.Atom]bool{
	atom.Div: true, atom.Section: true, atom.Article: true, atom.Main: true, atom.Body: true,
	atom.Td: true, atom.Li: true, atom.Ul: true, atom.Form: true, atom.P: true, atom.Header: true,
	atom.Footer: true, atom.Nav: true, atom.Aside: true, atom.Table: true, atom.Html: true,
}

// parse builds the light tree of an UTF-8 page. It never fails: whatever
// the input, it returns a root, possibly empty.
func parse(page []byte) (root *node, jsonld []string) {
	root = &node{tag: atom.Html, name: "#root"}
	z := html.NewTokenizer(bytes.NewReader(page))
	z.SetMaxBuf(0)
	stack := make([]*node, 1, 64)
	stack[0] = root
	depth := 0 // number of elements opened past maxDepth, flattened
	nodes, textBytes, jsonBytes := 0, 0, 0
	skip := 0 // >0 while inside a skipContent element
	var skipTag atom.Atom
	inScript, scriptJSON := false, false
	top := func() *node { return stack[len(stack)-1] }
	closeTo := func(i int) { stack = stack[:i] }
	// findOpen returns the index of the innermost open element named name,
	// looking no further than a table or list boundary for li/td/tr.
	findOpen := func(a atom.Atom, name string, boundary map[atom.Atom]bool) int {
		for i := len(stack) - 1; i > 0; i-- {
			n := stack[i]
			if n.tag == a && n.name == name {
				return i
			}
			if boundary != nil && boundary[n.tag] {
				return -1
			}
		}
		return -1
	}
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return root, jsonld
		}
		if nodes > maxNodes || textBytes > maxTextBytes {
			return root, jsonld
		}
		switch tt {
		case html.TextToken:
			if skip > 0 {
				continue
			}
			raw := z.Text()
			if inScript {
				if scriptJSON && jsonBytes+len(raw) <= maxJSONLD {
					jsonBytes += len(raw)
					jsonld = append(jsonld, string(raw))
				}
				continue
			}
			if len(bytes.TrimSpace(raw)) == 0 {
				// Keep one space so that words on both sides stay apart.
				p := top()
				if k := len(p.children); k > 0 && p.children[k-1].isText() {
					continue
				}
				if len(raw) == 0 {
					continue
				}
				raw = []byte{' '}
			}
			textBytes += len(raw)
			p := top()
			p.children = append(p.children, &node{text: string(raw), parent: p})
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			// The tokenizer reads the content of <title>, <textarea>… as
			// raw text even when the tag closes itself or sits in an <svg>
			// (where there is no raw text): it would swallow the rest of
			// the page looking for an end tag that never comes.
			if skip > 0 || tt == html.SelfClosingTagToken && a != atom.Script {
				z.NextIsNotRawText()
			}
			if skip > 0 {
				if a == skipTag && tt == html.StartTagToken {
					skip++
				}
				continue
			}
			var attrs []html.Attribute
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				switch string(k) {
				case "class", "id", "itemprop", "property", "name", "content", "href", "src",
					"alt", "datetime", "rel", "type", "lang", "title", "charset", "http-equiv",
					"data-role", "style", "align", "data-src", "itemtype", "role", "aria-label":
					attrs = append(attrs, html.Attribute{Key: string(k), Val: string(v)})
				}
			}
			if a == atom.Script {
				if tt == html.StartTagToken {
					inScript = true
					typ := ""
					for _, at := range attrs {
						if at.Key == "type" {
							typ = strings.ToLower(at.Val)
						}
					}
					scriptJSON = strings.Contains(typ, "ld+json")
				}
				continue
			}
			if a == atom.Textarea || a == atom.Select || a == atom.Input && !hiddenInput(attrs) {
				top().inputs++
			}
			if skipContent[a] {
				if tt == html.StartTagToken {
					skip, skipTag = 1, a
				}
				continue
			}
			nodes++
			// Content in <head> (a missing </head>) closes it.
			if !headElements[a] {
				if i := findOpen(atom.Head, "head", nil); i > 0 {
					closeTo(i)
				}
			}
			// Implicit end tags of the common cases.
			if closesP[a] {
				if i := findOpen(atom.P, "p", map[atom.Atom]bool{atom.Div: true, atom.Td: true, atom.Li: true, atom.Blockquote: true, atom.Article: true, atom.Section: true}); i > 0 {
					closeTo(i)
				}
			}
			switch a {
			case atom.Li:
				if i := findOpen(atom.Li, "li", map[atom.Atom]bool{atom.Ul: true, atom.Ol: true}); i > 0 {
					closeTo(i)
				}
			case atom.Td, atom.Th:
				if i := findOpen(atom.Td, "td", map[atom.Atom]bool{atom.Tr: true, atom.Table: true}); i > 0 {
					closeTo(i)
				}
				if i := findOpen(atom.Th, "th", map[atom.Atom]bool{atom.Tr: true, atom.Table: true}); i > 0 {
					closeTo(i)
				}
			case atom.Tr:
				if i := findOpen(atom.Tr, "tr", map[atom.Atom]bool{atom.Table: true}); i > 0 {
					closeTo(i)
				}
			case atom.Option:
				if i := findOpen(atom.Option, "option", nil); i > 0 && i == len(stack)-1 {
					closeTo(i)
				}
			}
			p := top()
			n := &node{tag: a, name: string(name), attrs: attrs, parent: p, ord: nodes}
			if a == 0 {
				n.name = string(name)
			}
			p.children = append(p.children, n)
			if tt == html.SelfClosingTagToken || voidElements[a] {
				continue
			}
			if len(stack) >= maxDepth {
				depth++
				continue
			}
			stack = append(stack, n)
		case html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if skip > 0 {
				if a == skipTag {
					skip--
					continue
				}
				// The end tag of an enclosing block ends the skipped
				// element too (a <svg> or <button> left open).
				if !closesSkip[a] || findOpen(a, string(name), nil) <= 0 {
					continue
				}
				skip = 0
			}
			if a == atom.Script {
				inScript, scriptJSON = false, false
				continue
			}
			if depth > 0 {
				depth--
				continue
			}
			var boundary map[atom.Atom]bool
			switch a {
			case atom.P:
				boundary = map[atom.Atom]bool{atom.Div: true, atom.Td: true, atom.Table: true, atom.Article: true}
			case atom.Li:
				boundary = map[atom.Atom]bool{atom.Ul: true, atom.Ol: true}
			}
			if i := findOpen(a, string(name), boundary); i > 0 {
				closeTo(i)
			}
		}
	}
}

// hiddenInput reports whether an <input> is hidden or a button.
func hiddenInput(attrs []html.Attribute) bool {
	for _, a := range attrs {
		if a.Key == "type" {
			switch strings.ToLower(a.Val) {
			case "hidden", "submit", "button", "image", "reset":
				return true
			}
		}
	}
	return false
}

// walk calls fn for n and every node below it in document order, without
// recursion; fn returns false to skip the children of a node.
func walk(n *node, fn func(*node) bool) {
	stack := []*node{n}
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if !fn(c) {
			continue
		}
		for i := len(c.children) - 1; i >= 0; i-- {
			stack = append(stack, c.children[i])
		}
	}
}

// textOf returns the whitespace-collapsed text below n.
func textOf(n *node) string {
	var b strings.Builder
	appendText(&b, n)
	return collapse(b.String())
}

func appendText(b *strings.Builder, n *node) {
	walk(n, func(c *node) bool {
		if c.isText() {
			b.WriteString(c.text)
			return false
		}
		switch c.tag {
		case atom.Br, atom.P, atom.Div, atom.Li, atom.Td, atom.Tr, atom.H1, atom.H2, atom.H3,
			atom.H4, atom.H5, atom.H6:
			b.WriteByte(' ')
		}
		return true
	})
}

// collapse replaces every run of white space (including no-break spaces)
// by one space and trims the ends.
func collapse(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch r {
		case ' ', '\t', '\n', '\r', '\f', '\v', '\u00a0', '\u2009', '\u200a', '\u202f', '\u3000', '\u2002', '\u2003':
			space = true
			continue
		case '\u200b', '\ufeff', '\u00ad':
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// hasAncestor reports whether an ancestor of n (not n) satisfies fn.
func hasAncestor(n *node, fn func(*node) bool) bool {
	for p := n.parent; p != nil; p = p.parent {
		if fn(p) {
			return true
		}
	}
	return false
}
