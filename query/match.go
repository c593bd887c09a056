package query

import (
	"strings"
	"time"
)

// Matches reports whether an article, analysed into d and published at
// published, matches the prepared tree n. It is the reference semantics of
// a prepared tree, in Go: backends must find the same articles. It is meant
// for tests and for checking a handful of articles against a saved query,
// not for searching an archive.
func Matches(n Node, d *Document, published time.Time) bool {
	m := matcher{d: d, cols: map[string][]string{}}
	return m.match(n, published)
}

type matcher struct {
	d    *Document
	cols map[string][]string
}

func (m *matcher) col(name, text string) []string {
	if toks, ok := m.cols[name]; ok {
		return toks
	}
	toks := strings.Fields(text)
	m.cols[name] = toks
	return toks
}

func (m *matcher) match(n Node, published time.Time) bool {
	switch n := n.(type) {
	case *And:
		for _, c := range n.Children {
			if !m.match(c, published) {
				return false
			}
		}
		return true
	case *Or:
		for _, c := range n.Children {
			if m.match(c, published) {
				return true
			}
		}
		return false
	case *Not:
		return !m.match(n.Child, published)
	case *Range:
		if published.IsZero() {
			return false
		}
		return (n.From.IsZero() || !published.Before(n.From)) && (n.To.IsZero() || published.Before(n.To))
	case *Term:
		return m.term(n)
	}
	return false
}

// term reports whether the term's exact tokens occur in an exact column or
// its folded tokens in a folded column of its field.
func (m *matcher) term(t *Term) bool {
	var exact, folded [][]string
	switch t.Field {
	case FieldAny:
		exact = [][]string{m.col("title", m.d.Title), m.col("body", m.d.Body)}
		folded = [][]string{m.col("title_f", m.d.TitleFolded), m.col("body_f", m.d.BodyFolded)}
	case FieldTitle:
		exact = [][]string{m.col("title", m.d.Title)}
		folded = [][]string{m.col("title_f", m.d.TitleFolded)}
	case FieldAuthor:
		folded = [][]string{m.col("author", m.d.Author)}
	case FieldSource:
		folded = [][]string{m.col("source", m.d.Source)}
	case FieldSection:
		folded = [][]string{m.col("section", m.d.Section)}
	}
	if t.Field == FieldAuthor || t.Field == FieldSource || t.Field == FieldSection {
		exact = folded
	}
	for _, c := range folded {
		if contains(c, t.Folded, t.Prefix) {
			return true
		}
	}
	if t.Exact != nil {
		for _, c := range exact {
			if contains(c, t.Exact, t.Prefix) {
				return true
			}
		}
	}
	return false
}

// contains reports whether the phrase occurs in tokens, the last token of
// the phrase as a prefix when prefix is set.
func contains(tokens, phrase []string, prefix bool) bool {
	if len(phrase) == 0 {
		return false
	}
	last := len(phrase) - 1
outer:
	for i := 0; i+len(phrase) <= len(tokens); i++ {
		for j, p := range phrase {
			tok := tokens[i+j]
			if j == last && prefix {
				if !strings.HasPrefix(tok, p) {
					continue outer
				}
			} else if tok != p {
				continue outer
			}
		}
		return true
	}
	return false
}
