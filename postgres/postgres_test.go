package postgres_test

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/internal/testutil"
	"github.com/diembao/diembao/postgres"
)

func TestOpenErrors(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tests := []struct {
		name, dsn, code string
	}{
		{"unreachable", "postgres://u:p@127.0.0.1:1/db?sslmode=disable&connect_timeout=2", diembao.EUNAVAILABLE},
		{"malformed", "postgres://u:p@[::1/db", diembao.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := postgres.Open(ctx, tt.dsn, nil)
			if err == nil {
				db.Close()
				t.Fatalf("Open(%q) succeeded", tt.dsn)
			}
			if got := diembao.ErrorCode(err); got != tt.code {
				t.Errorf("Open(%q) error %v (code %q), want code %q", tt.dsn, err, got, tt.code)
			}
		})
	}
}

// TestOpenConcurrently opens one new database from several processes' worth
// of pools at once: the migrations must be applied once, and every open must
// succeed.
func TestOpenConcurrently(t *testing.T) {
	dsn := testutil.PostgresDSN(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := postgres.Open(ctx, dsn, nil)
			if err != nil {
				errs <- err
				return
			}
			db.Close()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent Open: %v", err)
	}
	db, err := postgres.Open(ctx, dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var applied, shards int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&applied); err != nil {
		t.Fatal(err)
	}
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM index_stats`).Scan(&shards); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if applied != len(files) || shards != 16 {
		t.Errorf("after concurrent opens: %d migrations recorded, %d statistics shards; want %d and 16", applied, shards, len(files))
	}
}

// TestIndexStats checks that the ranking statistics follow inserts and
// updates.
func TestIndexStats(t *testing.T) {
	db := openStore(t)
	ctx := context.Background()
	as := postgres.NewArticleService(db)
	a := &diembao.Article{URL: "https://x.example.vn/1", Title: "Hà Nội mùa thu"}
	if _, err := as.PutArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	// The same URL twice in one call: stored, then replaced.
	b := &diembao.Article{URL: "https://x.example.vn/2", Title: "Sài Gòn"}
	b2 := &diembao.Article{URL: b.URL, Title: "Sài Gòn mưa"}
	res, err := as.PutArticles(ctx, []*diembao.Article{b, b2})
	if err != nil {
		t.Fatal(err)
	}
	if !res[0].Created || !res[1].Updated || res[0].ID != res[1].ID {
		t.Errorf("PutArticles of one URL twice = %+v, want created then updated", res)
	}
	a2 := &diembao.Article{URL: a.URL, Title: "Hà Nội mùa thu vàng"}
	if res, err := as.PutArticle(ctx, a2); err != nil || !res.Updated {
		t.Fatalf("update: %+v, %v", res, err)
	}
	var docs, tokens, want int64
	if err := db.Pool().QueryRow(ctx, `SELECT sum(docs), sum(tokens) FROM index_stats`).Scan(&docs, &tokens); err != nil {
		t.Fatal(err)
	}
	if err := db.Pool().QueryRow(ctx, `SELECT sum(ntokens) FROM articles`).Scan(&want); err != nil {
		t.Fatal(err)
	}
	if docs != 2 || tokens != want || tokens == 0 {
		t.Errorf("statistics: %d articles, %d tokens; want 2 and %d", docs, tokens, want)
	}
}

// TestGINWithoutPendingList checks that the GIN index of the tsvectors
// takes new entries into its tree at once (migration 0008): with GIN's
// pending list, searches with exclusions were seen to count excluded
// articles while VACUUM emptied the list (docs/postgres.md, Limits).
func TestGINWithoutPendingList(t *testing.T) {
	ctx := context.Background()
	db, err := postgres.Open(ctx, testutil.PostgresDSN(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var opts []string
	if err := db.Pool().QueryRow(ctx, `SELECT coalesce(reloptions, '{}') FROM pg_class
		WHERE oid = 'article_index_tsv'::regclass`).Scan(&opts); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(opts, "fastupdate=off") {
		t.Errorf("article_index_tsv options %q, want fastupdate=off", opts)
	}
}
