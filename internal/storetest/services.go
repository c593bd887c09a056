package storetest

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/diembao/diembao"
)

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := diembao.ErrorCode(err); got != code {
		t.Errorf("%s: error code %q (%v), want %q", what, got, err, code)
	}
}

func testSources(t *testing.T, b *Backend) {
	ctx := context.Background()
	src := &diembao.Source{
		Name: "Báo Thử Nghiệm", Homepage: "https://thunghiem.example.vn/", Kind: diembao.KindProvincial,
		Province: "Huế", Feeds: []string{"https://thunghiem.example.vn/rss/thoi-su.rss"},
		Collections: []string{"miền Trung", "tỉnh"}, Enabled: true,
	}
	if err := b.Sources.CreateSource(ctx, src); err != nil {
		t.Fatalf("CreateSource: %v", err)
	}
	if src.ID == 0 || src.CreatedAt.IsZero() {
		t.Fatalf("CreateSource set ID %d, CreatedAt %v", src.ID, src.CreatedAt)
	}
	t.Run("duplicate name", func(t *testing.T) {
		err := b.Sources.CreateSource(ctx, &diembao.Source{Name: src.Name})
		wantCode(t, "CreateSource of a known name", err, diembao.ECONFLICT)
	})
	t.Run("no name", func(t *testing.T) {
		wantCode(t, "CreateSource without name", b.Sources.CreateSource(ctx, &diembao.Source{Name: " "}), diembao.EINVALID)
	})
	t.Run("find", func(t *testing.T) {
		got, err := b.Sources.FindSourceByID(ctx, src.ID)
		if err != nil {
			t.Fatalf("FindSourceByID: %v", err)
		}
		if got.Name != src.Name || got.Homepage != src.Homepage || got.Kind != src.Kind || got.Province != src.Province ||
			!reflect.DeepEqual(got.Feeds, src.Feeds) || len(got.Sitemaps) != 0 || !got.Enabled ||
			!reflect.DeepEqual(got.Collections, src.Collections) || !got.CreatedAt.Equal(src.CreatedAt) {
			t.Errorf("FindSourceByID = %+v, want %+v", got, src)
		}
		if got.Health.Status() != "new" {
			t.Errorf("new source status %q, want new", got.Health.Status())
		}
		_, err = b.Sources.FindSourceByID(ctx, src.ID+1000)
		wantCode(t, "FindSourceByID of an unknown ID", err, diembao.ENOTFOUND)
	})
	t.Run("update", func(t *testing.T) {
		other := &diembao.Source{Name: "Báo Khác", Enabled: true}
		if err := b.Sources.CreateSource(ctx, other); err != nil {
			t.Fatal(err)
		}
		upd := *src
		upd.Name = "Báo Thử Nghiệm Mới"
		upd.Collections = []string{"tỉnh"}
		upd.Enabled = false
		if err := b.Sources.UpdateSource(ctx, &upd); err != nil {
			t.Fatalf("UpdateSource: %v", err)
		}
		got, err := b.Sources.FindSourceByID(ctx, src.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != upd.Name || got.Enabled || !reflect.DeepEqual(got.Collections, []string{"tỉnh"}) {
			t.Errorf("after UpdateSource: %+v", got)
		}
		upd.Name = other.Name
		wantCode(t, "UpdateSource to a taken name", b.Sources.UpdateSource(ctx, &upd), diembao.ECONFLICT)
		missing := upd
		missing.ID, missing.Name = src.ID+1000, "Không Có"
		wantCode(t, "UpdateSource of an unknown ID", b.Sources.UpdateSource(ctx, &missing), diembao.ENOTFOUND)
		list, err := b.Sources.FindSources(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, s := range list {
			names = append(names, s.Name)
		}
		if want := []string{"Báo Khác", "Báo Thử Nghiệm Mới"}; !reflect.DeepEqual(names, want) {
			t.Errorf("FindSources names %q, want %q", names, want)
		}
	})
	t.Run("health", func(t *testing.T) {
		at := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
		if err := b.Sources.RecordAttempt(ctx, src.ID, at, errors.New("lỗi kết nối")); err != nil {
			t.Fatal(err)
		}
		if err := b.Sources.RecordAttempt(ctx, src.ID, at.Add(time.Hour), diembao.Errorf(diembao.EUNAVAILABLE, "máy chủ bận")); err != nil {
			t.Fatal(err)
		}
		got, err := b.Sources.FindSourceByID(ctx, src.ID)
		if err != nil {
			t.Fatal(err)
		}
		h := got.Health
		if h.ConsecutiveFailures != 2 || h.LastError != "máy chủ bận" || !h.LastAttempt.Equal(at.Add(time.Hour)) ||
			!h.LastSuccess.IsZero() || h.Status() != "failing" {
			t.Errorf("after two failures: %+v", h)
		}
		if err := b.Sources.RecordAttempt(ctx, src.ID, at.Add(2*time.Hour), nil); err != nil {
			t.Fatal(err)
		}
		got, _ = b.Sources.FindSourceByID(ctx, src.ID)
		if h := got.Health; h.ConsecutiveFailures != 0 || h.LastError != "" || !h.LastSuccess.Equal(at.Add(2*time.Hour)) {
			t.Errorf("after a success: %+v", h)
		}
		wantCode(t, "RecordAttempt of an unknown ID", b.Sources.RecordAttempt(ctx, src.ID+1000, at, nil), diembao.ENOTFOUND)
	})
	t.Run("delete", func(t *testing.T) {
		if err := b.Sources.DeleteSource(ctx, src.ID); err != nil {
			t.Fatalf("DeleteSource: %v", err)
		}
		_, err := b.Sources.FindSourceByID(ctx, src.ID)
		wantCode(t, "FindSourceByID after delete", err, diembao.ENOTFOUND)
		wantCode(t, "DeleteSource twice", b.Sources.DeleteSource(ctx, src.ID), diembao.ENOTFOUND)
	})
}

func testFetches(t *testing.T, b *Backend) {
	ctx := context.Background()
	at := time.Date(2020, 1, 10, 8, 0, 0, 0, time.UTC)
	fetches := []*diembao.Fetch{
		{URL: "https://a.example.vn/1", Status: 200, Header: http.Header{"Content-Type": {"text/html; charset=utf-8"}},
			FetchedAt: at, WARCFile: "diembao-0001.warc.gz", WARCOffset: 1234},
		{URL: "https://a.example.vn/2", FetchedAt: at.Add(time.Minute), Err: "dial tcp: timeout"},
		{URL: "https://a.example.vn/3", Status: 404, FetchedAt: at.Add(2 * time.Minute)},
	}
	for _, f := range fetches {
		if err := b.Fetches.CreateFetch(ctx, f); err != nil {
			t.Fatalf("CreateFetch: %v", err)
		}
	}
	wantCode(t, "CreateFetch without URL", b.Fetches.CreateFetch(ctx, &diembao.Fetch{}), diembao.EINVALID)
	got, err := b.Fetches.FindFetches(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(fetches) {
		t.Fatalf("FindFetches returned %d fetches, want %d", len(got), len(fetches))
	}
	for i, f := range got {
		w := fetches[i]
		if f.ID != w.ID || f.URL != w.URL || f.Status != w.Status || !reflect.DeepEqual(f.Header, w.Header) ||
			!f.FetchedAt.Equal(w.FetchedAt) || f.WARCFile != w.WARCFile || f.WARCOffset != w.WARCOffset || f.Err != w.Err {
			t.Errorf("fetch %d = %+v, want %+v", i, f, w)
		}
	}
	page, err := b.Fetches.FindFetches(ctx, fetches[0].ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 1 || page[0].ID != fetches[1].ID {
		t.Errorf("FindFetches(after first, 1) = %v, want the second fetch", page)
	}
}

func testArticles(t *testing.T, b *Backend) {
	ctx := context.Background()
	src := &diembao.Source{Name: "Báo Sông Hồng", Homepage: "https://songhong.example.vn", Enabled: true}
	if err := b.Sources.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	pub := time.Date(2020, 1, 10, 9, 30, 0, 0, diembao.Vietnam)
	a := &diembao.Article{
		URL: "https://songhong.example.vn/a/1", SourceID: src.ID, Title: "Hội nghị tổng kết năm",
		Sapo:     "Sáng 10/1, hội nghị tổng kết diễn ra tại hội trường tỉnh.",
		Body:     []diembao.Paragraph{{Text: "Kết quả nổi bật"}, {Text: "Năm qua, tỉnh hoàn thành các chỉ tiêu.", Heading: false}},
		Captions: []string{"Quang cảnh hội nghị."}, Images: []diembao.Image{{URL: "https://songhong.example.vn/i/1.jpg", Caption: "Quang cảnh hội nghị."}},
		Author: "Lê Thu Hà", Attribution: &diembao.Attribution{Kind: "Nguồn", Outlet: "Báo Hà Nam"},
		Published: pub, PublishedPrecision: diembao.PrecisionMinute, PublishedFrom: "meta",
		Section: "Thời sự", Tags: []string{"hội nghị", "tổng kết"}, Language: "vi",
	}
	res, err := b.Articles.PutArticle(ctx, a)
	if err != nil {
		t.Fatalf("PutArticle: %v", err)
	}
	if !res.Created || res.Updated || res.ID == 0 || a.ID != res.ID || a.ContentHash == "" {
		t.Fatalf("PutArticle of a new article = %+v (article ID %d, hash %q)", res, a.ID, a.ContentHash)
	}
	t.Run("round trip", func(t *testing.T) {
		got, err := b.Articles.FindArticleByID(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.SourceName != src.Name {
			t.Errorf("source name %q, want it filled in from the source: %q", got.SourceName, src.Name)
		}
		want := *a
		want.SourceName = src.Name
		if !got.Published.Equal(pub) || got.Published.Location().String() != diembao.Vietnam.String() {
			t.Errorf("published %v, want %v in Vietnam's zone", got.Published, pub)
		}
		got.Published, want.Published = time.Time{}, time.Time{}
		if !reflect.DeepEqual(got, &want) {
			t.Errorf("FindArticleByID =\n%+v\nwant\n%+v", got, &want)
		}
		_, err = b.Articles.FindArticleByID(ctx, a.ID+1000)
		wantCode(t, "FindArticleByID of an unknown ID", err, diembao.ENOTFOUND)
	})
	t.Run("idempotent", func(t *testing.T) {
		again := *a
		again.ID, again.ContentHash = 0, ""
		res, err := b.Articles.PutArticle(ctx, &again)
		if err != nil {
			t.Fatal(err)
		}
		if res.Created || res.Updated || res.ID != a.ID {
			t.Errorf("PutArticle of the same article = %+v, want no change to %d", res, a.ID)
		}
	})
	t.Run("update", func(t *testing.T) {
		changed := *a
		changed.ID, changed.ContentHash = 0, ""
		changed.Title = "Hội nghị tổng kết năm 2019"
		res, err := b.Articles.PutArticle(ctx, &changed)
		if err != nil {
			t.Fatal(err)
		}
		if res.Created || !res.Updated || res.ID != a.ID {
			t.Errorf("PutArticle of changed content = %+v, want an update of %d", res, a.ID)
		}
		got, err := b.Articles.FindArticleByID(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Title != changed.Title {
			t.Errorf("title after update %q, want %q", got.Title, changed.Title)
		}
		r, err := b.Search.Search(ctx, diembao.SearchRequest{Query: "2019"})
		if err != nil {
			t.Fatal(err)
		}
		if r.Total != 1 || r.Hits[0].ID != a.ID {
			t.Errorf("search for a word of the new title: %d hits, want the updated article", r.Total)
		}
	})
	t.Run("invalid", func(t *testing.T) {
		_, err := b.Articles.PutArticle(ctx, &diembao.Article{Title: "Không có địa chỉ"})
		wantCode(t, "PutArticle without URL", err, diembao.EINVALID)
		_, err = b.Articles.PutArticle(ctx, &diembao.Article{URL: "https://x.example.vn/empty"})
		wantCode(t, "PutArticle without title or text", err, diembao.EINVALID)
		_, err = b.Articles.PutArticle(ctx, &diembao.Article{URL: "https://x.example.vn/s", Title: "Tin", SourceID: src.ID + 1000})
		wantCode(t, "PutArticle with an unknown source", err, diembao.EINVALID)
	})
	t.Run("list", func(t *testing.T) {
		for i, day := range []int{5, 20} {
			x := &diembao.Article{URL: "https://songhong.example.vn/b/" + string(rune('a'+i)), Title: "Tin ngắn",
				Published: time.Date(2020, 1, day, 8, 0, 0, 0, diembao.Vietnam)}
			if _, err := b.Articles.PutArticle(ctx, x); err != nil {
				t.Fatal(err)
			}
		}
		undated := &diembao.Article{URL: "https://songhong.example.vn/b/undated", Title: "Tin không ngày"}
		if _, err := b.Articles.PutArticle(ctx, undated); err != nil {
			t.Fatal(err)
		}
		n, err := b.Articles.CountArticles(ctx)
		if err != nil || n != 4 {
			t.Fatalf("CountArticles = %d, %v; want 4", n, err)
		}
		all, err := b.Articles.FindArticles(ctx, diembao.ArticleFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var urls []string
		for _, x := range all {
			urls = append(urls, x.URL)
		}
		want := []string{"https://songhong.example.vn/b/b", a.URL, "https://songhong.example.vn/b/a", undated.URL}
		if !reflect.DeepEqual(urls, want) {
			t.Errorf("FindArticles order %q, want newest first and undated last %q", urls, want)
		}
		srcOnly, err := b.Articles.FindArticles(ctx, diembao.ArticleFilter{SourceID: &src.ID})
		if err != nil || len(srcOnly) != 1 || srcOnly[0].ID != a.ID {
			t.Errorf("FindArticles by source = %d articles, %v; want the one article of the source", len(srcOnly), err)
		}
		since, err := b.Articles.FindArticles(ctx, diembao.ArticleFilter{Since: pub, Limit: 1, Offset: 1})
		if err != nil || len(since) != 1 || since[0].ID != a.ID {
			t.Errorf("FindArticles since, limit 1, offset 1 = %d articles, %v; want %s", len(since), err, a.URL)
		}
	})
}
