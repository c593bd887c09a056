package sqlite

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/query"
)

// limitCorpus stores n articles that all contain "đê điều", the k-th of
// them k times (so that later articles score higher), published one day
// apart, from two sources.
func limitCorpus(t *testing.T, n int) (*DB, []*diembao.Article) {
	t.Helper()
	db := openTest(t)
	db.Now = func() time.Time { return testNowSearch }
	ctx := context.Background()
	var list []*diembao.Article
	for k := 1; k <= n; k++ {
		body := "Tỉnh kiểm tra hệ thống"
		for range k {
			body += " đê điều"
		}
		a := &diembao.Article{
			URL:        fmt.Sprintf("https://bao-mau.example/de-dieu-%02d.html", k),
			SourceName: []string{"Báo Mẫu", "Tin Mẫu"}[k%2],
			Section:    "Thời sự",
			Title:      fmt.Sprintf("Kiểm tra đê số %d", k),
			Body:       []diembao.Paragraph{{Text: body + "."}},
			Published:  time.Date(2020, 1, k, 9, 0, 0, 0, diembao.Vietnam),
		}
		if _, err := NewArticleService(db).PutArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		list = append(list, a)
	}
	return db, list
}

// moveArticle stores a again, published at when and with a body of its
// own (so that its content hash changes), and fails the test unless the
// store replaced it.
func moveArticle(t *testing.T, db *DB, a *diembao.Article, when time.Time) {
	t.Helper()
	a.Published = when
	a.Body = append(append([]diembao.Paragraph(nil), a.Body...), diembao.Paragraph{Text: "Bài được cập nhật."})
	a.ContentHash = ""
	if r, err := NewArticleService(db).PutArticle(context.Background(), a); err != nil || !r.Updated {
		t.Fatalf("move %s = %+v, %v", a.URL, r, err)
	}
}

// totalOf returns the total of a search for q with the facet named.
func totalOf(t *testing.T, svc *SearchService, q, facet string) int {
	t.Helper()
	res, err := svc.Search(context.Background(), diembao.SearchRequest{Query: q, Facets: []string{facet}})
	if err != nil {
		t.Fatal(err)
	}
	return res.Total
}

func TestSearchLimits(t *testing.T) {
	ctx := context.Background()
	db, list := limitCorpus(t, 6)
	full := NewSearchService(db)
	limited := NewSearchService(db)
	limited.Limits = query.Limits{Window: 3, Count: 4}

	// Every match, ranked: the reference.
	all, err := full.Search(ctx, diembao.SearchRequest{Query: "đê điều", Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	if all.Total != 6 || all.TotalLowerBound {
		t.Fatalf("unlimited total = %d (lower bound %v), want 6", all.Total, all.TotalLowerBound)
	}
	// The window is the 3 matches stored last, in the reference's order.
	newest := map[int64]bool{list[3].ID: true, list[4].ID: true, list[5].ID: true}
	var want []string
	for _, h := range all.Hits {
		if newest[h.ID] {
			want = append(want, h.URL)
		}
	}

	tests := []struct {
		name      string
		req       diembao.SearchRequest
		hits      []string // nil: not checked
		total     int
		lower     bool
		facetSum  int // sum of the source facet, when facets are asked
		numResult int
		ranked    int
	}{
		{name: "relevance ranks the window", req: diembao.SearchRequest{Query: "đê điều", Limit: 50},
			hits: want, total: 4, lower: true, numResult: 3, ranked: 3},
		{name: "facets count every match", req: diembao.SearchRequest{Query: "đê điều", Limit: 50, Facets: []string{"source", "day"}},
			hits: want, total: 6, facetSum: 6, numResult: 3, ranked: 3},
		{name: "date order sees every match", req: diembao.SearchRequest{Query: "đê điều", Limit: 50, Sort: diembao.SortOldest},
			total: 4, lower: true, numResult: 6},
		{name: "a filter applies before the window", req: diembao.SearchRequest{Query: "đê điều published:[2020-01-01 TO 2020-01-03]", Limit: 50},
			total: 3, numResult: 3},
		{name: "under the window everything ranks", req: diembao.SearchRequest{Query: "đê điều published:[2020-01-01 TO 2020-01-02]", Limit: 50},
			total: 2, numResult: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := limited.Search(ctx, tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != tt.total || res.TotalLowerBound != tt.lower {
				t.Errorf("total = %d (lower bound %v), want %d (%v)", res.Total, res.TotalLowerBound, tt.total, tt.lower)
			}
			if res.Ranked != tt.ranked {
				t.Errorf("ranked = %d, want %d", res.Ranked, tt.ranked)
			}
			if len(res.Hits) != tt.numResult {
				t.Errorf("%d hits, want %d: %v", len(res.Hits), tt.numResult, urls(res))
			}
			if tt.hits != nil && !slices.Equal(urls(res), tt.hits) {
				t.Errorf("hits = %v, want %v", urls(res), tt.hits)
			}
			if tt.facetSum > 0 {
				sum := 0
				for _, f := range res.Facets["source"] {
					sum += f.Count
				}
				if sum != tt.facetSum || len(res.Facets["day"]) != tt.facetSum {
					t.Errorf("facets = %v, want %d articles over %d days", res.Facets, tt.facetSum, tt.facetSum)
				}
			}
		})
	}
}

// TestSearchDateOrderScores checks that a date order reports each hit's
// own relevance score, the one the relevance order gives it.
func TestSearchDateOrderScores(t *testing.T) {
	ctx := context.Background()
	db, _ := limitCorpus(t, 4)
	svc := NewSearchService(db)
	rel, err := svc.Search(ctx, diembao.SearchRequest{Query: "kiểm tra đê"})
	if err != nil {
		t.Fatal(err)
	}
	byDate, err := svc.Search(ctx, diembao.SearchRequest{Query: "kiểm tra đê", Sort: diembao.SortNewest})
	if err != nil {
		t.Fatal(err)
	}
	score := map[int64]float64{}
	for _, h := range rel.Hits {
		score[h.ID] = h.Score
	}
	if len(byDate.Hits) != len(rel.Hits) || len(rel.Hits) == 0 {
		t.Fatalf("%d hits by date, %d by relevance", len(byDate.Hits), len(rel.Hits))
	}
	for _, h := range byDate.Hits {
		if math.Abs(h.Score-score[h.ID]) > 1e-9 || h.Score <= 0 {
			t.Errorf("%s: score %v by date, %v by relevance", h.URL, h.Score, score[h.ID])
		}
	}
	if !sort.SliceIsSorted(byDate.Hits, func(i, j int) bool { return byDate.Hits[i].Published.After(byDate.Hits[j].Published) }) {
		t.Errorf("not newest first: %v", urls(byDate))
	}
}

// TestSearchSeesChanges checks that the in-memory attributes follow
// articles stored and changed after the first search.
func TestSearchSeesChanges(t *testing.T) {
	ctx := context.Background()
	db, list := limitCorpus(t, 3)
	svc := NewSearchService(db)
	count := func(q string) int { t.Helper(); return totalOf(t, svc, q, "source") }
	const january = "đê published:[2020-01-01 TO 2020-01-31]"
	if n := count(january); n != 3 {
		t.Fatalf("before: %d in January, want 3", n)
	}
	// Move one article to February (new content, same URL) and add one.
	moveArticle(t, db, list[0], time.Date(2020, 2, 3, 9, 0, 0, 0, diembao.Vietnam))
	articles := NewArticleService(db)
	b := &diembao.Article{URL: "https://bao-mau.example/de-moi.html", SourceName: "Báo Mẫu", Title: "Đê mới",
		Body: []diembao.Paragraph{{Text: "Tỉnh đắp đê mới."}}, Published: time.Date(2020, 1, 25, 9, 0, 0, 0, diembao.Vietnam)}
	if _, err := articles.PutArticle(ctx, b); err != nil {
		t.Fatal(err)
	}
	if n := count(january); n != 3 {
		t.Errorf("after: %d in January, want 3 (one moved out, one added)", n)
	}
	if n := count("đê published:[2020-02-01 TO 2020-02-28]"); n != 1 {
		t.Errorf("after: %d in February, want 1", n)
	}
}

func TestDayOf(t *testing.T) {
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.Date(2020, 1, 13, 0, 0, 0, 0, diembao.Vietnam), "2020-01-13"},
		{time.Date(2020, 1, 13, 23, 59, 59, 0, diembao.Vietnam), "2020-01-13"},
		{time.Date(2020, 1, 12, 17, 0, 0, 0, time.UTC), "2020-01-13"},
		{time.Date(1969, 12, 31, 16, 59, 59, 0, time.UTC), "1969-12-31"},
		{time.Date(1969, 12, 31, 17, 0, 0, 0, time.UTC), "1970-01-01"},
		{time.Date(1900, 5, 2, 12, 0, 0, 0, diembao.Vietnam), "1900-05-02"},
	}
	for _, tt := range tests {
		got := time.Unix(int64(dayOf(tt.t.Unix()))*86400, 0).UTC().Format(time.DateOnly)
		if got != tt.want {
			t.Errorf("dayOf(%v) = %s, want %s", tt.t, got, tt.want)
		}
	}
}

// TestSearchSeesChangesWithinASecond checks that an article changed in the
// same second as the attributes were last read (updated_at counts
// seconds) is read again by a later search.
func TestSearchSeesChangesWithinASecond(t *testing.T) {
	db, list := limitCorpus(t, 2)
	now := testNowSearch
	db.Now = func() time.Time { return now }
	svc := NewSearchService(db)
	count := func(q string) int { t.Helper(); return totalOf(t, svc, q, "day") }
	const february = "đê published:[2020-02-01 TO 2020-02-28]"
	if n := count(february); n != 0 {
		t.Fatalf("before: %d in February, want 0", n)
	}
	moveArticle(t, db, list[1], time.Date(2020, 2, 3, 9, 0, 0, 0, diembao.Vietnam))
	now = now.Add(5 * time.Second)
	for range 2 {
		if n := count(february); n != 1 {
			t.Errorf("after: %d in February, want 1", n)
		}
	}
}

func TestSearchWarm(t *testing.T) {
	db, list := limitCorpus(t, 3)
	svc := NewSearchService(db)
	if err := svc.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	svc.attrs.mu.RLock()
	defer svc.attrs.mu.RUnlock()
	last := list[len(list)-1]
	if !svc.attrs.loaded || svc.attrs.maxID != last.ID || svc.attrs.published[last.ID] != last.Published.Unix() {
		t.Errorf("after Warm: loaded %v, max ID %d (want %d)", svc.attrs.loaded, svc.attrs.maxID, last.ID)
	}
}

// TestDateRangeBoundsIDs checks that a date range, which bounds the IDs a
// search reads by the IDs published on its days, finds exactly the
// articles of the range, also after an article moved to another day and
// when an article is stored long after its publication.
func TestDateRangeBoundsIDs(t *testing.T) {
	ctx := context.Background()
	db, list := limitCorpus(t, 20) // published 2020-01-01 … 2020-01-20, in ID order
	svc := NewArticleService(db)
	moveArticle(t, db, list[2], time.Date(2020, 1, 17, 8, 0, 0, 0, diembao.Vietnam))
	late := &diembao.Article{
		URL:        "https://bao-mau.example/de-dieu-muon.html",
		SourceName: "Báo Mẫu",
		Title:      "Kiểm tra đê, đăng muộn",
		Body:       []diembao.Paragraph{{Text: "Tỉnh kiểm tra đê điều."}},
		Published:  time.Date(2020, 1, 5, 23, 30, 0, 0, diembao.Vietnam),
	}
	if _, err := svc.PutArticle(ctx, late); err != nil {
		t.Fatal(err)
	}
	list = append(list, late)
	search := NewSearchService(db)
	tests := []struct {
		name     string
		from, to string
	}{
		{"one day", "2020-01-05", "2020-01-05"},
		{"days holding the moved article", "2020-01-03", "2020-01-03"},
		{"where it moved", "2020-01-17", "2020-01-18"},
		{"a span", "2020-01-02", "2020-01-09"},
		{"before everything", "2019-01-01", "2019-12-31"},
		{"after everything", "2021-01-01", "2021-12-31"},
		{"all", "2019-01-01", "2021-12-31"},
	}
	for _, tt := range tests {
		for _, sort := range []diembao.Sort{diembao.SortRelevance, diembao.SortNewest} {
			t.Run(tt.name+"/"+string(sort), func(t *testing.T) {
				from, _ := time.ParseInLocation("2006-01-02", tt.from, diembao.Vietnam)
				to, _ := time.ParseInLocation("2006-01-02", tt.to, diembao.Vietnam)
				to = to.AddDate(0, 0, 1)
				var want []string
				for _, a := range list {
					if !a.Published.Before(from) && a.Published.Before(to) {
						want = append(want, a.URL)
					}
				}
				res, err := search.Search(ctx, diembao.SearchRequest{
					Query: fmt.Sprintf("đê published:[%s TO %s]", tt.from, tt.to), Sort: sort, Limit: 100})
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, h := range res.Hits {
					got = append(got, h.URL)
				}
				slices.Sort(want)
				slices.Sort(got)
				if !slices.Equal(got, want) || res.Total != len(want) {
					t.Errorf("total %d, hits %q\nwant %d: %q", res.Total, got, len(want), want)
				}
			})
		}
	}
}
