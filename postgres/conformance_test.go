package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/storetest"
	"github.com/diembao/diembao/internal/testutil"
	"github.com/diembao/diembao/postgres"
)

// openStore opens a store in a schema of its own on the test server, or
// skips the test when DIEMBAO_TEST_POSTGRES is unset.
func openStore(t *testing.T) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), testutil.PostgresDSN(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Backend opens a fresh PostgreSQL store for the conformance suite.
func Backend(t *testing.T) *storetest.Backend {
	db := openStore(t)
	return &storetest.Backend{
		Name:     "postgres",
		Sources:  postgres.NewSourceService(db),
		Fetches:  postgres.NewFetchService(db),
		Articles: postgres.NewArticleService(db),
		Search:   postgres.NewSearchService(db),
		Frontier: postgres.NewFrontierService(db),
		Feeds:    postgres.NewFeedStateService(db),
		SetNow:   func(now func() time.Time) { db.Now = now },
	}
}

func TestConformance(t *testing.T) {
	storetest.Run(t, Backend)
}
