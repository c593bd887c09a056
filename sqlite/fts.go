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

// scoreMatch compiles the text part of a prepared tree to the MATCH
// expression that scores the articles it is known to match: the phrases of
// compiled.Match without what the tree excludes at its top (whose phrases
// count nothing in a match; see positive), with the prefixes of ex, when
// not nil, written as the tokens they begin (setting ex.logical). n is how
// many phrases of compiled.Phrases it holds: the first n.
func scoreMatch(tree query.Node, ex *expansion) (match string, n int, err error) {
	if ex != nil {
		ex.logical, ex.phrases = nil, nil
	}
	var phrases []query.Phrase
	match, err = expr(positive(tree), &phrases, false, ex)
	return match, len(phrases), err
}

// positive returns the tree without the exclusions of its top AND (the
// tree itself when it has none): an article the tree matches holds every
// other child of that AND. Its phrases are the first of the tree's (see
// expr).
func positive(n query.Node) query.Node {
	and, ok := n.(*query.And)
	if !ok {
		return n
	}
	var kept []query.Node
	for _, ch := range and.Children {
		if _, not := ch.(*query.Not); !not {
			kept = append(kept, ch)
		}
	}
	switch {
	case len(kept) == len(and.Children) || len(kept) == 0:
		return n
	case len(kept) == 1:
		return kept[0]
	}
	out := *and
	out.Children = kept
	return &out
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
			s, err := expr(ch, nil, true, nil)
			if err != nil {
				return c, err
			}
			c.Exclude = append(c.Exclude, s)
		}
		return c, nil
	}
	s, err := expr(n, &c.Phrases, false, nil)
	if err != nil {
		return c, err
	}
	c.Match = s
	if c.Set, err = expr(n, nil, true, nil); err != nil {
		return c, err
	}
	var boosts []string
	for _, b := range query.Boosts(n) {
		boosts = append(boosts, term(b.Term, b.Columns(), &c.BoostPhrases, false, nil))
	}
	c.Boost = strings.Join(boosts, " OR ")
	return c, nil
}

// expr compiles a node to an FTS5 expression and appends its phrases to
// *phrases (when phrases is not nil); with folded set, its terms search
// their folded form alone (see compiled.Set).
func expr(n query.Node, phrases *[]query.Phrase, folded bool, ex *expansion) (string, error) {
	switch n := n.(type) {
	case *query.Term:
		return term(n, n.Columns(), phrases, folded, ex), nil
	case *query.Or:
		parts := make([]string, 0, len(n.Children))
		for _, ch := range n.Children {
			if _, ok := ch.(*query.Not); ok {
				return "", posError(ch, "NOT cannot stand alone inside OR")
			}
			s, err := expr(ch, phrases, folded, ex)
			if err != nil {
				return "", err
			}
			parts = append(parts, s)
		}
		return "(" + strings.Join(parts, " OR ") + ")", nil
	case *query.And:
		// The expression lists what must be found before what must not, and
		// the phrases are appended in the order they are written: FTS5
		// numbers them so (see compiled.Phrases), whatever the order of the
		// children ("-bão hà nội").
		var pos, neg []string
		for _, ch := range n.Children {
			if _, ok := ch.(*query.Not); ok {
				continue
			}
			s, err := expr(ch, phrases, folded, ex)
			if err != nil {
				return "", err
			}
			pos = append(pos, s)
		}
		for _, ch := range n.Children {
			not, ok := ch.(*query.Not)
			if !ok {
				continue
			}
			s, err := expr(not.Child, phrases, folded, ex)
			if err != nil {
				return "", err
			}
			neg = append(neg, s)
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
// unless a token folds to nothing. With ex, a prefix of one token is
// written as the tokens it begins (see expansion).
func term(t *query.Term, cols query.ColumnSet, phrases *[]query.Phrase, foldedOnly bool, ex *expansion) string {
	fo := filter(cols.Folded)
	if cols.Exact == nil || foldedOnly && !slices.Contains(t.Folded, "") {
		return ex.phrase(phrases, fo, cols.Folded, t.Folded, t.Prefix, ex.folded())
	}
	if cols.Same {
		exact := ex.phrase(phrases, "", cols.Folded, t.Exact, t.Prefix, ex.exact())
		folded := ex.phrase(phrases, "", cols.Folded, t.Folded, t.Prefix, ex.folded())
		return fo + " : (" + exact + " OR " + folded + ")"
	}
	exact := ex.phrase(phrases, filter(cols.Exact), cols.Exact, t.Exact, t.Prefix, ex.exact())
	folded := ex.phrase(phrases, fo, cols.Folded, t.Folded, t.Prefix, ex.folded())
	return "(" + exact + " OR " + folded + ")"
}

// expansion holds the tokens of the index that the prefixes of a query
// begin, by prefix (see expandPrefixes), for the exact and the folded half
// of its prefix terms. FTS5 runs a prefix over the posting lists of every
// token it begins in the whole index, whatever rowid range a statement
// asks for; the tokens themselves, ORed, are read within the range only.
// Each token is then a phrase of its own to FTS5: logical maps FTS5's
// phrases to the query's, whose instances diembao_rank adds up (see
// ranker.logical), so that the scores are those of the prefix.
//
// With record set, it also lists each phrase it writes, as FTS5 numbers
// them, in phrases (see scoreWindow).
type expansion struct {
	tokens  [2]map[string][]string // exact, folded
	logical []int
	record  bool
	phrases []ftsPhrase
}

func (ex *expansion) exact() map[string][]string {
	if ex == nil {
		return nil
	}
	return ex.tokens[0]
}

func (ex *expansion) folded() map[string][]string {
	if ex == nil {
		return nil
	}
	return ex.tokens[1]
}

// phrase writes tokens as one FTS5 string (see phrase) searched in the
// columns cols, spelled filter (in any column when filter is ""), and
// appends it to *phrases; a prefix of one token that toks expands is
// written as its tokens, each searched in those columns, ORed.
func (ex *expansion) phrase(phrases *[]query.Phrase, filter string, cols []int, tokens []string, prefix bool, toks map[string][]string) string {
	if filter != "" {
		filter += " : "
	}
	if phrases != nil {
		*phrases = append(*phrases, query.Phrase{Tokens: tokens, Prefix: prefix})
	}
	at := 0
	if phrases != nil {
		at = len(*phrases) - 1
	}
	if prefix && len(tokens) == 1 && len(toks[tokens[0]]) > 0 {
		exp := toks[tokens[0]]
		parts := make([]string, len(exp))
		for i, tok := range exp {
			parts[i] = filter + phrase([]string{tok}, false)
			ex.logical = append(ex.logical, at)
			if ex.record {
				ex.phrases = append(ex.phrases, ftsPhrase{tokens: []string{tok}, cols: cols, logical: at, from: tokens[0]})
			}
		}
		return "(" + strings.Join(parts, " OR ") + ")"
	}
	if ex != nil {
		ex.logical = append(ex.logical, at)
		if ex.record {
			ex.phrases = append(ex.phrases, ftsPhrase{tokens: tokens, prefix: prefix, cols: cols, logical: at})
		}
	}
	return filter + phrase(tokens, prefix)
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
