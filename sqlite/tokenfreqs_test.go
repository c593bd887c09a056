package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/internal/idset"
	"github.com/diembao/diembao/internal/tokfreq"
)

// freqs holds counts by token, then article.
type freqs map[string]map[int64]tokfreq.Counts

// indexFreqs counts FTS5's instances of every token in the columns
// token_freqs counts: what it must hold.
func indexFreqs(t *testing.T, db *DB) freqs {
	t.Helper()
	ctx := context.Background()
	conn := vocabConn(t, db, "vocab_inst", "instance")
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, `SELECT term, doc, col, count(*) FROM temp.vocab_inst GROUP BY term, doc, col`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := freqs{}
	for rows.Next() {
		var (
			tok, col string
			id       int64
			n        uint32
		)
		if err := rows.Scan(&tok, &id, &col, &n); err != nil {
			t.Fatal(err)
		}
		i := slices.Index(freqColumns[:], col)
		if i < 0 {
			continue
		}
		if out[tok] == nil {
			out[tok] = map[int64]tokfreq.Counts{}
		}
		c := out[tok][id]
		c[i] = n
		out[tok][id] = c
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// storedFreqs reads token_freqs back.
func storedFreqs(t *testing.T, db *DB) freqs {
	t.Helper()
	rows, err := db.db.Query(`SELECT grp, token, chunk, freqs FROM token_freqs`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := freqs{}
	for rows.Next() {
		var (
			grp, chunk int64
			tok        string
			b          []byte
		)
		if err := rows.Scan(&grp, &tok, &chunk, &b); err != nil {
			t.Fatal(err)
		}
		if grp != freqGroupOf(chunk) {
			t.Errorf("%q chunk %d is in group %d", tok, chunk, grp)
		}
		if len(b) == 0 {
			t.Errorf("%q chunk %d: an empty chunk is stored", tok, chunk)
		}
		if out[tok] == nil {
			out[tok] = map[int64]tokfreq.Counts{}
		}
		if err := tokfreq.Each(b, func(off uint16, c *tokfreq.Counts) { out[tok][chunk*tokfreq.ChunkSize+int64(off)] = *c }); err != nil {
			t.Fatalf("%q chunk %d: %v", tok, chunk, err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestTokenFreqsFollowIndex checks that the counts the writer keeps equal
// FTS5's instances after inserts into stored chunks and across a chunk
// boundary, and after the steps of rewriteSteps (an update, a batch that
// stores and replaces an article, the migration).
func TestTokenFreqsFollowIndex(t *testing.T) {
	db := openTest(t)
	check := func(step string) {
		t.Helper()
		want, got := indexFreqs(t, db), storedFreqs(t, db)
		if len(want) == 0 {
			t.Fatalf("%s: the index has no tokens", step)
		}
		diffTokens(t, step, "token_freqs", want, got, maps.Equal)
	}
	writeSteps(t, db, check)
	rewriteSteps(t, db, fixtureArticles(t)[0], []string{"token_freqs"}, []string{"0006_token_freqs.sql"}, check)
}

// TestWindowScoresFromCounts checks that scoring a window from token_freqs
// gives every article of it the score diembao_rank gives it, to the bit, for
// the searches the sets answer, and that it declines what it cannot score.
func TestWindowScoresFromCounts(t *testing.T) {
	ctx := context.Background()
	db := openCorpus(t)
	// A few articles in chunks of counts 5 and 20 as well, so that
	// windows hold chunks both as a range and as a list (see
	// scoreWindow).
	for i, chunk := range []int64{5, 5, 20} {
		if _, err := db.db.ExecContext(ctx, `INSERT OR IGNORE INTO articles (id, url, content_hash, stored_at, updated_at)
			VALUES (?, ?, 'x', 0, 0)`, chunk*tokfreq.ChunkSize-1, fmt.Sprintf("https://placeholder.example/%d", chunk)); err != nil {
			t.Fatal(err)
		}
		a := &diembao.Article{URL: fmt.Sprintf("https://xa-xa.example/%d", i), SourceName: "Báo Xa Xa", Title: "Tỉnh Hà Nam mưa lũ",
			Published: time.Date(2024, 5, 1, 8, 0, 0, 0, diembao.Vietnam),
			Body:      []diembao.Paragraph{{Text: "Mưa lũ ở tỉnh Hà Nam và Hà Nội; bão số 3 sạt lở nhiều nơi."}}}
		res, err := NewArticleService(db).PutArticle(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := tokfreq.ChunkOf(res.ID); got != chunk {
			t.Fatalf("article %d is in chunk %d, want %d", res.ID, got, chunk)
		}
	}
	s := NewSearchService(db)
	if err := s.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	scoredN := 0
	for _, text := range setQueries(t) {
		p, err := s.plan(diembao.SearchRequest{Query: text})
		if err != nil || p.setToks == nil {
			continue
		}
		func() {
			tx, err := db.db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			rk, _, _, set, lo, hi := windowOf(t, s, tx, p, text)
			if hi < 0 {
				return
			}
			got, ok, err := s.scoreWindow(ctx, tx, p, rk, set, lo, hi)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				t.Errorf("%s: the counts do not score it", text)
				return
			}
			want, err := scoreRange(ctx, tx, rk, p.match, lo, hi, &scan{in: set, window: -1})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("%s: %d scores, diembao_rank gives %d", text, len(got), len(want))
			}
			for i := range got {
				if got[i].ID != want[i].ID || math.Float64bits(got[i].Score) != math.Float64bits(want[i].Score) {
					t.Errorf("%s: article %d scores %v, diembao_rank: article %d %v", text, got[i].ID, got[i].Score, want[i].ID, want[i].Score)
				}
			}
			scoredN++
		}()
	}
	if scoredN < 20 {
		t.Fatalf("only %d searches were scored from the counts", scoredN)
	}
}

// TestScoreWindowDeclines checks that scoreWindow leaves to FTS5 what the
// counts cannot score: articles whose lengths are not in memory, and
// searches with counts switched off.
func TestScoreWindowDeclines(t *testing.T) {
	ctx := context.Background()
	db := openCorpus(t)
	for _, warm := range []bool{false, true} {
		s := NewSearchService(db)
		s.noFreqs = warm
		if warm {
			if err := s.Warm(ctx); err != nil {
				t.Fatal(err)
			}
		}
		p, err := s.plan(diembao.SearchRequest{Query: "tỉnh"})
		if err != nil {
			t.Fatal(err)
		}
		tx, err := db.db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		rk, _, err := p.rankers(ctx, tx)
		if err != nil {
			t.Fatal(err)
		}
		rk.lengths = s.attrs.loadedLengths()
		var win idset.Set
		win.Add(1)
		_, ok, err := s.scoreWindow(ctx, tx, p, rk, &win, 1, 1)
		tx.Rollback()
		if err != nil || ok {
			t.Errorf("%s: scoreWindow = %v, %v; want it declined", fmt.Sprint(warm), ok, err)
		}
	}
}

// TestFillTokenFreqsInRanges checks that the migration's fill gives the
// rows the writer keeps whatever the ranges of tokens it takes at a time,
// down to a token a range.
func TestFillTokenFreqsInRanges(t *testing.T) {
	ctx := context.Background()
	db := openCorpus(t)
	want := storedFreqs(t, db)
	defer func(n int64) { fillRangePostings = n }(fillRangePostings)
	for _, postings := range []int64{1, 40, 1 << 40} {
		fillRangePostings = postings
		tx, err := db.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		bounds, err := fillRanges(ctx, tx, postings)
		tx.Rollback()
		if err != nil {
			t.Fatal(err)
		}
		if postings < 1<<40 && len(bounds) < 10 {
			t.Fatalf("%d articles a range: only %d ranges", postings, len(bounds))
		}
		exec(t, db, `DROP TABLE token_freqs`, `DELETE FROM schema_migrations WHERE name = '0006_token_freqs.sql'`)
		if err := db.migrate(ctx); err != nil {
			t.Fatal(err)
		}
		diffTokens(t, fmt.Sprintf("filled in %d ranges", len(bounds)), "token_freqs", want, storedFreqs(t, db), maps.Equal)
	}
}

// windowOf prepares, in tx, what scoring the matches of p's query needs:
// its rankers (with the articles' lengths s holds in memory), its prefixes
// expanded, and the set of its matches read whole from the token sets by
// a reader r (closed with the test), with the set's first and last IDs (hi
// < 0 when the set is empty).
func windowOf(t *testing.T, s *SearchService, tx *sql.Tx, p *plan, text string) (rk, bk *ranker, r *setReader, set *idset.Set, lo, hi int64) {
	t.Helper()
	ctx := context.Background()
	rk, bk, err := p.rankers(ctx, tx)
	if err != nil {
		t.Fatal(err)
	}
	s.attrs.mu.RLock()
	rk.lengths = s.attrs.loadedLengths()
	s.attrs.mu.RUnlock()
	if bk != nil {
		bk.lengths = rk.lengths
	}
	if ok, err := p.expand(ctx, tx, rk); err != nil || !ok {
		t.Fatalf("%s: expand = %v, %v", text, ok, err)
	}
	r = newSetReader(ctx, tx, p.prefixes)
	r.dict, r.seqs, p.phraseCounts = &s.db.dict, &s.db.seqs, r.counts
	t.Cleanup(r.close)
	top, err := r.maxGroup()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.readAll(p.setToks, top); err != nil {
		t.Fatal(err)
	}
	if set, err = r.eval(p.text); err != nil {
		t.Fatal(err)
	}
	lo, hi = -1, -1
	set.Descending(func(id int64) bool {
		if hi < 0 {
			hi = id
		}
		lo = id
		return true
	})
	return rk, bk, r, set, lo, hi
}
