package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/diembao/diembao"
)

// baselineDays is the window over which a source's articles per day are
// averaged (the same as the embedded store's).
const baselineDays = 14

// SourceService implements diembao.SourceService on PostgreSQL.
type SourceService struct {
	db *DB
}

var _ diembao.SourceService = (*SourceService)(nil)

// NewSourceService returns a SourceService using db.
func NewSourceService(db *DB) *SourceService { return &SourceService{db: db} }

// CreateSource stores a new source and sets its ID and CreatedAt. A source
// with the same name already stored is an ECONFLICT error.
func (s *SourceService) CreateSource(ctx context.Context, src *diembao.Source) error {
	if strings.TrimSpace(src.Name) == "" {
		return diembao.Errorf(diembao.EINVALID, "a source needs a name")
	}
	if src.CreatedAt.IsZero() {
		src.CreatedAt = s.db.Now().UTC().Truncate(time.Second)
	}
	if src.Kind == "" {
		src.Kind = diembao.KindOther
	}
	var id int64
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO sources
			(name, homepage, feeds, sitemaps, province, kind, enabled, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			src.Name, src.Homepage, textList(src.Feeds), textList(src.Sitemaps),
			src.Province, string(src.Kind), src.Enabled, dbTime(src.CreatedAt)).Scan(&id); err != nil {
			return err
		}
		return setCollections(ctx, tx, id, src.Collections)
	})
	if isUniqueViolation(err) {
		return diembao.Errorf(diembao.ECONFLICT, "a source named %q already exists", src.Name)
	} else if err != nil {
		return fmt.Errorf("postgres: create source %q: %w", src.Name, err)
	}
	src.ID = id
	return nil
}

// setCollections replaces the collections of source id with names,
// creating collections that do not exist yet.
func setCollections(ctx context.Context, tx pgx.Tx, id int64, names []string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM source_collections WHERE source_id = $1`, id); err != nil {
		return fmt.Errorf("postgres: collections: %w", err)
	}
	for _, name := range names {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if _, err := tx.Exec(ctx, `INSERT INTO collections (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, name); err != nil {
			return fmt.Errorf("postgres: collection %q: %w", name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO source_collections (source_id, collection_id)
			SELECT $1, id FROM collections WHERE name = $2 ON CONFLICT DO NOTHING`, id, name); err != nil {
			return fmt.Errorf("postgres: collection %q: %w", name, err)
		}
	}
	return nil
}

const sourceColumns = `s.id, s.name, s.homepage, s.feeds, s.sitemaps, s.province, s.kind, s.enabled,
	s.created_at, s.last_attempt, s.last_success, s.consecutive_failures, s.last_error,
	ARRAY(SELECT c.name FROM source_collections sc JOIN collections c ON c.id = sc.collection_id
		WHERE sc.source_id = s.id ORDER BY c.name),
	(SELECT max(a.stored_at) FROM articles a WHERE a.source_id = s.id),
	(SELECT count(*) FROM articles a WHERE a.source_id = s.id AND a.stored_at >= $1)`

// FindSourceByID returns the source with the given ID or an ENOTFOUND error.
func (s *SourceService) FindSourceByID(ctx context.Context, id int64) (*diembao.Source, error) {
	list, err := s.find(ctx, `WHERE s.id = $2`, id)
	if err != nil {
		return nil, fmt.Errorf("postgres: find source %d: %w", id, err)
	}
	if len(list) == 0 {
		return nil, diembao.Errorf(diembao.ENOTFOUND, "no source with id %d", id)
	}
	return list[0], nil
}

// FindSources returns every source, ordered by name.
func (s *SourceService) FindSources(ctx context.Context) ([]*diembao.Source, error) {
	list, err := s.find(ctx, `ORDER BY s.name COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("postgres: find sources: %w", err)
	}
	return list, nil
}

// FindSourceByName returns the source with the given name (compared without
// regard to case) or an ENOTFOUND error.
func (s *SourceService) FindSourceByName(ctx context.Context, name string) (*diembao.Source, error) {
	list, err := s.find(ctx, `WHERE lower(s.name) = lower($2)`, name)
	if err != nil {
		return nil, fmt.Errorf("postgres: find source %q: %w", name, err)
	}
	if len(list) == 0 {
		return nil, diembao.Errorf(diembao.ENOTFOUND, "no source named %q", name)
	}
	return list[0], nil
}

func (s *SourceService) find(ctx context.Context, where string, args ...any) ([]*diembao.Source, error) {
	now := s.db.Now()
	args = append([]any{now.Add(-baselineDays * 24 * time.Hour).UTC()}, args...)
	rows, err := s.db.pool.Query(ctx, `SELECT `+sourceColumns+` FROM sources s `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []*diembao.Source
	for rows.Next() {
		var (
			src                    diembao.Source
			kind                   string
			created                time.Time
			attempt, success, last *time.Time
			recent                 int
		)
		if err := rows.Scan(&src.ID, &src.Name, &src.Homepage, &src.Feeds, &src.Sitemaps, &src.Province, &kind, &src.Enabled,
			&created, &attempt, &success, &src.Health.ConsecutiveFailures, &src.Health.LastError,
			&src.Collections, &last, &recent); err != nil {
			return nil, err
		}
		src.Kind = diembao.SourceKind(kind)
		src.CreatedAt = created.UTC()
		src.Feeds = nilIfEmpty(src.Feeds)
		src.Sitemaps = nilIfEmpty(src.Sitemaps)
		src.Collections = nilIfEmpty(src.Collections)
		src.Health.LastAttempt = fromDB(attempt, time.UTC)
		src.Health.LastSuccess = fromDB(success, time.UTC)
		src.Health.LastArticle = fromDB(last, time.UTC)
		src.Health.ArticlesPerDay = float64(recent) / baselineDays
		src.Health.Silent = silent(src.Health, now)
		list = append(list, &src)
	}
	return list, rows.Err()
}

// silent reports whether a source that usually publishes has gone quiet:
// nothing new for three times the interval its baseline predicts, and at
// least two days.
func silent(h diembao.SourceHealth, now time.Time) bool {
	if h.LastArticle.IsZero() || h.ArticlesPerDay <= 0 {
		return false
	}
	expected := time.Duration(float64(24*time.Hour) / h.ArticlesPerDay)
	quiet := now.Sub(h.LastArticle)
	return quiet > 48*time.Hour && quiet > 3*expected
}

// UpdateSource stores the editable fields of src (name, homepage, feeds,
// sitemaps, province, kind, collections, enabled).
func (s *SourceService) UpdateSource(ctx context.Context, src *diembao.Source) error {
	if strings.TrimSpace(src.Name) == "" {
		return diembao.Errorf(diembao.EINVALID, "a source needs a name")
	}
	found := true
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE sources SET name = $1, homepage = $2, feeds = $3, sitemaps = $4,
			province = $5, kind = $6, enabled = $7 WHERE id = $8`,
			src.Name, src.Homepage, textList(src.Feeds), textList(src.Sitemaps), src.Province, string(src.Kind), src.Enabled, src.ID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			found = false
			return nil
		}
		return setCollections(ctx, tx, src.ID, src.Collections)
	})
	switch {
	case isUniqueViolation(err):
		return diembao.Errorf(diembao.ECONFLICT, "a source named %q already exists", src.Name)
	case err != nil:
		return fmt.Errorf("postgres: update source %d: %w", src.ID, err)
	case !found:
		return diembao.Errorf(diembao.ENOTFOUND, "no source with id %d", src.ID)
	}
	return nil
}

// DeleteSource removes a source. Its articles and fetches stay, detached
// from it.
func (s *SourceService) DeleteSource(ctx context.Context, id int64) error {
	tag, err := s.db.pool.Exec(ctx, `DELETE FROM sources WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("postgres: delete source %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return diembao.Errorf(diembao.ENOTFOUND, "no source with id %d", id)
	}
	return nil
}

// RecordAttempt updates the health of source id after a poll at time at: a
// nil err resets the failure count, any other error increments it and keeps
// its message.
func (s *SourceService) RecordAttempt(ctx context.Context, id int64, at time.Time, err error) error {
	var (
		n    int64
		qerr error
	)
	if err == nil {
		tag, e := s.db.pool.Exec(ctx, `UPDATE sources SET last_attempt = $1, last_success = $1,
			consecutive_failures = 0, last_error = '' WHERE id = $2`, dbTime(at), id)
		n, qerr = tag.RowsAffected(), e
	} else {
		msg := err.Error()
		var de *diembao.Error
		if errors.As(err, &de) {
			msg = de.Message
		}
		tag, e := s.db.pool.Exec(ctx, `UPDATE sources SET last_attempt = $1,
			consecutive_failures = consecutive_failures + 1, last_error = $2 WHERE id = $3`, dbTime(at), msg, id)
		n, qerr = tag.RowsAffected(), e
	}
	if qerr != nil {
		return fmt.Errorf("postgres: record attempt of source %d: %w", id, qerr)
	}
	if n == 0 {
		return diembao.Errorf(diembao.ENOTFOUND, "no source with id %d", id)
	}
	return nil
}

// textList returns list for a text[] column, never nil (NOT NULL columns).
func textList(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}

// nilIfEmpty returns nil for an empty list, as the embedded store does.
func nilIfEmpty(list []string) []string {
	if len(list) == 0 {
		return nil
	}
	return list
}
