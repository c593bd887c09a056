package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/diembao/diembao"
)

// baselineDays is the window over which a source's articles per day are
// averaged.
const baselineDays = 14

// SourceService implements diembao.SourceService on the embedded store.
type SourceService struct {
	db *DB
}

var _ diembao.SourceService = (*SourceService)(nil)

// NewSourceService returns a SourceService using db.
func NewSourceService(db *DB) *SourceService { return &SourceService{db: db} }

// CreateSource stores a new source and sets its ID and CreatedAt. A source
// with the same name already stored is an ECONFLICT error.
func (s *SourceService) CreateSource(ctx context.Context, src *Source) error {
	if err := validateSource(src); err != nil {
		return err
	}
	if src.CreatedAt.IsZero() {
		src.CreatedAt = s.db.Now().UTC().Truncate(time.Second)
	}
	if src.Kind == "" {
		src.Kind = diembao.KindOther
	}
	tx, err := s.db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: create source: %w", err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sources WHERE name = ?`, src.Name).Scan(&n); err != nil {
		return fmt.Errorf("sqlite: create source: %w", err)
	}
	if n > 0 {
		return diembao.Errorf(diembao.ECONFLICT, "a source named %q already exists", src.Name)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO sources
		(name, homepage, feeds, sitemaps, province, kind, enabled, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		src.Name, src.Homepage, jsonList(src.Feeds), jsonList(src.Sitemaps),
		src.Province, string(src.Kind), src.Enabled, src.CreatedAt.Unix())
	if err != nil {
		return fmt.Errorf("sqlite: create source %q: %w", src.Name, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("sqlite: create source %q: %w", src.Name, err)
	}
	if err := setCollections(ctx, tx, id, src.Collections); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: create source %q: %w", src.Name, err)
	}
	src.ID = id
	return nil
}

// Source is diembao.Source, named here for brevity.
type Source = diembao.Source

func validateSource(src *Source) error {
	if strings.TrimSpace(src.Name) == "" {
		return diembao.Errorf(diembao.EINVALID, "a source needs a name")
	}
	return nil
}

// setCollections replaces the collections of source id with names,
// creating collections that do not exist yet.
func setCollections(ctx context.Context, tx *sql.Tx, id int64, names []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM source_collections WHERE source_id = ?`, id); err != nil {
		return fmt.Errorf("sqlite: collections: %w", err)
	}
	for _, name := range names {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO collections (name) VALUES (?) ON CONFLICT (name) DO NOTHING`, name); err != nil {
			return fmt.Errorf("sqlite: collection %q: %w", name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO source_collections (source_id, collection_id)
			SELECT ?, id FROM collections WHERE name = ?`, id, name); err != nil {
			return fmt.Errorf("sqlite: collection %q: %w", name, err)
		}
	}
	return nil
}

const sourceColumns = `s.id, s.name, s.homepage, s.feeds, s.sitemaps, s.province, s.kind, s.enabled,
	s.created_at, s.last_attempt, s.last_success, s.consecutive_failures, s.last_error,
	(SELECT group_concat(c.name, char(10) ORDER BY c.name) FROM source_collections sc JOIN collections c ON c.id = sc.collection_id WHERE sc.source_id = s.id),
	(SELECT max(a.stored_at) FROM articles a WHERE a.source_id = s.id),
	(SELECT count(*) FROM articles a WHERE a.source_id = s.id AND a.stored_at >= ?)`

// FindSourceByID returns the source with the given ID or an ENOTFOUND error.
func (s *SourceService) FindSourceByID(ctx context.Context, id int64) (*Source, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT `+sourceColumns+` FROM sources s WHERE s.id = ?`, s.baselineStart(), id)
	if err != nil {
		return nil, fmt.Errorf("sqlite: find source %d: %w", id, err)
	}
	list, err := s.scanSources(rows)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, diembao.Errorf(diembao.ENOTFOUND, "no source with id %d", id)
	}
	return list[0], nil
}

// FindSources returns every source, ordered by name. The collections of
// each source are sorted by name.
func (s *SourceService) FindSources(ctx context.Context) ([]*Source, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT `+sourceColumns+` FROM sources s ORDER BY s.name`, s.baselineStart())
	if err != nil {
		return nil, fmt.Errorf("sqlite: find sources: %w", err)
	}
	return s.scanSources(rows)
}

// FindSourceByName returns the source with the given name (compared without
// regard to case) or an ENOTFOUND error.
func (s *SourceService) FindSourceByName(ctx context.Context, name string) (*Source, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT `+sourceColumns+` FROM sources s WHERE lower(s.name) = lower(?)`, s.baselineStart(), name)
	if err != nil {
		return nil, fmt.Errorf("sqlite: find source %q: %w", name, err)
	}
	list, err := s.scanSources(rows)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, diembao.Errorf(diembao.ENOTFOUND, "no source named %q", name)
	}
	return list[0], nil
}

func (s *SourceService) baselineStart() int64 {
	return s.db.Now().Add(-baselineDays * 24 * time.Hour).Unix()
}

func (s *SourceService) scanSources(rows *sql.Rows) ([]*Source, error) {
	defer rows.Close()
	now := s.db.Now()
	var list []*Source
	for rows.Next() {
		var (
			src                    Source
			feeds, sitemaps, kind  string
			created                int64
			attempt, success, last sql.NullInt64
			colls                  sql.NullString
			recent                 int
		)
		if err := rows.Scan(&src.ID, &src.Name, &src.Homepage, &feeds, &sitemaps, &src.Province, &kind, &src.Enabled,
			&created, &attempt, &success, &src.Health.ConsecutiveFailures, &src.Health.LastError,
			&colls, &last, &recent); err != nil {
			return nil, fmt.Errorf("sqlite: scan source: %w", err)
		}
		src.Kind = diembao.SourceKind(kind)
		src.CreatedAt = time.Unix(created, 0).UTC()
		if err := json.Unmarshal([]byte(feeds), &src.Feeds); err != nil {
			return nil, fmt.Errorf("sqlite: source %d feeds: %w", src.ID, err)
		}
		if err := json.Unmarshal([]byte(sitemaps), &src.Sitemaps); err != nil {
			return nil, fmt.Errorf("sqlite: source %d sitemaps: %w", src.ID, err)
		}
		if len(src.Feeds) == 0 {
			src.Feeds = nil
		}
		if len(src.Sitemaps) == 0 {
			src.Sitemaps = nil
		}
		if colls.Valid && colls.String != "" {
			src.Collections = strings.Split(colls.String, "\n")
		}
		src.Health.LastAttempt = fromUnix(attempt, time.UTC)
		src.Health.LastSuccess = fromUnix(success, time.UTC)
		src.Health.LastArticle = fromUnix(last, time.UTC)
		src.Health.ArticlesPerDay = float64(recent) / baselineDays
		src.Health.Silent = silent(src.Health, now)
		list = append(list, &src)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: find sources: %w", err)
	}
	return list, nil
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
func (s *SourceService) UpdateSource(ctx context.Context, src *Source) error {
	if err := validateSource(src); err != nil {
		return err
	}
	tx, err := s.db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: update source: %w", err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sources WHERE name = ? AND id <> ?`, src.Name, src.ID).Scan(&n); err != nil {
		return fmt.Errorf("sqlite: update source: %w", err)
	}
	if n > 0 {
		return diembao.Errorf(diembao.ECONFLICT, "a source named %q already exists", src.Name)
	}
	res, err := tx.ExecContext(ctx, `UPDATE sources SET name = ?, homepage = ?, feeds = ?, sitemaps = ?,
		province = ?, kind = ?, enabled = ? WHERE id = ?`,
		src.Name, src.Homepage, jsonList(src.Feeds), jsonList(src.Sitemaps), src.Province, string(src.Kind), src.Enabled, src.ID)
	if err != nil {
		return fmt.Errorf("sqlite: update source %d: %w", src.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: update source %d: %w", src.ID, err)
	} else if n == 0 {
		return diembao.Errorf(diembao.ENOTFOUND, "no source with id %d", src.ID)
	}
	if err := setCollections(ctx, tx, src.ID, src.Collections); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: update source %d: %w", src.ID, err)
	}
	return nil
}

// DeleteSource removes a source. Its articles and fetches stay, detached
// from it.
func (s *SourceService) DeleteSource(ctx context.Context, id int64) error {
	res, err := s.db.db.ExecContext(ctx, `DELETE FROM sources WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("sqlite: delete source %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: delete source %d: %w", id, err)
	} else if n == 0 {
		return diembao.Errorf(diembao.ENOTFOUND, "no source with id %d", id)
	}
	return nil
}

// RecordAttempt updates the health of source id after a poll at time at: a
// nil err resets the failure count, any other error increments it and keeps
// its message.
func (s *SourceService) RecordAttempt(ctx context.Context, id int64, at time.Time, err error) error {
	var res sql.Result
	var qerr error
	if err == nil {
		res, qerr = s.db.db.ExecContext(ctx, `UPDATE sources SET last_attempt = ?, last_success = ?,
			consecutive_failures = 0, last_error = '' WHERE id = ?`, at.Unix(), at.Unix(), id)
	} else {
		msg := err.Error()
		var de *diembao.Error
		if errors.As(err, &de) {
			msg = de.Message
		}
		res, qerr = s.db.db.ExecContext(ctx, `UPDATE sources SET last_attempt = ?,
			consecutive_failures = consecutive_failures + 1, last_error = ? WHERE id = ?`, at.Unix(), msg, id)
	}
	if qerr != nil {
		return fmt.Errorf("sqlite: record attempt of source %d: %w", id, qerr)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: record attempt of source %d: %w", id, err)
	} else if n == 0 {
		return diembao.Errorf(diembao.ENOTFOUND, "no source with id %d", id)
	}
	return nil
}

// jsonList encodes a list of strings as a JSON array ("[]" for nil).
func jsonList(list []string) string {
	if len(list) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(list)
	return string(b)
}
