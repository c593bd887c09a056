package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/diembao/diembao"
)

// FetchService implements diembao.FetchService on PostgreSQL.
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
	header := []byte("{}")
	if len(f.Header) > 0 {
		b, err := json.Marshal(f.Header)
		if err != nil {
			return fmt.Errorf("postgres: fetch %s header: %w", f.URL, err)
		}
		header = b
	}
	var source any
	if f.SourceID != 0 {
		source = f.SourceID
	}
	if err := s.db.pool.QueryRow(ctx, `INSERT INTO fetches
		(source_id, url, status, header, fetched_at, warc_file, warc_offset, error)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		source, f.URL, f.Status, string(header), dbTime(f.FetchedAt), f.WARCFile, f.WARCOffset, f.Err).Scan(&f.ID); err != nil {
		return fmt.Errorf("postgres: create fetch %s: %w", f.URL, err)
	}
	return nil
}

// FindFetches returns up to limit fetches with an ID above after, in ID
// order (limit <= 0 means 100).
func (s *FetchService) FindFetches(ctx context.Context, after int64, limit int) ([]*diembao.Fetch, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.db.pool.Query(ctx, `SELECT id, source_id, url, status, header::text, fetched_at, warc_file, warc_offset, error
		FROM fetches WHERE id > $1 ORDER BY id LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: find fetches: %w", err)
	}
	defer rows.Close()
	var list []*diembao.Fetch
	for rows.Next() {
		var (
			f       diembao.Fetch
			source  *int64
			header  string
			fetched time.Time
		)
		if err := rows.Scan(&f.ID, &source, &f.URL, &f.Status, &header, &fetched, &f.WARCFile, &f.WARCOffset, &f.Err); err != nil {
			return nil, fmt.Errorf("postgres: scan fetch: %w", err)
		}
		if source != nil {
			f.SourceID = *source
		}
		f.FetchedAt = fetched.UTC()
		if header != "{}" {
			f.Header = http.Header{}
			if err := json.Unmarshal([]byte(header), &f.Header); err != nil {
				return nil, fmt.Errorf("postgres: fetch %d header: %w", f.ID, err)
			}
		}
		list = append(list, &f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: find fetches: %w", err)
	}
	return list, nil
}
