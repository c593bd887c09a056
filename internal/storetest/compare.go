package storetest

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/query"
)

// loadBoth opens a store of each backend with the suite's clock, loads the
// corpus into both and returns them with the corpus and the suite's
// queries.
func loadBoth(t *testing.T, openA, openB Opener) (a, b *Backend, c *Corpus, qs []Query) {
	a, b = openA(t), openB(t)
	c, err := LoadCorpus()
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []*Backend{a, b} {
		if x.SetNow != nil {
			x.SetNow(func() time.Time { return Now })
		}
		if _, err := Load(context.Background(), x, c); err != nil {
			t.Fatal(err)
		}
	}
	if qs, err = Queries(); err != nil {
		t.Fatal(err)
	}
	return a, b, c, qs
}

// Compare opens a store of each backend, loads the corpus into both and
// requires every query of the suite (and every bad query) to give the same
// answers: the same total, the same set of results, the same order except
// among results of equal score, the same scores but for rounding, the same
// facets, snippets and highlights, and the same errors.
func Compare(t *testing.T, openA, openB Opener) {
	ctx := context.Background()
	a, b, _, qs := loadBoth(t, openA, openB)
	// Further queries whose answers are compared but not spelled out.
	for _, extra := range []string{"nông dân", "Đồng Nai", "dong nai", "tỉnh thành phố", "ban chi dao", "\"Ban Chỉ đạo\"",
		"UBND", "THPT", "giá lúa OR bàn ghế", "title:Hà", "hợp tác xã -lúa", "tổ*", "author:\"Lê Thu Hà\" kế hoạch",
		// Exclusions before what must be found, prefixes with exclusions.
		"-bão hà nội", "-lúa (nông OR dân)", "(nông OR dân) -lúa", "hà nộ* -bão", "nông dâ* -lúa", `"nông dân" tổ* -lúa`,
		"published:[2020-01-01 TO 2020-01-31] ban", "section:\"Kinh tế\" nông", "người dân"} {
		qs = append(qs, Query{Name: extra, Query: extra})
	}
	// Searches of filters only, which the stores answer without the
	// full-text index.
	qs = append([]Query{{Name: "published:>2020-01-10", Query: "published:>2020-01-10"},
		{Name: "published:[2020-01-01 TO 2020-01-31]", Query: "published:[2020-01-01 TO 2020-01-31]"}}, qs...)
	// Relevance for every query; the date orders for the first few, which
	// is enough to compare the cursors and keys of date sorts.
	const dated = 8
	t.Run("queries", func(t *testing.T) {
		for i, q := range qs {
			orders := []diembao.Sort{diembao.SortRelevance}
			if i < dated {
				orders = append(orders, diembao.SortNewest, diembao.SortOldest)
			}
			for _, order := range orders {
				q := q
				q.Sort = order
				q.Facets = nil
				if order == diembao.SortRelevance {
					q.Facets = []string{"source", "section", "day"}
				}
				t.Run(fmt.Sprintf("%s/%s", q.Name, order), func(t *testing.T) {
					t.Parallel()
					// Run walks the cursors; one page of everything is enough here.
					hitsA, resA := All(t, a, q, 100)
					hitsB, resB := All(t, b, q, 100)
					compareHits(t, a.Name, b.Name, order, hitsA, hitsB)
					if !reflect.DeepEqual(resA.Facets, resB.Facets) {
						t.Errorf("facets differ:\n%s: %+v\n%s: %+v", a.Name, resA.Facets, b.Name, resB.Facets)
					}
				})
			}
		}
	})
	t.Run("bad queries", func(t *testing.T) {
		for _, bad := range badQueries {
			_, errA := a.Search.Search(ctx, diembao.SearchRequest{Query: bad})
			_, errB := b.Search.Search(ctx, diembao.SearchRequest{Query: bad})
			if diembao.ErrorCode(errA) != diembao.ErrorCode(errB) || diembao.ErrorMessage(errA) != diembao.ErrorMessage(errB) {
				t.Errorf("%q: %s says %v, %s says %v", bad, a.Name, errA, b.Name, errB)
			}
		}
	})
}

// compareHits requires two backends' hits to agree: same URLs, the same
// sequence of groups of equal score (for relevance) or the same order (for
// dates), and the same scores, snippets and highlights.
func compareHits(t *testing.T, nameA, nameB string, order diembao.Sort, a, b []diembao.Hit) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s finds %d articles, %s %d:\n%s\n%s", nameA, len(a), nameB, len(b), urls(a), urls(b))
	}
	byURL := map[string]diembao.Hit{}
	for _, h := range b {
		byURL[h.URL] = h
	}
	for _, h := range a {
		g, ok := byURL[h.URL]
		if !ok {
			t.Errorf("%s finds %s, %s does not", nameA, h.URL, nameB)
			continue
		}
		if !nearlyEqual(h.Score, g.Score) {
			t.Errorf("%s: score %.17g on %s, %.17g on %s", h.URL, h.Score, nameA, g.Score, nameB)
		}
		if h.Snippet != g.Snippet || !reflect.DeepEqual(h.Highlights, g.Highlights) {
			t.Errorf("%s: snippets differ:\n%s: %q %v\n%s: %q %v", h.URL, nameA, h.Snippet, h.Highlights, nameB, g.Snippet, g.Highlights)
		}
		if h.Title != g.Title || h.Source != g.Source || !h.Published.Equal(g.Published) {
			t.Errorf("%s: hit fields differ: %+v / %+v", h.URL, h, g)
		}
	}
	if t.Failed() {
		return
	}
	if order != diembao.SortRelevance {
		// Dates are unique in the corpus, so date orders are total.
		if ua, ub := urls(a), urls(b); !slices.Equal(ua, ub) {
			t.Errorf("order differs:\n%s: %q\n%s: %q", nameA, ua, nameB, ub)
		}
		return
	}
	ga, gb := tieGroups(a), tieGroups(b)
	if !reflect.DeepEqual(ga, gb) {
		t.Errorf("order differs beyond ties:\n%s: %q\n%s: %q", nameA, ga, nameB, gb)
	}
}

// tieGroups splits hits in relevance order into runs of equal score and
// returns each run's URLs, sorted.
func tieGroups(hits []diembao.Hit) [][]string {
	var groups [][]string
	for i, h := range hits {
		if i == 0 || !nearlyEqual(h.Score, hits[i-1].Score) {
			groups = append(groups, nil)
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], h.URL)
	}
	for _, g := range groups {
		slices.Sort(g)
	}
	return groups
}

func urls(hits []diembao.Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.URL
	}
	return out
}

// CompareLimits loads the corpus into a store of each backend, both opened
// with the small limits lim (see query.Limits), and requires that they
// apply them as the reference does and give the same answers: relevance
// order ranks exactly the lim.Window matching articles with the highest
// IDs (all of them when fewer match), date orders list every match, a
// search without facets reports lim.Total of the number of matches, and a
// search with facets the exact number and exact facets. The filters of a
// request (dates, sources) select the matches before the window.
func CompareLimits(t *testing.T, openA, openB Opener, lim query.Limits) {
	ctx := context.Background()
	a, b, c, qs := loadBoth(t, openA, openB)
	for _, extra := range []string{"nông dân", "người dân", "tỉnh thành phố", "ban chi dao", "giá lúa OR bàn ghế",
		"hợp tác xã -lúa", "tổ*", "nông dâ* -lúa", "-lúa", `-"giá lúa" -tổ* published:>2020-01-10`, "published:[2020-01-01 TO 2020-02-15] dân", "published:>2020-01-10"} {
		qs = append(qs, Query{Name: extra, Query: extra})
	}
	// sourceOf returns the ID of the corpus's first source in x.
	sourceOf := func(x *Backend) []int64 {
		srcs, err := x.Sources.FindSources(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range srcs {
			if s.Name == c.Sources[0].Name {
				return []int64{s.ID}
			}
		}
		t.Fatalf("%s: source %s missing", x.Name, c.Sources[0].Name)
		return nil
	}
	filtered := Query{Name: "nông dân from one source since January", Query: "nông dân"}
	since := c.published(t, "2020-01-05T00:00:00+07:00")
	t.Run("queries", func(t *testing.T) {
		for _, q := range append(qs, filtered) {
			q.Facets, q.Sort = nil, ""
			t.Run(q.Name, func(t *testing.T) {
				t.Parallel()
				var ref map[string]bool
				if q.Name != filtered.Name {
					ref = referenceSet(t, c, q)
				}
				var got [2]limitedAnswers
				for i, x := range []*Backend{a, b} {
					req := q.Request(2)
					if q.Name == filtered.Name {
						req.SourceIDs, req.Since = sourceOf(x), since
					}
					got[i] = checkLimits(t, x, req, lim, ref, hasMatch(t, q))
				}
				ga, gb := got[0], got[1]
				compareHits(t, a.Name, b.Name, diembao.SortNewest, ga.dated, gb.dated)
				compareHits(t, a.Name, b.Name, diembao.SortRelevance, ga.ranked, gb.ranked)
				if ga.total != gb.total || ga.lowerBound != gb.lowerBound {
					t.Errorf("%s reports %d (lower bound %v), %s %d (%v)", a.Name, ga.total, ga.lowerBound, b.Name, gb.total, gb.lowerBound)
				}
				if !reflect.DeepEqual(ga.facets, gb.facets) {
					t.Errorf("facets differ:\n%s: %+v\n%s: %+v", a.Name, ga.facets, b.Name, gb.facets)
				}
			})
		}
	})
}

// limitedAnswers are a backend's answers to one request under limits: every
// match newest first, the ranked window, the total a search without facets
// reports and the facets of every match.
type limitedAnswers struct {
	dated, ranked []diembao.Hit
	total         int
	lowerBound    bool
	facets        map[string][]diembao.FacetCount
}

// checkLimits runs req on x in the date and relevance orders, with and
// without facets, and requires the limits to be applied as query.Limits
// says; ref, when not nil, is the set of URLs that must match.
func checkLimits(t *testing.T, x *Backend, req diembao.SearchRequest, lim query.Limits, ref map[string]bool, match bool) limitedAnswers {
	t.Helper()
	var out limitedAnswers
	// Every match, newest first; with facets, the exact total.
	req.Sort, req.Facets = diembao.SortNewest, []string{"source", "section", "day"}
	dated, res := walk(t, x, req)
	n := len(dated)
	if res.Total != n || res.TotalLowerBound {
		t.Errorf("%s: %q with facets: total %d (lower bound %v), %d articles match", x.Name, req.Query, res.Total, res.TotalLowerBound, n)
	}
	if ref != nil {
		if got := urlSet(dated); !reflect.DeepEqual(got, ref) {
			t.Errorf("%s: %q finds %q, the reference semantics %q", x.Name, req.Query, sortedKeys(got), sortedKeys(ref))
		}
	}
	out.dated, out.facets = dated, res.Facets
	wantTotal, wantLower := lim.Total(n, false)
	// Without facets the total may be capped; the hits are the same.
	req.Facets = nil
	again, res := walk(t, x, req)
	if !slices.Equal(urls(again), urls(dated)) {
		t.Errorf("%s: %q newest without facets lists %q, with facets %q", x.Name, req.Query, urls(again), urls(dated))
	}
	if res.Total != wantTotal || res.TotalLowerBound != wantLower {
		t.Errorf("%s: %q newest without facets: total %d (lower bound %v), want %d (%v) for %d matches",
			x.Name, req.Query, res.Total, res.TotalLowerBound, wantTotal, wantLower, n)
	}
	out.total, out.lowerBound = res.Total, res.TotalLowerBound
	// Relevance ranks the window: the matches with the highest IDs.
	window := dated
	if match {
		window = slices.Clone(dated)
		slices.SortFunc(window, func(a, b diembao.Hit) int { return cmp.Compare(b.ID, a.ID) })
		if lim.Window > 0 && len(window) > lim.Window {
			window = window[:lim.Window]
		}
	}
	req.Sort = diembao.SortRelevance
	ranked, res := walk(t, x, req)
	if got, want := urlSet(ranked), urlSet(window); !reflect.DeepEqual(got, want) {
		t.Errorf("%s: %q ranks %q, want the window %q", x.Name, req.Query, sortedKeys(got), sortedKeys(want))
	}
	if res.Total != wantTotal || res.TotalLowerBound != wantLower {
		t.Errorf("%s: %q by relevance: total %d (lower bound %v), want %d (%v) for %d matches",
			x.Name, req.Query, res.Total, res.TotalLowerBound, wantTotal, wantLower, n)
	}
	wantRanked := 0
	if match {
		wantRanked = lim.Ranked(n)
	}
	if res.Ranked != wantRanked {
		t.Errorf("%s: %q by relevance: ranked %d, want %d for %d matches", x.Name, req.Query, res.Ranked, wantRanked, n)
	}
	for i := 1; match && i < len(ranked); i++ {
		if ranked[i].Score > ranked[i-1].Score && !nearlyEqual(ranked[i].Score, ranked[i-1].Score) {
			t.Errorf("%s: %q: hit %d scores %g above hit %d (%g)", x.Name, req.Query, i, ranked[i].Score, i-1, ranked[i-1].Score)
		}
	}
	out.ranked = ranked
	// With facets: the same window, the exact total and the facets of
	// every match.
	req.Facets = []string{"source", "section", "day"}
	again, res = walk(t, x, req)
	if !slices.Equal(urls(again), urls(ranked)) {
		t.Errorf("%s: %q by relevance with facets ranks %q, without %q", x.Name, req.Query, urls(again), urls(ranked))
	}
	if res.Total != n || res.TotalLowerBound || res.Ranked != wantRanked {
		t.Errorf("%s: %q by relevance with facets: total %d (lower bound %v), ranked %d; want %d, ranked %d",
			x.Name, req.Query, res.Total, res.TotalLowerBound, res.Ranked, n, wantRanked)
	}
	if !reflect.DeepEqual(res.Facets, out.facets) {
		t.Errorf("%s: %q: facets by relevance %+v, newest first %+v", x.Name, req.Query, res.Facets, out.facets)
	}
	return out
}

// walk runs req and follows its cursors to the end, checking that pages
// neither repeat a hit nor change the total; it returns every hit and the
// first page's result.
func walk(t *testing.T, x *Backend, req diembao.SearchRequest) ([]diembao.Hit, *diembao.SearchResult) {
	t.Helper()
	var (
		hits  []diembao.Hit
		first *diembao.SearchResult
		seen  = map[int64]bool{}
	)
	for page := 0; page <= 100; page++ {
		res, err := x.Search.Search(context.Background(), req)
		if err != nil {
			t.Fatalf("%s: %q: %v", x.Name, req.Query, err)
		}
		if first == nil {
			first = res
		} else if res.Total != first.Total || res.TotalLowerBound != first.TotalLowerBound {
			t.Errorf("%s: %q: total changed from %d to %d on page %d", x.Name, req.Query, first.Total, res.Total, page)
		}
		for _, h := range res.Hits {
			if seen[h.ID] {
				t.Errorf("%s: %q: hit %s repeated on page %d", x.Name, req.Query, h.URL, page)
			}
			seen[h.ID] = true
		}
		hits = append(hits, res.Hits...)
		if res.NextCursor == "" {
			break
		}
		req.Cursor = res.NextCursor
	}
	return hits, first
}

// hasMatch reports whether q has a full-text match, which relevance
// orders; a query of filters and exclusions only is listed newest first.
func hasMatch(t *testing.T, q Query) bool {
	t.Helper()
	tree, err := query.Parse(q.Query, Now)
	if err != nil {
		t.Fatal(err)
	}
	if tree, err = query.DefaultAnalyzer().Prepare(tree, query.Options{NoExpand: q.NoExpand}); err != nil {
		t.Fatal(err)
	}
	text, _, _ := query.Split(tree)
	if text == nil {
		return false
	}
	_, only := query.Negations(text)
	return !only
}

func urlSet(hits []diembao.Hit) map[string]bool {
	out := map[string]bool{}
	for _, h := range hits {
		out[h.URL] = true
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
