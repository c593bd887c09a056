package crawl

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/diembao/diembao"
)

// memStore is an in-memory implementation of the services the crawler
// uses, with the semantics of the SQL stores, for tests that need no
// durability.
type memStore struct {
	mu      sync.Mutex
	sources map[int64]*diembao.Source
	items   map[string]*diembao.FrontierItem
	feeds   map[string]diembao.FeedState
	fetches []*diembao.Fetch
	nextID  int64
}

func newMemStore() *memStore {
	return &memStore{sources: map[int64]*diembao.Source{}, items: map[string]*diembao.FrontierItem{}, feeds: map[string]diembao.FeedState{}}
}

func (m *memStore) services() Services {
	return Services{Sources: m, Frontier: m, Feeds: m, Fetches: m}
}

func (m *memStore) id() int64 { m.nextID++; return m.nextID }

func (m *memStore) CreateSource(ctx context.Context, s *diembao.Source) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s.ID = m.id()
	c := *s
	m.sources[s.ID] = &c
	return nil
}

func (m *memStore) FindSourceByID(ctx context.Context, id int64) (*diembao.Source, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sources[id]
	if !ok {
		return nil, diembao.Errorf(diembao.ENOTFOUND, "no source with id %d", id)
	}
	c := *s
	return &c, nil
}

func (m *memStore) FindSources(ctx context.Context) ([]*diembao.Source, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*diembao.Source
	for _, s := range m.sources {
		c := *s
		out = append(out, &c)
	}
	slices.SortFunc(out, func(a, b *diembao.Source) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

func (m *memStore) UpdateSource(ctx context.Context, s *diembao.Source) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := *s
	m.sources[s.ID] = &c
	return nil
}

func (m *memStore) DeleteSource(ctx context.Context, id int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.sources, id)
	return nil
}

func (m *memStore) RecordAttempt(ctx context.Context, id int64, at time.Time, err error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sources[id]
	if !ok {
		return diembao.Errorf(diembao.ENOTFOUND, "no source with id %d", id)
	}
	s.Health.LastAttempt = at
	if err == nil {
		s.Health.LastSuccess, s.Health.ConsecutiveFailures, s.Health.LastError = at, 0, ""
	} else {
		s.Health.ConsecutiveFailures++
		s.Health.LastError = err.Error()
	}
	return nil
}

func (m *memStore) CreateFetch(ctx context.Context, f *diembao.Fetch) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	f.ID = m.id()
	m.fetches = append(m.fetches, f)
	return nil
}

func (m *memStore) FindFetches(ctx context.Context, after int64, limit int) ([]*diembao.Fetch, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*diembao.Fetch
	for _, f := range m.fetches {
		if f.ID > after && len(out) < limit {
			out = append(out, f)
		}
	}
	return out, nil
}

func (m *memStore) Enqueue(ctx context.Context, items []*diembao.FrontierItem) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, it := range items {
		if _, ok := m.items[it.URL]; ok {
			continue
		}
		it.ID = m.id()
		it.State = diembao.FrontierPending
		if it.Kind == "" {
			it.Kind = diembao.FrontierPage
		}
		c := *it
		m.items[it.URL] = &c
		n++
	}
	return n, nil
}

func due(it *diembao.FrontierItem, now time.Time) bool {
	switch it.State {
	case diembao.FrontierPending:
		return !it.NotBefore.After(now)
	case diembao.FrontierLeased:
		return !it.LeasedUntil.After(now)
	}
	return false
}

func (m *memStore) Lease(ctx context.Context, req diembao.LeaseRequest) ([]*diembao.FrontierItem, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var list []*diembao.FrontierItem
	for _, it := range m.items {
		if (req.SourceID == 0 || it.SourceID == req.SourceID) && due(it, req.Now) {
			list = append(list, it)
		}
	}
	slices.SortFunc(list, func(a, b *diembao.FrontierItem) int {
		return cmp.Or(cmp.Compare(b.Priority, a.Priority), cmp.Compare(a.ID, b.ID))
	})
	var out []*diembao.FrontierItem
	for _, it := range list[:min(len(list), req.Limit)] {
		it.State, it.LeasedUntil = diembao.FrontierLeased, req.Now.Add(req.Duration)
		it.Attempts++
		c := *it
		out = append(out, &c)
	}
	return out, nil
}

func (m *memStore) byID(id int64) *diembao.FrontierItem {
	for _, it := range m.items {
		if it.ID == id {
			return it
		}
	}
	return nil
}

func (m *memStore) settle(id int64, f func(*diembao.FrontierItem)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	it := m.byID(id)
	if it == nil {
		return diembao.Errorf(diembao.ENOTFOUND, "no frontier item with id %d", id)
	}
	f(it)
	return nil
}

func (m *memStore) Complete(ctx context.Context, id int64, at time.Time) error {
	return m.settle(id, func(it *diembao.FrontierItem) { it.State, it.DoneAt, it.LastError = diembao.FrontierDone, at, "" })
}

func (m *memStore) Retry(ctx context.Context, id int64, notBefore time.Time, msg string) error {
	return m.settle(id, func(it *diembao.FrontierItem) {
		it.State, it.NotBefore, it.LastError = diembao.FrontierPending, notBefore, msg
	})
}

func (m *memStore) Abandon(ctx context.Context, id int64, msg string) error {
	return m.settle(id, func(it *diembao.FrontierItem) { it.State, it.LastError = diembao.FrontierFailed, msg })
}

func (m *memStore) FindFrontierItem(ctx context.Context, url string) (*diembao.FrontierItem, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	it, ok := m.items[url]
	if !ok {
		return nil, diembao.Errorf(diembao.ENOTFOUND, "no frontier item for %s", url)
	}
	c := *it
	return &c, nil
}

func (m *memStore) FrontierStats(ctx context.Context, sourceID int64) (diembao.FrontierStats, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var st diembao.FrontierStats
	for _, it := range m.items {
		if sourceID != 0 && it.SourceID != sourceID {
			continue
		}
		switch it.State {
		case diembao.FrontierPending:
			st.Pending++
		case diembao.FrontierLeased:
			st.Leased++
		case diembao.FrontierDone:
			st.Done++
		case diembao.FrontierFailed:
			st.Failed++
		}
	}
	return st, nil
}

func (m *memStore) SourceActivity(ctx context.Context, sourceID int64, since time.Time) (diembao.SourceActivity, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var a diembao.SourceActivity
	for _, it := range m.items {
		if it.SourceID != sourceID || it.Kind != diembao.FrontierPage {
			continue
		}
		if !it.DiscoveredAt.Before(since) {
			a.Discovered++
		}
		if a.First.IsZero() || it.DiscoveredAt.Before(a.First) {
			a.First = it.DiscoveredAt
		}
		if it.DiscoveredAt.After(a.Last) {
			a.Last = it.DiscoveredAt
		}
	}
	return a, nil
}

func (m *memStore) FindFeedState(ctx context.Context, url string) (*diembao.FeedState, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st, ok := m.feeds[url]
	if !ok {
		return nil, diembao.Errorf(diembao.ENOTFOUND, "no state for feed %s", url)
	}
	return &st, nil
}

func (m *memStore) SaveFeedState(ctx context.Context, st *diembao.FeedState) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.feeds[st.URL] = *st
	return nil
}
