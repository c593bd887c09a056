// Package postgres is stage 7 of the pipeline: the server-mode store. It
// keeps sources, fetches, articles, the full-text index and the crawl
// frontier in one PostgreSQL database, so that any number of `diembao
// worker` processes on any number of machines can share collection,
// processing and search.
//
// The full-text index is a tsvector per article built in Go from the tokens
// of package query's analysis (never from PostgreSQL's own text search
// configurations, which know no Vietnamese), with a GIN index over it.
// Queries are compiled from query's tree to tsquery for matching, and
// ranked in Go with the same BM25 formula, column weights and statistics as
// the embedded store, so both backends give the same answers.
//
// An article and its index entry are written in one transaction. The schema
// lives in migrations/*.sql, embedded in the binary and applied in lexical
// order when the database is opened; an advisory lock keeps workers that
// start together from applying a migration twice.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/diembao/diembao"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrationFills are the steps of migrations written in Go, run after the
// migration's SQL in its transaction.
var migrationFills = map[string]func(context.Context, pgx.Tx) error{
	"0005_token_freqs.sql":     fillTokenFreqs,
	"0006_token_positions.sql": fillTokenPositions,
	"0010_token_sets.sql":      fillTokenSets,
	"0011_token_pairs.sql":     fillTokenPairs,
}

// migrationLock is the key of the advisory lock held while migrating
// ("diembao" in ASCII, read as a number).
const migrationLock = 0x6469656d62616f

// DB is an open diembao database on a PostgreSQL server.
type DB struct {
	pool   *pgxpool.Pool
	logger *slog.Logger
	// Now returns the current time; tests may replace it.
	Now func() time.Time
}

// Open connects to the database named by dsn (a PostgreSQL connection
// string or URL, e.g.
// "postgres://user:pass@host:5432/diembao?sslmode=disable"; a search_path
// parameter selects a schema) and applies the migrations it lacks. A server
// that cannot be reached gives an EUNAVAILABLE *diembao.Error.
func Open(ctx context.Context, dsn string, logger *slog.Logger) (*DB, error) {
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, diembao.Errorf(diembao.EINVALID, "bad PostgreSQL connection string: %v", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, diembao.Errorf(diembao.EUNAVAILABLE, "cannot reach PostgreSQL at %s: %v", cfg.ConnConfig.Host, err)
	}
	db := &DB{pool: pool, logger: logger, Now: time.Now}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// Pool returns the underlying connection pool for packages that keep their
// own tables in the same database.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// Close closes every connection of the pool.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// migrate applies, in lexical order, each embedded migration that the
// database has not recorded yet, all under one advisory lock and each in its
// own transaction.
func (db *DB) migrate(ctx context.Context) error {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, int64(migrationLock)); err != nil {
		return fmt.Errorf("postgres: migrate: lock: %w", err)
	}
	defer func() {
		// A fresh context: the lock must be released even when ctx ended.
		_, _ = conn.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, int64(migrationLock))
	}()
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name text PRIMARY KEY,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("postgres: migrations: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := db.migrateFile(ctx, conn.Conn(), name); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) migrateFile(ctx context.Context, conn *pgx.Conn, name string) error {
	base := strings.TrimPrefix(name, "migrations/")
	tx, err := conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: migration %s: %w", base, err)
	}
	defer tx.Rollback(ctx) // a no-op after Commit
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM schema_migrations WHERE name = $1`, base).Scan(&n); err != nil {
		return fmt.Errorf("postgres: migration %s: %w", base, err)
	}
	if n > 0 {
		return nil
	}
	buf, err := migrationFS.ReadFile(name)
	if err != nil {
		return fmt.Errorf("postgres: migration %s: %w", base, err)
	}
	if _, err := tx.Exec(ctx, string(buf)); err != nil {
		return fmt.Errorf("postgres: migration %s: %w", base, err)
	}
	if fill := migrationFills[base]; fill != nil {
		if err := fill(ctx, tx); err != nil {
			return fmt.Errorf("postgres: migration %s: %w", base, err)
		}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (name) VALUES ($1)`, base); err != nil {
		return fmt.Errorf("postgres: migration %s: %w", base, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: migration %s: %w", base, err)
	}
	db.logger.Debug("applied migration", "name", base)
	return nil
}

// inTx runs fn in a transaction, committing when fn returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx) // a no-op after Commit
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// isUniqueViolation reports whether err is PostgreSQL's unique_violation.
func isUniqueViolation(err error) bool {
	_, ok := uniqueViolation(err)
	return ok
}

// uniqueViolation returns the constraint err violates when err is
// PostgreSQL's unique_violation.
func uniqueViolation(err error) (constraint string, ok bool) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return pe.ConstraintName, true
	}
	return "", false
}

// isDeadlock reports whether err is PostgreSQL's deadlock_detected.
func isDeadlock(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "40P01"
}

// dbTime is t truncated to the second in UTC, as stored, or nil when t is
// zero (NULL).
func dbTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Truncate(time.Second).UTC()
}

// fromDB returns a stored time in loc, or the zero time for NULL.
func fromDB(t *time.Time, loc *time.Location) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.In(loc)
}
