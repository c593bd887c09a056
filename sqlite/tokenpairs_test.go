package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/internal/idset"
	"github.com/diembao/diembao/internal/pairidx"
	"github.com/diembao/diembao/internal/tokseq"
	"github.com/diembao/diembao/query"
	"github.com/diembao/diembao/viet"
)

// indexColumns reads from FTS5's instances the tokens of the title, folded
// title, body and folded body of every article, in order: what the token
// sequences must give back.
func indexColumns(t *testing.T, db *DB) map[int64]*[4][]string {
	t.Helper()
	ctx := context.Background()
	conn := vocabConn(t, db, "vocab_inst", "instance")
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, `SELECT term, doc, col, offset FROM temp.vocab_inst
		WHERE col IN ('title', 'title_f', 'body', 'body_f')`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	colIndex := map[string]int{"title": 0, "title_f": 1, "body": 2, "body_f": 3}
	out := map[int64]*[4][]string{}
	for rows.Next() {
		var (
			term, col string
			doc       int64
			offset    int
		)
		if err := rows.Scan(&term, &doc, &col, &offset); err != nil {
			t.Fatal(err)
		}
		cols := out[doc]
		if cols == nil {
			cols = new([4][]string)
			out[doc] = cols
		}
		c := &cols[colIndex[col]]
		for len(*c) <= offset {
			*c = append(*c, "")
		}
		(*c)[offset] = term
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkTokenPairs checks token_ids, article_tokens and token_pairs against
// the full-text index: every article's sequence gives back its exact
// columns and, through the folded IDs, its folded ones; every pair of
// adjacent folded tokens is in token_pairs; the dictionary is consistent.
func checkTokenPairs(t *testing.T, db *DB, step string) {
	t.Helper()
	ctx := context.Background()
	var dict tokenDict
	if err := dict.refresh(ctx, db.db); err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	tokens := dict.tokens()
	for id := 1; id < len(tokens); id++ {
		f := dict.fold[id]
		want := query.IndexTokens(viet.Fold(tokens[id]))
		switch {
		case f == 0 && len(want) != 0, f != 0 && (len(want) != 1 || tokens[f] != want[0]):
			t.Errorf("%s: token %q has the folded ID %d (%q), want %q", step, tokens[id], f, tokens[f], want)
		case f != 0 && dict.fold[f] != f:
			t.Errorf("%s: folded token %q is not its own folded form", step, tokens[f])
		}
	}
	checkMarked(t, step, &dict)
	db.dict.mu.RLock()
	checkMarked(t, step+" (the store's copy)", &db.dict)
	db.dict.mu.RUnlock()
	index := indexColumns(t, db)
	seqs := storedSequences(t, db)
	rows, err := db.db.QueryContext(ctx, `SELECT id FROM articles ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	pairs, err := db.db.PrepareContext(ctx, `SELECT entries FROM token_pairs WHERE id BETWEEN ? AND ?`)
	if err != nil {
		t.Fatal(err)
	}
	defer pairs.Close()
	n := 0
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		blob := seqs[id]
		delete(seqs, id)
		cols, indexed := index[id]
		if !indexed {
			// An article without text (the placeholder of writeSteps).
			cols = new([4][]string)
		}
		if blob == nil && indexed {
			t.Errorf("%s: article %d has no sequence", step, id)
			continue
		}
		var s tokseq.Seq
		if err := tokseq.Decode(blob, &s); blob != nil && err != nil {
			t.Errorf("%s: article %d: %v", step, id, err)
			continue
		}
		n++
		for c, seq := range [2][]uint32{s.Title, s.Body} {
			var exact, folded []string
			var foldIDs []uint32
			for _, tid := range seq {
				exact = append(exact, tokens[tid])
				if f := dict.fold[tid]; f != 0 {
					folded = append(folded, tokens[f])
					foldIDs = append(foldIDs, f)
				}
			}
			if !slices.Equal(exact, cols[2*c]) || !slices.Equal(folded, cols[2*c+1]) {
				t.Errorf("%s: article %d column %d: the sequence gives %q / %q, the index holds %q / %q",
					step, id, c, exact, folded, cols[2*c], cols[2*c+1])
			}
			for i := 0; i+1 < len(foldIDs); i++ {
				key := pairidx.Key(tokens[foldIDs[i]], tokens[foldIDs[i+1]])
				// The entry has the follow bit of the pair after it, or
				// of the column's end.
				need := uint64(pairidx.EndFollow)
				if i+2 < len(foldIDs) {
					need = pairidx.Follow(pairidx.Key(tokens[foldIDs[i+1]], tokens[foldIDs[i+2]]))
				}
				chunk, b := id>>pairidx.ChunkBits, pairidx.Bucket(key)
				parts, err := pairs.QueryContext(ctx, pairsRow(b, chunk, 0), pairsRow(b, chunk, pairidx.ChunkSize-1))
				if err != nil {
					t.Fatal(err)
				}
				found := false
				for parts.Next() {
					var row []byte
					if err := parts.Scan(&row); err != nil {
						t.Fatal(err)
					}
					if err := pairidx.Offsets(row, key, need, func(off int) { found = found || int64(off) == id&(pairidx.ChunkSize-1) }); err != nil {
						t.Fatal(err)
					}
				}
				parts.Close()
				if !found {
					t.Errorf("%s: article %d: token_pairs lacks the pair %q %q with its follow bit", step, id, tokens[foldIDs[i]], tokens[foldIDs[i+1]])
				}
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n < len(index) || n == 0 {
		t.Errorf("%s: %d sequences for %d indexed articles", step, n, len(index))
	}
	if len(seqs) != 0 {
		t.Errorf("%s: %d sequences of no article", step, len(seqs))
	}
}

// checkMarked checks that the IDs the dictionary d marks for each folded
// token are those a walk over its folded IDs finds.
func checkMarked(t *testing.T, step string, d *tokenDict) {
	t.Helper()
	n := len(d.fold)
	for f := 1; f < n; f++ {
		if d.fold[f] != uint32(f) {
			continue
		}
		var want []uint32
		for id, g := range d.fold[1:] {
			if g == uint32(f) || g == 0 {
				want = append(want, uint32(id+1))
			}
		}
		got := d.marked(uint32(f), n)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: folded ID %d marks %v, want %v", step, f, got, want)
		}
	}
}

// storedSequences returns the stored token sequences, by article.
func storedSequences(t *testing.T, db *DB) map[int64][]byte {
	t.Helper()
	ctx := context.Background()
	tx, err := db.beginRead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	out := map[int64][]byte{}
	if err := eachSequence(ctx, tx, &db.seqs, func(id int64, seq []byte) error {
		if _, dup := out[id]; dup {
			t.Errorf("article %d has two sequences", id)
		}
		out[id] = slices.Clone(seq)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestTokenPairsFollowIndex checks the token sequences, their dictionary and
// the pairs after batches across a chunk boundary, the steps of
// rewriteSteps (the migration fills the tables again from the articles),
// and an article whose text holds a lone combining mark, whose folded
// form is empty.
func TestTokenPairsFollowIndex(t *testing.T) {
	db := openTest(t)
	check := func(step string) {
		t.Helper()
		checkTokenPairs(t, db, step)
	}
	writeSteps(t, db, check)
	mark := *fixtureArticles(t)[1]
	mark.URL, mark.ContentHash = "https://dau-le.example/", ""
	mark.Title = "Dấu \u0301 lạc giữa tiêu đề"
	mark.Body[0].Text = strings.Repeat("Một dấu \u0301 đứng riêng giữa hai từ. ", 3)
	if _, err := NewArticleService(db).PutArticle(context.Background(), &mark); err != nil {
		t.Fatal(err)
	}
	check("a lone mark")
	rewriteSteps(t, db, fixtureArticles(t)[0], []string{"token_pairs", "token_pair_chunks", "sequence_chunks", "sequence_log", "token_ids"},
		[]string{"0007_token_pairs.sql", "0009_sequences_file.sql", "0011_sequences_data.sql"}, check)
}

// TestTokenPairParts checks that the parts of a chunk's rows of token_pairs
// are merged when a later chunk is written and when they grow many, and
// that searches find the same phrases before and after.
func TestTokenPairParts(t *testing.T) {
	defer func(n int) { maxPairParts = n }(maxPairParts)
	maxPairParts = 3
	ctx := context.Background()
	db := openTest(t)
	svc := NewArticleService(db)
	partsOf := func(chunk int64) (most int) {
		t.Helper()
		for b := range pairidx.Buckets {
			var n int
			if err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM token_pairs WHERE id BETWEEN ? AND ?`,
				pairsRow(b, chunk, 0), pairsRow(b, chunk, pairidx.ChunkSize-1)).Scan(&n); err != nil {
				t.Fatal(err)
			}
			most = max(most, n)
		}
		return most
	}
	search := func() string {
		t.Helper()
		res, err := NewSearchService(db).Search(ctx, diembao.SearchRequest{Query: `"mưa lũ"`, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(res.Total, res.Hits)
	}
	put := func(i int) {
		t.Helper()
		a := &diembao.Article{URL: fmt.Sprintf("https://phan.example/%d", i), SourceName: "Báo Phần", Title: fmt.Sprintf("Mưa lũ số %d", i),
			Body: []diembao.Paragraph{{Text: "Mưa lũ ở tỉnh Hà Nam; mưa lớn kéo dài."}}}
		if _, err := svc.PutArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	// One article at a time: the fourth part merges the chunk's rows.
	for i := range 3 {
		put(i)
	}
	if got := partsOf(0); got != 3 {
		t.Fatalf("three articles written one at a time left %d parts, want 3", got)
	}
	before := search()
	put(3)
	if got := partsOf(0); got != 1 {
		t.Fatalf("a fourth part left %d parts, want 1", got)
	}
	after := search()
	if strings.Count(after, "phan.example") != 4 || !strings.Contains(before, "phan.example/2") {
		t.Fatalf("searches found %s, then %s", before, after)
	}
	checkTokenPairs(t, db, "merged parts")
	// A later chunk: the parts of the chunks before it are merged.
	put(4)
	if got := partsOf(0); got != 2 {
		t.Fatalf("chunk 0 has %d parts, want 2", got)
	}
	if _, err := db.db.ExecContext(ctx, `INSERT INTO articles (id, url, content_hash, stored_at, updated_at)
		VALUES (?, 'https://placeholder.example/', 'x', 0, 0)`, int64(pairidx.ChunkSize)+5); err != nil {
		t.Fatal(err)
	}
	put(5)
	if got := partsOf(0); got != 1 {
		t.Fatalf("chunk 0 has %d parts once chunk 1 is begun, want 1", got)
	}
	checkTokenPairs(t, db, "a later chunk")
	if got := search(); strings.Count(got, "phan.example") != 6 {
		t.Fatalf("search found %s", got)
	}
}

// pairEntries returns the entries of token_pairs by bucket and chunk, the
// parts of a chunk's rows together, and how many rows are parts beyond the
// first of a bucket and chunk.
func pairEntries(t *testing.T, db *DB) (map[[2]int64][]uint64, int) {
	t.Helper()
	rows, err := db.db.QueryContext(context.Background(), `SELECT id, entries FROM token_pairs`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[[2]int64][]uint64{}
	extra := 0
	for rows.Next() {
		var (
			id  int64
			row []byte
		)
		if err := rows.Scan(&id, &row); err != nil {
			t.Fatal(err)
		}
		k := [2]int64{id >> 44, id >> pairidx.ChunkBits & (1<<32 - 1)}
		if _, seen := out[k]; seen {
			extra++
		}
		if out[k], err = pairidx.Entries(out[k], row); err != nil {
			t.Fatalf("row %x: %v", id, err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for k, es := range out {
		slices.Sort(es)
		out[k] = slices.Compact(es)
	}
	return out, extra
}

// TestTokenPairsRefill checks that migration 0008 writes token_pairs afresh
// from the token sequences with the entries the writer gave them (articles
// written once, across a chunk boundary), one part per chunk, and that a
// damaged sequence stops it with an error naming the article.
func TestTokenPairsRefill(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	writeSteps(t, db, func(string) {})
	written, _ := pairEntries(t, db)
	rerun := func() error {
		t.Helper()
		exec(t, db, `DELETE FROM schema_migrations WHERE name = '0008_token_pair_entries.sql'`)
		return db.migrate(ctx)
	}
	if err := rerun(); err != nil {
		t.Fatal(err)
	}
	refilled, parts := pairEntries(t, db)
	if parts != 0 {
		t.Errorf("the refill left %d rows past the first part of their chunk", parts)
	}
	if len(written) == 0 || len(refilled) != len(written) {
		t.Fatalf("%d rows refilled for %d written", len(refilled), len(written))
	}
	for k, es := range written {
		if !slices.Equal(refilled[k], es) {
			t.Errorf("bucket %d, chunk %d: refilled %d entries, written %d", k[0], k[1], len(refilled[k]), len(es))
		}
	}
	checkTokenPairs(t, db, "refill")
	id := damageSequence(t, db)
	err := rerun()
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("article %d", id)) {
		t.Fatalf("refill over a damaged sequence: %v", err)
	}
}

// TestBoostFromPairs checks that the boost of adjacent words, found in a
// window from the pairs and scored from the sequences' instances, gives
// the scores of FTS5's walk to the bit, for the same articles, and that
// too many candidates leave it to FTS5.
func TestBoostFromPairs(t *testing.T) {
	ctx := context.Background()
	db := openCorpus(t)
	// Articles holding two words side by side, apart, or both, in the
	// title or the body, with and without diacritics.
	for i, text := range [][2]string{
		{"Mưa to ở vùng núi", "Trời mưa to suốt đêm; mưa to gây ngập."},
		{"Tin thời tiết", "Mưa nhỏ rồi gió to thổi mạnh."},
		{"Mưa to kéo dài", "Mưa to, rồi lại mưa to."},
		{"Gió to", "Gió to và mưa phùn cả ngày."},
		{"MƯA TO", "Không có gì khác."},
		{"Bản tin không dấu", "mua to o dong bang, gio to o mien nui"},
	} {
		a := &diembao.Article{URL: fmt.Sprintf("https://mua-to.example/%d", i), SourceName: "Báo Mưa", Title: text[0],
			Body: []diembao.Paragraph{{Text: text[1]}}}
		if _, err := NewArticleService(db).PutArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	s := NewSearchService(db)
	if err := s.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	// Besides the set queries, words whose pairs are no words of the
	// dictionary: a segmented word's boost is searched in the words
	// columns, which the sequences do not hold (left to FTS5).
	texts := append(setQueries(t), "mưa lũ tỉnh", "hà nội bão lũ", "ha noi bao", "bão số 3 sạt lở", "lũ mưa", "tỉnh bão",
		"mua lu tinh", "bão sạt lở", "số 3 bão", "nông dân lúa", "ha noi -bao", "(ha noi) OR bão",
		"mưa to", "mua to", "to mưa", "mưa gió to", "nguoi dan")
	// held counts the windows where some articles hold the boost, partly
	// those where others do not.
	boosted, held, partly := 0, 0, 0
	for _, text := range texts {
		p, err := s.plan(diembao.SearchRequest{Query: text})
		if err != nil || p.setToks == nil || p.boost == "" {
			continue
		}
		func() {
			tx, err := db.db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			_, bk, r, set, lo, hi := windowOf(t, s, tx, p, text)
			if hi < 0 {
				return
			}
			want, err := scoreRange(ctx, tx, bk, p.boost, lo, hi, &scan{in: set, window: -1})
			if err != nil {
				t.Fatal(err)
			}
			got, ok, err := s.boostFromPairs(ctx, tx, p, r, bk, set, lo, hi)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				return
			}
			boosted++
			if len(want) > 0 {
				held++
				if len(want) < set.Len() {
					partly++
				}
			}
			if len(got) != len(want) {
				t.Fatalf("%s: %d articles boosted, FTS5 boosts %d", text, len(got), len(want))
			}
			for i := range got {
				if got[i].ID != want[i].ID || math.Float64bits(got[i].Score) != math.Float64bits(want[i].Score) {
					t.Errorf("%s: article %d boosted %v, FTS5: article %d %v", text, got[i].ID, got[i].Score, want[i].ID, want[i].Score)
				}
			}
			// Past the limit of candidates, the boost is left to FTS5.
			if len(want) > 0 {
				defer func(n int) { maxBoostChecks = n }(maxBoostChecks)
				maxBoostChecks = len(want) - 1
				if _, ok, err := s.boostFromPairs(ctx, tx, p, r, bk, set, lo, hi); err != nil || ok {
					t.Errorf("%s: %d candidates past a limit of %d scored: %v, %v", text, len(want), maxBoostChecks, ok, err)
				}
			}
		}()
	}
	if boosted < 6 || held < 5 || partly < 2 {
		t.Fatalf("the pairs scored %d boosts, %d of them holding the boost, %d partly", boosted, held, partly)
	}
}

// TestPhraseCandidates checks phrases whose pairs lie in different
// chunks: the pair whose tokens are rarest is read first, the others in
// the chunks still holding candidates only, and searches find what FTS5
// finds.
func TestPhraseCandidates(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	svc := NewArticleService(db)
	put := func(url, text string) {
		t.Helper()
		a := &diembao.Article{URL: url, SourceName: "Báo Thời Tiết", Title: "Tin thời tiết", Body: []diembao.Paragraph{{Text: text}}}
		if _, err := svc.PutArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	// Eight chunks, each with articles holding "mưa lớn kéo dài"; "kéo
	// dài lũ quét" in chunk 2 and in the last article of chunk 7 (the
	// last ID of the group of chunks a search reads), its words apart in
	// chunk 6.
	const chunks = 8
	for c := range chunks {
		if c > 0 {
			if _, err := db.db.ExecContext(ctx, `INSERT INTO articles (id, url, content_hash, stored_at, updated_at)
				VALUES (?, ?, 'x', 0, 0)`, int64(c)*pairidx.ChunkSize, fmt.Sprintf("https://placeholder.example/%d", c)); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 3 {
			put(fmt.Sprintf("https://lu.example/%d/%d", c, i), "Mưa lớn kéo dài nhiều ngày ở vùng cao.")
		}
		switch c {
		case 2, 7:
			if c == 7 {
				if _, err := db.db.ExecContext(ctx, `INSERT INTO articles (id, url, content_hash, stored_at, updated_at)
					VALUES (?, 'https://placeholder.example/last', 'x', 0, 0)`, int64(c+1)*pairidx.ChunkSize-2); err != nil {
					t.Fatal(err)
				}
			}
			put(fmt.Sprintf("https://lu.example/%d/lu", c), "Mưa lớn kéo dài, lũ quét qua ba xã; mưa lớn kéo dài lũ quét.")
		case 6:
			put(fmt.Sprintf("https://lu.example/%d/lu", c), "Lũ quét qua xã; mưa lớn kéo dài, rồi dài lũ.")
		}
	}
	sets, fts := NewSearchService(db), NewSearchService(db)
	fts.noSets = true
	// Every check counts on every processor (see parallelChecks) in the
	// second round.
	defer func(n int) { parallelChecks = n }(parallelChecks)
	for round := range 2 {
		if round == 1 {
			parallelChecks = 1
		}
		checkPhraseCandidates(t, db, sets, fts, chunks)
	}
}

// checkPhraseCandidates runs TestPhraseCandidates' phrases.
func checkPhraseCandidates(t *testing.T, db *DB, sets, fts *SearchService, chunks int) {
	ctx := context.Background()
	for _, tc := range []struct {
		phrase string
		// byChunk: the rows of the chunks still holding candidates
		// are read once the rarest pair is.
		byChunk bool
		total   int
	}{
		{`"mưa lớn kéo dài lũ"`, true, 2},
		{`"mua lon keo dai lu quet"`, true, 2},
		{`"dài lũ quét"`, true, 2},
		{`"mưa lớn kéo dài"`, false, 3*chunks + 3},
		{`"kéo dài nhiều"`, false, 3 * chunks},
		{`"lũ quét qua xã"`, true, 1},
	} {
		got, err := sets.Search(ctx, diembao.SearchRequest{Query: tc.phrase, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		want, err := fts.Search(ctx, diembao.SearchRequest{Query: tc.phrase, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		if got.Total != tc.total || want.Total != tc.total || fmt.Sprint(hitURLs(got)) != fmt.Sprint(hitURLs(want)) {
			t.Errorf("%s: found %d %v, FTS5 %d %v, want %d", tc.phrase, got.Total, hitURLs(got), want.Total, hitURLs(want), tc.total)
		}
		// The reader itself.
		p, err := sets.plan(diembao.SearchRequest{Query: tc.phrase})
		if err != nil {
			t.Fatal(err)
		}
		term := p.text.(*query.Term)
		func() {
			tx, err := db.db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			r, err := newPhraseReader(ctx, tx, &db.dict, &db.seqs)
			if err != nil {
				t.Fatal(err)
			}
			defer r.close()
			cand, err := r.candidates(term.Folded, nil)
			if err != nil {
				t.Fatal(err)
			}
			if want := holdingPairs(t, tx, r.fold, term.Folded, r); fmt.Sprint(setIDs(cand)) != fmt.Sprint(want) || len(want) < tc.total {
				t.Errorf("%s: candidates %v, the articles holding its pairs %v", tc.phrase, setIDs(cand), want)
			}
			if byChunk := r.pairsIn != nil; byChunk != tc.byChunk {
				t.Errorf("%s: rows read by chunk %v, want %v", tc.phrase, byChunk, tc.byChunk)
			}
		}()
	}
}

// hitURLs returns the URLs of a result's hits, sorted.
func hitURLs(res *diembao.SearchResult) []string {
	var urls []string
	for _, h := range res.Hits {
		urls = append(urls, h.URL)
	}
	slices.Sort(urls)
	return urls
}

// holdingPairs returns the IDs of the articles whose title or body holds
// every pair of adjacent tokens of folded followed, somewhere, by a pair
// with the follow bit of the next pair of folded (see pairidx.Follow),
// from their sequences.
func holdingPairs(t *testing.T, tx *sql.Tx, fold []uint32, folded []string, r *phraseReader) []int64 {
	t.Helper()
	ids, ok := r.idsOf(folded)
	if !ok {
		return nil
	}
	tokens := r.dict.tokens()
	var out []int64
	err := eachSequence(context.Background(), tx, r.files, func(id int64, b []byte) error {
		var s tokseq.Seq
		if err := tokseq.Decode(b, &s); err != nil {
			t.Fatal(err)
		}
		holds := true
		for i := 0; i+1 < len(ids) && holds; i++ {
			var need, follow uint64
			if i+2 < len(ids) {
				need = pairidx.Follow(pairidx.Key(folded[i+1], folded[i+2]))
			}
			found := false
			for _, col := range [][]uint32{s.Title, s.Body} {
				var f []uint32 // the folded column
				for _, id := range col {
					if fold[id] != 0 {
						f = append(f, fold[id])
					}
				}
				for j := 0; j+1 < len(f); j++ {
					if f[j] == ids[i] && f[j+1] == ids[i+1] {
						found = true
						if j+2 < len(f) {
							follow |= pairidx.Follow(pairidx.Key(tokens[f[j+1]], tokens[f[j+2]]))
						} else {
							follow |= pairidx.EndFollow
						}
					}
				}
			}
			holds = found && follow&need == need
		}
		if holds {
			out = append(out, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// setIDs returns the IDs of s in ascending order.
func setIDs(s *idset.Set) []int64 {
	var ids []int64
	if s != nil {
		s.Descending(func(id int64) bool {
			ids = append(ids, id)
			return true
		})
	}
	slices.Reverse(ids)
	return ids
}

// damageSequence changes a byte of the stored sequence of the newest
// article, in the data file, and returns the article's ID.
func damageSequence(t *testing.T, db *DB) int64 {
	t.Helper()
	var (
		chunk int64
		locs  []byte
	)
	if err := db.db.QueryRow(`SELECT chunk, locs FROM sequence_chunks ORDER BY chunk DESC LIMIT 1`).Scan(&chunk, &locs); err != nil {
		t.Fatal(err)
	}
	id := chunk<<pairidx.ChunkBits | int64(len(locs)/locSize-1)
	off := locOf(locs, id)
	f, err := os.OpenFile(SequencesDataPath(db.path), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// Past the record's header (at most 12 bytes here), in its data.
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, off+12); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 0x40
	if _, err := f.WriteAt(b, off+12); err != nil {
		t.Fatal(err)
	}
	return id
}
