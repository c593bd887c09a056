package storetest

import (
	"context"
	_ "embed"
	"encoding/json"
	"math"
	"slices"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/query"
)

//go:embed testdata/queries.json
var queriesJSON []byte

// Query is one query of the suite with what it must find in the corpus.
type Query struct {
	Name     string       `json:"name"`
	Query    string       `json:"query"`
	Sort     diembao.Sort `json:"sort"`
	Facets   []string     `json:"facets"`
	NoExpand bool         `json:"no_expand"`
	// Want lists URLs the results must include (all of them, and only
	// them, when Exact is set); Not lists URLs they must not include; Top
	// lists the URLs of which one must come first.
	Want  []string `json:"want"`
	Not   []string `json:"not"`
	Top   []string `json:"top"`
	Exact bool     `json:"exact"`
}

// Request returns the search request of q with the given page size.
func (q *Query) Request(limit int) diembao.SearchRequest {
	return diembao.SearchRequest{Query: q.Query, Sort: q.Sort, Facets: q.Facets, NoExpand: q.NoExpand, Limit: limit}
}

// Queries returns the suite's queries.
func Queries() ([]Query, error) {
	var qs []Query
	if err := json.Unmarshal(queriesJSON, &qs); err != nil {
		return nil, err
	}
	return qs, nil
}

// badQueries are queries every backend must refuse with an EINVALID error.
var badQueries = []string{`"nền tảng`, `(Hà Nội OR`, `title:`, `published:[2020-13-01 TO 2020-14-01]`, `Hà Nội)`, `a OR -b`}

// All runs the query and follows its cursors to the end, pageSize hits at a
// time, checking on the way that pages neither repeat nor skip a hit; it
// returns every hit and the first page's result.
func All(t *testing.T, b *Backend, q Query, pageSize int) ([]diembao.Hit, *diembao.SearchResult) {
	t.Helper()
	ctx := context.Background()
	req := q.Request(pageSize)
	var (
		hits  []diembao.Hit
		first *diembao.SearchResult
		seen  = map[int64]bool{}
	)
	for page := 0; ; page++ {
		res, err := b.Search.Search(ctx, req)
		if err != nil {
			t.Fatalf("%s: %q: %v", b.Name, q.Query, err)
		}
		if first == nil {
			first = res
		}
		if res.Total != first.Total {
			t.Errorf("%s: %q: total changed from %d to %d on page %d", b.Name, q.Query, first.Total, res.Total, page)
		}
		if len(res.Hits) > pageSize {
			t.Errorf("%s: %q: page of %d hits, asked for %d", b.Name, q.Query, len(res.Hits), pageSize)
		}
		for _, h := range res.Hits {
			if seen[h.ID] {
				t.Errorf("%s: %q: hit %s repeated on page %d", b.Name, q.Query, h.URL, page)
			}
			seen[h.ID] = true
		}
		hits = append(hits, res.Hits...)
		if res.NextCursor == "" || page > 100 {
			break
		}
		req.Cursor = res.NextCursor
		req.Facets = nil // facets do not change from page to page
	}
	if len(hits) != first.Total {
		t.Errorf("%s: %q: pages hold %d hits, total says %d", b.Name, q.Query, len(hits), first.Total)
	}
	return hits, first
}

func testSearch(t *testing.T, b *Backend) {
	ctx := context.Background()
	if b.SetNow != nil {
		b.SetNow(func() time.Time { return Now })
	}
	c, err := LoadCorpus()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Load(ctx, b, c); err != nil {
		t.Fatal(err)
	}
	qs, err := Queries()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		t.Run(q.Name, func(t *testing.T) {
			if b.SetNow == nil && q.Name == "relative date" {
				t.Skipf("%s cannot fix its clock", b.Name)
			}
			hits, res := All(t, b, q, 5)
			checkReference(t, b, c, q, hits)
			checkExpectations(t, b, q, hits)
			checkOrder(t, b, q, hits)
			checkHighlights(t, b, q, hits)
			checkFacets(t, b, q, res)
		})
	}
	t.Run("bad queries", func(t *testing.T) {
		for _, bad := range badQueries {
			_, err := b.Search.Search(ctx, diembao.SearchRequest{Query: bad})
			wantCode(t, "query "+bad, err, diembao.EINVALID)
		}
		_, err := b.Search.Search(ctx, diembao.SearchRequest{Query: "lúa", Cursor: "không-phải-con-trỏ"})
		wantCode(t, "a bad cursor", err, diembao.EINVALID)
		_, err = b.Search.Search(ctx, diembao.SearchRequest{Query: "lúa", Sort: "random"})
		wantCode(t, "an unknown sort", err, diembao.EINVALID)
		_, err = b.Search.Search(ctx, diembao.SearchRequest{Query: "lúa", Facets: []string{"colour"}})
		wantCode(t, "an unknown facet", err, diembao.EINVALID)
	})
	t.Run("filters", func(t *testing.T) {
		srcs, err := b.Sources.FindSources(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var mientay int64
		for _, s := range srcs {
			if s.Name == "Tin Miền Tây" {
				mientay = s.ID
			}
		}
		res, err := b.Search.Search(ctx, diembao.SearchRequest{Query: "nông dân", SourceIDs: []int64{mientay},
			Since: c.published(t, "2020-02-01T00:00:00+07:00"), Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		var urls []string
		for _, h := range res.Hits {
			urls = append(urls, h.URL)
		}
		want := []string{"https://mientay.example.vn/kinh-te/gia-lua-tang", "https://mientay.example.vn/doi-song/nen-tang-so-cho-nong-dan"}
		slices.Sort(urls)
		slices.Sort(want)
		if !slices.Equal(urls, want) {
			t.Errorf("nông dân from Tin Miền Tây since February: %q, want %q", urls, want)
		}
	})
}

// checkReference requires the hits to be exactly the corpus articles that
// query.Matches, the reference semantics of a prepared tree, says match.
func checkReference(t *testing.T, b *Backend, c *Corpus, q Query, hits []diembao.Hit) {
	t.Helper()
	want := referenceSet(t, c, q)
	got := map[string]bool{}
	for _, h := range hits {
		got[h.URL] = true
		if !want[h.URL] {
			t.Errorf("%s: %q finds %s, which the reference semantics does not match", b.Name, q.Query, h.URL)
		}
	}
	for u := range want {
		if !got[u] {
			t.Errorf("%s: %q misses %s, which the reference semantics matches", b.Name, q.Query, u)
		}
	}
}

// referenceSet returns the URLs of the corpus articles that query.Matches,
// the reference semantics of a prepared tree, says match q.
func referenceSet(t *testing.T, c *Corpus, q Query) map[string]bool {
	t.Helper()
	tree, err := query.Parse(q.Query, Now)
	if err != nil {
		t.Fatal(err)
	}
	an := query.DefaultAnalyzer()
	if tree, err = an.Prepare(tree, query.Options{NoExpand: q.NoExpand}); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for i := range c.Articles {
		a, err := c.Articles[i].Article(nil)
		if err != nil {
			t.Fatal(err)
		}
		doc := an.Document(a)
		if query.Matches(tree, &doc, a.Published) {
			want[a.URL] = true
		}
	}
	return want
}

func checkExpectations(t *testing.T, b *Backend, q Query, hits []diembao.Hit) {
	t.Helper()
	got := map[string]bool{}
	for _, h := range hits {
		got[h.URL] = true
	}
	for _, u := range q.Want {
		if !got[u] {
			t.Errorf("%s: %q does not find %s", b.Name, q.Query, u)
		}
	}
	for _, u := range q.Not {
		if got[u] {
			t.Errorf("%s: %q finds %s, which it must not", b.Name, q.Query, u)
		}
	}
	if q.Exact && len(hits) != len(q.Want) {
		var urls []string
		for _, h := range hits {
			urls = append(urls, h.URL)
		}
		t.Errorf("%s: %q finds %d articles %q, want exactly %q", b.Name, q.Query, len(hits), urls, q.Want)
	}
	if len(q.Top) > 0 && (len(hits) == 0 || !slices.Contains(q.Top, hits[0].URL)) {
		top := ""
		if len(hits) > 0 {
			top = hits[0].URL
		}
		t.Errorf("%s: %q ranks %s first, want one of %q", b.Name, q.Query, top, q.Top)
	}
}

func checkOrder(t *testing.T, b *Backend, q Query, hits []diembao.Hit) {
	t.Helper()
	for i := 1; i < len(hits); i++ {
		prev, h := hits[i-1], hits[i]
		switch q.Sort {
		case "", diembao.SortRelevance:
			if h.Score > prev.Score && !nearlyEqual(h.Score, prev.Score) {
				t.Errorf("%s: %q: hit %d scores %g above hit %d (%g)", b.Name, q.Query, i, h.Score, i-1, prev.Score)
			}
		case diembao.SortNewest:
			if !prev.Published.IsZero() && h.Published.After(prev.Published) || prev.Published.IsZero() && !h.Published.IsZero() {
				t.Errorf("%s: %q: hit %d (%v) newer than hit %d (%v)", b.Name, q.Query, i, h.Published, i-1, prev.Published)
			}
		case diembao.SortOldest:
			if !prev.Published.IsZero() && !h.Published.IsZero() && h.Published.Before(prev.Published) ||
				prev.Published.IsZero() && !h.Published.IsZero() {
				t.Errorf("%s: %q: hit %d (%v) older than hit %d (%v)", b.Name, q.Query, i, h.Published, i-1, prev.Published)
			}
		}
	}
}

// checkHighlights requires highlights to be ordered, non-overlapping spans
// of whole characters inside the snippet.
func checkHighlights(t *testing.T, b *Backend, q Query, hits []diembao.Hit) {
	t.Helper()
	for _, h := range hits {
		end := 0
		for _, sp := range h.Highlights {
			if sp.Start < end || sp.End <= sp.Start || sp.End > len(h.Snippet) {
				t.Errorf("%s: %q: %s: bad highlight %+v in a snippet of %d bytes", b.Name, q.Query, h.URL, sp, len(h.Snippet))
				break
			}
			if !utf8.ValidString(h.Snippet[sp.Start:sp.End]) {
				t.Errorf("%s: %q: %s: highlight %+v cuts a character", b.Name, q.Query, h.URL, sp)
			}
			end = sp.End
		}
	}
}

// checkFacets requires facet counts to be positive, ordered and to add up
// to no more than the total (every article has one source, one section and
// at most one day).
func checkFacets(t *testing.T, b *Backend, q Query, res *diembao.SearchResult) {
	t.Helper()
	for _, name := range q.Facets {
		counts, ok := res.Facets[name]
		if !ok {
			t.Errorf("%s: %q: facet %s missing", b.Name, q.Query, name)
			continue
		}
		sum := 0
		for i, c := range counts {
			sum += c.Count
			if c.Count <= 0 || c.Value == "" {
				t.Errorf("%s: %q: facet %s value %+v", b.Name, q.Query, name, c)
			}
			if i > 0 && name != "day" && c.Count > counts[i-1].Count {
				t.Errorf("%s: %q: facet %s not in decreasing count order: %+v", b.Name, q.Query, name, counts)
			}
			if i > 0 && name == "day" && c.Value >= counts[i-1].Value {
				t.Errorf("%s: %q: day facet not newest first: %+v", b.Name, q.Query, counts)
			}
		}
		if sum > res.Total || (name == "source" && sum != res.Total) {
			t.Errorf("%s: %q: facet %s counts add up to %d of %d hits", b.Name, q.Query, name, sum, res.Total)
		}
	}
}

// nearlyEqual reports whether two scores are equal but for rounding.
func nearlyEqual(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}
