package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/query"
)

// TestDateWalk checks that a date order read block by block (dateBlocks,
// walk) gives the page and total of a pass over every block, on archives
// stored in publication order (with articles found late and some without
// a time; times to the minute or to the day) and on one whose IDs say
// nothing of the dates, for matches of
// several densities, both orders, several pages and count limits, block by
// block or in runs of adjacent blocks; and that on the archive in
// publication order it leaves blocks unread.
func TestDateWalk(t *testing.T) {
	const blocks = 6
	n := int64(blocks) << blockBits
	base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	// archive returns the attributes of an archive in publication order
	// or not, its times to the minute or (days) to the day, which gives
	// blocks that end and begin on the same time.
	archive := func(ordered, days bool) *attrs {
		rng := rand.New(rand.NewPCG(7, 1))
		a := &attrs{published: make([]int64, n)}
		for id := int64(1); id < n; id++ {
			p := base + rng.Int64N(n*60)
			switch {
			case rng.IntN(100) == 0:
				p = noTime
			case ordered && rng.IntN(50) == 0: // found late
				p = base + id*60 - rng.Int64N(30*86400)
			case ordered:
				p = base + id*60 + rng.Int64N(600)
			}
			if days && p != noTime {
				p -= p % 86400
			}
			a.published[id] = p
			if p != noTime {
				a.widenBlock(id, p)
			}
		}
		a.maxID = n - 1
		return a
	}
	for _, kind := range []struct{ ordered, days bool }{{true, false}, {true, true}, {false, false}, {false, true}} {
		ordered, a := kind.ordered, archive(kind.ordered, kind.days)
		for _, density := range []int{1, 50, 1000} { // matches per thousand IDs
			matches := func(id int64) bool { return (id*2654435761)%1000 < int64(density) }
			for _, order := range []diembao.Sort{diembao.SortNewest, diembao.SortOldest} {
				for _, count := range []int{4, 500, 0} {
					for _, c := range []struct {
						limit int
						merge bool
					}{{1, false}, {10, false}, {1, true}, {10, true}} {
						limit, merge := c.limit, c.merge
						name := fmt.Sprintf("%+v/density=%d/%s/count=%d/limit=%d/merge=%v", kind, density, order, count, limit, merge)
						span := idSpan{lo: 1, hi: a.maxID}
						// page returns the page after cur, the total as
						// Limits reports it, and the blocks read.
						page := func(cur *query.Cursor, every bool) ([]query.Cursor, int, int) {
							sc := &scan{a: a, order: order, cur: cur, limit: limit}
							list := a.dateBlocks(span, order == diembao.SortNewest)
							read := 0
							err := sc.walk(list, count, every, merge, func(lo, hi int64) error {
								read += int(hi>>blockBits - lo>>blockBits + 1)
								for id := hi; id >= lo; id-- {
									if matches(id) {
										sc.visit(id)
									}
								}
								return nil
							})
							if err != nil {
								t.Fatal(err)
							}
							total, _ := query.Limits{Count: count}.Total(sc.total, false)
							return sc.top.sorted(), total, read
						}
						var cur *query.Cursor
						skipped := false
						for p := 0; p < 3; p++ {
							got, total, read := page(cur, false)
							want, wantTotal, _ := page(cur, true)
							if fmt.Sprint(got) != fmt.Sprint(want) || total != wantTotal {
								t.Fatalf("%s page %d: walk %v (total %d), every block %v (total %d)", name, p, got, total, want, wantTotal)
							}
							skipped = skipped || read < blocks
							if len(got) == 0 {
								break
							}
							cur = &got[len(got)-1]
						}
						// Dense matches in publication order fill the page
						// and pass the count from the first blocks read.
						if ordered && density == 1000 && count > 0 && !skipped {
							t.Errorf("%s: read every block", name)
						}
					}
				}
			}
		}
	}
}

// TestDateOrderAcrossBlocks checks searches in date order on an archive
// whose articles lie in several blocks of IDs (dateBlocks), stored in
// publication order but for articles found late and without a time:
// through the token sets, through FTS5 and from the attributes alone, the pages and totals with a
// small count limit are those with none (which reads every block).
func TestDateOrderAcrossBlocks(t *testing.T) {
	ctx := context.Background()
	db := openCorpus(t)
	svc := NewArticleService(db)
	texts := []string{
		"Tỉnh Hà Nam họp bàn phòng chống bão và mưa lũ trong mùa mưa năm nay.",
		"Hà Nội: mưa lớn, nhiều tuyến phố ngập; tỉnh lân cận sơ tán dân vùng sạt lở.",
		"Bão số 3 đổ bộ, các tỉnh ven biển cấm tàu thuyền ra khơi.",
		"Giá lúa tăng nhẹ, nông dân Hà Nam phấn khởi chuẩn bị vụ đông xuân.",
	}
	start := time.Date(2021, 1, 1, 8, 0, 0, 0, diembao.Vietnam)
	next := 0
	for blk := int64(1); blk <= 4; blk++ {
		// A placeholder at the start of the block: the next articles get
		// the IDs after it.
		if _, err := db.db.ExecContext(ctx, `INSERT INTO articles (id, url, content_hash, stored_at, updated_at)
			VALUES (?, ?, 'x', 0, 0)`, blk<<blockBits, fmt.Sprintf("https://placeholder.example/%d", blk)); err != nil {
			t.Fatal(err)
		}
		for i := range 12 {
			a := &diembao.Article{URL: fmt.Sprintf("https://khoi.example/%d", next), SourceName: "Báo Khối",
				Title: strings.Join(strings.Fields(texts[next%len(texts)])[:5], " "), Section: "Thời sự",
				Body:      []diembao.Paragraph{{Text: texts[next%len(texts)]}},
				Published: start.AddDate(0, 0, next)}
			switch {
			case blk == 4 && i%4 == 0:
				a.Published = start.AddDate(0, 0, -next) // found late
			case blk == 3 && i%5 == 0:
				a.Published = time.Time{}
			}
			next++
			if _, err := svc.PutArticle(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
	}
	queries := []string{"tỉnh", "hà nam", "bão OR lúa", "mưa -bão", "ha*", `"hà nam"`, `"mua lu"`, "title:bão",
		"tỉnh published:[2021-01-10 TO 2021-02-20]", `"hà nam" published:[2020-01-01 TO 2021-01-20]`,
		// Filters and exclusions only, from the attributes.
		"-bão", "published:[2021-01-01 TO 2021-03-31]", `-"hà nam" published:[2020-01-01 TO 2021-12-31]`}
	for _, q := range queries {
		for _, order := range []diembao.Sort{diembao.SortNewest, diembao.SortOldest} {
			for _, count := range []int{3, 20} {
				limited, every := NewSearchService(db), NewSearchService(db)
				limited.Limits = query.Limits{Window: 3, Count: count}
				every.Limits = query.Limits{Window: 3}
				req := diembao.SearchRequest{Query: q, Sort: order, Limit: 4}
				all := req
				for page := 0; page < 20; page++ {
					got, err := limited.Search(ctx, req)
					if err != nil {
						t.Fatalf("%s: %v", q, err)
					}
					want, err := every.Search(ctx, all)
					if err != nil {
						t.Fatalf("%s: %v", q, err)
					}
					if page == 0 && want.Total < 2 {
						t.Fatalf("%s: %d matches, want several", q, want.Total)
					}
					wantTotal, lower := limited.Limits.Total(want.Total, false)
					if fmt.Sprint(got.Hits) != fmt.Sprint(want.Hits) || got.Total != wantTotal || got.TotalLowerBound != lower {
						t.Fatalf("%s %s count %d page %d:\nlimited %d%v %+v\nevery    %d %+v", q, order, count, page,
							got.Total, got.TotalLowerBound, got.Hits, want.Total, want.Hits)
					}
					if got.NextCursor == "" {
						break
					}
					req.Cursor, all.Cursor = got.NextCursor, want.NextCursor
				}
			}
		}
	}
}

// TestPageScoresWalkOrLookUp checks that the page of a date order gets the
// same scores whether FTS5 walks its range of IDs or looks its articles up
// (pageWalkIDs): queries scored from the counts or by FTS5, with a boost of
// adjacent words or without.
func TestPageScoresWalkOrLookUp(t *testing.T) {
	ctx := context.Background()
	db := openCorpus(t)
	defer func(n int64) { pageWalkIDs = n }(pageWalkIDs)
	for _, q := range []string{"tỉnh", "hà nội", "hà nội -bão", `"hà nội"`, `"ha noi"`, "ha*", "title:tỉnh", "bão OR lũ"} {
		for _, order := range []diembao.Sort{diembao.SortNewest, diembao.SortOldest} {
			req := diembao.SearchRequest{Query: q, Sort: order, Limit: 5}
			search := func(walk int64) *diembao.SearchResult {
				pageWalkIDs = walk
				res, err := NewSearchService(db).Search(ctx, req)
				if err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				return res
			}
			walked, looked := search(1<<40), search(0)
			if len(walked.Hits) == 0 {
				t.Fatalf("%s: no hits", q)
			}
			for _, h := range walked.Hits {
				if h.Score == 0 {
					t.Fatalf("%s %s: %s not scored", q, order, h.URL)
				}
			}
			if fmt.Sprint(walked) != fmt.Sprint(looked) {
				t.Fatalf("%s %s:\nwalked %+v\nlooked %+v", q, order, walked, looked)
			}
		}
	}
}
