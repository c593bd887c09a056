// Package query is stage 6 of the pipeline: diembao's query language and the
// Vietnamese analysis that index and query share.
//
// A query is parsed once (Parse) into a tree of Node values, then prepared
// (Analyzer.Prepare): each Term gets the tokens the index holds for it,
// exact and folded, and abbreviations are expanded. The prepared tree is
// backend-neutral: package sqlite compiles it to an FTS5 MATCH expression,
// package postgres to a tsquery, and a further backend needs only a new
// compiler. Analyzer.Document produces the tokens every backend indexes for
// an article, so that the same query finds the same articles everywhere.
//
// The language:
//
//	ban chỉ đạo        all of the words (with or without diacritics)
//	"nền tảng"         the words next to each other, in that order
//	a OR b, a AND b    either, both; AND binds tighter than OR
//	NOT a, -a          without a
//	( … )              grouping
//	title:a            a in the title; also source:, author:, section:
//	chuyển*            words beginning with "chuyển"
//	published:[2020-01-01 TO 2020-01-31]    published within the days, inclusive
//	published:>now-7d  published in the last seven days (also >=, <, <=, h d w m y)
//	HĐND               also finds "Hội đồng nhân dân", and the reverse
package query

import (
	"strings"
	"time"
)

// Field names the part of an article a term must occur in.
type Field string

// The fields of the query language. FieldAny (no field) searches the title
// and the text.
const (
	FieldAny       Field = ""
	FieldTitle     Field = "title"
	FieldSource    Field = "source"
	FieldAuthor    Field = "author"
	FieldSection   Field = "section"
	FieldPublished Field = "published"
)

// textFields are the fields a term may carry.
var textFields = map[string]Field{
	"title":   FieldTitle,
	"source":  FieldSource,
	"author":  FieldAuthor,
	"section": FieldSection,
}

// Node is a node of a query tree: *And, *Or, *Not, *Term or *Range.
type Node interface {
	// Pos returns the byte position in the query text where the node begins.
	Pos() int
	// String returns the node in a canonical form of the query language.
	String() string
}

// And matches what all of its children match. Boost holds optional terms
// that never change which articles match but raise the score of matching
// articles that also match them (the words of the children as a phrase,
// their segmented multi-syllable words); backends that cannot rank by
// optional terms may ignore Boost.
type And struct {
	Children []Node
	Boost    []*Term
	At       int
}

// Or matches what any of its children matches.
type Or struct {
	Children []Node
	At       int
}

// Not matches what its child does not. Inside an And it excludes; a query
// made only of Not nodes excludes from all articles.
type Not struct {
	Child Node
	At    int
}

// Term is a word, a phrase or a prefix to find in a field.
type Term struct {
	Field Field
	// Text is the term as typed, without quotes or the trailing "*".
	Text string
	// Phrase is set for quoted text: the words must be adjacent and in order.
	// An unquoted term whose text analyses into several tokens ("covid-19")
	// is matched as a phrase as well.
	Phrase bool
	// Prefix is set for a trailing "*": the last token is a prefix.
	Prefix bool
	At     int

	// Exact holds the normalized lower-case tokens of Text, as indexed in
	// the exact columns; nil when the query was typed without any
	// diacritics, which makes the folded form the only one that counts.
	// Folded holds the same tokens without diacritics. Both are set by
	// Analyzer.Prepare; a token containing "_" is a segmented word.
	Exact, Folded []string
}

// Range restricts the published time to [From, To); a zero bound is open.
type Range struct {
	Field    Field
	From, To time.Time
	At       int
}

// Pos implements Node.
func (n *And) Pos() int { return n.At }

// Pos implements Node.
func (n *Or) Pos() int { return n.At }

// Pos implements Node.
func (n *Not) Pos() int { return n.At }

// Pos implements Node.
func (n *Term) Pos() int { return n.At }

// Pos implements Node.
func (n *Range) Pos() int { return n.At }

// String implements Node.
func (n *And) String() string { return join(n.Children, " AND ") }

// String implements Node.
func (n *Or) String() string { return join(n.Children, " OR ") }

// String implements Node.
func (n *Not) String() string { return "NOT " + wrap(n.Child) }

// String implements Node.
func (n *Term) String() string {
	var b strings.Builder
	if n.Field != FieldAny {
		b.WriteString(string(n.Field))
		b.WriteByte(':')
	}
	if n.Phrase {
		b.WriteByte('"')
		b.WriteString(n.Text)
		b.WriteByte('"')
	} else {
		b.WriteString(n.Text)
	}
	if n.Prefix {
		b.WriteByte('*')
	}
	return b.String()
}

// String implements Node.
func (n *Range) String() string {
	bound := func(t time.Time) string {
		if t.IsZero() {
			return "*"
		}
		return t.Format(time.RFC3339)
	}
	return string(n.Field) + ":[" + bound(n.From) + " TO " + bound(n.To) + "}"
}

func join(children []Node, sep string) string {
	parts := make([]string, len(children))
	for i, c := range children {
		parts[i] = wrap(c)
	}
	return strings.Join(parts, sep)
}

func wrap(n Node) string {
	switch n.(type) {
	case *And, *Or:
		return "(" + n.String() + ")"
	}
	return n.String()
}

// Walk calls fn for n and, while fn returns true, for each node below it,
// depth first.
func Walk(n Node, fn func(Node) bool) {
	if n == nil || !fn(n) {
		return
	}
	switch n := n.(type) {
	case *And:
		for _, c := range n.Children {
			Walk(c, fn)
		}
	case *Or:
		for _, c := range n.Children {
			Walk(c, fn)
		}
	case *Not:
		Walk(n.Child, fn)
	}
}

// Split separates the top-level conjuncts of a prepared tree into the text
// part (nil when there is none) and the published-time ranges, which
// backends apply as filters. It reports ok=false when a Range is nested
// under Or or Not, where no backend can apply it as a filter; Analyzer.Prepare
// rejects such trees, so a prepared tree always splits.
func Split(n Node) (text Node, ranges []*Range, ok bool) {
	switch n := n.(type) {
	case *Range:
		return nil, []*Range{n}, true
	case *And:
		var rest []Node
		for _, c := range n.Children {
			if r, isRange := c.(*Range); isRange {
				ranges = append(ranges, r)
				continue
			}
			rest = append(rest, c)
		}
		ok = true
		for _, c := range rest {
			Walk(c, func(x Node) bool {
				if _, isRange := x.(*Range); isRange {
					ok = false
				}
				return ok
			})
		}
		switch len(rest) {
		case 0:
			return nil, ranges, ok
		case 1:
			if len(n.Boost) == 0 {
				return rest[0], ranges, ok
			}
		}
		return &And{Children: rest, Boost: n.Boost, At: n.At}, ranges, ok
	}
	ok = true
	Walk(n, func(x Node) bool {
		if _, isRange := x.(*Range); isRange {
			ok = false
		}
		return ok
	})
	return n, nil, ok
}
