package main

import (
	"context"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/sqlite"
)

// store is the opened embedded store with its services.
type store struct {
	db       *sqlite.DB
	Sources  *sqlite.SourceService
	Fetches  *sqlite.FetchService
	Articles *sqlite.ArticleService
	Search   *sqlite.SearchService
}

var (
	_ diembao.SourceService  = (*sqlite.SourceService)(nil)
	_ diembao.ArticleService = (*sqlite.ArticleService)(nil)
	_ diembao.SearchService  = (*sqlite.SearchService)(nil)
	_ diembao.FetchService   = (*sqlite.FetchService)(nil)
)

// openStore opens the store of the app's data directory.
func openStore(ctx context.Context, app *App) (*store, error) {
	db, err := sqlite.OpenDir(ctx, app.DataDir, app.Logger)
	if err != nil {
		return nil, err
	}
	return &store{
		db:       db,
		Sources:  sqlite.NewSourceService(db),
		Fetches:  sqlite.NewFetchService(db),
		Articles: sqlite.NewArticleService(db),
		Search:   sqlite.NewSearchService(db),
	}, nil
}

// Close closes the store.
func (s *store) Close() error { return s.db.Close() }
