// Package sqlite is stage 7 of the pipeline: the embedded store. It keeps
// sources, fetches and articles in one SQLite database (pure Go, WAL mode)
// together with the article full-text index (FTS5), and answers queries of
// package query against that index.
//
// An article and its index entry are always written in one transaction, so
// the index never disagrees with the store. The schema lives in
// migrations/*.sql, embedded in the binary and applied in lexical order
// when the database is opened.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/diembao/diembao"
)

// FileName is the name of the database file inside a data directory.
const FileName = "diembao.db"

//go:embed migrations/*.sql
var migrationFS embed.FS

// DB is an open diembao database.
type DB struct {
	db     *sql.DB
	path   string
	logger *slog.Logger
	// dict is the copy of token_ids the writer and searches share.
	dict tokenDict
	// seqs is the file of token sequences (see seqdata.go).
	seqs sequenceFiles
	// Now returns the current time; tests may replace it.
	Now func() time.Time
	// stop ends the checkpoints (see checkpoints), which close done;
	// stopOnce closes stop.
	stop, done chan struct{}
	stopOnce   sync.Once
}

// Open opens (creating it when missing) the database file at path, switches
// it to WAL mode and applies the migrations it lacks. A file that is not a
// SQLite database, or is damaged, gives an *diembao.Error with a message
// that names the file.
func Open(ctx context.Context, path string, logger *slog.Logger) (*DB, error) {
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if pageCacheErr != nil {
		logger.Warn("page caches allocate page by page", "err", pageCacheErr)
	}
	sdb, err := sql.Open(driverName, dataSource(path, cacheKiB))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db := &DB{db: sdb, path: path, logger: logger, Now: time.Now}
	db.seqs.path = SequencesDataPath(path)
	if err := db.migrate(ctx); err != nil {
		sdb.Close()
		db.seqs.close()
		return nil, db.explain(err)
	}
	if err := db.checkSequences(ctx); err != nil {
		sdb.Close()
		db.seqs.close()
		return nil, db.explain(err)
	}
	db.shrinkSequences(ctx)
	if err := db.tuneIndex(ctx); err != nil {
		sdb.Close()
		db.seqs.close()
		return nil, db.explain(err)
	}
	// The checkpoints have a connection of their own, with a small
	// cache: one of the pool would take a whole cache's memory (see
	// configurePageCache) and now and then leave the writer another.
	cdb, err := sql.Open(driverName, dataSource(path, checkpointCacheKiB))
	if err != nil {
		sdb.Close()
		db.seqs.close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	cdb.SetMaxOpenConns(1)
	db.stop, db.done = make(chan struct{}), make(chan struct{})
	go db.checkpoints(cdb, checkpointEvery)
	return db, nil
}

// cacheKiB is the size of a connection's page cache, in KiB: it holds
// 64 MB of pages (see configurePageCache).
const cacheKiB = 64 << 10

// checkpointCacheKiB is the size of the page cache of the checkpoints'
// connection, in KiB: a checkpoint copies the log's pages without them.
const checkpointCacheKiB = 256

// dataSource returns the data source name of the database file path for
// connections whose page cache holds kib KiB.
func dataSource(path string, kib int) string {
	q := url.Values{}
	for _, p := range []string{
		// First: a page cache takes its memory, in one allocation,
		// for the size it has when it first reads a page (see
		// configurePageCache).
		fmt.Sprintf("cache_size(-%d)", kib),
		"busy_timeout(10000)",
		"journal_mode(WAL)",
		"synchronous(NORMAL)",
		"foreign_keys(ON)",
		"temp_store(MEMORY)",
		// See checkpoints: a commit copies the log into the database
		// itself only past 256 MB of log.
		"wal_autocheckpoint(65536)",
	} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// checkpointEvery is how often checkpoints runs.
const checkpointEvery = 250 * time.Millisecond

// checkpoints copies, every so often until db.stop is closed, the pages
// written to the log (WAL) into the database file, without waiting for
// readers or writers (a passive checkpoint), through cdb, which it closes
// when it stops. Writers then only append to the log: a commit that
// copied the log itself, as SQLite does by default once it passes 4 MB,
// would have the one writer of an import wait for the copy and its sync
// to disk, on a machine whose other core is free.
func (db *DB) checkpoints(cdb *sql.DB, every time.Duration) {
	defer close(db.done)
	defer cdb.Close()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-db.stop:
			return
		case <-t.C:
			if _, err := cdb.Exec(`PRAGMA wal_checkpoint(PASSIVE)`); err != nil {
				db.logger.Warn("checkpoint", "err", err)
			}
		}
	}
}

// OpenDir opens the database of the data directory dir, creating the
// directory when it does not exist.
func OpenDir(ctx context.Context, dir string, logger *slog.Logger) (*DB, error) {
	if dir == "" {
		return nil, diembao.Errorf(diembao.EINVALID, "no data directory given")
	}
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return nil, diembao.Errorf(diembao.EINVALID, "data directory %s is a file, not a directory", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, diembao.Errorf(diembao.EINVALID, "cannot create data directory %s: %v", dir, err)
	}
	return Open(ctx, filepath.Join(dir, FileName), logger)
}

// explain turns the errors SQLite gives for unreadable files into a message
// for users.
func (db *DB) explain(err error) error {
	var qe *sequencesError
	if errors.As(err, &qe) {
		// Derived data: the store writes it afresh when it is missing.
		return diembao.Errorf(diembao.EUNAVAILABLE, "cannot use the token sequences file %s (%v); if it is damaged, remove it: diembao rebuilds it from the stored articles", qe.path, qe.err)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT:
			return diembao.Errorf(diembao.EINVALID, "%s is not a diembao database or is damaged (%v); move it away to start afresh", db.path, err)
		case sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM, sqlite3.SQLITE_READONLY:
			return diembao.Errorf(diembao.EUNAVAILABLE, "cannot open the database %s: %v", db.path, err)
		}
	}
	var de *diembao.Error
	if errors.As(err, &de) {
		return err
	}
	return fmt.Errorf("sqlite: open %s: %w", db.path, err)
}

// Path returns the file name of the database.
func (db *DB) Path() string { return db.path }

// SQL returns the underlying database handle for packages that keep their
// own tables in the same database.
func (db *DB) SQL() *sql.DB { return db.db }

// Close closes the database.
func (db *DB) Close() error {
	db.stopOnce.Do(func() {
		if db.stop != nil {
			close(db.stop)
			<-db.done
		}
	})
	err := db.db.Close()
	if serr := db.seqs.close(); err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("sqlite: close: %w", err)
	}
	return nil
}

// migrate applies, in lexical order, each embedded migration that the
// database has not recorded yet, each in its own transaction.
func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name TEXT PRIMARY KEY,
		applied_at INTEGER NOT NULL
	)`); err != nil {
		return err
	}
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("sqlite: migrations: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := db.migrateFile(ctx, name); err != nil {
			return err
		}
	}
	// A migration may have numbered the tokens afresh.
	db.dict.mu.Lock()
	db.dict.ids, db.dict.fold, db.dict.next, db.dict.empty = nil, nil, nil, nil
	db.dict.mu.Unlock()
	return nil
}

// migrationSteps are the parts of migrations written in Go, run after the
// SQL file of the same name in its transaction.
var migrationSteps = map[string]func(context.Context, *DB, *sql.Tx) error{
	"0005_token_sets.sql":         func(ctx context.Context, _ *DB, tx *sql.Tx) error { return fillTokenSets(ctx, tx) },
	"0006_token_freqs.sql":        func(ctx context.Context, _ *DB, tx *sql.Tx) error { return fillTokenFreqs(ctx, tx) },
	"0007_token_pairs.sql":        fillTokenPairs,
	"0008_token_pair_entries.sql": refillTokenPairs,
	"0010_token_pair_follow.sql":  refillTokenPairs,
	"0011_sequences_data.sql":     moveSequences,
}

func (db *DB) migrateFile(ctx context.Context, name string) error {
	base := strings.TrimPrefix(name, "migrations/")
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE name = ?`, base).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	buf, err := migrationFS.ReadFile(name)
	if err != nil {
		return fmt.Errorf("sqlite: migration %s: %w", base, err)
	}
	if _, err := tx.ExecContext(ctx, string(buf)); err != nil {
		return fmt.Errorf("sqlite: migration %s: %w", base, err)
	}
	if fill := migrationSteps[base]; fill != nil {
		if err := fill(ctx, db, tx); err != nil {
			return fmt.Errorf("sqlite: migration %s: %w", base, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`, base, time.Now().Unix()); err != nil {
		return err
	}
	db.logger.Debug("applied migration", "name", base)
	return tx.Commit()
}

// indexSettings are the FTS5 settings of article_index (kept in the
// database) that Open applies when they differ. automerge 8 merges the
// index segments of a level eight at a time instead of four, which cuts the
// number of times a bulk import rewrites each posting list (the segment
// levels grow as the logarithm of the index size to base 8 instead of 4)
// for at most seven segments per level for a query to read instead of
// three.
var indexSettings = []struct {
	name  string
	value int64
}{
	{"automerge", 8},
}

// tuneIndex applies indexSettings, writing only those that differ so that
// opening a tuned database does not wait for a running import.
func (db *DB) tuneIndex(ctx context.Context) error {
	for _, s := range indexSettings {
		var v sql.NullInt64
		err := db.db.QueryRowContext(ctx, `SELECT v FROM article_index_config WHERE k = ?`, s.name).Scan(&v)
		if err != nil && err != sql.ErrNoRows {
			return fmt.Errorf("sqlite: index setting %s: %w", s.name, err)
		}
		if v.Valid && v.Int64 == s.value {
			continue
		}
		if _, err := db.db.ExecContext(ctx, `INSERT INTO article_index (article_index, rank) VALUES (?, ?)`, s.name, s.value); err != nil {
			return fmt.Errorf("sqlite: index setting %s: %w", s.name, err)
		}
		db.logger.Debug("index setting", "name", s.name, "value", s.value)
	}
	return nil
}

// unixTime stores t as Unix seconds, or NULL when t is zero.
func unixTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Unix()
}

// fromUnix reads a time stored by unixTime in the given zone.
func fromUnix(v sql.NullInt64, loc *time.Location) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.Unix(v.Int64, 0).In(loc)
}
