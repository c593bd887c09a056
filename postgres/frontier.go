package postgres

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/diembao/diembao"
)

// FrontierService implements diembao.FrontierService on PostgreSQL. Leases
// are taken with SELECT … FOR UPDATE SKIP LOCKED, so any number of workers
// in any number of processes can lease from one frontier at once without
// waiting on each other or receiving the same item twice.
type FrontierService struct {
	db *DB
}

var _ diembao.FrontierService = (*FrontierService)(nil)

// NewFrontierService returns a FrontierService using db.
func NewFrontierService(db *DB) *FrontierService { return &FrontierService{db: db} }

// Enqueue adds items whose canonical URL the frontier does not know; known
// URLs are left as they are. It returns how many were added and sets the ID
// (and the defaults: state pending, kind page, discovery time now) of the
// added items. An item without NotBefore is due at once.
func (s *FrontierService) Enqueue(ctx context.Context, items []*diembao.FrontierItem) (int, error) {
	if len(items) == 0 {
		return 0, nil
	}
	now := s.db.Now()
	batch := &pgx.Batch{}
	for _, it := range items {
		if it.URL == "" {
			return 0, diembao.Errorf(diembao.EINVALID, "a frontier item needs a URL")
		}
		if it.Kind == "" {
			it.Kind = diembao.FrontierPage
		}
		if it.DiscoveredAt.IsZero() {
			it.DiscoveredAt = now
		}
		batch.Queue(`INSERT INTO frontier
			(source_id, url, kind, priority, state, not_before, title, published, discovered_at)
			VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8)
			ON CONFLICT (url) DO NOTHING RETURNING id`,
			nullID(it.SourceID), it.URL, string(it.Kind), it.Priority, msTime(it.NotBefore), it.Title,
			msTime(it.Published), msTime(it.DiscoveredAt))
	}
	added := 0
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		br := tx.SendBatch(ctx, batch)
		for _, it := range items {
			var id int64
			err := br.QueryRow().Scan(&id)
			if errors.Is(err, pgx.ErrNoRows) {
				continue
			} else if err != nil {
				br.Close()
				return err
			}
			it.ID = id
			it.State = diembao.FrontierPending
			added++
		}
		return br.Close()
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: enqueue: %w", err)
	}
	return added, nil
}

const frontierColumns = `id, source_id, url, kind, priority, state, attempts, not_before, leased_until,
	last_error, title, published, discovered_at, done_at`

// Lease hands out up to req.Limit due items (pending with NotBefore passed,
// or leased with the lease run out), highest priority first, then first
// enqueued first. Each is marked leased until req.Now+req.Duration (five
// minutes when Duration is not positive) and its Attempts is incremented.
// Rows another worker is leasing at the same moment are skipped, not
// waited for.
func (s *FrontierService) Lease(ctx context.Context, req diembao.LeaseRequest) ([]*diembao.FrontierItem, error) {
	if req.Limit <= 0 {
		return nil, nil
	}
	if req.Now.IsZero() {
		req.Now = s.db.Now()
	}
	if req.Duration <= 0 {
		req.Duration = defaultLease
	}
	now := req.Now.UTC().Truncate(time.Millisecond)
	rows, err := s.db.pool.Query(ctx, `WITH due AS (
			SELECT id FROM frontier
			WHERE state IN ('pending', 'leased')
			  AND ((state = 'pending' AND (not_before IS NULL OR not_before <= $1))
			    OR (state = 'leased' AND leased_until <= $1))
			  AND ($2::bigint = 0 OR source_id = $2)
			ORDER BY priority DESC, id
			LIMIT $3
			FOR UPDATE SKIP LOCKED
		)
		UPDATE frontier f SET state = 'leased', leased_until = $4, attempts = f.attempts + 1
		FROM due WHERE f.id = due.id
		RETURNING `+prefixed("f.", frontierColumns),
		now, req.SourceID, req.Limit, now.Add(req.Duration))
	if err != nil {
		return nil, fmt.Errorf("postgres: lease: %w", err)
	}
	items, err := scanFrontier(rows)
	if err != nil {
		return nil, fmt.Errorf("postgres: lease: %w", err)
	}
	sort.Slice(items, func(i, j int) bool {
		a, b := items[i], items[j]
		if a.Priority != b.Priority {
			return a.Priority > b.Priority
		}
		return a.ID < b.ID
	})
	return items, nil
}

// Complete marks a leased item done.
func (s *FrontierService) Complete(ctx context.Context, id int64, at time.Time) error {
	return s.update(ctx, id, `state = 'done', done_at = $2, leased_until = NULL, last_error = ''`, msTime(at))
}

// Retry makes an item pending again, due at notBefore, with the error that
// made the attempt fail.
func (s *FrontierService) Retry(ctx context.Context, id int64, notBefore time.Time, errMsg string) error {
	return s.update(ctx, id, `state = 'pending', not_before = $2, last_error = $3, leased_until = NULL`,
		msTime(notBefore), errMsg)
}

// Abandon marks an item failed for good.
func (s *FrontierService) Abandon(ctx context.Context, id int64, errMsg string) error {
	return s.update(ctx, id, `state = 'failed', last_error = $2, leased_until = NULL`, errMsg)
}

func (s *FrontierService) update(ctx context.Context, id int64, set string, args ...any) error {
	tag, err := s.db.pool.Exec(ctx, `UPDATE frontier SET `+set+` WHERE id = $1`, append([]any{id}, args...)...)
	if err != nil {
		return fmt.Errorf("postgres: frontier item %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return diembao.Errorf(diembao.ENOTFOUND, "no frontier item with id %d", id)
	}
	return nil
}

// FindFrontierItem returns the item with the canonical URL, or an ENOTFOUND
// error.
func (s *FrontierService) FindFrontierItem(ctx context.Context, url string) (*diembao.FrontierItem, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT `+frontierColumns+` FROM frontier WHERE url = $1`, url)
	if err != nil {
		return nil, fmt.Errorf("postgres: find frontier item: %w", err)
	}
	items, err := scanFrontier(rows)
	if err != nil {
		return nil, fmt.Errorf("postgres: find frontier item: %w", err)
	}
	if len(items) == 0 {
		return nil, diembao.Errorf(diembao.ENOTFOUND, "%s is not in the frontier", url)
	}
	return items[0], nil
}

// FrontierStats counts items by state; sourceID 0 counts all sources.
func (s *FrontierService) FrontierStats(ctx context.Context, sourceID int64) (diembao.FrontierStats, error) {
	var st diembao.FrontierStats
	err := s.db.pool.QueryRow(ctx, `SELECT
			count(*) FILTER (WHERE state = 'pending'),
			count(*) FILTER (WHERE state = 'leased'),
			count(*) FILTER (WHERE state = 'done'),
			count(*) FILTER (WHERE state = 'failed')
		FROM frontier WHERE $1::bigint = 0 OR source_id = $1`, sourceID).
		Scan(&st.Pending, &st.Leased, &st.Done, &st.Failed)
	if err != nil {
		return st, fmt.Errorf("postgres: frontier stats: %w", err)
	}
	return st, nil
}

// SourceActivity reports the page items of a source discovered since the
// given time.
func (s *FrontierService) SourceActivity(ctx context.Context, sourceID int64, since time.Time) (diembao.SourceActivity, error) {
	var (
		act         diembao.SourceActivity
		first, last *time.Time
	)
	err := s.db.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE discovered_at >= $2),
			min(discovered_at), max(discovered_at)
		FROM frontier WHERE source_id = $1 AND kind = 'page'`, sourceID, msTime(since)).
		Scan(&act.Discovered, &first, &last)
	if err != nil {
		return act, fmt.Errorf("postgres: source activity %d: %w", sourceID, err)
	}
	act.First = fromDB(first, time.UTC)
	act.Last = fromDB(last, time.UTC)
	return act, nil
}

func scanFrontier(rows pgx.Rows) ([]*diembao.FrontierItem, error) {
	defer rows.Close()
	var items []*diembao.FrontierItem
	for rows.Next() {
		var (
			it                                        diembao.FrontierItem
			source                                    *int64
			kind, state                               string
			discovered                                time.Time
			notBefore, leasedUntil, published, doneAt *time.Time
		)
		if err := rows.Scan(&it.ID, &source, &it.URL, &kind, &it.Priority, &state, &it.Attempts,
			&notBefore, &leasedUntil, &it.LastError, &it.Title, &published, &discovered, &doneAt); err != nil {
			return nil, err
		}
		it.SourceID = deref(source)
		it.Kind = diembao.FrontierKind(kind)
		it.State = diembao.FrontierState(state)
		it.NotBefore = fromDB(notBefore, time.UTC)
		it.LeasedUntil = fromDB(leasedUntil, time.UTC)
		it.Published = fromDB(published, time.UTC)
		it.DiscoveredAt = discovered.UTC()
		it.DoneAt = fromDB(doneAt, time.UTC)
		items = append(items, &it)
	}
	return items, rows.Err()
}

// defaultLease is how long a lease lasts when the request names no
// duration.
const defaultLease = 5 * time.Minute

// msTime is t in UTC truncated to the millisecond, as the frontier keeps
// it (retry and politeness delays are often under a second), or nil (NULL)
// when t is zero.
func msTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Truncate(time.Millisecond)
}

// prefixed qualifies each column of a comma-separated list with p.
func prefixed(p, columns string) string {
	out := make([]byte, 0, len(columns)*2)
	out = append(out, p...)
	for i := 0; i < len(columns); i++ {
		out = append(out, columns[i])
		if columns[i] == ',' {
			for i+1 < len(columns) && (columns[i+1] == ' ' || columns[i+1] == '\n' || columns[i+1] == '\t') {
				i++
				out = append(out, columns[i])
			}
			out = append(out, p...)
		}
	}
	return string(out)
}

// FeedStateService implements diembao.FeedStateService on PostgreSQL.
type FeedStateService struct {
	db *DB
}

var _ diembao.FeedStateService = (*FeedStateService)(nil)

// NewFeedStateService returns a FeedStateService using db.
func NewFeedStateService(db *DB) *FeedStateService { return &FeedStateService{db: db} }

// FindFeedState returns the state of the feed, or an ENOTFOUND error.
func (s *FeedStateService) FindFeedState(ctx context.Context, url string) (*diembao.FeedState, error) {
	var (
		st                       diembao.FeedState
		source                   *int64
		intervalMS               int64
		lastPoll, nextPoll, last *time.Time
	)
	err := s.db.pool.QueryRow(ctx, `SELECT url, source_id, etag, last_modified, interval_ms, last_poll,
			next_poll, last_new, failures, last_error FROM feed_states WHERE url = $1`, url).
		Scan(&st.URL, &source, &st.ETag, &st.LastModified, &intervalMS, &lastPoll, &nextPoll, &last,
			&st.Failures, &st.LastError)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, diembao.Errorf(diembao.ENOTFOUND, "no state for feed %s", url)
	} else if err != nil {
		return nil, fmt.Errorf("postgres: find feed state %s: %w", url, err)
	}
	st.SourceID = deref(source)
	st.Interval = time.Duration(intervalMS) * time.Millisecond
	st.LastPoll = fromDB(lastPoll, time.UTC)
	st.NextPoll = fromDB(nextPoll, time.UTC)
	st.LastNew = fromDB(last, time.UTC)
	return &st, nil
}

// SaveFeedState creates or replaces the state of st.URL.
func (s *FeedStateService) SaveFeedState(ctx context.Context, st *diembao.FeedState) error {
	if strings.TrimSpace(st.URL) == "" {
		return diembao.Errorf(diembao.EINVALID, "a feed state needs a URL")
	}
	_, err := s.db.pool.Exec(ctx, `INSERT INTO feed_states
			(url, source_id, etag, last_modified, interval_ms, last_poll, next_poll, last_new, failures, last_error)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (url) DO UPDATE SET source_id = EXCLUDED.source_id, etag = EXCLUDED.etag,
			last_modified = EXCLUDED.last_modified, interval_ms = EXCLUDED.interval_ms,
			last_poll = EXCLUDED.last_poll, next_poll = EXCLUDED.next_poll, last_new = EXCLUDED.last_new,
			failures = EXCLUDED.failures, last_error = EXCLUDED.last_error`,
		st.URL, nullID(st.SourceID), st.ETag, st.LastModified, st.Interval.Milliseconds(), msTime(st.LastPoll),
		msTime(st.NextPoll), msTime(st.LastNew), st.Failures, st.LastError)
	if err != nil {
		return fmt.Errorf("postgres: save feed state %s: %w", st.URL, err)
	}
	return nil
}
