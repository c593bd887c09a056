package postgres

import (
	"sort"
	"strconv"
	"strings"

	"github.com/diembao/diembao/internal/tokfreq"
	"github.com/diembao/diembao/internal/tokpos"
	"github.com/diembao/diembao/query"
)

// column is one column of the full-text index. The embedded store keeps
// the same columns, in the same order, in its FTS5 table; each lexeme of the
// tsvector is the column's code, a colon and the token, positioned within
// its column, so a column-restricted query is a query on prefixed lexemes.
type column struct {
	name string // the FTS5 column name, for messages and the weights
	code string // the lexeme prefix
}

// columns lists the index columns in the order of query.Ranking.Columns
// and query.Document.Values.
var columns = []column{
	{"title", "t"},
	{"title_f", "tf"},
	{"body", "b"},
	{"body_f", "bf"},
	{"words", "w"},
	{"words_f", "wf"},
	{"author", "a"},
	{"source", "s"},
	{"section", "c"},
}

// maxPos and maxPositions are PostgreSQL's limits on tsvector positions: a
// position above 16383 is stored as 16383, and a lexeme keeps at most 256
// positions.
const (
	maxPos       = 16383
	maxPositions = 256
)

// indexEntry is the index entry of one article: its tsvector in PostgreSQL's
// text form, its number of tokens over all columns, its distinct tokens
// (what the article adds to term_stats), its counts by token_freqs key
// (what it adds to token_freqs, see countKey) and its positions by
// token_positions key (see addPositions).
type indexEntry struct {
	tsv       string
	ntokens   int
	tokens    []string
	counts    map[string]*tokfreq.Counts
	positions map[string]*tokpos.Positions
}

// buildEntry turns the analysed document into its index entry. The texts
// are split into tokens exactly as the embedded store's FTS5 "ascii"
// tokenizer splits them (query.IndexTokens), so that both backends count the same
// tokens.
func buildEntry(doc *query.Document) indexEntry {
	positions := map[string][]int{}
	seen := map[string]bool{}
	var distinct []string
	n := 0
	for i, text := range doc.Values() {
		toks := query.IndexTokens(text)
		n += len(toks)
		for p, tok := range toks {
			if !seen[tok] {
				seen[tok] = true
				distinct = append(distinct, tok)
			}
			lex := columns[i].code + ":" + tok
			pos := positions[lex]
			if len(pos) < maxPositions {
				positions[lex] = append(pos, min(p+1, maxPos))
			}
		}
	}
	lexemes := make([]string, 0, len(positions))
	for lex := range positions {
		lexemes = append(lexemes, lex)
	}
	sort.Strings(lexemes)
	var b strings.Builder
	counts := map[string]*tokfreq.Counts{}
	positionsOf := map[string]*tokpos.Positions{}
	var kept []int
	for i, lex := range lexemes {
		if i > 0 {
			b.WriteByte(' ')
		}
		writeQuoted(&b, lex)
		b.WriteByte(':')
		prev := -1
		kept = kept[:0]
		for _, p := range positions[lex] {
			if p == prev { // positions clamped to maxPos collapse
				continue
			}
			if len(kept) > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(p))
			prev = p
			kept = append(kept, p)
		}
		addCount(counts, lex, len(kept))
		addPositions(positionsOf, lex, kept)
	}
	return indexEntry{tsv: b.String(), ntokens: n, tokens: distinct, counts: counts, positions: positionsOf}
}

// writeQuoted writes s as a quoted lexeme of tsvector or tsquery text.
func writeQuoted(b *strings.Builder, s string) {
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\'':
			b.WriteString("''")
		case '\\':
			b.WriteString(`\\`)
		default:
			b.WriteByte(s[i])
		}
	}
	b.WriteByte('\'')
}
