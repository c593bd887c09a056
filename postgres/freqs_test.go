package postgres

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/internal/pairidx"
	"github.com/diembao/diembao/internal/storetest"
	"github.com/diembao/diembao/internal/tokfreq"
	"github.com/diembao/diembao/internal/tokpos"
	"github.com/diembao/diembao/query"
)

// checkTokenFreqs compares token_freqs with the counts of each article's
// index entry: every stored article's counts are there, once, in one
// shard, and nothing else is.
func checkTokenFreqs(t *testing.T, db *DB, step string) {
	t.Helper()
	checkPieces(t, db, step, freqsTable, tokenCounts, func(v []byte, f func(uint16, tokfreq.Counts)) error {
		return eachFreq(v, func(off uint16, c *tokfreq.Counts) { f(off, *c) })
	})
}

// checkTokenPositions compares token_positions with the positions of
// each article's index entry, as checkTokenFreqs does for token_freqs.
func checkTokenPositions(t *testing.T, db *DB, step string) {
	t.Helper()
	checkPieces(t, db, step, positionsTable, tokenPositions, func(v []byte, f func(uint16, tokpos.Positions)) error {
		return eachPos(v, func(off uint16, p *tokpos.Positions) {
			var c tokpos.Positions
			for i := range p {
				c[i] = slices.Clone(p[i])
			}
			f(off, c)
		})
	})
}

// checkTokenSets compares token_sets with the keys of each article's
// index entry, as checkTokenFreqs does for token_freqs.
func checkTokenSets(t *testing.T, db *DB, step string) {
	t.Helper()
	checkPieces(t, db, step, setsTable, func(d docPositions) map[string]*struct{} {
		out := map[string]*struct{}{}
		for key := range tokenCounts(d) {
			out[key] = &struct{}{}
		}
		return out
	}, func(v []byte, f func(uint16, struct{})) error {
		return eachSetOffset(v, func(off, _ uint16) { f(off, struct{}{}) })
	})
}

// checkPieces compares the entries of the table t, which each reads from
// a row's value, with those fromIndex gives for each stored article's
// index entry: every article's entries are there, once, in one row, and
// nothing else is.
func checkPieces[V any](t *testing.T, db *DB, step string, table pieceTable, fromIndex func(docPositions) map[string]*V,
	each func(v []byte, f func(off uint16, e V)) error) {
	t.Helper()
	ctx := context.Background()
	want := map[string]map[int64]V{}
	eachIndexEntry(t, db, func(id int64, d docPositions) {
		for tok, e := range fromIndex(d) {
			if want[tok] == nil {
				want[tok] = map[int64]V{}
			}
			want[tok][id] = *e
		}
	})
	got := map[string]map[int64]V{}
	rows, err := db.pool.Query(ctx, `SELECT token, chunk, shard, tail, `+table.column+` FROM `+table.name)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var (
			tok   string
			chunk int64
			shard int16
			tail  bool
			v     []byte
		)
		if err := rows.Scan(&tok, &chunk, &shard, &tail, &v); err != nil {
			t.Fatal(err)
		}
		if got[tok] == nil {
			got[tok] = map[int64]V{}
		}
		err := each(v, func(off uint16, e V) {
			id := chunk<<table.chunkBits | int64(off)
			if _, dup := got[tok][id]; dup {
				t.Errorf("%s: %s: token %q: article %d has two entries (shard %d, tail %v)", step, table.name, tok, id, shard, tail)
			}
			got[tok][id] = e
		})
		if err != nil {
			t.Errorf("%s: %s: token %q chunk %d shard %d: %v", step, table.name, tok, chunk, shard, err)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(want) == 0 {
		t.Fatalf("%s: no articles to compare", step)
	}
	for tok, ids := range want {
		for id, e := range ids {
			if g, ok := got[tok][id]; !ok || !reflect.DeepEqual(g, e) {
				t.Errorf("%s: token %q, article %d: %v in %s, %v in the index", step, tok, id, g, table.name, e)
			}
		}
	}
	for tok, ids := range got {
		for id, e := range ids {
			if _, ok := want[tok][id]; !ok {
				t.Errorf("%s: token %q, article %d: %v in %s, none in the index", step, tok, id, e, table.name)
			}
		}
	}
}

// eachIndexEntry calls f with the ID and the lexeme positions of each
// stored article's index entry.
func eachIndexEntry(t *testing.T, db *DB, f func(id int64, d docPositions)) {
	t.Helper()
	rows, err := db.pool.Query(context.Background(), `SELECT id, tsv::text FROM article_index`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id  int64
			tsv string
		)
		if err := rows.Scan(&id, &tsv); err != nil {
			t.Fatal(err)
		}
		f(id, parseTsvector(tsv))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// putBatches stores the articles article(0) … article(n-1), size at a
// time.
func putBatches(t *testing.T, as *ArticleService, n, size int, article func(int) *diembao.Article) {
	t.Helper()
	var batch []*diembao.Article
	for i := range n {
		batch = append(batch, article(i))
		if len(batch) == size || i == n-1 {
			if _, err := as.PutArticles(context.Background(), batch); err != nil {
				t.Fatal(err)
			}
			batch = nil
		}
	}
}

// TestTokenFreqsFollowIndex checks token_freqs and token_positions after inserts across a chunk
// boundary, updates (one within the call that stored the article), writers
// on several connections replacing each other's articles at once, and
// after the migration fills the table from the index.
func TestTokenFreqsFollowIndex(t *testing.T) {
	ctx := context.Background()
	db := openTestDB(t)
	as := NewArticleService(db)
	words := []string{"Hà Nội", "mưa", "thu", "lũ lụt", "miền Trung", "ban", "bản", "bàn", "kinh tế", "Quốc hội"}
	text := func(i, v int) string {
		return fmt.Sprintf("%s %s %s %s", words[i%len(words)], words[(i*7+v)%len(words)], words[(i*3+2*v)%len(words)], words[v%len(words)])
	}
	article := func(i, v int) *diembao.Article {
		return &diembao.Article{URL: fmt.Sprintf("https://x.example.vn/%d", i), Title: text(i, v),
			Body: []diembao.Paragraph{{Text: text(i+1, v) + ". " + text(i+2, v)}}}
	}
	// Enough articles for IDs in two chunks.
	putBatches(t, as, tokfreq.ChunkSize+100, 250, func(i int) *diembao.Article { return article(i, 0) })
	if _, err := as.PutArticles(ctx, []*diembao.Article{article(5, 1), article(1030, 1), article(2000, 0), article(2000, 2)}); err != nil {
		t.Fatal(err)
	}
	checkTokenFreqs(t, db, "one writer")
	checkTokenPositions(t, db, "one writer")
	checkTokenSets(t, db, "one writer")
	checkTokenPairs(t, db, "one writer", false)
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Go(func() {
			for round := range 3 {
				var list []*diembao.Article
				for i := range 40 {
					list = append(list, article((i*13+w*5+round)%(tokfreq.ChunkSize+100), 3+w+round))
				}
				if _, err := as.PutArticles(ctx, list); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	checkTokenFreqs(t, db, "concurrent writers")
	checkTokenPositions(t, db, "concurrent writers")
	checkTokenSets(t, db, "concurrent writers")
	checkTokenPairs(t, db, "concurrent writers", false)
	if _, err := db.pool.Exec(ctx, `DROP TABLE token_freqs, token_positions, token_sets, token_pairs;
		DELETE FROM schema_migrations WHERE name IN ('0005_token_freqs.sql', '0006_token_positions.sql', '0007_token_tails.sql',
			'0010_token_sets.sql', '0011_token_pairs.sql')`); err != nil {
		t.Fatal(err)
	}
	if err := db.migrate(ctx); err != nil {
		t.Fatal(err)
	}
	checkTokenFreqs(t, db, "migration")
	checkTokenPositions(t, db, "migration")
	checkTokenSets(t, db, "migration")
	checkTokenPairs(t, db, "migration", true)
}

// TestTailsMoveOntoMainRows stores articles one at a time, as the crawler
// does, and checks that their pieces went to tail rows, that a tail is
// moved onto its main row once it reaches tailLimit bytes, and that the
// tables still hold every article's entries once.
func TestTailsMoveOntoMainRows(t *testing.T) {
	ctx := context.Background()
	db := openTestDB(t)
	as := NewArticleService(db)
	for i := range 400 {
		a := &diembao.Article{URL: fmt.Sprintf("https://t.example.vn/%d", i), Title: fmt.Sprintf("Mưa lớn ở Hà Nội, ngày %d", i),
			Body: []diembao.Paragraph{{Text: "Mưa lớn kéo dài ở Hà Nội và các tỉnh miền Bắc. Người dân Hà Nội đi làm trong mưa."}}}
		if _, err := as.PutArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	checkTokenFreqs(t, db, "one at a time")
	checkTokenPositions(t, db, "one at a time")
	checkTokenSets(t, db, "one at a time")
	checkTokenPairs(t, db, "one at a time", true)
	for _, table := range []pieceTable{freqsTable, positionsTable, setsTable, pairsTable} {
		var tails, mains, largest int
		err := db.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE tail), count(*) FILTER (WHERE NOT tail),
			coalesce(max(octet_length(`+table.column+`)) FILTER (WHERE tail), 0) FROM `+table.name).Scan(&tails, &mains, &largest)
		if err != nil {
			t.Fatal(err)
		}
		if tails == 0 || mains == 0 {
			t.Errorf("%s: %d tail rows, %d main rows: want both", table.name, tails, mains)
		}
		// A tail below the limit takes one more piece (of one article).
		if largest >= tailLimit+200 {
			t.Errorf("%s: a tail holds %d bytes, past the limit of %d", table.name, largest, tailLimit)
		}
	}
	// The main rows of token_sets and token_pairs are merged into one
	// piece as tails move onto them.
	for _, table := range []pieceTable{setsTable, pairsTable} {
		mains := 0
		err := eachKeyedRow(ctx, db.pool, `SELECT token, chunk, `+table.column+` FROM `+table.name+` WHERE NOT tail`, nil, "",
			func(tok string, chunk int64, v []byte) error {
				mains++
				pieces := 0
				if err := eachPiece(v, func([]byte) error { pieces++; return nil }); err != nil {
					return err
				}
				if pieces != 1 {
					t.Errorf("%s: key %q, chunk %d: main row of %d pieces, want 1", table.name, tok, chunk, pieces)
				}
				return nil
			})
		if err != nil {
			t.Fatal(err)
		}
		if mains == 0 {
			t.Errorf("%s: no main row", table.name)
		}
	}
}

// loadSuite opens a fresh store holding the corpus of the conformance
// suite and returns it with the suite's queries.
func loadSuite(t *testing.T) (*DB, []storetest.Query) {
	t.Helper()
	db := openTestDB(t)
	c, err := storetest.LoadCorpus()
	if err != nil {
		t.Fatal(err)
	}
	b := &storetest.Backend{Name: "postgres", Sources: NewSourceService(db), Articles: NewArticleService(db)}
	if _, err := storetest.Load(context.Background(), b, c); err != nil {
		t.Fatal(err)
	}
	qs, err := storetest.Queries()
	if err != nil {
		t.Fatal(err)
	}
	return db, qs
}

// TestWindowScoresFromCounts checks that searches scored from token_freqs
// and token_positions give the answers, scores to the bit included, of the
// same searches scored from the tsvectors, page after page.
func TestWindowScoresFromCounts(t *testing.T) {
	db, qs := loadSuite(t)
	var reqs []diembao.SearchRequest
	for _, q := range qs {
		reqs = append(reqs, q.Request(0))
	}
	for _, q := range []string{"hà", "ha", "nội", "lũ OR mưa", "(lũ OR bão) -mưa", "title:hà", "title:ha -nội",
		"bản OR ban", "hà*", "ng* -hà", "title:th*", "tỉnh -thành published:[2020-01-01 TO 2021-01-01]", "UBND",
		"xyzzyqwerty", "hà nội", "ha noi", "mưa lớn miền trung", "kinh tế -hà", "(hà nội) OR (sài gòn)",
		"(lũ OR bão) -mưa published:[2019-01-01 TO 2030-01-01]", "hà nội published:[2020-01-01 TO 2030-01-01]",
		"ng* -hà* published:[2000-01-01 TO 2030-01-01]", "tỉnh -\"hà nội\" published:[2000-01-01 TO 2030-01-01]",
		`"hà nội"`, `"ha noi"`, `title:"hà nội"`, `"mưa lớn" OR lũ`, `"hà nội" -mưa`, `"miền trung" published:[2020-01-01 TO 2030-01-01]`,
		`"kinh tế" hà`, `author:"hà nội"`,
		// Phrases a NOT excludes, decoded where what it keeps may match.
		`"mưa lớn" -"hà nội"`, `"hà nội" -"hà nam"`, `("miền trung" -"mưa lớn") OR lũ`, `"kinh tế" -("hà nội" OR "sài gòn")`,
		`hà -("mưa lớn" -"hà nội")`, `"hà nội" -"hà nội"`, `("mưa lớn" -"hà nội") OR "hà nội"`, `("mưa lớn" OR "kinh tế") -"hà nội"`} {
		reqs = append(reqs, diembao.SearchRequest{Query: q}, diembao.SearchRequest{Query: q, Facets: []string{"source"}})
	}
	since := time.Date(2020, 1, 1, 0, 0, 0, 0, diembao.Vietnam)
	for _, q := range []string{"hà", "hà nội", "lũ -mưa", "ha*", `"hà nội"`} {
		reqs = append(reqs, diembao.SearchRequest{Query: q, Since: since}, diembao.SearchRequest{Query: q, SourceIDs: []int64{1, 2}})
	}
	// Date orders, answered from the counts when they find every match.
	for _, q := range []string{"hà", "ha noi", `"hà nội"`, "lũ OR mưa", "tỉnh -thành", "hà*", `"mưa lớn" OR lũ`, "-mưa", `-"hà nội" -lũ`} {
		for _, order := range []diembao.Sort{diembao.SortNewest, diembao.SortOldest} {
			reqs = append(reqs, diembao.SearchRequest{Query: q, Sort: order},
				diembao.SearchRequest{Query: q, Sort: order, Since: since, Facets: []string{"source", "day"}})
		}
	}
	for _, candidates := range []int{maxCandidates, 2} {
		t.Run(fmt.Sprintf("candidates=%d", candidates), func(t *testing.T) {
			defer func(n int) { maxCandidates = n }(maxCandidates)
			maxCandidates = candidates
			compareCounted(t, db, reqs, query.DefaultLimits(), 1000)
		})
	}
}

// compareCounted compares the answers of reqs scored from the counts and
// from the tsvectors, page after page at three page sizes, up to maxPages
// pages.
func compareCounted(t *testing.T, db *DB, reqs []diembao.SearchRequest, lim query.Limits, maxPages int) {
	ctx := context.Background()
	counted := NewSearchService(db)
	positions := NewSearchService(db)
	positions.noCounts, positions.noSets = true, true
	counted.Limits, positions.Limits = lim, lim
	matchCounted, boosted, phrases, fromSets := 0, 0, 0, 0
	for _, req := range reqs {
		if p, err := counted.plan(req); err == nil && p.match != nil && len(req.Facets) > 0 {
			if _, ok := p.match.setKeys(); ok {
				fromSets++
			}
		}
		if p, err := counted.plan(req); err == nil && p.match != nil && countable(p.phrases) {
			matchCounted++
			if p.boost != nil {
				boosted++
			}
			if slices.ContainsFunc(p.phrases, positional) {
				phrases++
			}
		}
		for _, size := range []int{200, 3, 1} {
			req.Limit, req.Cursor = size, ""
			for page := 0; page < maxPages; page++ {
				got, err1 := counted.Search(ctx, req)
				want, err2 := positions.Search(ctx, req)
				if fmt.Sprint(err1) != fmt.Sprint(err2) {
					t.Errorf("%q: error %v, from positions %v", req.Query, err1, err2)
					break
				}
				if err1 != nil {
					t.Errorf("%q: %v", req.Query, err1)
					break
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%q, page %d of %d: from counts\n%+v\nfrom positions\n%+v", req.Query, page, size, got, want)
					break
				}
				for _, h := range got.Hits {
					if math.IsNaN(h.Score) {
						t.Errorf("%q: score NaN", req.Query)
					}
				}
				if got.NextCursor == "" {
					break
				}
				req.Cursor = got.NextCursor
			}
		}
	}
	if matchCounted < len(reqs)/4 || boosted == 0 || phrases == 0 || fromSets == 0 {
		t.Errorf("only %d of %d searches have a match scored from the counts, %d with a boost, %d with phrases, %d with facets from the sets",
			matchCounted, len(reqs), boosted, phrases, fromSets)
	}
}

// TestNewestMatchesFromCounts checks searches without filters, whose
// newest matches are found in token_freqs a span of chunks at a time,
// against the same searches on the GIN index and the tsvectors, on an
// archive of several chunks, with small and default limits, and after
// articles were deleted by hand (their counts stay behind).
func TestNewestMatchesFromCounts(t *testing.T) {
	ctx := context.Background()
	db := openTestDB(t)
	as := NewArticleService(db)
	words := []string{"mưa", "lũ", "bão", "Hà Nội", "kinh tế", "miền Trung", "ban", "bản", "tỉnh", "dân"}
	// IDs in two chunks of token_pairs, five of token_freqs.
	putBatches(t, as, pairidx.ChunkSize+200, 500, func(i int) *diembao.Article {
		title := fmt.Sprintf("%s %s", words[i%len(words)], words[(i/len(words))%len(words)])
		body := fmt.Sprintf("%s %s %s", words[(i*7)%len(words)], words[(i*3+1)%len(words)], words[(i/7)%len(words)])
		if i%97 == 0 {
			body += " hiếm"
		}
		return &diembao.Article{URL: fmt.Sprintf("https://n.example.vn/%d", i), Title: title,
			Body:      []diembao.Paragraph{{Text: body}},
			Published: time.Date(2020, 1, 1, 0, 0, 0, 0, diembao.Vietnam).Add(time.Duration(i*7%3000) * time.Hour)}
	})
	defer func(n int) { firstSpan = n }(firstSpan)
	firstSpan = 1
	var reqs []diembao.SearchRequest
	for _, q := range []string{"mưa", "hiếm", "ha noi", "bản", "lũ -bão", "(hiếm OR bão) -mưa", "kin*", "hà nội",
		"mưa lũ", "tỉnh dân -hiếm", `"hà nội"`, `"miền trung" -mưa`, `"kinh tế" OR hiếm`, `"ha noi mưa"`,
		`"hà nội" -"mưa lũ"`, `"kinh tế" -"miền trung" -"hà nội"`, `("hà nội" -"kinh tế") OR hiếm`, `("mưa lũ" OR "kinh tế") -"hà nội"`,
		`("mưa lũ" -"hà nội") OR "hà nội"`} {
		reqs = append(reqs, diembao.SearchRequest{Query: q}, diembao.SearchRequest{Query: q, Facets: []string{"day"}})
	}
	// Filters that leave a part of the archive, answered from the
	// candidates they leave or, past maxCandidates, from the newest
	// matches checked against them.
	for _, q := range []string{"mưa published:[2020-02-01 TO 2020-03-15]", "hiếm published:>2020-03-01", "lũ -bão published:<2020-02-01",
		`"kinh tế" published:>2020-02-01`} {
		reqs = append(reqs, diembao.SearchRequest{Query: q}, diembao.SearchRequest{Query: q, Facets: []string{"day", "source"}})
	}
	// Date orders: all matches found in the counts for the rare ones,
	// the date index for those with more matches than the limits count.
	for _, q := range []string{"hiếm", `"hà nội"`, "mưa", "(hiếm OR bão) -mưa", "hiếm published:>2020-03-01", "mưa -bão published:>2020-02-01",
		"-mưa published:[2020-02-01 TO 2020-03-15]", `-"hà nội" -hiếm published:>2020-03-01`} {
		reqs = append(reqs, diembao.SearchRequest{Query: q, Sort: diembao.SortNewest},
			diembao.SearchRequest{Query: q, Sort: diembao.SortOldest, Facets: []string{"day"}})
	}
	defer func(n int) { maxCandidates = n }(maxCandidates)
	check := func(step string) {
		for _, lim := range []query.Limits{query.DefaultLimits(), {Window: 40, Count: 100}} {
			// Candidates for the default limits, newest matches for the
			// small ones.
			maxCandidates = 20000
			if lim.Window < 100 {
				maxCandidates = 10
			}
			t.Run(fmt.Sprintf("%s/window=%d", step, lim.Window), func(t *testing.T) {
				// The pages past the end of a small window; the first
				// ones of a large window, where the bounds leave most of
				// it unread.
				pages := 3
				if lim.Window <= 40 {
					pages = 15
				}
				compareCounted(t, db, reqs, lim, pages)
			})
		}
	}
	check("stored")
	if _, err := db.pool.Exec(ctx, `DELETE FROM articles WHERE id % 5 = 0 OR id > $1`, 3*tokfreq.ChunkSize); err != nil {
		t.Fatal(err)
	}
	check("deleted by hand")
}

// TestExactPhraseWhereFoldedLostPositions checks a phrase whose exact form
// occurs where its folded lexeme kept no position: a tsvector lexeme keeps
// its first 256 positions, and the folded lexeme "va" of three hundred
// "vá" loses the position of the "và" that follows them. The phrase is
// found in its exact form from token_positions as from the tsvector, in
// that article and in the others.
func TestExactPhraseWhereFoldedLostPositions(t *testing.T) {
	db := openTestDB(t)
	as := NewArticleService(db)
	many := strings.Repeat("vá ", 300)
	bodies := []string{
		many + "và nước sạch", // the exact phrase past the folded lexeme's positions
		"và nước sạch",        // the exact phrase
		"va nuoc sach",        // the folded phrase only
		many + "nước và",      // the words, not the phrase
		many + "va nuoc",      // the folded phrase past its lexeme's positions: not found
	}
	putBatches(t, as, len(bodies), len(bodies), func(i int) *diembao.Article {
		return &diembao.Article{URL: fmt.Sprintf("https://v.example.vn/%d", i), Title: "Tin",
			Body:      []diembao.Paragraph{{Text: bodies[i]}},
			Published: time.Date(2021, 5, 1+i, 8, 0, 0, 0, diembao.Vietnam)}
	})
	var reqs []diembao.SearchRequest
	for _, q := range []string{`"và nước"`, `"và nước sạch"`, `"va nuoc"`, `"vá và nước"`, `"và nước" sạch`, `và nước`} {
		reqs = append(reqs, diembao.SearchRequest{Query: q}, diembao.SearchRequest{Query: q, Facets: []string{"day"}})
	}
	compareCounted(t, db, reqs, query.DefaultLimits(), 2)
	res, err := NewSearchService(db).Search(context.Background(), diembao.SearchRequest{Query: `"và nước"`})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range res.Hits {
		got = append(got, h.URL)
	}
	slices.Sort(got)
	if want := []string{"https://v.example.vn/0", "https://v.example.vn/1", "https://v.example.vn/2"}; !slices.Equal(got, want) {
		t.Errorf(`"và nước" finds %v, want %v`, got, want)
	}
}

// FuzzEachFreq checks that reading a value of token_freqs never panics and
// that values made of pieces read back as their entries.
func FuzzEachFreq(f *testing.F) {
	one := tokfreq.Encode([]tokfreq.Entry{{Off: 3, Counts: tokfreq.Counts{1, 1, 2, 2}}, {Off: 900, Counts: tokfreq.Counts{0, 1, 0, 4}}})
	f.Add(appendPiece(appendPiece(nil, one), one))
	f.Add([]byte{0x80})
	f.Add([]byte{5, 1})
	f.Fuzz(func(t *testing.T, v []byte) {
		var entries []tokfreq.Entry
		if err := eachFreq(v, func(off uint16, c *tokfreq.Counts) {
			entries = append(entries, tokfreq.Entry{Off: off, Counts: *c})
		}); err != nil {
			return
		}
		// A value read whole is a sequence of pieces: the same entries
		// written as one piece read back alike, in offset order.
		var again []tokfreq.Entry
		if err := eachFreq(appendPiece(nil, tokfreq.Encode(sortEntries(entries))), func(off uint16, c *tokfreq.Counts) {
			again = append(again, tokfreq.Entry{Off: off, Counts: *c})
		}); err != nil {
			t.Fatalf("entries written again do not read: %v", err)
		}
		if want := sortEntries(entries); len(want) > 0 && !reflect.DeepEqual(again, want) {
			t.Fatalf("read back %v, want %v", again, want)
		}
	})
}

// sortEntries returns entries in offset order, the last of equal offsets
// kept.
func sortEntries(entries []tokfreq.Entry) []tokfreq.Entry {
	byOff := map[uint16]tokfreq.Entry{}
	for _, e := range entries {
		byOff[e.Off] = e
	}
	out := make([]tokfreq.Entry, 0, len(byOff))
	for off := range tokfreq.ChunkSize {
		if e, ok := byOff[uint16(off)]; ok {
			out = append(out, e)
		}
	}
	return out
}
