package sqlite

import (
	"context"
	"database/sql"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/query"
)

// vocabConn returns a connection of db on which the temporary fts5vocab
// table name, of the given kind, reads the full-text index.
func vocabConn(t *testing.T, db *DB, name, kind string) *sql.Conn {
	t.Helper()
	ctx := context.Background()
	conn, err := db.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, `CREATE VIRTUAL TABLE IF NOT EXISTS temp.`+name+` USING fts5vocab(main, 'article_index', '`+kind+`')`); err != nil {
		conn.Close()
		t.Fatal(err)
	}
	return conn
}

// vocabDFs reads the document frequency of every token from FTS5's own
// vocabulary: what term_stats must hold.
func vocabDFs(t *testing.T, db *DB) map[string]int64 {
	t.Helper()
	conn := vocabConn(t, db, "vocab_check", "row")
	defer conn.Close()
	return readDFs(t, conn.QueryContext, `SELECT term, doc FROM temp.vocab_check`)
}

func statsDFs(t *testing.T, db *DB) map[string]int64 {
	t.Helper()
	return readDFs(t, db.db.QueryContext, `SELECT token, df FROM term_stats`)
}

func readDFs(t *testing.T, q func(context.Context, string, ...any) (*sql.Rows, error), stmt string) map[string]int64 {
	t.Helper()
	rows, err := q(context.Background(), stmt)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var (
			tok string
			n   int64
		)
		if err := rows.Scan(&tok, &n); err != nil {
			t.Fatal(err)
		}
		out[tok] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestTermStatsFollowIndex checks that the token statistics the writer
// keeps equal FTS5's vocabulary after inserts, updates, puts that change
// nothing and a batch, and after the migration fills them from the index.
func TestTermStatsFollowIndex(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	svc := NewArticleService(db)
	list := fixtureArticles(t)
	check := func(step string) {
		t.Helper()
		want, got := vocabDFs(t, db), statsDFs(t, db)
		if len(want) == 0 {
			t.Fatalf("%s: the index has no tokens", step)
		}
		if !maps.Equal(want, got) {
			for _, tok := range slices.Sorted(maps.Keys(want)) {
				if want[tok] != got[tok] {
					t.Errorf("%s: %q: df %d in term_stats, %d in the index", step, tok, got[tok], want[tok])
				}
			}
			for tok, n := range got {
				if _, ok := want[tok]; !ok {
					t.Errorf("%s: %q: df %d in term_stats, not in the index", step, tok, n)
				}
			}
		}
	}
	if _, err := svc.PutArticles(ctx, list); err != nil {
		t.Fatal(err)
	}
	check("insert")
	rewriteSteps(t, db, list[0], []string{"term_stats"}, []string{"0004_term_stats.sql"}, check)
}

// rewriteSteps changes stored articles in the ways a writer must follow
// (an update of stored, a put that changes nothing, one batch that
// stores an article and replaces it, an article that names its source by
// ID only, whose name the writer looks up), then drops tables and the rows of
// migrations and migrates again, calling check after each step.
func rewriteSteps(t *testing.T, db *DB, stored *diembao.Article, tables []string, migrations []string, check func(step string)) {
	t.Helper()
	ctx := context.Background()
	svc := NewArticleService(db)
	changed := *stored
	changed.Title = "Tiêu đề MỚI hoàn toàn: Covid-19 & TP.HCM"
	changed.Author = "Nguyễn Văn A_B"
	changed.Body = []diembao.Paragraph{{Text: "Một đoạn văn khác, thay cho cả bài."}}
	changed.ContentHash = ""
	if r, err := svc.PutArticle(ctx, &changed); err != nil || !r.Updated {
		t.Fatalf("update = %+v, %v", r, err)
	}
	check("update")
	again := changed
	if _, err := svc.PutArticle(ctx, &again); err != nil {
		t.Fatal(err)
	}
	check("put unchanged")
	first := &diembao.Article{URL: "https://bao-mau.example/hai-lan.html", SourceName: "Báo Mẫu",
		Title: "Bản thứ nhất", Body: []diembao.Paragraph{{Text: "Nội dung ban đầu về đê điều."}}}
	second := *first
	second.Title, second.Body = "Bản thứ hai", []diembao.Paragraph{{Text: "Nội dung đã sửa về giá lúa."}}
	if _, err := svc.PutArticles(ctx, []*diembao.Article{first, &second}); err != nil {
		t.Fatal(err)
	}
	check("stored and replaced in one batch")
	src := &diembao.Source{Name: "Báo Nguồn Riêng", Homepage: "https://nguon-rieng.example/", Kind: diembao.KindProvincial, Enabled: true}
	if err := NewSourceService(db).CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	byID := &diembao.Article{URL: "https://nguon-rieng.example/bai.html", SourceID: src.ID,
		Title: "Bài của nguồn riêng", Body: []diembao.Paragraph{{Text: "Tin về mùa màng ở xã."}}}
	if _, err := svc.PutArticles(ctx, []*diembao.Article{byID}); err != nil {
		t.Fatal(err)
	}
	check("an article naming its source by ID only")
	var stmts []string
	for _, table := range tables {
		stmts = append(stmts, `DROP TABLE `+table)
	}
	for _, m := range migrations {
		stmts = append(stmts, `DELETE FROM schema_migrations WHERE name = '`+m+`'`)
	}
	exec(t, db, stmts...)
	if err := db.migrate(ctx); err != nil {
		t.Fatal(err)
	}
	check("migration")
}

// TestRankLengthsFromMemory checks that ranking with the articles' lengths
// held in memory (once the attributes are read) gives exactly the scores
// of ranking with FTS5's own lengths, also for articles stored or changed
// after the first read.
func TestRankLengthsFromMemory(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	svc := NewArticleService(db)
	list := fixtureArticles(t)
	if _, err := svc.PutArticles(ctx, list[:len(list)-1]); err != nil {
		t.Fatal(err)
	}
	warm := NewSearchService(db)
	if err := warm.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	if len(warm.attrs.length) == 0 || warm.attrs.length[1] == 0 {
		t.Fatal("no lengths read")
	}
	// A copy read by a search with facets has the lengths of the articles
	// read since, not of the others.
	partial := NewSearchService(db)
	if _, err := partial.Search(ctx, diembao.SearchRequest{Query: "tỉnh", Facets: []string{"source"}}); err != nil {
		t.Fatal(err)
	}
	// Changes after the first read reach the copy through the refresh.
	if _, err := svc.PutArticle(ctx, list[len(list)-1]); err != nil {
		t.Fatal(err)
	}
	changed := *list[0]
	changed.Body = append(append([]diembao.Paragraph(nil), changed.Body...), diembao.Paragraph{Text: "Thêm một đoạn khá dài để độ dài của bài thay đổi hẳn so với trước."})
	changed.ContentHash = ""
	if _, err := svc.PutArticle(ctx, &changed); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"hà nội", "ban chỉ đạo", "tỉnh", "lúa OR gạo", "người dân"} {
		cold, err := NewSearchService(db).Search(ctx, diembao.SearchRequest{Query: q, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for name, svc := range map[string]*SearchService{"warm": warm, "partly read": partial} {
			hot, err := svc.Search(ctx, diembao.SearchRequest{Query: q, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			if len(cold.Hits) != len(hot.Hits) {
				t.Fatalf("%q: %d hits cold, %d %s", q, len(cold.Hits), len(hot.Hits), name)
			}
			for i := range cold.Hits {
				if cold.Hits[i].ID != hot.Hits[i].ID || cold.Hits[i].Score != hot.Hits[i].Score {
					t.Errorf("%q: hit %d: %d scores %v cold, %d scores %v %s", q, i,
						cold.Hits[i].ID, cold.Hits[i].Score, hot.Hits[i].ID, hot.Hits[i].Score, name)
				}
			}
		}
	}
}

func TestSQLiteVarint(t *testing.T) {
	tests := []struct {
		in   []byte
		want uint64
		n    int
	}{
		{[]byte{0x05}, 5, 1},
		{[]byte{0x81, 0x00}, 128, 2},
		{[]byte{0xff, 0x7f}, 16383, 2},
		{[]byte{0x81, 0x80, 0x00}, 16384, 3},
		{[]byte{0x81}, 0, 0},
		{nil, 0, 0},
	}
	for _, tt := range tests {
		v, n := sqliteVarint(tt.in)
		if v != tt.want || n != tt.n {
			t.Errorf("sqliteVarint(%x) = %d, %d; want %d, %d", tt.in, v, n, tt.want, tt.n)
		}
	}
}

// TestPrefixDF checks that a prefix weighs as the most frequent token it
// begins: the range phraseDFs reads from term_stats holds exactly the
// tokens with the prefix, whatever the bytes of its last character.
func TestPrefixDF(t *testing.T) {
	ctx := context.Background()
	db := openCorpus(t)
	dfs := statsDFs(t, db)
	tx, err := db.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	found := 0
	for _, prefix := range []string{"t", "tổ", "chuyể", "ha", "hà", "xyzq"} {
		var want int64
		for tok, n := range dfs {
			if strings.HasPrefix(tok, prefix) && n > want {
				want = n
			}
		}
		got, err := phraseDFs(ctx, tx, []query.Phrase{{Tokens: []string{prefix}, Prefix: true}})
		if err != nil {
			t.Fatal(err)
		}
		if got[0][0] != want {
			t.Errorf("%s*: document frequency %d, want %d", prefix, got[0][0], want)
		}
		if want > 0 {
			found++
		}
	}
	if found < 4 {
		t.Fatalf("only %d prefixes begin a token of the corpus", found)
	}
}

// TestPrefixBounds checks that the range of a prefix's tokens has an upper
// end even where query.PrefixBounds gives none, and that the range holds
// the tokens the prefix begins and no other.
func TestPrefixBounds(t *testing.T) {
	tests := []struct {
		prefix, lo, hi string
		in, out        []string
	}{
		{"ma", "ma", "mb", []string{"ma", "mai", "maỹ"}, []string{"m", "mà", "mb", "l"}},
		{"hà", "hà", "há", []string{"hà", "hàng"}, []string{"ha", "há", "hả"}},
		{"x\U0010FFFF", "x\U0010FFFF", "x\U0010FFFF\xff", []string{"x\U0010FFFF", "x\U0010FFFFa"}, []string{"x", "y"}},
	}
	for _, tt := range tests {
		lo, hi := prefixBounds(tt.prefix)
		if lo != tt.lo || hi != tt.hi {
			t.Errorf("prefixBounds(%q) = %q, %q; want %q, %q", tt.prefix, lo, hi, tt.lo, tt.hi)
		}
		for _, tok := range tt.in {
			if tok < lo || tok >= hi {
				t.Errorf("%q is outside the range of %q*", tok, tt.prefix)
			}
		}
		for _, tok := range tt.out {
			if tok >= lo && tok < hi {
				t.Errorf("%q is inside the range of %q*", tok, tt.prefix)
			}
		}
	}
}
