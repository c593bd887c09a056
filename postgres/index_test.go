package postgres

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/internal/testutil"
	"github.com/diembao/diembao/query"
)

func TestBuildEntry(t *testing.T) {
	doc := &query.Document{
		Title: "hà nội hà", TitleFolded: "ha noi ha",
		Body: "it's", BodyFolded: `a\b`,
		Words: "hà_nội", WordsFolded: "ha_noi",
	}
	e := buildEntry(doc)
	want := `'b:it':1 'b:s':2 'bf:a':1 'bf:b':2 't:hà':1,3 't:nội':2 'tf:ha':1,3 'tf:noi':2 'w:hà_nội':1 'wf:ha_noi':1`
	if e.tsv != want {
		t.Errorf("tsv =\n%s\nwant\n%s", e.tsv, want)
	}
	if e.ntokens != 12 {
		t.Errorf("ntokens = %d, want 12", e.ntokens)
	}
	wantTokens := []string{"hà", "nội", "ha", "noi", "it", "s", "a", "b", "hà_nội", "ha_noi"}
	if !reflect.DeepEqual(e.tokens, wantTokens) || !reflect.DeepEqual(e.tokens, doc.DistinctTokens()) {
		t.Errorf("tokens = %q, want %q (and the document's distinct tokens %q)", e.tokens, wantTokens, doc.DistinctTokens())
	}
	t.Run("round trip", func(t *testing.T) {
		d := parseTsvector(e.tsv)
		if !reflect.DeepEqual(d["t:hà"], []int{1, 3}) || !reflect.DeepEqual(d["wf:ha_noi"], []int{1}) || len(d) != 10 {
			t.Errorf("parseTsvector = %v", d)
		}
	})
	t.Run("limits", func(t *testing.T) {
		long := strings.Repeat("a ", maxPos+300)
		e := buildEntry(&query.Document{Body: long})
		d := parseTsvector(e.tsv)
		if n := len(d["b:a"]); n != maxPositions {
			t.Errorf("%d positions kept, want PostgreSQL's limit %d", n, maxPositions)
		}
		if e.ntokens != maxPos+300 {
			t.Errorf("ntokens = %d, want every token counted", e.ntokens)
		}
	})
}

func TestParseTsvector(t *testing.T) {
	tests := []struct {
		name, in string
		want     docPositions
	}{
		{"empty", "", docPositions{}},
		{"weights", `'t:hà':1A,5A 'b:x':3`, docPositions{"t:hà": {1, 5}, "b:x": {3}}},
		{"quote", `'b:it''s':2B`, docPositions{"b:it's": {2}}},
		{"backslash", `'b:a\\b':7`, docPositions{`b:a\b`: {7}}},
		{"no positions", `'b:x'`, docPositions{"b:x": nil}},
		{"garbage stops", `'b:x':1 ???`, docPositions{"b:x": {1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseTsvector(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parseTsvector(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzParseTsvector checks that reading server text never panics and that
// what buildEntry writes reads back.
func FuzzParseTsvector(f *testing.F) {
	f.Add("hà nội", "ha noi")
	f.Add("it's a \\ test", "'''")
	f.Fuzz(func(t *testing.T, title, body string) {
		e := buildEntry(&query.Document{Title: title, Body: body})
		d := parseTsvector(e.tsv)
		for _, tok := range query.IndexTokens(title) {
			if len(d["t:"+tok]) == 0 {
				t.Fatalf("token %q of %q lost in %q", tok, title, e.tsv)
			}
		}
		parseTsvector(title + body)
	})
}

// benchDocument is an analysed article of about the size of a news story.
func benchDocument() *query.Document {
	words := strings.Fields("chiều 10 1 ban chỉ đạo bảo vệ nền tảng tư tưởng của đảng tỉnh tổ chức hội nghị triển khai nhiệm vụ năm 2020")
	var body []string
	for i := 0; i < 30; i++ {
		body = append(body, words...)
	}
	// The folded columns repeat the exact ones: folding does not change
	// the cost.
	text := strings.Join(body, " ")
	return &query.Document{Title: strings.Join(words[:10], " "), TitleFolded: strings.Join(words[:10], " "),
		Body: text, BodyFolded: text}
}

func BenchmarkBuildEntry(b *testing.B) {
	doc := benchDocument()
	b.ReportAllocs()
	for b.Loop() {
		buildEntry(doc)
	}
}

func BenchmarkScoreArticle(b *testing.B) {
	doc := benchDocument()
	e := buildEntry(doc)
	ph := []*expr{
		{op: opPhrase, cols: []int{0, 2}, tokens: []string{"nền", "tảng"}},
		{op: opPhrase, cols: []int{1, 3}, tokens: []string{"tư"}},
	}
	x := &expr{op: opAnd, kids: ph}
	idfs := []float64{2, 1}
	b.ReportAllocs()
	for b.Loop() {
		d := parseTsvector(e.tsv)
		bm25(d, e.ntokens, x, ph, idfs, &ranking.Weights, 1000)
	}
}

// openTestDB opens a fresh store in a schema of its own, or skips without
// DIEMBAO_TEST_POSTGRES.
func openTestDB(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), testutil.PostgresDSN(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestArticleIndexFollowsWrites checks that the search table follows the
// articles: a replaced text is searched in its new form, changed
// attributes are filtered and counted as they now are, and a deleted
// source's articles leave its filter, and a deleted article leaves the
// index.
func TestArticleIndexFollowsWrites(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	src := &diembao.Source{Name: "Báo Thử", Enabled: true}
	if err := NewSourceService(db).CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	as := NewArticleService(db)
	when := time.Date(2020, 3, 1, 9, 0, 0, 0, diembao.Vietnam)
	a := &diembao.Article{URL: "https://thu.example.vn/1", Title: "Lũ lụt miền Trung", Section: "Thời sự",
		SourceID: src.ID, SourceName: src.Name, Published: when}
	if _, err := as.PutArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	search := NewSearchService(db)
	find := func(req diembao.SearchRequest) *diembao.SearchResult {
		t.Helper()
		res, err := search.Search(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := find(diembao.SearchRequest{Query: `"lũ lụt"`, SourceIDs: []int64{src.ID}}); res.Total != 1 {
		t.Fatalf("stored article: total %d, want 1", res.Total)
	}
	a2 := &diembao.Article{URL: a.URL, Title: "Hạn hán miền Tây", Section: "Kinh tế",
		SourceID: src.ID, SourceName: src.Name, Published: when.AddDate(0, 1, 0)}
	if _, err := as.PutArticle(ctx, a2); err != nil {
		t.Fatal(err)
	}
	if res := find(diembao.SearchRequest{Query: `"lũ lụt"`}); res.Total != 0 {
		t.Errorf("the replaced text still matches: total %d", res.Total)
	}
	res := find(diembao.SearchRequest{Query: `"hạn hán"`, Facets: []string{"section", "day"}, Since: when.AddDate(0, 0, 15)})
	want := map[string][]diembao.FacetCount{
		"section": {{Value: "Kinh tế", Count: 1}},
		"day":     {{Value: "2020-04-01", Count: 1}},
	}
	if res.Total != 1 || !reflect.DeepEqual(res.Facets, want) {
		t.Errorf("the new text: total %d, facets %+v; want 1, %+v", res.Total, res.Facets, want)
	}
	if err := NewSourceService(db).DeleteSource(ctx, src.ID); err != nil {
		t.Fatal(err)
	}
	if res := find(diembao.SearchRequest{Query: `"hạn hán"`, SourceIDs: []int64{src.ID}}); res.Total != 0 {
		t.Errorf("the deleted source's filter still finds %d articles", res.Total)
	}
	if _, err := db.pool.Exec(ctx, `DELETE FROM articles WHERE url = $1`, a.URL); err != nil {
		t.Fatal(err)
	}
	var left int
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM article_index WHERE id = $1`, a.ID).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("the index row of a deleted article remains")
	}
}
