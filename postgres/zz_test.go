package postgres

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/internal/vntc"
)

func TestZZSingle(t *testing.T) {
	if os.Getenv("ZZ_SINGLE") == "" {
		t.Skip()
	}
	ctx := context.Background()
	recs, err := vntc.Read("../../shared/data/vntc/vntc_10topics_train.jsonl.gz")
	if err != nil {
		t.Fatal(err)
	}
	g := vntc.NewGenerator(recs, "https://single.example/")
	for _, mode := range []string{"batch", "single"} {
		db := openTestDB(t)
		as := NewArticleService(db)
		st := time.Now()
		n := 2048
		if mode == "batch" {
			for i := 0; i < n; i += 1000 {
				var list []*diembao.Article
				for j := i; j < min(n, i+1000); j++ {
					list = append(list, g.Article(1, j))
				}
				if _, err := as.PutArticles(ctx, list); err != nil {
					t.Fatal(err)
				}
			}
		} else {
			for j := 0; j < n; j++ {
				if _, err := as.PutArticle(ctx, g.Article(1, j)); err != nil {
					t.Fatal(err)
				}
			}
		}
		el := time.Since(st)
		var rows, bytes, size int64
		db.pool.QueryRow(ctx, `SELECT count(*), sum(length(freqs)), pg_total_relation_size('token_freqs') FROM token_freqs`).Scan(&rows, &bytes, &size)
		t.Logf("%s: %d articles in %v (%.0f/s), token_freqs rows %d, value bytes %d, relation %d", mode, n, el, float64(n)/el.Seconds(), rows, bytes, size)
	}
}
