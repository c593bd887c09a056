package postgres

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/internal/testutil"
)

// checkTermStats compares term_stats (summed over shards) with a count of
// the articles holding each token in the index entries themselves.
func checkTermStats(t *testing.T, db *DB, step string) {
	t.Helper()
	ctx := context.Background()
	rows, err := db.pool.Query(ctx, `SELECT coalesce(s.token, i.token), coalesce(s.df, 0), coalesce(i.df, 0) FROM
		(SELECT token, sum(df) AS df FROM term_stats GROUP BY token HAVING sum(df) <> 0) s
		FULL JOIN (SELECT tok AS token, count(*) AS df FROM (SELECT DISTINCT a.id, substr(lex, strpos(lex, ':') + 1) AS tok
			FROM article_index a, unnest(tsvector_to_array(a.tsv)) AS lex) x GROUP BY tok) i ON i.token = s.token
		WHERE s.df IS DISTINCT FROM i.df`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			tok       string
			got, want int64
		)
		if err := rows.Scan(&tok, &got, &want); err != nil {
			t.Fatal(err)
		}
		t.Errorf("%s: token %q: df %d in term_stats, %d in the index", step, tok, got, want)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.pool.QueryRow(ctx, `SELECT count(DISTINCT token) FROM term_stats`).Scan(&n); err != nil || n == 0 {
		t.Errorf("%s: term_stats holds %d tokens (%v)", step, n, err)
	}
}

// TestTermStatsFollowIndex checks the token statistics after inserts,
// updates (one of them within the call that stored the article), writers
// on several connections at once (storing the same new URLs, which the
// writer retries when another stored them first), and after the migration
// fills them from the index.
func TestTermStatsFollowIndex(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, testutil.PostgresDSN(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	as := NewArticleService(db)
	a := &diembao.Article{URL: "https://x.example.vn/1", Title: "Hà Nội mùa thu", Author: "Lê Thu Hà"}
	if _, err := as.PutArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	b := &diembao.Article{URL: "https://x.example.vn/2", Title: "Sài Gòn"}
	b2 := &diembao.Article{URL: b.URL, Title: "Sài Gòn mưa", Section: "Thời tiết"}
	if _, err := as.PutArticles(ctx, []*diembao.Article{b, b2}); err != nil {
		t.Fatal(err)
	}
	a2 := &diembao.Article{URL: a.URL, Title: "Hà Nội mùa thu vàng", Body: []diembao.Paragraph{{Text: "Lá vàng rơi."}}}
	if res, err := as.PutArticle(ctx, a2); err != nil || !res.Updated {
		t.Fatalf("update: %+v, %v", res, err)
	}
	checkTermStats(t, db, "one writer")
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(func() {
			c := &diembao.Article{URL: fmt.Sprintf("https://x.example.vn/c%d", i%3), Title: fmt.Sprintf("Hà Nội mưa thu %d", i)}
			if _, err := as.PutArticle(ctx, c); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	checkTermStats(t, db, "concurrent writers")
	if _, err := db.pool.Exec(ctx, `DROP TABLE term_stats; DELETE FROM schema_migrations WHERE name = '0003_term_stats.sql'`); err != nil {
		t.Fatal(err)
	}
	if err := db.migrate(ctx); err != nil {
		t.Fatal(err)
	}
	checkTermStats(t, db, "migration")
}
