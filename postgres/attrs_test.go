package postgres

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/diembao/diembao"
)

// TestAttrCopyFollowsChanges checks the attribute copy (attrView) against
// article_index, through one search service whose copy lives on: after
// the articles are stored, after they are replaced, deleted and changed
// by hand, their source deleted, and new ones stored; and from a snapshot
// older than the copy the service holds by then. Each check compares the
// articles the filters of several requests keep, with their lengths,
// publication times and facet values, to what SQL selects with the
// plan's own conditions.
func TestAttrCopyFollowsChanges(t *testing.T) {
	ctx := context.Background()
	db := openTestDB(t)
	ss := NewSourceService(db)
	var srcs []*diembao.Source
	for _, name := range []string{"Báo Một", "Báo Hai", "Báo Ba"} {
		src := &diembao.Source{Name: name, Enabled: true}
		if err := ss.CreateSource(ctx, src); err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, src)
	}
	gone := map[int64]bool{} // deleted sources
	sections := []string{"Thời sự", "Kinh tế", ""}
	base := time.Date(2021, 5, 1, 0, 0, 0, 0, diembao.Vietnam)
	article := func(i, gen int) *diembao.Article {
		a := &diembao.Article{URL: fmt.Sprintf("https://a.example.vn/%d", i),
			Title:   fmt.Sprintf("tin số %d đợt %d", i, gen),
			Body:    []diembao.Paragraph{{Text: fmt.Sprintf("bản tin thứ %d, lần %d", i, gen)}},
			Section: sections[(i+gen)%len(sections)]}
		if k := (i + gen) % 4; k < len(srcs) && !gone[srcs[k].ID] {
			a.SourceID, a.SourceName = srcs[k].ID, srcs[k].Name
		}
		if (i+gen)%7 != 0 {
			// Half seconds too: seconds are rounded as PostgreSQL does.
			a.Published = base.Add(time.Duration((i*13+gen*5)%600)*time.Hour + time.Duration(i%3)*500*time.Millisecond)
		}
		return a
	}
	as := NewArticleService(db)
	putBatches(t, as, 2*attrChunkSize+100, 700, func(i int) *diembao.Article { return article(i, 0) })
	s := NewSearchService(db)
	reqs := []diembao.SearchRequest{
		{Query: "tin"},
		{Query: "tin published:[2021-05-03 TO 2021-05-20]"},
		{Query: "tin", Since: base.Add(100*time.Hour + 500*time.Millisecond), Until: base.Add(300 * time.Hour)},
		{Query: "tin published:>2021-05-10", SourceIDs: []int64{srcs[0].ID, srcs[2].ID}},
		{Query: "tin", SourceIDs: []int64{srcs[1].ID}},
	}
	check := func(step string, conn querier) {
		t.Helper()
		v := s.attrs.view()
		if err := v.loadAll(ctx, conn); err != nil {
			t.Fatal(err)
		}
		for _, req := range reqs {
			p, err := s.plan(req)
			if err != nil {
				t.Fatal(err)
			}
			got := v.kept(&p.filters, 1<<30, true)
			want := sqlInfo(t, conn, p.filterWhere, p.filterArgs)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: %q (%v–%v, sources %v): the copy keeps %d articles, SQL %d; first difference %s", step, req.Query,
					req.Since, req.Until, req.SourceIDs, len(got), len(want), firstDiff(got, want))
			}
			// Their facets, counted from the copy by ID, against the
			// values SQL gives.
			wantIDs := make([]int64, len(want))
			for i, a := range want {
				wantIDs[i] = a.id
			}
			names := []string{"source", "section", "day"}
			if got, want := v.facets(wantIDs, names), countFacets(names, want); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: %q: facets from the copy %v, from SQL %v", step, req.Query, got, want)
			}
			// The same articles looked up by ID among others, chunk by
			// chunk, as newest does.
			var ids []int64
			for id := int64(3*attrChunkSize + 50); id >= 0; id -= 3 {
				ids = append(ids, id)
			}
			w := s.attrs.view()
			if err := w.load(ctx, conn, ids); err != nil {
				t.Fatal(err)
			}
			var byID []articleInfo
			for _, id := range ids {
				if a, ok := w.info(id, &p.filters, true); ok {
					byID = append(byID, a)
				}
			}
			var wantByID []articleInfo
			for _, a := range want {
				if a.id%3 == (3*attrChunkSize+50)%3 && a.id <= 3*attrChunkSize+50 {
					wantByID = append(wantByID, a)
				}
			}
			if !reflect.DeepEqual(byID, wantByID) {
				t.Errorf("%s: %q: by ID, the copy finds %d articles, SQL %d; first difference %s", step, req.Query,
					len(byID), len(wantByID), firstDiff(byID, wantByID))
			}
		}
	}
	check("stored", db.pool)

	// Replaced, deleted by hand, changed by hand, their source deleted,
	// and new articles in a chunk of their own.
	putBatches(t, as, 2*attrChunkSize, 500, func(i int) *diembao.Article {
		if i%5 == 0 {
			return article(i, 1)
		}
		return article(i, 0) // unchanged: skipped
	})
	for _, stmt := range []string{
		`DELETE FROM articles WHERE id % 11 = 0`,
		`UPDATE article_index SET section = 'Sửa tay', published = published + interval '1 day' WHERE id % 13 = 0`,
	} {
		if _, err := db.pool.Exec(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	if err := ss.DeleteSource(ctx, srcs[1].ID); err != nil {
		t.Fatal(err)
	}
	gone[srcs[1].ID] = true
	putBatches(t, as, 300, 300, func(i int) *diembao.Article { return article(i+3*attrChunkSize, 0) })
	check("changed", db.pool)
	if _, err := db.pool.Exec(ctx, `DELETE FROM articles WHERE id % 17 = 0`); err != nil {
		t.Fatal(err)
	}
	check("deleted by hand", db.pool)

	// A snapshot taken before further changes still sees its own
	// attributes after a newer snapshot has brought the copy up to date.
	old, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		t.Fatal(err)
	}
	defer old.Rollback(ctx)
	check("old snapshot", old)
	putBatches(t, as, attrChunkSize, 500, func(i int) *diembao.Article { return article(i, 2) })
	check("changed again", db.pool)
	check("old snapshot, after", old)

	// Searches at once, each with a fresh service or a shared one, while
	// a writer changes articles: the copy is read and filled from several
	// goroutines (run with -race).
	shared := NewSearchService(db)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, req := range reqs {
				req.Facets = []string{"source", "day"}
				if _, err := shared.Search(ctx, req); err != nil {
					t.Errorf("goroutine %d: %q: %v", g, req.Query, err)
				}
			}
		}()
	}
	putBatches(t, as, 200, 50, func(i int) *diembao.Article { return article(i, 3) })
	wg.Wait()
	s = shared
	check("after concurrent searches", db.pool)
}

func TestEpochSeconds(t *testing.T) {
	for _, c := range []struct{ micro, want int64 }{
		{0, 0}, {1_499_999, 1}, {1_500_000, 2}, {2_000_000, 2}, {-1_499_999, -1}, {-1_500_000, -2}, {1_600_000_000_500_000, 1_600_000_001},
	} {
		if got := epochSeconds(c.micro); got != c.want {
			t.Errorf("epochSeconds(%d) = %d, want %d (extract(epoch)::bigint rounds half away from zero)", c.micro, got, c.want)
		}
	}
}

// sqlDay is the day facet's value in SQL: the publication date in
// Vietnam's time zone.
const sqlDay = "to_char(a.published AT TIME ZONE 'UTC' + interval '7 hours', 'YYYY-MM-DD')"

// sqlInfo returns, in descending ID order, what article_index holds of the
// articles the conditions where select, as attrView.info fills it.
func sqlInfo(t *testing.T, conn querier, where []string, args []any) []articleInfo {
	t.Helper()
	rows, err := conn.Query(context.Background(), `SELECT a.id, a.ntokens, coalesce(extract(epoch FROM a.published)::bigint, $`+
		fmt.Sprint(len(args)+1)+`), a.source_name, a.section, coalesce(`+sqlDay+`, '')
		FROM article_index a`+whereClause(where)+` ORDER BY a.id DESC`, append(append([]any(nil), args...), int64(noTime))...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []articleInfo
	for rows.Next() {
		var a articleInfo
		if err := rows.Scan(&a.id, &a.n, &a.published, &a.source, &a.section, &a.day); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// firstDiff describes the first entry where two lists differ.
func firstDiff(got, want []articleInfo) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf("at %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if len(got) != len(want) {
		return fmt.Sprintf("at %d (one list ends)", min(len(got), len(want)))
	}
	return "none"
}
