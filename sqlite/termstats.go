package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/diembao/diembao/query"
)

// termDeltas are changes of document frequencies by token, gathered over a
// write transaction and applied to term_stats before it commits.
type termDeltas map[string]int64

// add adds delta to the document frequency of every distinct token of doc.
func (d termDeltas) add(doc *query.Document, delta int64) {
	for _, tok := range doc.DistinctTokens() {
		d[tok] += delta
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
	for tok, n := range w.terms {
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
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM article_index WHERE article_index MATCH ?`,
			phrase([]string{p}, true)).Scan(&n); err != nil {
			return nil, queryError(ctx, err)
		}
		st.SetPrefix(p, n)
	}
	return st.PhraseDFs(phrases), nil
}
