package sqlite

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/diembao/diembao"
)

func TestPutArticleIdempotent(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	svc := NewArticleService(db)
	a := fixtureArticles(t)[0]

	first, err := svc.PutArticle(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if !first.Created || first.Updated || first.ID == 0 {
		t.Fatalf("first put = %+v, want created", first)
	}
	if a.ContentHash == "" {
		t.Error("PutArticle did not set ContentHash")
	}
	steps := []struct {
		name    string
		change  func(a *diembao.Article)
		created bool
		updated bool
	}{
		{"same again", func(a *diembao.Article) {}, false, false},
		{"same content, hash recomputed", func(a *diembao.Article) { a.ContentHash = "" }, false, false},
		{"new text", func(a *diembao.Article) {
			a.Body = append(a.Body, diembao.Paragraph{Text: "Đoạn bổ sung về lịch làm việc."})
			a.ContentHash = ""
		}, false, true},
		{"new text again", func(a *diembao.Article) { a.ContentHash = "" }, false, false},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			b := *a
			s.change(&b)
			r, err := svc.PutArticle(ctx, &b)
			if err != nil {
				t.Fatal(err)
			}
			if r.ID != first.ID || r.Created != s.created || r.Updated != s.updated {
				t.Errorf("put = %+v, want id %d created %v updated %v", r, first.ID, s.created, s.updated)
			}
			*a = b
		})
	}
	n, err := svc.CountArticles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("CountArticles = %d, want 1", n)
	}
	var rows int
	if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM article_index WHERE article_index MATCH 'lịch'`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != 1 {
		t.Errorf("index rows for the updated text = %d, want 1", rows)
	}
	if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM article_index WHERE article_index MATCH 'nghị'`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != 1 {
		t.Errorf("index rows = %d after updates, want 1", rows)
	}
}

func TestPutArticleRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	sources := NewSourceService(db)
	src := &diembao.Source{Name: "Báo Mẫu", Homepage: "https://bao-mau.example/", Kind: diembao.KindProvincial, Enabled: true}
	if err := sources.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	svc := NewArticleService(db)
	a := fixtureArticles(t)[0]
	a.SourceName = ""
	a.SourceID = src.ID
	a.Attribution = &diembao.Attribution{Kind: "Nguồn", Outlet: "Báo Hà Nam"}
	a.Tags = []string{"hội nghị"}
	a.FetchedAt = time.Date(2020, 1, 13, 1, 2, 3, 0, time.UTC)
	if _, err := svc.PutArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	got, err := svc.FindArticleByID(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"url", got.URL, a.URL},
		{"source name", got.SourceName, "Báo Mẫu"},
		{"source id", got.SourceID, src.ID},
		{"title", got.Title, a.Title},
		{"text", got.Text(), a.Text()},
		{"captions", len(got.Captions), len(a.Captions)},
		{"published", got.Published.Equal(a.Published), true},
		{"published zone", got.Published.Location(), diembao.Vietnam},
		{"attribution", got.Attribution.String(), "Nguồn Báo Hà Nam"},
		{"tags", len(got.Tags), 1},
		{"fetched", got.FetchedAt.Equal(a.FetchedAt), true},
		{"hash", got.ContentHash, a.ContentHash},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	byURL, err := svc.FindArticleByURL(ctx, a.URL)
	if err != nil || byURL.ID != a.ID {
		t.Errorf("FindArticleByURL = %v, %v", byURL, err)
	}
	list, err := svc.FindArticles(ctx, diembao.ArticleFilter{SourceID: &src.ID})
	if err != nil || len(list) != 1 {
		t.Errorf("FindArticles by source = %d articles, %v; want 1", len(list), err)
	}
	if _, err := svc.FindArticleByID(ctx, a.ID+100); diembao.ErrorCode(err) != diembao.ENOTFOUND {
		t.Errorf("FindArticleByID(missing) error = %v, want not_found", err)
	}
}

func TestPutArticlesOneTransaction(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	svc := NewArticleService(db)
	list := fixtureArticles(t)
	// The second article names a source that does not exist: the whole
	// batch must fail, leaving neither articles nor index rows.
	list[1].SourceName = ""
	list[1].SourceID = 999
	if _, err := svc.PutArticles(ctx, list); err == nil {
		t.Fatal("PutArticles succeeded with a missing source")
	}
	for _, table := range []string{"articles", "article_index"} {
		var n int
		if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%s has %d rows after a failed batch, want 0", table, n)
		}
	}
	// A write cancelled mid-way leaves nothing behind either.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := svc.PutArticle(cctx, fixtureArticles(t)[0]); !errors.Is(err, context.Canceled) {
		t.Errorf("PutArticle with a cancelled context: %v, want context.Canceled", err)
	}
	if n, _ := svc.CountArticles(ctx); n != 0 {
		t.Errorf("CountArticles = %d after a cancelled write, want 0", n)
	}
}

func TestPutArticleInvalid(t *testing.T) {
	svc := NewArticleService(openTest(t))
	tests := []struct {
		name string
		a    diembao.Article
	}{
		{"no url", diembao.Article{Title: "Tiêu đề"}},
		{"no title or text", diembao.Article{URL: "https://x.example/a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := svc.PutArticle(context.Background(), &tt.a); diembao.ErrorCode(err) != diembao.EINVALID {
				t.Errorf("error = %v, want invalid", err)
			}
		})
	}
}

func TestPrepareWrite(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	sources := NewSourceService(db)
	src := &diembao.Source{Name: "Báo Kiểm Tra", Homepage: "https://kiem-tra.example/", Kind: diembao.KindProvincial, Enabled: true}
	if err := sources.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	svc := NewArticleService(db)
	fx := fixtureArticles(t)
	if len(fx) < 4 {
		t.Fatalf("%d fixture articles, want at least 4", len(fx))
	}
	first := []*diembao.Article{fx[0], fx[1]}
	// The second batch names the source by ID twice and by name twice (the
	// writer remembers sources within a batch), repeats fx[0] unchanged and
	// changes fx[1].
	changed := *fx[1]
	changed.Body = append(append([]diembao.Paragraph(nil), fx[1].Body...), diembao.Paragraph{Text: "Đoạn bổ sung về lịch làm việc."})
	changed.ContentHash = ""
	byID := []*diembao.Article{fx[2], fx[3]}
	for _, a := range byID {
		a.SourceID, a.SourceName = src.ID, ""
	}
	byName := []*diembao.Article{{URL: "https://bao-mau.example/a/1", Title: "Tin thứ nhất", SourceName: src.Name},
		{URL: "https://bao-mau.example/a/2", Title: "Tin thứ hai", SourceName: src.Name}}
	unchanged := *fx[0]
	second := []*diembao.Article{&unchanged, &changed, byID[0], byID[1], byName[0], byName[1]}

	// Both batches are prepared before either is written, as a pipelined
	// import does.
	b1, err := svc.Prepare(first)
	if err != nil {
		t.Fatal(err)
	}
	b2, err := svc.Prepare(second)
	if err != nil {
		t.Fatal(err)
	}
	if b2.Len() != len(second) {
		t.Errorf("Len = %d, want %d", b2.Len(), len(second))
	}
	r1, err := svc.Write(ctx, b1)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := svc.Write(ctx, b2)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name             string
		got              diembao.PutResult
		created, updated bool
		id               int64
	}{
		{"first new", r1[0], true, false, 0},
		{"second new", r1[1], true, false, 0},
		{"unchanged", r2[0], false, false, r1[0].ID},
		{"changed", r2[1], false, true, r1[1].ID},
		{"by source id", r2[2], true, false, 0},
		{"by source id again", r2[3], true, false, 0},
		{"by source name", r2[4], true, false, 0},
		{"by source name again", r2[5], true, false, 0},
	}
	for _, w := range want {
		t.Run(w.name, func(t *testing.T) {
			if w.got.Created != w.created || w.got.Updated != w.updated || w.got.ID == 0 || (w.id != 0 && w.got.ID != w.id) {
				t.Errorf("result = %+v, want created %v updated %v id %d", w.got, w.created, w.updated, w.id)
			}
		})
	}
	for _, a := range append(byID, byName...) {
		got, err := svc.FindArticleByURL(ctx, a.URL)
		if err != nil {
			t.Fatal(err)
		}
		if got.SourceID != src.ID || got.SourceName != src.Name {
			t.Errorf("%s: source %d %q, want %d %q", a.URL, got.SourceID, got.SourceName, src.ID, src.Name)
		}
	}
	var rows int
	if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM article_index WHERE article_index MATCH 'source : kiem'`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != 4 {
		t.Errorf("index rows of the source = %d, want 4", rows)
	}
	if n, _ := svc.CountArticles(ctx); n != 6 {
		t.Errorf("CountArticles = %d, want 6", n)
	}
}

func TestWriteMissingSourceTwice(t *testing.T) {
	// The writer remembers that a source is missing: the second article
	// naming it must fail as the first does, and the batch store nothing.
	ctx := context.Background()
	db := openTest(t)
	svc := NewArticleService(db)
	list := fixtureArticles(t)[:2]
	for _, a := range list {
		a.SourceID, a.SourceName = 999, ""
	}
	b, err := svc.Prepare(list)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Write(ctx, b); diembao.ErrorCode(err) != diembao.EINVALID {
		t.Errorf("Write error = %v, want invalid", err)
	}
	list[0].SourceID = 0
	b, err = svc.Prepare(list)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Write(ctx, b); diembao.ErrorCode(err) != diembao.EINVALID {
		t.Errorf("Write error with the second article naming the source = %v, want invalid", err)
	}
	if n, _ := svc.CountArticles(ctx); n != 0 {
		t.Errorf("CountArticles = %d after failed batches, want 0", n)
	}
}
