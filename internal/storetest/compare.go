package storetest

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/diembao/diembao"
)

// Compare opens a store of each backend, loads the corpus into both and
// requires every query of the suite (and every bad query) to give the same
// answers: the same total, the same set of results, the same order except
// among results of equal score, the same scores but for rounding, the same
// facets, snippets and highlights, and the same errors.
func Compare(t *testing.T, openA, openB Opener) {
	ctx := context.Background()
	a, b := openA(t), openB(t)
	c, err := LoadCorpus()
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []*Backend{a, b} {
		if x.SetNow != nil {
			x.SetNow(func() time.Time { return Now })
		}
		if _, err := Load(ctx, x, c); err != nil {
			t.Fatal(err)
		}
	}
	qs, err := Queries()
	if err != nil {
		t.Fatal(err)
	}
	// Further queries whose answers are compared but not spelled out.
	for _, extra := range []string{"nông dân", "Đồng Nai", "dong nai", "tỉnh thành phố", "ban chi dao", "\"Ban Chỉ đạo\"",
		"UBND", "THPT", "giá lúa OR bàn ghế", "title:Hà", "hợp tác xã -lúa", "tổ*", "author:\"Lê Thu Hà\" kế hoạch",
		"published:[2020-01-01 TO 2020-01-31] ban", "section:\"Kinh tế\" nông", "người dân"} {
		qs = append(qs, Query{Name: extra, Query: extra})
	}
	// Relevance for every query; the date orders for the first few, which
	// is enough to compare the cursors and keys of date sorts.
	const dated = 6
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
