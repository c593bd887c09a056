package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/diembao/diembao"
)

// FrontierService implements diembao.FrontierService and
// diembao.FeedStateService on the embedded store.
type FrontierService struct {
	db *DB
}

var (
	_ diembao.FrontierService  = (*FrontierService)(nil)
	_ diembao.FeedStateService = (*FrontierService)(nil)
)

// NewFrontierService returns a FrontierService using db.
func NewFrontierService(db *DB) *FrontierService { return &FrontierService{db: db} }

// millis stores t as Unix milliseconds, or NULL when t is zero.
func millis(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

func fromMillis(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMilli(v.Int64).UTC()
}

// Enqueue adds the items whose URL the frontier does not hold yet.
func (s *FrontierService) Enqueue(ctx context.Context, items []*diembao.FrontierItem) (int, error) {
	if len(items) == 0 {
		return 0, nil
	}
	now := s.db.Now()
	tx, err := s.db.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("sqlite: enqueue: %w", err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO frontier
		(source_id, url, kind, priority, state, due_at, not_before, title, published, discovered_at)
		VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?) ON CONFLICT (url) DO NOTHING`)
	if err != nil {
		return 0, fmt.Errorf("sqlite: enqueue: %w", err)
	}
	defer stmt.Close()
	added := 0
	for _, it := range items {
		if it.URL == "" {
			return added, diembao.Errorf(diembao.EINVALID, "a frontier item needs a URL")
		}
		if it.Kind == "" {
			it.Kind = diembao.FrontierPage
		}
		if it.DiscoveredAt.IsZero() {
			it.DiscoveredAt = now
		}
		var source any
		if it.SourceID != 0 {
			source = it.SourceID
		}
		// An item without NotBefore is due at once.
		var nb int64
		if !it.NotBefore.IsZero() {
			nb = it.NotBefore.UnixMilli()
		}
		res, err := stmt.ExecContext(ctx, source, it.URL, string(it.Kind), it.Priority, nb, nb,
			it.Title, millis(it.Published), it.DiscoveredAt.UnixMilli())
		if err != nil {
			return added, fmt.Errorf("sqlite: enqueue %s: %w", it.URL, err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			it.ID, _ = res.LastInsertId()
			it.State = diembao.FrontierPending
			added++
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("sqlite: enqueue: %w", err)
	}
	return added, nil
}

const frontierColumns = `id, source_id, url, kind, priority, state, attempts, not_before, leased_until,
	last_error, title, published, discovered_at, done_at`

func scanItem(sc interface{ Scan(...any) error }) (*diembao.FrontierItem, error) {
	var (
		it                          diembao.FrontierItem
		source                      sql.NullInt64
		kind, state                 string
		notBefore, discovered       int64
		leased, published, doneTime sql.NullInt64
	)
	if err := sc.Scan(&it.ID, &source, &it.URL, &kind, &it.Priority, &state, &it.Attempts, &notBefore, &leased,
		&it.LastError, &it.Title, &published, &discovered, &doneTime); err != nil {
		return nil, err
	}
	it.SourceID = source.Int64
	it.Kind = diembao.FrontierKind(kind)
	it.State = diembao.FrontierState(state)
	if notBefore > 0 {
		it.NotBefore = time.UnixMilli(notBefore).UTC()
	}
	it.LeasedUntil = fromMillis(leased)
	it.Published = fromMillis(published)
	it.DiscoveredAt = time.UnixMilli(discovered).UTC()
	it.DoneAt = fromMillis(doneTime)
	return &it, nil
}

// Lease hands out due items and marks them leased; it runs in one
// immediate transaction, so two processes never lease the same item.
func (s *FrontierService) Lease(ctx context.Context, req diembao.LeaseRequest) ([]*diembao.FrontierItem, error) {
	if req.Limit <= 0 {
		return nil, nil
	}
	if req.Now.IsZero() {
		req.Now = s.db.Now()
	}
	if req.Duration <= 0 {
		req.Duration = 5 * time.Minute
	}
	tx, err := s.db.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sqlite: lease: %w", err)
	}
	defer tx.Rollback()
	q := `SELECT ` + frontierColumns + ` FROM frontier WHERE due_at IS NOT NULL AND due_at <= ?`
	args := []any{req.Now.UnixMilli()}
	if req.SourceID != 0 {
		q += ` AND source_id = ?`
		args = append(args, req.SourceID)
	}
	q += ` ORDER BY priority DESC, id LIMIT ?`
	args = append(args, req.Limit)
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: lease: %w", err)
	}
	var items []*diembao.FrontierItem
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlite: lease: %w", err)
		}
		items = append(items, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: lease: %w", err)
	}
	until := req.Now.Add(req.Duration)
	for _, it := range items {
		if _, err := tx.ExecContext(ctx, `UPDATE frontier SET state = 'leased', attempts = attempts + 1,
			leased_until = ?, due_at = ? WHERE id = ?`, until.UnixMilli(), until.UnixMilli(), it.ID); err != nil {
			return nil, fmt.Errorf("sqlite: lease %s: %w", it.URL, err)
		}
		it.State = diembao.FrontierLeased
		it.Attempts++
		it.LeasedUntil = until.UTC()
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlite: lease: %w", err)
	}
	return items, nil
}

func (s *FrontierService) update(ctx context.Context, op string, id int64, q string, args ...any) error {
	res, err := s.db.db.ExecContext(ctx, q, append(args, id)...)
	if err != nil {
		return fmt.Errorf("sqlite: %s frontier item %d: %w", op, id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: %s frontier item %d: %w", op, id, err)
	} else if n == 0 {
		return diembao.Errorf(diembao.ENOTFOUND, "no frontier item with id %d", id)
	}
	return nil
}

// Complete marks an item done.
func (s *FrontierService) Complete(ctx context.Context, id int64, at time.Time) error {
	return s.update(ctx, "complete", id, `UPDATE frontier SET state = 'done', due_at = NULL,
		leased_until = NULL, last_error = '', done_at = ? WHERE id = ?`, at.UnixMilli())
}

// Retry makes an item pending again, due at notBefore.
func (s *FrontierService) Retry(ctx context.Context, id int64, notBefore time.Time, errMsg string) error {
	return s.update(ctx, "retry", id, `UPDATE frontier SET state = 'pending', due_at = ?, not_before = ?,
		leased_until = NULL, last_error = ? WHERE id = ?`, notBefore.UnixMilli(), notBefore.UnixMilli(), errMsg)
}

// Abandon marks an item failed for good.
func (s *FrontierService) Abandon(ctx context.Context, id int64, errMsg string) error {
	return s.update(ctx, "abandon", id, `UPDATE frontier SET state = 'failed', due_at = NULL,
		leased_until = NULL, last_error = ? WHERE id = ?`, errMsg)
}

// FindFrontierItem returns the item with the canonical URL.
func (s *FrontierService) FindFrontierItem(ctx context.Context, url string) (*diembao.FrontierItem, error) {
	it, err := scanItem(s.db.db.QueryRowContext(ctx, `SELECT `+frontierColumns+` FROM frontier WHERE url = ?`, url))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, diembao.Errorf(diembao.ENOTFOUND, "no frontier item for %s", url)
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: find frontier item %s: %w", url, err)
	}
	return it, nil
}

// FrontierStats counts the items of the frontier by state.
func (s *FrontierService) FrontierStats(ctx context.Context, sourceID int64) (diembao.FrontierStats, error) {
	var st diembao.FrontierStats
	q := `SELECT state, count(*) FROM frontier`
	var args []any
	if sourceID != 0 {
		q += ` WHERE source_id = ?`
		args = append(args, sourceID)
	}
	rows, err := s.db.db.QueryContext(ctx, q+` GROUP BY state`, args...)
	if err != nil {
		return st, fmt.Errorf("sqlite: frontier stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return st, fmt.Errorf("sqlite: frontier stats: %w", err)
		}
		switch diembao.FrontierState(state) {
		case diembao.FrontierPending:
			st.Pending = n
		case diembao.FrontierLeased:
			st.Leased = n
		case diembao.FrontierDone:
			st.Done = n
		case diembao.FrontierFailed:
			st.Failed = n
		}
	}
	if err := rows.Err(); err != nil {
		return st, fmt.Errorf("sqlite: frontier stats: %w", err)
	}
	return st, nil
}

// SourceActivity reports the page items of a source discovered since a
// time.
func (s *FrontierService) SourceActivity(ctx context.Context, sourceID int64, since time.Time) (diembao.SourceActivity, error) {
	var a diembao.SourceActivity
	var first, last sql.NullInt64
	err := s.db.db.QueryRowContext(ctx, `SELECT
		coalesce(sum(CASE WHEN discovered_at >= ? THEN 1 ELSE 0 END), 0), min(discovered_at), max(discovered_at)
		FROM frontier WHERE source_id = ? AND kind = 'page'`, since.UnixMilli(), sourceID).Scan(&a.Discovered, &first, &last)
	if err != nil {
		return a, fmt.Errorf("sqlite: source activity %d: %w", sourceID, err)
	}
	a.First, a.Last = fromMillis(first), fromMillis(last)
	return a, nil
}

// FindFeedState returns the state of a feed.
func (s *FrontierService) FindFeedState(ctx context.Context, url string) (*diembao.FeedState, error) {
	var (
		st                              diembao.FeedState
		source                          sql.NullInt64
		interval                        int64
		lastPoll, nextPoll, lastNewTime sql.NullInt64
	)
	err := s.db.db.QueryRowContext(ctx, `SELECT url, source_id, etag, last_modified, interval_ms, last_poll,
		next_poll, last_new, failures, last_error FROM feed_states WHERE url = ?`, url).Scan(
		&st.URL, &source, &st.ETag, &st.LastModified, &interval, &lastPoll, &nextPoll, &lastNewTime, &st.Failures, &st.LastError)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, diembao.Errorf(diembao.ENOTFOUND, "no state for feed %s", url)
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: find feed state %s: %w", url, err)
	}
	st.SourceID = source.Int64
	st.Interval = time.Duration(interval) * time.Millisecond
	st.LastPoll, st.NextPoll, st.LastNew = fromMillis(lastPoll), fromMillis(nextPoll), fromMillis(lastNewTime)
	return &st, nil
}

// SaveFeedState creates or replaces the state of a feed.
func (s *FrontierService) SaveFeedState(ctx context.Context, st *diembao.FeedState) error {
	if strings.TrimSpace(st.URL) == "" {
		return diembao.Errorf(diembao.EINVALID, "a feed state needs a URL")
	}
	var source any
	if st.SourceID != 0 {
		source = st.SourceID
	}
	_, err := s.db.db.ExecContext(ctx, `INSERT INTO feed_states
		(url, source_id, etag, last_modified, interval_ms, last_poll, next_poll, last_new, failures, last_error)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (url) DO UPDATE SET source_id = excluded.source_id, etag = excluded.etag,
		last_modified = excluded.last_modified, interval_ms = excluded.interval_ms, last_poll = excluded.last_poll,
		next_poll = excluded.next_poll, last_new = excluded.last_new, failures = excluded.failures,
		last_error = excluded.last_error`,
		st.URL, source, st.ETag, st.LastModified, st.Interval.Milliseconds(), millis(st.LastPoll),
		millis(st.NextPoll), millis(st.LastNew), st.Failures, st.LastError)
	if err != nil {
		return fmt.Errorf("sqlite: save feed state %s: %w", st.URL, err)
	}
	return nil
}
