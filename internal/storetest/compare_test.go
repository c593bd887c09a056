package storetest_test

import (
	"context"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/storetest"
	"github.com/diembao/diembao/internal/testutil"
	"github.com/diembao/diembao/postgres"
	"github.com/diembao/diembao/sqlite"
)

func openSQLite(t *testing.T) *storetest.Backend {
	db, err := sqlite.Open(context.Background(), testutil.TempPath(t, sqlite.FileName), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &storetest.Backend{
		Name: "sqlite", Sources: sqlite.NewSourceService(db), Fetches: sqlite.NewFetchService(db),
		Articles: sqlite.NewArticleService(db), Search: sqlite.NewSearchService(db),
		SetNow: func(now func() time.Time) { db.Now = now },
	}
}

func openPostgres(t *testing.T) *storetest.Backend {
	db, err := postgres.Open(context.Background(), testutil.PostgresDSN(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &storetest.Backend{
		Name: "postgres", Sources: postgres.NewSourceService(db), Fetches: postgres.NewFetchService(db),
		Articles: postgres.NewArticleService(db), Search: postgres.NewSearchService(db),
		Frontier: postgres.NewFrontierService(db), Feeds: postgres.NewFeedStateService(db),
		SetNow: func(now func() time.Time) { db.Now = now },
	}
}

// TestSQLiteAndPostgresAgree runs every query of the suite on both
// backends and requires the same answers.
func TestSQLiteAndPostgresAgree(t *testing.T) {
	storetest.Compare(t, openSQLite, openPostgres)
}
