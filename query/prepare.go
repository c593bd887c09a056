package query

import (
	"strings"
	"unicode"

	"github.com/diembao/diembao/viet"
)

// Options change how Prepare treats a query.
type Options struct {
	// NoExpand switches off abbreviation expansion (HĐND ≡ Hội đồng nhân dân).
	NoExpand bool
}

// maxExpansions is the most expansions one abbreviation contributes.
const maxExpansions = 3

// maxRun is the longest run of terms looked up as an expansion.
const maxRun = 8

// Prepare readies a parsed tree for the backends and returns the new tree:
//
//   - each Term gets its Exact and Folded tokens; a query typed without
//     any diacritic is matched on folded forms only (Exact stays nil),
//     otherwise each term matches its exact form or its folded form, and
//     the exact form adds to the score;
//   - terms without any letter or digit are dropped;
//   - unless opts.NoExpand, an upper-case abbreviation also matches its
//     expansions, and a run of words that spells out an abbreviation also
//     matches the abbreviation;
//   - runs of two or more plain words get Boost terms (the run as a phrase,
//     each pair of adjacent words as a phrase when the run is longer than
//     two, and its segmented words), in an And of their own;
//   - nested And and Or nodes of the same kind are flattened.
//
// Prepare rejects, with an EINVALID error pointing at the node, what no
// backend can run: a query with no word left, a published: range under OR
// or NOT, a NOT alone inside OR. A query made only of NOT clauses (and
// ranges) is accepted: it excludes from all articles.
func (a *Analyzer) Prepare(n Node, opts Options) (Node, error) {
	exact := false
	Walk(n, func(x Node) bool {
		if t, ok := x.(*Term); ok {
			e, _ := a.Tokens(t.Text)
			for _, tok := range e {
				if hasDiacritics(tok) {
					exact = true
				}
			}
		}
		return !exact
	})
	p := &preparer{a: a, exact: exact, opts: opts}
	out := p.node(n)
	if out == nil {
		return nil, errAt(n.Pos(), "the query has no word to search for")
	}
	if err := check(out, true); err != nil {
		return nil, err
	}
	return out, nil
}

type preparer struct {
	a     *Analyzer
	exact bool
	opts  Options
}

// analyze fills the tokens of t and reports whether it has any.
func (p *preparer) analyze(t *Term) bool {
	e, f := p.a.Tokens(t.Text)
	if len(f) == 0 {
		return false
	}
	t.Folded = f
	if p.exact {
		t.Exact = e
	}
	return true
}

func (p *preparer) node(n Node) Node {
	switch n := n.(type) {
	case *Term:
		t := *n
		if !p.analyze(&t) {
			return nil
		}
		return p.expandAbbrev(&t)
	case *Range:
		r := *n
		return &r
	case *Not:
		c := p.node(n.Child)
		if c == nil {
			return nil
		}
		return &Not{Child: c, At: n.At}
	case *Or:
		var children []Node
		for _, c := range n.Children {
			if c = p.node(c); c == nil {
				continue
			}
			if o, ok := c.(*Or); ok {
				children = append(children, o.Children...)
			} else {
				children = append(children, c)
			}
		}
		return collapseOr(children, n.At)
	case *And:
		var children []Node
		for _, c := range n.Children {
			// Plain words stay unprepared until their run is known.
			if t, ok := c.(*Term); ok && p.plain(t) {
				tt := *t
				if p.analyze(&tt) {
					children = append(children, &tt)
				}
				continue
			}
			if c = p.node(c); c == nil {
				continue
			}
			if x, ok := c.(*And); ok && len(x.Boost) == 0 {
				children = append(children, x.Children...)
			} else {
				children = append(children, c)
			}
		}
		children = p.runs(children)
		switch len(children) {
		case 0:
			return nil
		case 1:
			return children[0]
		}
		return &And{Children: children, At: n.At}
	}
	return nil
}

func collapseOr(children []Node, at int) Node {
	switch len(children) {
	case 0:
		return nil
	case 1:
		return children[0]
	}
	return &Or{Children: children, At: at}
}

// plain reports whether t is an unquoted word of one token without field or
// wildcard: a candidate for runs.
func (p *preparer) plain(t *Term) bool {
	return t.Field == FieldAny && !t.Phrase && !t.Prefix
}

// runs groups each run of two or more analysed plain single-token words:
// runs that spell out an abbreviation become (words OR abbreviation), and
// the words of every run get Boost terms.
func (p *preparer) runs(children []Node) []Node {
	var out []Node
	for i := 0; i < len(children); {
		j := i
		for j < len(children) {
			u, ok := children[j].(*Term)
			if !ok || !p.plain(u) || len(u.Folded) != 1 {
				break
			}
			j++
		}
		if j == i {
			if t, ok := children[i].(*Term); ok && p.plain(t) {
				out = append(out, p.expandAbbrev(t))
			} else {
				out = append(out, children[i])
			}
			i++
			continue
		}
		run := make([]*Term, 0, j-i)
		for _, c := range children[i:j] {
			run = append(run, c.(*Term))
		}
		out = append(out, p.run(run)...)
		i = j
	}
	return out
}

// run prepares one run of plain single-token words.
func (p *preparer) run(run []*Term) []Node {
	var out []Node
	var words []*Term
	flush := func() {
		if len(words) == 1 {
			out = append(out, words[0])
		} else if len(words) > 1 {
			out = append(out, p.boosted(words))
		}
		words = nil
	}
	for i := 0; i < len(run); {
		if j, abbrs := p.spelledOut(run[i:]); j > 0 {
			flush()
			alts := []Node{p.boosted(run[i : i+j])}
			for k, abbr := range abbrs {
				if k == maxExpansions {
					break
				}
				alt := &Term{Text: abbr, At: run[i].At}
				if p.analyze(alt) {
					alts = append(alts, alt)
				}
			}
			out = append(out, collapseOr(alts, run[i].At))
			i += j
			continue
		}
		if len(p.expansions(run[i])) > 0 {
			flush()
			out = append(out, p.expandAbbrev(run[i]))
			i++
			continue
		}
		words = append(words, run[i])
		i++
	}
	flush()
	return out
}

// spelledOut returns the length of the longest prefix (of at least two
// words) of run that spells out abbreviations, and those abbreviations; 0
// when there is none or expansion is off.
func (p *preparer) spelledOut(run []*Term) (int, []string) {
	if p.opts.NoExpand || !p.exact {
		return 0, nil
	}
	for j := min(len(run), maxRun); j >= 2; j-- {
		if abbrs := viet.Abbreviations(joinText(run[:j])); len(abbrs) > 0 {
			return j, abbrs
		}
	}
	return 0, nil
}

func joinText(run []*Term) string {
	parts := make([]string, len(run))
	for i, t := range run {
		parts[i] = t.Text
	}
	return strings.Join(parts, " ")
}

// boosted returns the And of a run of words with its Boost terms: the run
// as a phrase, each pair of adjacent words as a phrase (so that an article
// holding most of the run in order still ranks above one where the words
// are scattered, when a word of the query is missing from it or was typed
// wrong) and its segmented multi-syllable words.
func (p *preparer) boosted(run []*Term) Node {
	if len(run) == 1 {
		return run[0]
	}
	and := &And{At: run[0].At}
	phrase := &Term{Text: joinText(run), Phrase: true, At: run[0].At}
	var exact []string
	for _, t := range run {
		and.Children = append(and.Children, t)
		phrase.Folded = append(phrase.Folded, t.Folded...)
		exact = append(exact, t.Exact...)
	}
	if p.exact {
		phrase.Exact = exact
	}
	and.Boost = append(and.Boost, phrase)
	if len(run) > 2 {
		seen := map[string]bool{}
		for i := 0; i+1 < len(run); i++ {
			pair := &Term{Text: joinText(run[i : i+2]), Phrase: true, At: run[i].At}
			pair.Folded = append(append([]string(nil), run[i].Folded...), run[i+1].Folded...)
			if p.exact {
				pair.Exact = append(append([]string(nil), run[i].Exact...), run[i+1].Exact...)
			}
			// A pair that recurs in the run counts once.
			key := strings.Join(pair.Exact, " ") + "\x00" + strings.Join(pair.Folded, " ")
			if !seen[key] {
				seen[key] = true
				and.Boost = append(and.Boost, pair)
			}
		}
	}
	if p.exact {
		for _, w := range p.a.Words(joinText(run)) {
			and.Boost = append(and.Boost, &Term{Text: strings.ReplaceAll(w, "_", " "), At: run[0].At,
				Exact: []string{w}, Folded: []string{viet.Fold(w)}})
		}
	}
	return and
}

// expansions returns the expansions of t when it is an upper-case
// abbreviation of at least two letters.
func (p *preparer) expansions(t *Term) []string {
	if p.opts.NoExpand || t.Phrase || t.Prefix {
		return nil
	}
	upper, letters := 0, 0
	for _, r := range t.Text {
		if unicode.IsLetter(r) {
			letters++
			if unicode.IsUpper(r) {
				upper++
			}
		}
	}
	if letters < 2 || upper != letters {
		return nil
	}
	return viet.Expansions(t.Text)
}

// expandAbbrev returns t, or (t OR its expansions) when t is an
// abbreviation, or (t OR its abbreviations) when t is a phrase that spells
// one out.
func (p *preparer) expandAbbrev(t *Term) Node {
	if p.opts.NoExpand {
		return t
	}
	var alts []string
	if t.Phrase && !t.Prefix && p.exact {
		alts = viet.Abbreviations(t.Text)
	} else {
		alts = p.expansions(t)
	}
	if len(alts) == 0 {
		return t
	}
	or := &Or{Children: []Node{t}, At: t.At}
	for i, alt := range alts {
		if i == maxExpansions {
			break
		}
		x := &Term{Field: t.Field, Text: alt, Phrase: true, At: t.At}
		if p.analyze(x) {
			if x.Exact == nil && len(x.Folded) > 0 && hasDiacriticsAny(alt) {
				x.Exact, _ = p.a.Tokens(alt)
			}
			or.Children = append(or.Children, x)
		}
	}
	return collapseOr(or.Children, t.At)
}

func hasDiacriticsAny(s string) bool { return viet.Fold(s) != strings.ToLower(s) }

// check verifies what every backend needs of a prepared tree; top is set
// for the root.
func check(n Node, top bool) error {
	switch n := n.(type) {
	case *Range:
		if !top {
			return errAt(n.At, "published: can only be combined with AND, not inside OR or NOT")
		}
	case *Not:
		if err := noRange(n.Child); err != nil {
			return err
		}
		return check(n.Child, false)
	case *Or:
		for _, c := range n.Children {
			if isNegative(c) {
				return errAt(c.Pos(), "NOT cannot stand alone inside OR: say what to keep as well, as in (a -b) OR c")
			}
			if err := noRange(c); err != nil {
				return err
			}
			if err := check(c, false); err != nil {
				return err
			}
		}
	case *And:
		if !top && isNegative(n) {
			return errAt(n.At, "this group only excludes: add a word it must contain")
		}
		for _, c := range n.Children {
			if _, ok := c.(*Range); ok && top {
				continue
			}
			if err := check(c, false); err != nil {
				return err
			}
		}
	}
	return nil
}

func noRange(n Node) error {
	var err error
	Walk(n, func(x Node) bool {
		if r, ok := x.(*Range); ok {
			err = errAt(r.At, "published: can only be combined with AND, not inside OR or NOT")
		}
		return err == nil
	})
	return err
}

// isNegative reports whether n only excludes: a Not, or an And of Not nodes
// (and ranges).
func isNegative(n Node) bool {
	switch n := n.(type) {
	case *Not:
		return true
	case *And:
		for _, c := range n.Children {
			switch c.(type) {
			case *Not, *Range:
			default:
				return false
			}
		}
		return true
	}
	return false
}

// Positive returns the terms of a prepared tree that an article matches
// for (those not under a Not), for highlighting.
func Positive(n Node) []*Term {
	var terms []*Term
	Walk(n, func(x Node) bool {
		switch x := x.(type) {
		case *Not:
			return false
		case *Term:
			terms = append(terms, x)
		}
		return true
	})
	return terms
}
