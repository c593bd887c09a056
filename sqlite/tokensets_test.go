package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/internal/idset"
	"github.com/diembao/diembao/internal/storetest"
	"github.com/diembao/diembao/query"
	"github.com/diembao/diembao/viet"
)

// indexSets reads, for every token of the folded columns, the articles FTS5
// finds it in: what token_sets must hold.
func indexSets(t *testing.T, db *DB) map[string][]int64 {
	t.Helper()
	ctx := context.Background()
	conn := vocabConn(t, db, "vocab_cols", "col")
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, `SELECT DISTINCT term FROM temp.vocab_cols WHERE col IN ('title_f', 'body_f', 'words_f')`)
	if err != nil {
		t.Fatal(err)
	}
	var tokens []string
	for rows.Next() {
		var tok string
		if err := rows.Scan(&tok); err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, tok)
	}
	rows.Close()
	out := map[string][]int64{}
	for _, tok := range tokens {
		rows, err := conn.QueryContext(ctx, `SELECT rowid FROM article_index WHERE article_index MATCH ? ORDER BY rowid`,
			`{title_f body_f words_f} : `+phrase([]string{tok}, false))
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			out[tok] = append(out[tok], id)
		}
		rows.Close()
	}
	return out
}

// storedSets reads token_sets back as sorted IDs by token.
func storedSets(t *testing.T, db *DB) map[string][]int64 {
	t.Helper()
	rows, err := db.db.Query(`SELECT grp, token, chunk, ids FROM token_sets ORDER BY token, chunk`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]int64{}
	for rows.Next() {
		var (
			grp, chunk int64
			tok        string
			ids        []byte
		)
		if err := rows.Scan(&grp, &tok, &chunk, &ids); err != nil {
			t.Fatal(err)
		}
		if grp != groupOf(chunk) {
			t.Errorf("%q chunk %d is in group %d", tok, chunk, grp)
		}
		c, err := idset.DecodeChunk(ids)
		if err != nil {
			t.Fatalf("%q chunk %d: %v", tok, chunk, err)
		}
		if c.Len() == 0 {
			t.Errorf("%q chunk %d: an empty chunk is stored", tok, chunk)
		}
		for off := range idset.ChunkSize {
			if c.Has(uint16(off)) {
				out[tok] = append(out[tok], chunk*idset.ChunkSize+int64(off))
			}
		}
	}
	return out
}

// TestTokenSetsFollowIndex checks that the token sets the writer keeps
// equal what FTS5 finds after inserts into stored chunks and across a
// chunk boundary, and after the steps of rewriteSteps.
func TestTokenSetsFollowIndex(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	check := func(step string) {
		t.Helper()
		want, got := indexSets(t, db), storedSets(t, db)
		if len(want) == 0 {
			t.Fatalf("%s: the index has no tokens", step)
		}
		// What a search reads is what is stored.
		tx, err := db.db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		r := newSetReader(ctx, tx, nil)
		for tok, ids := range want {
			top, err := r.maxGroup()
			if err != nil {
				t.Fatal(err)
			}
			if err := r.readAll([]string{tok}, top); err != nil {
				t.Fatal(err)
			}
			set := r.read[tok]
			var read []int64
			set.Descending(func(id int64) bool { read = append(read, id); return true })
			slices.Reverse(read)
			if !slices.Equal(read, ids) {
				t.Errorf("%s: %q: a search reads %v, the index holds %v", step, tok, read, ids)
			}
		}
		r.close()
		tx.Rollback()
		diffTokens(t, step, "token_sets", want, got, slices.Equal)
	}
	writeSteps(t, db, check)
	rewriteSteps(t, db, fixtureArticles(t)[0], []string{"token_sets"}, []string{"0005_token_sets.sql"}, check)
}

// diffTokens reports, for each token, where what table holds (got)
// differs from what the index holds (want).
func diffTokens[V any](t *testing.T, step, table string, want, got map[string]V, equal func(a, b V) bool) {
	t.Helper()
	for _, tok := range slices.Sorted(maps.Keys(want)) {
		if g, ok := got[tok]; !ok || !equal(want[tok], g) {
			t.Errorf("%s: %q: %s holds %v, the index %v", step, tok, table, g, want[tok])
		}
	}
	for tok, g := range got {
		if _, ok := want[tok]; !ok {
			t.Errorf("%s: %q: %s holds %v, the index nothing", step, tok, table, g)
		}
	}
}

// writeSteps stores the fixture articles in an empty store in three
// batches, calling check after each: two batches in the first chunk (the
// second adds to stored chunks), then one whose articles get IDs on both
// sides of a chunk boundary that is a group boundary too.
func writeSteps(t *testing.T, db *DB, check func(step string)) {
	t.Helper()
	ctx := context.Background()
	svc := NewArticleService(db)
	list := fixtureArticles(t)
	half := len(list) / 2
	if _, err := svc.PutArticles(ctx, list[:2]); err != nil {
		t.Fatal(err)
	}
	check("first batch")
	if _, err := svc.PutArticles(ctx, list[2:half]); err != nil {
		t.Fatal(err)
	}
	check("second batch")
	boundary := int64(idset.ChunkSize)<<groupBits - 2
	if _, err := db.db.ExecContext(ctx, `INSERT INTO articles (id, url, content_hash, stored_at, updated_at)
		VALUES (?, 'https://placeholder.example/', 'x', 0, 0)`, boundary); err != nil {
		t.Fatal(err)
	}
	res, err := svc.PutArticles(ctx, list[half:])
	if err != nil {
		t.Fatal(err)
	}
	if last := res[len(res)-1].ID; last < boundary+2 {
		t.Fatalf("last ID %d does not cross the chunk boundary", last)
	}
	check("insert")
}

// TestSetsAnswerAsFTS5 checks that searches answered from the token sets
// give exactly the answers of the same searches walking FTS5: hits, scores,
// totals, facets and cursors, in every order, with and without filters,
// and with limits small enough that windows and counts are cut.
func TestSetsAnswerAsFTS5(t *testing.T) {
	ctx := context.Background()
	db := openCorpus(t)
	// A few more articles in the next group of chunks, so that searches
	// read several groups and may stop before the oldest.
	if _, err := db.db.ExecContext(ctx, `INSERT INTO articles (id, url, content_hash, stored_at, updated_at)
		VALUES (?, 'https://placeholder.example/', 'x', 0, 0)`, int64(idset.ChunkSize)<<groupBits-1); err != nil {
		t.Fatal(err)
	}
	published := time.Date(2024, 3, 1, 8, 0, 0, 0, diembao.Vietnam)
	for i, text := range []string{
		"Tỉnh Hà Nam họp bàn phòng chống bão và mưa lũ trong mùa mưa năm nay.",
		"Hà Nội: mưa lớn, nhiều tuyến phố ngập; tỉnh lân cận sơ tán dân vùng sạt lở.",
		"Bão số 3 đổ bộ, các tỉnh ven biển cấm tàu thuyền ra khơi.",
	} {
		a := &diembao.Article{URL: fmt.Sprintf("https://nhom-moi.example/%d", i), SourceName: "Báo Nhóm Mới", Title: strings.Join(strings.Fields(text)[:4], " "),
			Section: "Thời sự", Published: published.Add(time.Duration(i) * time.Hour),
			Body: []diembao.Paragraph{{Text: text}}}
		if _, err := NewArticleService(db).PutArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	texts := setQueries(t)
	all := []string{"source", "section", "day"}
	small := query.Limits{Window: 3, Count: 4}
	// The window and the count limit only matter to relevance order.
	combos := []struct {
		lim    query.Limits
		sort   diembao.Sort
		facets []string
	}{
		{query.DefaultLimits(), diembao.SortRelevance, nil},
		{query.DefaultLimits(), diembao.SortRelevance, all},
		{small, diembao.SortRelevance, nil},
		{small, diembao.SortRelevance, all},
		{query.Limits{Window: 1}, diembao.SortRelevance, nil},
		{small, diembao.SortNewest, nil},
		{small, diembao.SortNewest, all},
		{small, diembao.SortOldest, all},
	}
	viaSets := 0
	defer func(d, m int) { denseWindow, minChecks = d, m }(denseWindow, minChecks)
	// A query with a boost scores a dense window from the counts, a
	// sparse one in FTS5's walk (see denseWindow): both ways, every time.
	// Phrases are checked group by group in the first round, the groups
	// below with the first in the second (see minChecks).
	for _, dense := range []int{0, 1 << 20} {
		denseWindow, minChecks = dense, 256
		if dense == 0 {
			minChecks = 1
		}
		for _, text := range texts {
			for _, c := range combos {
				req := diembao.SearchRequest{Query: text, Sort: c.sort, Facets: c.facets, Limit: 3}
				name := fmt.Sprintf("%s/%v/%s/%v/denseWindow %d", text, c.lim, c.sort, c.facets, dense)
				// sets may score from the token counts when a filter has
				// loaded the attributes, warmed always can.
				sets, warmed, fts := NewSearchService(db), NewSearchService(db), NewSearchService(db)
				sets.Limits, warmed.Limits, fts.Limits = c.lim, c.lim, c.lim
				fts.noSets = true
				if err := warmed.Warm(ctx); err != nil {
					t.Fatal(err)
				}
				p, err := sets.plan(req)
				if err != nil || p.setToks == nil && !p.excluding {
					continue // both would walk FTS5
				}

				viaSets++
				for page := 0; page < 4; page++ {
					a, errA := sets.Search(ctx, req)
					w, errW := warmed.Search(ctx, req)
					f, errF := fts.Search(ctx, req)
					if (errA != nil) != (errF != nil) || (errW != nil) != (errF != nil) {
						t.Fatalf("%s: errors %v, %v and %v", name, errA, errW, errF)
					}
					if errA != nil {
						break
					}
					if fmt.Sprint(a) != fmt.Sprint(f) {
						t.Fatalf("%s page %d:\nsets %+v\nFTS5 %+v", name, page, a, f)
					}
					if fmt.Sprint(w) != fmt.Sprint(f) {
						t.Fatalf("%s page %d:\nwarmed %+v\nFTS5 %+v", name, page, w, f)
					}
					if a.NextCursor == "" {
						break
					}
					req.Cursor = a.NextCursor
				}
			}
		}
	}
	if viaSets < 400 {
		t.Fatalf("only %d searches went through the token sets", viaSets)
	}
}

// setQueries returns queries of every shape the token sets answer, and the
// conformance queries.
func setQueries(t *testing.T) []string {
	t.Helper()
	qs, err := storetest.Queries()
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{"tỉnh", "ha noi", "hà nội -bão", "(bão OR lũ) -mưa", "mưa lũ OR sạt", "bao", "bão published:[2024-01-01 TO 2024-12-31]",
		// Queries that only exclude: on the sets, or by FTS5 for phrases,
		// prefixes and fields, then from the attributes.
		"-bão", "-mưa -lũ published:[2024-01-01 TO 2024-12-31]", "NOT (bão OR tỉnh)", "-(mưa lũ) -sạt",
		`-"mưa lũ" -bão`, `-title:bão published:[2024-01-01 TO 2024-12-31]`, "-tỉn*",
		// Prefixes, spelled out as the tokens they begin.
		"tỉn*", "ha*", "bã* OR mư*", "hà nộ* -bão", "hà nộ* -bão published:[2020-01-01 TO 2024-12-31]", "mư* lũ", "th* -mưa", "xyzq* OR bão",
		// Phrases, from the token sequences and pairs: typed, folded, with
		// a tone mark changed, beside words, excluded, in a date range.
		`"mưa lũ"`, `"mua lu"`, `"mưa lù"`, `"tỉnh hà nam" bão`, `"hà nội" OR "hà nam"`, `"mưa lũ" -"sạt lở"`,
		`"bão số 3" published:[2024-01-01 TO 2024-12-31]`, `"lũ mưa"`, `"xyzq mưa"`,
		// Phrases excluded from what the rest of an AND matches, checked
		// there only; one excluded here and searched elsewhere.
		`tỉnh -"hà nam" -"ven biển"`, `(mưa -"hà nội") OR bão`, `"mưa lũ" OR (tỉnh -"mưa lũ")`}
	for _, q := range qs {
		texts = append(texts, q.Query)
	}
	return texts
}

// TestTokensOf checks that the tokens the writer counts are the distinct
// tokens of the entry, marked when a folded column holds them.
func TestTokensOf(t *testing.T) {
	an := query.DefaultAnalyzer()
	for _, a := range fixtureArticles(t) {
		doc := an.Document(a)
		toks := tokensOf(&doc)
		var all []string
		var folded []string
		for _, tok := range toks {
			all = append(all, tok.token)
			if tok.folded {
				folded = append(folded, tok.token)
			}
		}
		want, wantFolded := doc.DistinctTokens(), doc.FoldedTokens()
		slices.Sort(all)
		slices.Sort(folded)
		slices.Sort(want)
		slices.Sort(wantFolded)
		if !slices.Equal(all, want) || !slices.Equal(folded, wantFolded) {
			t.Errorf("%s: tokens %q (folded %q), want %q (folded %q)", a.URL, all, folded, want, wantFolded)
		}
		if len(wantFolded) == 0 || len(wantFolded) == len(want) {
			t.Errorf("%s: %d folded of %d tokens: the fixture does not test the marks", a.URL, len(wantFolded), len(want))
		}
	}
}

// openCorpus opens a fresh store holding the conformance corpus.
func openCorpus(t *testing.T) *DB {
	t.Helper()
	db := openTest(t)
	b := &storetest.Backend{Name: "sqlite", Sources: NewSourceService(db), Articles: NewArticleService(db)}
	corpus, err := storetest.LoadCorpus()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := storetest.Load(context.Background(), b, corpus); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestExpandPrefixes checks that the folded half of a prefix expands to
// the folded tokens of term_stats it begins (those the sets hold, without
// the segmented words), in order, that its exact half may expand to any
// token, and that a prefix beginning more than maxPrefixTokens tokens is
// left to FTS5.
func TestExpandPrefixes(t *testing.T) {
	ctx := context.Background()
	db := openCorpus(t)
	dfs := statsDFs(t, db)
	s := NewSearchService(db)
	p, err := s.plan(diembao.SearchRequest{Query: "ha* OR tỉn*"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.setToks, []string{"ha*", "tin*"}) {
		t.Fatalf("set tokens %q", p.setToks)
	}
	want := map[string][]string{}
	for tok, n := range dfs {
		for _, prefix := range []string{"ha", "tin"} {
			if n > 0 && strings.HasPrefix(tok, prefix) && viet.Fold(tok) == tok && !strings.Contains(tok, "_") {
				want[prefix] = append(want[prefix], tok)
			}
		}
	}
	if len(want["ha"]) < 3 || len(want["tin"]) < 2 {
		t.Fatalf("the corpus has only %q under the prefixes", want)
	}
	tx, err := db.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	ex, ok, err := expandPrefixes(ctx, tx, p.text)
	if err != nil || !ok {
		t.Fatalf("ok %v, error %v", ok, err)
	}
	for prefix, toks := range want {
		slices.Sort(toks)
		if got := ex.tokens[1][prefix]; !slices.Equal(got, toks) {
			t.Errorf("%s* expanded to %q, want %q", prefix, got, toks)
		}
	}
	if exact := ex.exact()["tỉn"]; !slices.Contains(exact, "tỉnh") || slices.Contains(exact, "tinh") {
		t.Errorf("the exact half of tỉn* expands to %q", exact)
	}
	defer func(n int) { maxPrefixTokens = n }(maxPrefixTokens)
	maxPrefixTokens = len(want["ha"]) - 1
	if _, ok, err := expandPrefixes(ctx, tx, p.text); ok || err != nil {
		t.Errorf("with at most %d tokens a prefix: ok %v, error %v", maxPrefixTokens, ok, err)
	}
}
