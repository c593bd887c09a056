package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/diembao/diembao/internal/idset"
	"github.com/diembao/diembao/internal/tokfreq"
	"github.com/diembao/diembao/query"
)

// tokenDelta is what a write transaction changes for one token: its
// document frequency (term_stats), for a token of the folded columns the
// articles added to or removed from its set (token_sets), and for a token
// of the scored text columns the articles whose counts change
// (token_freqs).
//
// As long as every change to the token is the addition of an article newer
// than the one before (an import), the additions are kept by chunk as they
// will be stored (setAdds, freqAdds). From the first other change on
// (an update), the changes are kept in order (changes, freqs) and applied
// after the additions.
type tokenDelta struct {
	df       int64
	setAdds  []setRun
	freqAdds []freqRun
	last     int64 // the ID of the last addition
	mixed    bool  // a change other than an addition has come
	changes  []setChange
	freqs    []freqChange
}

// setRun holds the offsets of new articles in one chunk of a token set, in
// ascending order.
type setRun struct {
	chunk int64
	offs  []uint16
}

// freqRun builds the stored form of the counts of new articles in one
// chunk of a token's counts.
type freqRun struct {
	chunk  int64
	counts tokfreq.Builder
}

// tokenDeltas are the changes by token gathered over a write transaction
// and applied to term_stats, token_sets and token_freqs before it commits.
type tokenDeltas map[string]*tokenDelta

// indexToken is a distinct token of an index entry; folded is set when a
// folded title, body or words column holds it, counts are its instances in
// the columns token_freqs counts (see tokfreq.Columns).
type indexToken struct {
	token  string
	folded bool
	counts tokfreq.Counts
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
// (see query.Document.FoldedTokens) and counting their instances in the
// first tokfreq.Columns columns: the folded columns are read first.
func tokensOf(doc *query.Document) []indexToken {
	toks, _ := tokensAndSeq(doc, nil)
	return toks
}

// tokensAndSeq returns tokensOf(doc) and, with a dictionary, the entry's
// seqTokens, tokenizing each column once.
func tokensAndSeq(doc *query.Document, dict *tokenDict) ([]indexToken, seqTokens) {
	cols := doc.Values()
	seen := make(map[string]int, 512)
	out := make([]indexToken, 0, 512)
	// text holds the tokens of the title, folded title, body and folded
	// body.
	var text [tokfreq.Columns][]string
	for pass, folded := range []bool{true, false} {
		for i, col := range cols {
			if foldedColumn[i] != folded {
				continue
			}
			toks := query.IndexTokens(col)
			if i < tokfreq.Columns {
				text[i] = toks
			}
			for _, tok := range toks {
				at, ok := seen[tok]
				if !ok {
					at = len(out)
					seen[tok] = at
					out = append(out, indexToken{token: tok, folded: pass == 0})
				}
				if i < tokfreq.Columns {
					out[at].counts[i]++
				}
			}
		}
	}
	if dict == nil {
		return out, seqTokens{}
	}
	return out, newSeqTokens(dict, text[0], text[1], text[2], text[3])
}

// add records that article id now holds (remove false) or no longer holds
// (remove true) the tokens of an index entry.
func (d tokenDeltas) add(toks []indexToken, id int64, remove bool) {
	delta := int64(1)
	if remove {
		delta = -1
	}
	for i := range toks {
		t := &toks[i]
		e := d[t.token]
		if e == nil {
			e = &tokenDelta{}
			d[t.token] = e
		}
		e.df += delta
		if !remove && !e.mixed && id > e.last {
			e.addNew(id, t.folded, &t.counts)
			continue
		}
		e.mixed = true
		if t.folded {
			e.changes = append(e.changes, setChange{id: id, remove: remove})
		}
		if !t.counts.IsZero() {
			ch := freqChange{id: id}
			if !remove {
				ch.counts = t.counts
			}
			e.freqs = append(e.freqs, ch)
		}
	}
}

// posting is a token of an article of a batch: the article's position in
// the batch, whether a folded column holds the token, and its counts.
type posting struct {
	art    int32
	folded bool
	counts tokfreq.Counts
}

// gather lists the tokens of the entries of a batch by token, each with
// the articles holding it in batch order. It runs with the analysis, so
// that the writer does not look up a token for each of its articles.
func gather(toks [][]indexToken) map[string][]posting {
	n := 0
	for _, t := range toks {
		n = max(n, len(t))
	}
	out := make(map[string][]posting, 4*n)
	for i, list := range toks {
		for j := range list {
			t := &list[j]
			out[t.token] = append(out[t.token], posting{art: int32(i), folded: t.folded, counts: t.counts})
		}
	}
	return out
}

// additions returns the token changes of a batch of new articles whose
// IDs are ids, in batch order and ascending, from its tokens gathered by
// token: what tokenDeltas.add gives for each article in turn.
func additions(byToken map[string][]posting, ids []int64) tokenDeltas {
	d := make(tokenDeltas, len(byToken))
	deltas := make([]tokenDelta, len(byToken))
	k := 0
	for tok, ps := range byToken {
		e := &deltas[k]
		k++
		d[tok] = e
		e.df = int64(len(ps))
		for i := range ps {
			e.addNew(ids[ps[i].art], ps[i].folded, &ps[i].counts)
		}
	}
	return d
}

// addNew records that article id, newer than those added before, holds
// the token (in a folded column when folded) with counts.
func (e *tokenDelta) addNew(id int64, folded bool, counts *tokfreq.Counts) {
	e.last = id
	if folded {
		chunk, off := idset.ChunkOf(id)
		if n := len(e.setAdds); n == 0 || e.setAdds[n-1].chunk != chunk {
			e.setAdds = append(e.setAdds, setRun{chunk: chunk})
		}
		r := &e.setAdds[len(e.setAdds)-1]
		r.offs = append(r.offs, off)
	}
	if !counts.IsZero() {
		chunk, off := tokfreq.ChunkOf(id)
		if n := len(e.freqAdds); n == 0 || e.freqAdds[n-1].chunk != chunk {
			e.freqAdds = append(e.freqAdds, freqRun{chunk: chunk})
		}
		r := &e.freqAdds[len(e.freqAdds)-1]
		r.counts.Add(off, counts)
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

// prefixRange returns the condition on a table's token column, with its
// arguments, that holds for the tokens prefix begins (see prefixBounds).
func prefixRange(prefix string) (string, []any) {
	lo, hi := prefixBounds(prefix)
	return `token >= ? AND token < ?`, []any{lo, hi}
}

// prefixBounds returns the range [lo, hi) of the tokens prefix begins (see
// query.PrefixBounds), with an upper end even where query.PrefixBounds has
// none: prefix followed by the byte 0xFF, which no token (valid UTF-8)
// holds.
func prefixBounds(prefix string) (lo, hi string) {
	lo, hi = query.PrefixBounds(prefix)
	if hi == "" {
		hi = prefix + "\xff"
	}
	return lo, hi
}

// scatter lists the tokens of each entry of a batch from its tokens
// gathered by token (see gather): n lists, in no particular order.
func scatter(byToken map[string][]posting, n int) [][]indexToken {
	out := make([][]indexToken, n)
	for tok, ps := range byToken {
		for _, p := range ps {
			out[p.art] = append(out[p.art], indexToken{token: tok, folded: p.folded, counts: p.counts})
		}
	}
	return out
}
