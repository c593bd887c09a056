package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/diembao/diembao"
)

// FetchService implements diembao.FetchService on the embedded store.
type FetchService struct {
	db *DB
}

var _ diembao.FetchService = (*FetchService)(nil)

// NewFetchService returns a FetchService using db.
func NewFetchService(db *DB) *FetchService { return &FetchService{db: db} }

// CreateFetch records a fetch and sets its ID (and FetchedAt when zero).
func (s *FetchService) CreateFetch(ctx context.Context, f *diembao.Fetch) error {
	if f.URL == "" {
		return diembao.Errorf(diembao.EINVALID, "a fetch needs a URL")
	}
	if f.FetchedAt.IsZero() {
		f.FetchedAt = s.db.Now().UTC().Truncate(time.Second)
	}
	header := "{}"
	if len(f.Header) > 0 {
		b, err := json.Marshal(f.Header)
		if err != nil {
			return fmt.Errorf("sqlite: fetch %s header: %w", f.URL, err)
		}
		header = string(b)
	}
	var source any
	if f.SourceID != 0 {
		source = f.SourceID
	}
	res, err := s.db.db.ExecContext(ctx, `INSERT INTO fetches
		(source_id, url, status, header, fetched_at, warc_file, warc_offset, error)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		source, f.URL, f.Status, header, f.FetchedAt.Unix(), f.WARCFile, f.WARCOffset, f.Err)
	if err != nil {
		return fmt.Errorf("sqlite: create fetch %s: %w", f.URL, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("sqlite: create fetch %s: %w", f.URL, err)
	}
	f.ID = id
	return nil
}

// FindFetches returns up to limit fetches with an ID above after, in ID
// order (limit <= 0 means 100).
func (s *FetchService) FindFetches(ctx context.Context, after int64, limit int) ([]*diembao.Fetch, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.db.db.QueryContext(ctx, `SELECT id, source_id, url, status, header, fetched_at, warc_file, warc_offset, error
		FROM fetches WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: find fetches: %w", err)
	}
	defer rows.Close()
	var list []*diembao.Fetch
	for rows.Next() {
		var (
			f       diembao.Fetch
			source  sql.NullInt64
			header  string
			fetched int64
		)
		if err := rows.Scan(&f.ID, &source, &f.URL, &f.Status, &header, &fetched, &f.WARCFile, &f.WARCOffset, &f.Err); err != nil {
			return nil, fmt.Errorf("sqlite: scan fetch: %w", err)
		}
		f.SourceID = source.Int64
		f.FetchedAt = time.Unix(fetched, 0).UTC()
		if header != "{}" {
			f.Header = http.Header{}
			if err := json.Unmarshal([]byte(header), &f.Header); err != nil {
				return nil, fmt.Errorf("sqlite: fetch %d header: %w", f.ID, err)
			}
		}
		list = append(list, &f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: find fetches: %w", err)
	}
	return list, nil
}
