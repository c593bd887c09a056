package storetest_test

import (
	"context"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/storetest"
	"github.com/diembao/diembao/internal/testutil"
	"github.com/diembao/diembao/postgres"
	"github.com/diembao/diembao/query"
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

// TestSQLiteAndPostgresAgreeUnderLimits runs the suite's queries on both
// backends with a window of 3 and totals counted up to 4, so that most
// queries of the small corpus meet both limits, and requires the answers
// the reference gives and that both backends give the same.
func TestSQLiteAndPostgresAgreeUnderLimits(t *testing.T) {
	lim := query.Limits{Window: 3, Count: 4}
	storetest.CompareLimits(t, func(t *testing.T) *storetest.Backend {
		b := openSQLite(t)
		b.Search.(*sqlite.SearchService).Limits = lim
		return b
	}, func(t *testing.T) *storetest.Backend {
		b := openPostgres(t)
		b.Search.(*postgres.SearchService).Limits = lim
		return b
	}, lim)
}
