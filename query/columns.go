package query

import (
	"slices"
	"strings"
)

// The index columns, as positions in Ranking.Columns and Document.Values.
const (
	colTitle = iota
	colTitleFolded
	colBody
	colBodyFolded
	colWords
	colWordsFolded
	colAuthor
	colSource
	colSection
)

// ColumnSet is where a term of a prepared tree is searched: the index
// columns, as positions in Ranking.Columns, that its exact form and its
// folded form may occur in. An article holds the term when its exact
// tokens follow each other in one of the Exact columns or its folded tokens
// in one of the Folded columns (the last token as a prefix for a prefix
// term). Every backend searches the same columns; each spells them in its
// own syntax.
type ColumnSet struct {
	// Exact lists the columns searched for the exact form. It is nil when
	// the exact form is not searched on its own: the query was typed
	// without diacritics (Term.Exact is nil), or the exact tokens equal the
	// folded ones and both forms share their columns, so that searching
	// the folded form finds them.
	Exact []int
	// Folded lists the columns searched for the folded form; it is never
	// empty.
	Folded []int
	// Same is set when the term's field keeps exact and folded tokens in
	// the same column (author, source, section): Exact, when set, equals
	// Folded.
	Same bool
}

// Columns returns where t is searched as a term of a prepared tree, to be
// matched or excluded: the exact title and text for the exact form and the
// folded title and text for the folded form when t has no field, the exact
// or the folded title for title:, and the one column of the field for
// author:, source: and section:, which hold both forms.
func (t *Term) Columns() ColumnSet {
	return t.columns(false)
}

// columns returns where t is searched; word is set for a segmented
// multi-syllable word, which only the words columns hold.
func (t *Term) columns(word bool) ColumnSet {
	var cs ColumnSet
	switch t.Field {
	case FieldTitle:
		cs = ColumnSet{Exact: []int{colTitle}, Folded: []int{colTitleFolded}}
	case FieldAuthor:
		cs = ColumnSet{Exact: []int{colAuthor}, Folded: []int{colAuthor}, Same: true}
	case FieldSource:
		cs = ColumnSet{Exact: []int{colSource}, Folded: []int{colSource}, Same: true}
	case FieldSection:
		cs = ColumnSet{Exact: []int{colSection}, Folded: []int{colSection}, Same: true}
	default:
		if word {
			cs = ColumnSet{Exact: []int{colWords}, Folded: []int{colWordsFolded}}
		} else {
			cs = ColumnSet{Exact: []int{colTitle, colBody}, Folded: []int{colTitleFolded, colBodyFolded}}
		}
	}
	if t.Exact == nil || cs.Same && slices.Equal(t.Exact, t.Folded) {
		cs.Exact = nil
	}
	return cs
}

// BoostTerm is an optional term of a prepared tree, an entry of the Boost
// of an And, together with that And.
type BoostTerm struct {
	Term *Term
	// And is the node whose Boost holds Term: the boost raises the score of
	// articles the tree matches and that also hold Term.
	And *And
}

// Columns returns where the boost term is searched: where Term.Columns
// says, except for a segmented multi-syllable word (a single token joined
// by "_"), which is searched in the words columns, exact and folded.
func (b BoostTerm) Columns() ColumnSet {
	t := b.Term
	return t.columns(len(t.Folded) == 1 && strings.Contains(t.Folded[0], "_"))
}

// Boosts returns the boost terms of a prepared tree in the order a depth
// first walk meets them: the Boost terms of each And, in order, before
// those of the nodes below it. The Boost of an And under a Not is left out,
// since what a query excludes raises no score. It returns nil when the tree
// has no boost term.
func Boosts(n Node) []BoostTerm {
	var out []BoostTerm
	Walk(n, func(x Node) bool {
		switch x := x.(type) {
		case *Not:
			return false
		case *And:
			for _, b := range x.Boost {
				out = append(out, BoostTerm{Term: b, And: x})
			}
		}
		return true
	})
	return out
}
