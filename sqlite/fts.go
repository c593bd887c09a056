package sqlite

import (
	"fmt"
	"slices"
	"strings"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/query"
)

var ranking = query.DefaultRanking()

// filter spells index columns (positions in ranking.Columns) as an FTS5
// column filter: "{title body}".
func filter(cols []int) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, c := range cols {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(ranking.Columns[c])
	}
	b.WriteByte('}')
	return b.String()
}

// compiled is a prepared query tree compiled for FTS5: Match is the MATCH
// expression of what articles must contain ("" when the query only
// excludes), Exclude the MATCH expressions of what they must not contain,
// Boost the MATCH expression of the optional terms that raise the score of
// the articles Match finds ("" when there are none).
//
// Set is the MATCH expression of the same articles as Match that searches
// the folded columns alone. A folded column holds the folded form of every
// token of its exact column, in the same order, so a term found in its
// exact form is found in its folded form too: the exact half of a term
// only matters to the score. Passes that count or filter without scoring
// use Set, which makes FTS5 read half the posting lists. Exclude is
// written the same way.
type compiled struct {
	Match   string
	Set     string
	Exclude []string
	Boost   string
	// Phrases and BoostPhrases are the phrases of Match and Boost in
	// FTS5's order (the order they are written in), for diembao_rank.
	Phrases, BoostPhrases []query.Phrase
}

// compile compiles the text part of a prepared tree (see query.Split) to
// FTS5. A nil tree compiles to an empty match.
func compile(n query.Node) (compiled, error) {
	if n == nil {
		return compiled{}, nil
	}
	var c compiled
	if negs, ok := query.Negations(n); ok {
		for _, ch := range negs {
			s, err := expr(ch, nil, true)
			if err != nil {
				return c, err
			}
			c.Exclude = append(c.Exclude, s)
		}
		return c, nil
	}
	s, err := expr(n, &c.Phrases, false)
	if err != nil {
		return c, err
	}
	c.Match = s
	if c.Set, err = expr(n, nil, true); err != nil {
		return c, err
	}
	var boosts []string
	for _, b := range query.Boosts(n) {
		boosts = append(boosts, term(b.Term, b.Columns(), &c.BoostPhrases, false))
	}
	c.Boost = strings.Join(boosts, " OR ")
	return c, nil
}

// expr compiles a node to an FTS5 expression and appends its phrases to
// *phrases (when phrases is not nil); with folded set, its terms search
// their folded form alone (see compiled.Set).
func expr(n query.Node, phrases *[]query.Phrase, folded bool) (string, error) {
	switch n := n.(type) {
	case *query.Term:
		return term(n, n.Columns(), phrases, folded), nil
	case *query.Or:
		parts := make([]string, 0, len(n.Children))
		for _, ch := range n.Children {
			if _, ok := ch.(*query.Not); ok {
				return "", posError(ch, "NOT cannot stand alone inside OR")
			}
			s, err := expr(ch, phrases, folded)
			if err != nil {
				return "", err
			}
			parts = append(parts, s)
		}
		return "(" + strings.Join(parts, " OR ") + ")", nil
	case *query.And:
		var pos, neg []string
		for _, ch := range n.Children {
			if not, ok := ch.(*query.Not); ok {
				s, err := expr(not.Child, phrases, folded)
				if err != nil {
					return "", err
				}
				neg = append(neg, s)
				continue
			}
			s, err := expr(ch, phrases, folded)
			if err != nil {
				return "", err
			}
			pos = append(pos, s)
		}
		if len(pos) == 0 {
			return "", posError(n, "this group only excludes: add a word it must contain")
		}
		s := "(" + strings.Join(pos, " AND ") + ")"
		for _, x := range neg {
			s = "(" + s + " NOT " + x + ")"
		}
		return s, nil
	case *query.Not:
		return "", posError(n, "NOT needs something to exclude from")
	case *query.Range:
		return "", posError(n, "published: can only be combined with AND")
	}
	return "", fmt.Errorf("sqlite: cannot compile query node %T", n)
}

func posError(n query.Node, msg string) error {
	return &diembao.Error{Code: diembao.EINVALID, Pos: n.Pos(),
		Message: fmt.Sprintf("query: %s (at position %d)", msg, n.Pos())}
}

// term compiles a term searched in cols (see query.ColumnSet): its exact
// form in the exact columns OR its folded form in the folded columns. It
// appends the phrases to *phrases in the order it writes them. With
// foldedOnly set, it searches the folded form alone (see compiled.Set),
// unless a token folds to nothing.
func term(t *query.Term, cols query.ColumnSet, phrases *[]query.Phrase, foldedOnly bool) string {
	fo := filter(cols.Folded)
	folded := phrase(t.Folded, t.Prefix)
	if cols.Exact == nil || foldedOnly && !slices.Contains(t.Folded, "") {
		addPhrase(phrases, t.Folded, t.Prefix)
		return fo + " : " + folded
	}
	exact := phrase(t.Exact, t.Prefix)
	addPhrase(phrases, t.Exact, t.Prefix)
	addPhrase(phrases, t.Folded, t.Prefix)
	if cols.Same {
		return fo + " : (" + exact + " OR " + folded + ")"
	}
	return "(" + filter(cols.Exact) + " : " + exact + " OR " + fo + " : " + folded + ")"
}

func addPhrase(phrases *[]query.Phrase, tokens []string, prefix bool) {
	if phrases != nil {
		*phrases = append(*phrases, query.Phrase{Tokens: tokens, Prefix: prefix})
	}
}

// phrase quotes tokens as one FTS5 string (a phrase when there are several),
// with "*" for a prefix.
func phrase(tokens []string, prefix bool) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, t := range tokens {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strings.ReplaceAll(t, `"`, `""`))
	}
	b.WriteByte('"')
	if prefix {
		b.WriteString(" *")
	}
	return b.String()
}
