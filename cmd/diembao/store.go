package main

import (
	"context"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/postgres"
	"github.com/diembao/diembao/sqlite"
)

// sourceStore is what the commands need of a store's sources.
type sourceStore interface {
	diembao.SourceService
	FindSourceByName(ctx context.Context, name string) (*diembao.Source, error)
}

// articleStore is what the commands need of a store's articles.
type articleStore interface {
	diembao.ArticleService
	PutArticles(ctx context.Context, list []*diembao.Article) ([]diembao.PutResult, error)
	FindArticleByURL(ctx context.Context, url string) (*diembao.Article, error)
}

// store is an opened store, embedded (SQLite) or server mode (PostgreSQL),
// with its services.
type store struct {
	// db is the SQLite database; nil in server mode.
	db *sqlite.DB
	// pg is the PostgreSQL store, nil in embedded mode.
	pg *postgres.DB

	Sources  sourceStore
	Fetches  diembao.FetchService
	Articles articleStore
	Search   diembao.SearchService
	Frontier diembao.FrontierService
	Feeds    diembao.FeedStateService

	close func() error
}

var (
	_ sourceStore  = (*sqlite.SourceService)(nil)
	_ sourceStore  = (*postgres.SourceService)(nil)
	_ articleStore = (*sqlite.ArticleService)(nil)
	_ articleStore = (*postgres.ArticleService)(nil)
)

// openStore opens the store of the app: PostgreSQL when a DSN is set
// (--postgres, DIEMBAO_POSTGRES or the config file), otherwise the SQLite
// database of the data directory.
func openStore(ctx context.Context, app *App) (*store, error) {
	if app.Postgres != "" {
		db, err := postgres.Open(ctx, app.Postgres, app.Logger)
		if err != nil {
			return nil, err
		}
		return &store{
			Sources:  postgres.NewSourceService(db),
			Fetches:  postgres.NewFetchService(db),
			Articles: postgres.NewArticleService(db),
			Search:   postgres.NewSearchService(db),
			Frontier: postgres.NewFrontierService(db),
			Feeds:    postgres.NewFeedStateService(db),
			pg:       db,
			close:    db.Close,
		}, nil
	}
	db, err := sqlite.OpenDir(ctx, app.DataDir, app.Logger)
	if err != nil {
		return nil, err
	}
	fr := sqlite.NewFrontierService(db)
	return &store{
		db:       db,
		Sources:  sqlite.NewSourceService(db),
		Fetches:  sqlite.NewFetchService(db),
		Articles: sqlite.NewArticleService(db),
		Search:   sqlite.NewSearchService(db),
		Frontier: fr,
		Feeds:    fr,
		close:    db.Close,
	}, nil
}

// Close closes the store.
func (s *store) Close() error { return s.close() }

// storeName names the store the app uses, for messages.
func (app *App) storeName() string {
	if app.Postgres != "" {
		return "PostgreSQL"
	}
	return app.DataDir
}
