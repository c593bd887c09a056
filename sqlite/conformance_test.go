package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/diembao/diembao/internal/storetest"
	"github.com/diembao/diembao/internal/testutil"
	"github.com/diembao/diembao/sqlite"
)

// conformanceBackend opens a fresh embedded store in a temporary directory
// for the conformance suite.
func conformanceBackend(t *testing.T) *storetest.Backend {
	db, err := sqlite.Open(context.Background(), testutil.TempPath(t, sqlite.FileName), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &storetest.Backend{
		Name:     "sqlite",
		Sources:  sqlite.NewSourceService(db),
		Fetches:  sqlite.NewFetchService(db),
		Articles: sqlite.NewArticleService(db),
		Search:   sqlite.NewSearchService(db),
		Frontier: sqlite.NewFrontierService(db),
		Feeds:    sqlite.NewFrontierService(db),
		SetNow:   func(now func() time.Time) { db.Now = now },
	}
}

func TestConformance(t *testing.T) {
	storetest.Run(t, conformanceBackend)
}
