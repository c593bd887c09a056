package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/diembao/diembao/query"
)

// tokenDelta is what a write transaction changes for one token: its
// document frequency (term_stats) and, for a token of the folded columns,
// the articles added to or removed from its set (token_sets), in order.
type tokenDelta struct {
	df      int64
	changes []setChange
}

// tokenDeltas are the changes by token gathered over a write transaction
// and applied to term_stats and token_sets before it commits.
type tokenDeltas map[string]*tokenDelta

// indexToken is a distinct token of an index entry; folded is set when a
// folded title, body or words column holds it.
type indexToken struct {
	token  string
	folded bool
}

// foldedColumn marks the folded columns among ranking.Columns (in the
// order of query.Document.Values).
var foldedColumn = func() (f [len(ranking.Columns)]bool) {
	for i, c := range ranking.Columns {
		f[i] = strings.HasSuffix(c, "_f")
	}
	return f
}()

// tokensOf returns the distinct tokens of an index entry (see
// query.Document.DistinctTokens), marking those of its folded columns
// (see query.Document.FoldedTokens): the folded columns are read first.
func tokensOf(doc *query.Document) []indexToken {
	cols := doc.Values()
	seen := make(map[string]struct{}, 512)
	out := make([]indexToken, 0, 512)
	for pass, folded := range []bool{true, false} {
		for i, col := range cols {
			if foldedColumn[i] != folded {
				continue
			}
			for _, tok := range query.IndexTokens(col) {
				if _, ok := seen[tok]; !ok {
					seen[tok] = struct{}{}
					out = append(out, indexToken{token: tok, folded: pass == 0})
				}
			}
		}
	}
	return out
}

// add records that article id now holds (remove false) or no longer holds
// (remove true) the tokens of an index entry.
func (d tokenDeltas) add(toks []indexToken, id int64, remove bool) {
	delta := int64(1)
	if remove {
		delta = -1
	}
	for _, t := range toks {
		e := d[t.token]
		if e == nil {
			e = &tokenDelta{}
			d[t.token] = e
		}
		e.df += delta
		if t.folded {
			e.changes = append(e.changes, setChange{id: id, remove: remove})
		}
	}
}

// termStatsSQL applies one token's change; a token whose frequency falls to
// zero is deleted.
const (
	termStatsSQL = `INSERT INTO term_stats (token, df) VALUES (?, ?)
		ON CONFLICT (token) DO UPDATE SET df = df + excluded.df`
	termStatsPruneSQL = `DELETE FROM term_stats WHERE token = ? AND df <= 0`
)

// applyTerms writes the changes the writer gathered to term_stats.
func (w *writer) applyTerms() error {
	for tok, d := range w.tokens {
		n := d.df
		if n == 0 {
			continue
		}
		up, err := w.prepared(&w.termUp, termStatsSQL)
		if err == nil {
			_, err = up.ExecContext(w.ctx, tok, n)
		}
		if err == nil && n < 0 {
			var prune *sql.Stmt
			if prune, err = w.prepared(&w.termPrune, termStatsPruneSQL); err == nil {
				_, err = prune.ExecContext(w.ctx, tok)
			}
		}
		if err != nil {
			return fmt.Errorf("sqlite: term statistics: %w", err)
		}
	}
	return nil
}

// phraseDFs returns the document frequencies of the tokens of each phrase
// (see query.PhraseIDF), read from term_stats; a prefix counts the
// articles that hold a token it begins.
func phraseDFs(ctx context.Context, tx *sql.Tx, phrases []query.Phrase) ([][]int64, error) {
	st := query.NewTokenStats(phrases)
	if len(st.Tokens) > 0 {
		args := make([]any, len(st.Tokens))
		for i, t := range st.Tokens {
			args[i] = t
		}
		r, err := tx.QueryContext(ctx, `SELECT token, df FROM term_stats WHERE token IN (`+
			strings.TrimSuffix(strings.Repeat("?,", len(args)), ",")+`)`, args...)
		if err != nil {
			return nil, queryError(ctx, err)
		}
		for r.Next() {
			var (
				tok string
				n   int64
			)
			if err := r.Scan(&tok, &n); err != nil {
				r.Close()
				return nil, queryError(ctx, err)
			}
			st.DF[tok] = n
		}
		r.Close()
		if err := r.Err(); err != nil {
			return nil, queryError(ctx, err)
		}
	}
	for _, p := range st.Prefixes {
		var n int64
		cond, args := prefixRange(p)
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(df), 0) FROM term_stats WHERE `+cond, args...).Scan(&n); err != nil {
			return nil, queryError(ctx, err)
		}
		st.SetPrefix(p, n)
	}
	return st.PhraseDFs(phrases), nil
}

// prefixRange returns the condition on term_stats.token, with its
// arguments, that holds for the tokens prefix begins (see
// query.PrefixBounds).
func prefixRange(prefix string) (string, []any) {
	lo, hi := query.PrefixBounds(prefix)
	if hi == "" {
		return `token >= ?`, []any{lo}
	}
	return `token >= ? AND token < ?`, []any{lo, hi}
}
