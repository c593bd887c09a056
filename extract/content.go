package extract

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/atom"
)

// block is one paragraph of the page's text flow.
type block struct {
	text    string
	n       *node // the block element that holds the text
	heading bool
	caption bool
	linkLen int // bytes of text inside links
	boldLen int // bytes of text inside strong/b
	emLen   int // bytes of text inside em/i
	right   bool
	images  []string
}

// isBlockTag reports whether an element starts a new paragraph of the flow.
func isBlockTag(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.Section, atom.Article, atom.Li, atom.Ul, atom.Ol, atom.Td, atom.Th,
		atom.Tr, atom.Table, atom.Tbody, atom.Thead, atom.Blockquote, atom.H1, atom.H2, atom.H3,
		atom.H4, atom.H5, atom.H6, atom.Figure, atom.Figcaption, atom.Pre, atom.Dd, atom.Dt, atom.Dl,
		atom.Header, atom.Footer, atom.Main, atom.Nav, atom.Aside, atom.Form, atom.Center,
		atom.Address, atom.Hr, atom.Caption, atom.Details, atom.Summary, atom.Body, atom.Html:
		return true
	}
	return false
}

func isHeadingTag(a atom.Atom) bool {
	switch a {
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		return true
	}
	return false
}

// flow linearises the text below root into blocks, skipping boilerplate
// subtrees (but not page chrome when keepOuter is set) and turning image
// units (figures, picture tables) into caption blocks.
type flow struct {
	blocks []block
	cur    strings.Builder
	curN   *node
	link   int
	bold   int
	em     int
	brs    int
}

func (f *flow) flush() {
	t := collapse(f.cur.String())
	if t != "" && f.curN != nil {
		b := block{text: t, n: f.curN, linkLen: f.link, boldLen: f.bold, emLen: f.em}
		b.heading = isHeadingTag(f.curN.tag)
		b.right = isRight(f.curN)
		f.blocks = append(f.blocks, b)
	}
	f.cur.Reset()
	f.link, f.bold, f.em, f.brs = 0, 0, 0, 0
}

func isRight(n *node) bool {
	for i := 0; n != nil && i < 3; i, n = i+1, n.parent {
		st := strings.ToLower(n.attr("style"))
		if strings.Contains(st, "text-align:right") || strings.Contains(st, "text-align: right") ||
			strings.EqualFold(n.attr("align"), "right") {
			return true
		}
		if !(n.tag == atom.Strong || n.tag == atom.B || n.tag == atom.Em || n.tag == atom.I || n.tag == atom.Span || n.tag == atom.P) {
			break
		}
	}
	return false
}

// run adds the flow of n.
func (f *flow) run(n *node, inLink, inBold, inEm bool) {
	for _, c := range n.children {
		if c.isText() {
			if f.curN == nil {
				f.curN = n
			}
			f.cur.WriteString(c.text)
			l := len(c.text)
			if inLink {
				f.link += l
			}
			if inBold {
				f.bold += l
			}
			if inEm {
				f.em += l
			}
			if strings.TrimSpace(c.text) != "" {
				f.brs = 0
			}
			continue
		}
		if c.boiler == markBoil {
			continue
		}
		if c.tag == atom.Br {
			f.brs++
			if f.brs >= 2 {
				f.flush()
			} else {
				f.cur.WriteByte(' ')
			}
			continue
		}
		if c.tag == atom.Head || c.tag == atom.Title || c.tag == atom.Meta || c.tag == atom.Link {
			continue
		}
		if isImageUnit(c) {
			f.flush()
			cap := captionText(c)
			b := block{text: cap, n: c, caption: true, images: imageURLs(c)}
			f.blocks = append(f.blocks, b)
			f.curN = nil
			continue
		}
		if isBlockTag(c.tag) {
			f.flush()
			f.curN = c
			f.run(c, inLink, inBold, inEm)
			f.flush()
			f.curN = n
			continue
		}
		f.run(c, inLink || c.tag == atom.A, inBold || c.tag == atom.Strong || c.tag == atom.B,
			inEm || c.tag == atom.Em || c.tag == atom.I)
	}
}

// isImageUnit reports whether n is a picture with its caption: a <figure>,
// or a small table or box that holds an image and little text.
func isImageUnit(n *node) bool {
	switch n.tag {
	case atom.Figure:
		return true
	case atom.Table, atom.Div:
		// One picture with a short caption; a box of pictures and
		// paragraphs is body.
		if n.textLen > 400 || n.imgs != 1 {
			return false
		}
		if n.tag == atom.Div && n.textLen > 200 && !imageClass(n.classID()) {
			return false
		}
		// A box of several paragraphs with one picture is not a unit.
		ps := 0
		walk(n, func(c *node) bool {
			if c.tag == atom.P {
				ps++
			}
			return ps < 4 && !c.isText()
		})
		return ps < 4
	}
	return false
}

// imageClass reports whether a class/id names a picture box.
func imageClass(cid string) bool {
	for _, w := range []string{"image", "img", "photo", "pic", "figure", "caption", "media", "anh", "minhhoa", "thumb"} {
		if strings.Contains(cid, w) {
			return true
		}
	}
	return false
}

// captionText returns the caption of an image unit: its <figcaption> or,
// failing that, all its text.
func captionText(n *node) string {
	var fc *node
	walk(n, func(c *node) bool {
		if fc == nil && c.tag == atom.Figcaption {
			fc = c
		}
		return fc == nil
	})
	if fc != nil {
		return textOf(fc)
	}
	return textOf(n)
}

func imageURLs(n *node) []string {
	var urls []string
	walk(n, func(c *node) bool {
		if c.tag == atom.Img {
			src := c.attr("data-src")
			if src == "" || strings.HasPrefix(src, "data:") {
				src = c.attr("src")
			}
			if src != "" && !strings.HasPrefix(src, "data:") {
				urls = append(urls, src)
			}
		}
		return true
	})
	return urls
}

// measure fills textLen, linkLen and ptext of every node, bottom-up. The
// paragraph text counts the paragraphs (<p>, or boxes of bare text) of at
// least 60 characters that are not mostly links.
func measure(n *node, inLink bool) (t, k, p int) {
	if n.isText() {
		l := utf8.RuneCountInString(strings.TrimSpace(n.text))
		if inLink {
			return l, l, 0
		}
		return l, 0, 0
	}
	direct := 0
	if n.tag == atom.Img || n.tag == atom.Picture {
		n.imgs = 1
	}
	for _, c := range n.children {
		a, b, q := measure(c, inLink || n.tag == atom.A)
		n.imgs += c.imgs
		n.inputs += c.inputs
		t += a
		k += b
		p += q
		if c.isText() {
			direct += a - b
		}
	}
	n.textLen, n.linkLen = t, k
	if (n.tag == atom.P || direct >= 60) && t >= 60 && k*10 < t*3 && p == 0 {
		p = t - k
		n.para = true
	}
	n.ptext = p
	return t, k, p
}

// measureBody fills pbody: the paragraph text below n outside boilerplate.
func measureBody(n *node) int {
	if n.isText() || n.boiler != markNone {
		return 0
	}
	if n.para {
		n.pbody = n.ptext
		return n.pbody
	}
	s := 0
	for _, c := range n.children {
		s += measureBody(c)
	}
	n.pbody = s
	return s
}

// touches reports whether n is one of the avoided nodes, or holds or sits
// below one.
func touches(n *node, avoid []*node) bool {
	for _, a := range avoid {
		if a != nil && (within(a, n) || within(n, a)) {
			return true
		}
	}
	return false
}

// pickContainer scores the parents of paragraphs (paragraph length, commas,
// link density) and returns the element that holds the article's body, with
// the boxes beside it that hold the rest of a body split into modules.
// Blocks in exclude do not count; boxes that touch an avoided node (the
// headline, the lead) never join.
func pickContainer(blocks []block, exclude map[*node]bool, avoid ...*node) (best *node, extra []*node) {
	scores := map[*node]float64{}
	var order []*node
	add := func(n *node, s float64) {
		if n == nil {
			return
		}
		if _, ok := scores[n]; !ok {
			order = append(order, n)
		}
		scores[n] += s
	}
	for _, b := range blocks {
		if b.caption || exclude[b.n] {
			continue
		}
		l := utf8.RuneCountInString(b.text)
		if l < 25 || b.linkLen*2 > len(b.text) {
			continue
		}
		s := 1 + minf(float64(strings.Count(b.text, ",")), 5) + minf(float64(l)/100, 3)
		p := b.n.parent
		if b.n.tag != atom.P && b.n.tag != atom.Li && b.n.tag != atom.Blockquote && !isHeadingTag(b.n.tag) {
			// Text directly inside a box: the box itself is a candidate.
			add(b.n, s)
			add(p, s/2)
			continue
		}
		add(p, s)
		if p != nil {
			add(p.parent, s/2)
		}
	}
	final := func(n *node) float64 {
		s := scores[n]
		if n.textLen > 0 {
			s *= 1 - float64(n.linkLen)/float64(n.textLen)
		}
		return s
	}
	bestScore := 0.0
	for _, n := range order {
		if s := final(n); s > bestScore {
			best, bestScore = n, s
		}
	}
	if best == nil {
		return nil, nil
	}
	// Climb while the boxes beside the container hold a good share of
	// paragraph text: a body split into modules, or paragraphs next to the
	// box. The boxes join the body; the ancestors themselves do not (they
	// hold bylines, dates and labels too).
	cur, total := best, best.pbody
	for level := 0; level < 8; level++ {
		p := cur.parent
		if p == nil || p.tag == atom.Body || p.tag == atom.Html || p.parent == nil || p.boiler != markNone {
			break
		}
		gain := 0
		var boxes []*node
		for _, c := range p.children {
			if c == cur || c.isText() || c.boiler != markNone || exclude[c] || c.pbody == 0 || touches(c, avoid) {
				continue
			}
			gain += c.pbody
			boxes = append(boxes, c)
		}
		if gain*4 < total && gain > 0 {
			// Too little to climb for, but paragraphs right beside the
			// box are body (a lead or a closing paragraph left out of it).
			for _, c := range boxes {
				if c.para && c.tag == atom.P {
					extra = append(extra, c)
				}
			}
			break
		}
		extra = append(extra, boxes...)
		total += gain
		cur = p
	}
	return best, extra
}

func minf(a, b float64) float64 {
	if a < b {
		return a
	}
	return b
}

// within reports whether n is c or below c.
func within(n, c *node) bool {
	for ; n != nil; n = n.parent {
		if n == c {
			return true
		}
	}
	return false
}

// relatedLine reports whether a body paragraph is a pointer to other
// articles ("Xem thêm: …", "Tin liên quan: …").
func relatedLine(t string) bool {
	l := strings.ToLower(t)
	for _, p := range []string{"xem thêm", "đọc thêm", "tin liên quan", "bài liên quan", "mời xem", "mời bạn đọc xem", "xem tiếp", "read more", "see also", "related:"} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}
