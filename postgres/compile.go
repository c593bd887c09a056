package postgres

import (
	"fmt"
	"strings"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/query"
)

// expr is a compiled query: a tree of phrases in column sets joined by
// AND, OR and NOT. It has the shape of the FTS5 expression the embedded
// store compiles from the same prepared tree, phrase for phrase and in the
// same order, so that the BM25 score computed over it (see bm25) equals
// the embedded store's.
type expr struct {
	op   exprOp
	kids []*expr
	// For opPhrase: the index columns searched, the tokens that must
	// follow each other, and whether the last token is a prefix.
	cols   []int
	tokens []string
	prefix bool
	// folded, on the OR of a term of one token's exact and folded forms
	// (see termExpr), is its folded half: it alone finds the same
	// articles, and the tsquery searches it alone.
	folded *expr
	// pairs, for a positional phrase of a search's match, are its pair
	// candidates in the chunks read so far (see readPairCandidates); nil:
	// every article may hold it. An expr belongs to the plan of one
	// search.
	pairs *phrasePairs
}

type exprOp int

const (
	opPhrase exprOp = iota
	opAnd
	opOr
	// opNot is kids[0] without kids[1] (FTS5's binary NOT).
	opNot
)

// compiled is the text part of a prepared tree compiled: match is what
// articles must contain (nil when the query only excludes), exclude what
// they must not, and boost the optional terms (query.And.Boost) that raise
// the score of the articles that also match them (nil when there are none).
type compiled struct {
	match   *expr
	exclude []*expr
	boost   *expr
}

// compile compiles the text part of a prepared tree (see query.Split). A
// nil tree compiles to an empty match.
func compile(n query.Node) (compiled, error) {
	var c compiled
	if n == nil {
		return c, nil
	}
	if negs, ok := query.Negations(n); ok {
		for _, ch := range negs {
			x, err := compileNode(ch)
			if err != nil {
				return c, err
			}
			c.exclude = append(c.exclude, x)
		}
		return c, nil
	}
	x, err := compileNode(n)
	if err != nil {
		return c, err
	}
	c.match = x
	boost := &expr{op: opOr}
	for _, b := range query.Boosts(n) {
		boost.kids = append(boost.kids, termExpr(b.Term, b.Columns()))
	}
	if len(boost.kids) > 0 {
		c.boost = boost
	}
	return c, nil
}

func compileNode(n query.Node) (*expr, error) {
	switch n := n.(type) {
	case *query.Term:
		return termExpr(n, n.Columns()), nil
	case *query.Or:
		or := &expr{op: opOr}
		for _, ch := range n.Children {
			if _, ok := ch.(*query.Not); ok {
				return nil, posError(ch, "NOT cannot stand alone inside OR")
			}
			x, err := compileNode(ch)
			if err != nil {
				return nil, err
			}
			or.kids = append(or.kids, x)
		}
		return or, nil
	case *query.And:
		and := &expr{op: opAnd}
		var neg []*expr
		for _, ch := range n.Children {
			if not, ok := ch.(*query.Not); ok {
				x, err := compileNode(not.Child)
				if err != nil {
					return nil, err
				}
				neg = append(neg, x)
				continue
			}
			x, err := compileNode(ch)
			if err != nil {
				return nil, err
			}
			and.kids = append(and.kids, x)
		}
		if len(and.kids) == 0 {
			return nil, posError(n, "this group only excludes: add a word it must contain")
		}
		x := and
		for _, y := range neg {
			x = &expr{op: opNot, kids: []*expr{x, y}}
		}
		return x, nil
	case *query.Not:
		return nil, posError(n, "NOT needs something to exclude from")
	case *query.Range:
		return nil, posError(n, "published: can only be combined with AND")
	}
	return nil, fmt.Errorf("postgres: cannot compile query node %T", n)
}

func posError(n query.Node, msg string) error {
	return &diembao.Error{Code: diembao.EINVALID, Pos: n.Pos(),
		Message: fmt.Sprintf("query: %s (at position %d)", msg, n.Pos())}
}

// termExpr compiles a term searched in cols (see query.ColumnSet): its
// exact form in the exact columns OR its folded form in the folded columns.
func termExpr(t *query.Term, cols query.ColumnSet) *expr {
	folded := &expr{op: opPhrase, cols: cols.Folded, tokens: t.Folded, prefix: t.Prefix}
	if cols.Exact == nil {
		return folded
	}
	exact := &expr{op: opPhrase, cols: cols.Exact, tokens: t.Exact, prefix: t.Prefix}
	or := &expr{op: opOr, kids: []*expr{exact, folded}}
	// A folded column holds the folded form of every token of its exact
	// column (a field's one column holds both forms), so an article
	// holding a token in its exact form holds it in its folded form too.
	// Not so for a phrase: a lexeme of the tsvector keeps 256 positions,
	// and a folded lexeme, which several exact ones may share, can lose
	// the positions an exact one keeps. A token that folds to nothing is
	// found in its exact form only.
	if len(t.Exact) == 1 && len(t.Folded) == 1 && t.Folded[0] != "" {
		or.folded = folded
	}
	return or
}

// phrases returns the phrases of x in order, left to right, as FTS5
// numbers them.
func (x *expr) phrases() []*expr {
	var list []*expr
	var walk func(*expr)
	walk = func(x *expr) {
		if x.op == opPhrase {
			list = append(list, x)
			return
		}
		for _, k := range x.kids {
			walk(k)
		}
	}
	walk(x)
	return list
}

// tsquery returns x as tsquery text over the column-prefixed lexemes of the
// index: a phrase is matched in any of its columns, its tokens joined by
// the followed-by operator; a term of one token is searched in its folded
// form alone, which finds the same articles from fewer posting lists (the
// exact form matters to the score only, which is not computed from the
// tsquery).
func (x *expr) tsquery() string {
	var b strings.Builder
	x.writeTsquery(&b)
	return b.String()
}

func (x *expr) writeTsquery(b *strings.Builder) {
	switch x.op {
	case opPhrase:
		b.WriteByte('(')
		for i, c := range x.cols {
			if i > 0 {
				b.WriteString(" | ")
			}
			b.WriteByte('(')
			for j, tok := range x.tokens {
				if j > 0 {
					b.WriteString(" <-> ")
				}
				writeQuoted(b, columns[c].code+":"+tok)
				if x.prefix && j == len(x.tokens)-1 {
					b.WriteString(":*")
				}
			}
			b.WriteByte(')')
		}
		b.WriteByte(')')
	case opAnd, opOr:
		if x.folded != nil {
			x.folded.writeTsquery(b)
			return
		}
		sep := " & "
		if x.op == opOr {
			sep = " | "
		}
		b.WriteByte('(')
		for i, k := range x.kids {
			if i > 0 {
				b.WriteString(sep)
			}
			k.writeTsquery(b)
		}
		b.WriteByte(')')
	case opNot:
		b.WriteByte('(')
		x.kids[0].writeTsquery(b)
		b.WriteString(" & !")
		x.kids[1].writeTsquery(b)
		b.WriteByte(')')
	}
}

// lexemes returns the whole lexemes and the lexeme prefixes the phrases of
// x look for: the parts of an article's tsvector that scoring needs.
func lexemes(phrases []*expr) (whole, prefixes []string) {
	seenW, seenP := map[string]bool{}, map[string]bool{}
	for _, p := range phrases {
		for _, c := range p.cols {
			for j, tok := range p.tokens {
				lex := columns[c].code + ":" + tok
				if p.prefix && j == len(p.tokens)-1 {
					if !seenP[lex] {
						seenP[lex] = true
						prefixes = append(prefixes, lex)
					}
				} else if !seenW[lex] {
					seenW[lex] = true
					whole = append(whole, lex)
				}
			}
		}
	}
	return whole, prefixes
}
