package http

import (
	"context"
	"sync"
	"time"

	"github.com/diembao/diembao"
)

// fakeSearch is a SearchService that records the last request and answers
// with a fixed result or error.
type fakeSearch struct {
	mu   sync.Mutex
	last diembao.SearchRequest
	res  *diembao.SearchResult
	err  error
	// panicWith, when set, makes Search panic with it.
	panicWith any
}

var _ diembao.SearchService = (*fakeSearch)(nil)

func (f *fakeSearch) Search(ctx context.Context, req diembao.SearchRequest) (*diembao.SearchResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.last = req
	if f.panicWith != nil {
		panic(f.panicWith)
	}
	if f.err != nil {
		return nil, f.err
	}
	if f.res == nil {
		return &diembao.SearchResult{}, nil
	}
	res := *f.res
	return &res, nil
}

// lastRequest returns the last request the fake answered.
func (f *fakeSearch) lastRequest() diembao.SearchRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last
}

// fakeArticles is an ArticleService over a map.
type fakeArticles struct {
	mu       sync.Mutex
	byID     map[int64]*diembao.Article
	err      error
	countErr error
}

var _ diembao.ArticleService = (*fakeArticles)(nil)

func (f *fakeArticles) PutArticle(ctx context.Context, a *diembao.Article) (diembao.PutResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.byID == nil {
		f.byID = map[int64]*diembao.Article{}
	}
	if a.ID == 0 {
		a.ID = int64(len(f.byID) + 1)
	}
	f.byID[a.ID] = a
	return diembao.PutResult{ID: a.ID, Created: true}, nil
}

func (f *fakeArticles) FindArticleByID(ctx context.Context, id int64) (*diembao.Article, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	a, ok := f.byID[id]
	if !ok {
		return nil, diembao.Errorf(diembao.ENOTFOUND, "Article %d not found.", id)
	}
	c := *a
	return &c, nil
}

func (f *fakeArticles) FindArticles(ctx context.Context, filter diembao.ArticleFilter) ([]*diembao.Article, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	var out []*diembao.Article
	for _, a := range f.byID {
		out = append(out, a)
		if filter.Limit > 0 && len(out) == filter.Limit {
			break
		}
	}
	return out, nil
}

func (f *fakeArticles) CountArticles(ctx context.Context) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.countErr != nil {
		return 0, f.countErr
	}
	return len(f.byID), nil
}

// fakeSources is a SourceService over a slice.
type fakeSources struct {
	mu   sync.Mutex
	list []*diembao.Source
	err  error
}

var _ diembao.SourceService = (*fakeSources)(nil)

func (f *fakeSources) CreateSource(ctx context.Context, s *diembao.Source) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	s.ID = int64(len(f.list) + 1)
	f.list = append(f.list, s)
	return nil
}

func (f *fakeSources) FindSourceByID(ctx context.Context, id int64) (*diembao.Source, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.list {
		if s.ID == id {
			return s, nil
		}
	}
	return nil, diembao.Errorf(diembao.ENOTFOUND, "Source %d not found.", id)
}

func (f *fakeSources) FindSources(ctx context.Context) ([]*diembao.Source, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	return append([]*diembao.Source(nil), f.list...), nil
}

func (f *fakeSources) UpdateSource(ctx context.Context, s *diembao.Source) error {
	return diembao.Errorf(diembao.ENOTIMPLEMENTED, "not in the fake")
}

func (f *fakeSources) DeleteSource(ctx context.Context, id int64) error {
	return diembao.Errorf(diembao.ENOTIMPLEMENTED, "not in the fake")
}

func (f *fakeSources) RecordAttempt(ctx context.Context, id int64, at time.Time, err error) error {
	return diembao.Errorf(diembao.ENOTIMPLEMENTED, "not in the fake")
}
