package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	msqlite "modernc.org/sqlite"

	"github.com/diembao/diembao/internal/seqlog"
)

// The token sequences (see tokenpairs.go) have a database file of their
// own beside the main one, attached to every connection as the schema seq
// (migration 0009). Since migration 0011 it holds where each sequence
// begins in the data file (see seqdata.go) and that file's name; before,
// it held the sequences themselves, in the table article_tokens, so that
// SQLite could map them into memory apart from the main file, which the
// 2 GB modernc.org/sqlite's SQLite maps at most could not cover.
//
// A transaction writing both files commits each atomically, not the two
// together (SQLite in WAL mode). Every transaction that writes sequences
// therefore adds one to a stamp in each file (sequence_stamp, which also
// names the database with a random number); a read transaction begins by
// comparing the two (beginRead), and Open rebuilds the sequences from the
// stored articles when they differ or a file is missing
// (checkSequences).

// sequencesMmap is the size of the sequences file SQLite maps into memory
// (a search reads the offsets of every chunk holding candidates): the
// largest modernc.org/sqlite's SQLite allows (SQLITE_MAX_MMAP_SIZE; a
// larger request is lowered to it).
const sequencesMmap = 0x7fff0000

// SequencesPath returns the name of the file holding the token sequences
// of the database file path.
func SequencesPath(path string) string { return path + "-sequences" }

// attachSequences attaches the sequences file of the database a new
// connection opened (its data source name dsn, as Open builds it) and
// sets it up. It first reads the main file's header, so that a file that
// is not a database gets SQLite's error and no sequences file beside it.
func attachSequences(conn msqlite.ExecQuerierContext, dsn string) error {
	path, ok := dsnPath(dsn)
	if !ok {
		return nil
	}
	ctx := context.Background()
	rows, err := conn.QueryContext(ctx, `PRAGMA main.schema_version`, nil)
	if err != nil {
		return err
	}
	dest := make([]driver.Value, 1)
	err = rows.Next(dest)
	rows.Close()
	if err != nil {
		return err
	}
	seqPath := SequencesPath(path)
	if _, err := conn.ExecContext(ctx, `ATTACH DATABASE ? AS seq`,
		[]driver.NamedValue{{Ordinal: 1, Value: seqPath}}); err != nil {
		return &sequencesError{seqPath, err}
	}
	for _, p := range []string{
		"journal_mode = WAL",
		"synchronous = NORMAL",
		// Reads go through the map; the cache (SQLite's default size)
		// holds the pages a writer changes, a batch's new rows.
		"cache_size = -2000",
		fmt.Sprintf("mmap_size = %d", sequencesMmap),
	} {
		rows, err := conn.QueryContext(ctx, `PRAGMA seq.`+p, nil)
		if err != nil {
			return &sequencesError{seqPath, err}
		}
		rows.Close()
	}
	return nil
}

// sequencesError is an error of the sequences file path.
type sequencesError struct {
	path string
	err  error
}

func (e *sequencesError) Error() string {
	return "sqlite: sequences file " + e.path + ": " + e.err.Error()
}

func (e *sequencesError) Unwrap() error { return e.err }

// dsnPath returns the file name of a data source name Open builds
// ("file:" and the escaped path, then the query), and false for others.
func dsnPath(dsn string) (string, bool) {
	rest, ok := strings.CutPrefix(dsn, "file:")
	if !ok {
		return "", false
	}
	rest, _, _ = strings.Cut(rest, "?")
	path, err := url.PathUnescape(rest)
	if err != nil || path == "" {
		return "", false
	}
	return path, true
}

// stampsEqualSQL reports whether the stamps of the two files agree, and
// begins the read transaction of both.
const stampsEqualSQL = `SELECT (SELECT n FROM main.sequence_stamp) IS (SELECT n FROM seq.sequence_stamp)
	AND (SELECT owner FROM main.sequence_stamp) IS (SELECT owner FROM seq.sequence_stamp)`

// readRetries is how many times beginRead begins again when the files'
// stamps differ: a writer committed between the first reads of the two.
const readRetries = 100

// beginRead begins a read transaction whose snapshots of the main file and
// of the sequences file are those of the same commit.
func (db *DB) beginRead(ctx context.Context) (*sql.Tx, error) {
	for range readRetries {
		tx, err := db.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return nil, err
		}
		var same bool
		if err := tx.QueryRowContext(ctx, stampsEqualSQL).Scan(&same); err != nil {
			tx.Rollback()
			return nil, err
		}
		if same {
			return tx, nil
		}
		tx.Rollback()
		time.Sleep(time.Millisecond)
	}
	return nil, errors.New("sqlite: the sequences file does not match the database; open the database again to rebuild it")
}

// bumpStamps adds one to the stamp of each file, in a transaction that
// writes sequences.
func bumpStamps(ctx context.Context, tx *sql.Tx) error {
	for _, schema := range []string{"main", "seq"} {
		if _, err := tx.ExecContext(ctx, `UPDATE `+schema+`.sequence_stamp SET n = n + 1`); err != nil {
			return fmt.Errorf("sqlite: sequence stamps: %w", err)
		}
	}
	return nil
}

// checkSequences rebuilds the sequences from the stored articles when the
// sequences database's stamp differs from the main file's (a crash
// between the two commits of a transaction, or a file from another
// database), when it lacks its tables (a missing file, which attaching
// created empty), or when the data file (see seqdata.go) is missing, is
// not the one it records or is shorter than the size it records (a crash
// of the machine before the file reached the disk).
func (db *DB) checkSequences(ctx context.Context) error {
	var tables int
	if err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM seq.sqlite_schema
		WHERE type = 'table' AND name IN ('sequence_chunks', 'sequence_log')`).Scan(&tables); err != nil {
		return fmt.Errorf("sqlite: sequences file: %w", err)
	}
	var same bool
	// An error here is a stamp table missing or of another form: the
	// rebuild writes it afresh (or fails with the error of the file).
	stampErr := db.db.QueryRowContext(ctx, stampsEqualSQL).Scan(&same)
	reason := "the stamps differ"
	switch {
	case tables < 2:
		reason = "no sequences tables"
	case stampErr != nil:
		reason = stampErr.Error()
	case same:
		var name, size int64
		if err := db.db.QueryRowContext(ctx, `SELECT name, size FROM seq.sequence_log`).Scan(&name, &size); err != nil {
			reason = err.Error()
			break
		}
		log, err := db.seqs.named(uint64(name))
		if err != nil {
			reason = err.Error()
			break
		}
		have, err := log.Size()
		if err != nil {
			return err
		}
		if have >= size {
			return nil
		}
		reason = fmt.Sprintf("the data file has %d bytes of %d", have, size)
	}
	db.logger.Warn("rebuilding the token sequences from the stored articles", "file", SequencesPath(db.path), "reason", reason)
	start := time.Now()
	log, err := seqlog.Create(db.seqs.path)
	if err != nil {
		return &sequencesError{db.seqs.path, err}
	}
	if err := db.rebuildSequences(ctx, log); err != nil {
		log.Close()
		return err
	}
	db.seqs.mu.Lock()
	db.seqs.install(log)
	db.seqs.mu.Unlock()
	db.logger.Warn("rebuilt the token sequences", "file", SequencesPath(db.path), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// shrinkSequences gives back to the file system the free pages of the
// sequences database when they are most of it: those the sequences left
// when migration 0011 moved them into the data file. It only logs what
// fails (another process reading the file makes it wait).
func (db *DB) shrinkSequences(ctx context.Context) {
	var free, pages int64
	for _, p := range []struct {
		pragma string
		n      *int64
	}{{"freelist_count", &free}, {"page_count", &pages}} {
		if err := db.db.QueryRowContext(ctx, `PRAGMA seq.`+p.pragma).Scan(p.n); err != nil {
			db.logger.Warn("sequences file: free pages", "err", err)
			return
		}
	}
	if free < shrinkPages || free*2 < pages {
		return
	}
	start := time.Now()
	// In WAL mode the file itself shrinks at the checkpoint.
	for _, stmt := range []string{`VACUUM seq`, `PRAGMA seq.wal_checkpoint(TRUNCATE)`} {
		if _, err := db.db.ExecContext(ctx, stmt); err != nil {
			db.logger.Warn("sequences file: vacuum", "err", err)
			return
		}
	}
	db.logger.Info("gave back the free pages of the sequences file", "pages", free, "took", time.Since(start).Round(time.Millisecond))
}

// shrinkPages is the number of free pages from which shrinkSequences
// gives them back (64 MB of 4 KB pages). A variable for tests.
var shrinkPages int64 = 16384

// rebuildSequences writes the sequences database afresh, and the
// sequences of the stored articles into the new data file log.
func (db *DB) rebuildSequences(ctx context.Context, log *seqlog.Log) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, stmt := range []string{
		`DROP TABLE IF EXISTS seq.article_tokens`,
		`DROP TABLE IF EXISTS seq.sequence_chunks`,
		`DROP TABLE IF EXISTS seq.sequence_log`,
		`DROP TABLE IF EXISTS seq.sequence_stamp`,
		`CREATE TABLE seq.sequence_chunks (chunk INTEGER PRIMARY KEY, gen INTEGER NOT NULL, locs BLOB NOT NULL)`,
		`CREATE TABLE seq.sequence_log (id INTEGER PRIMARY KEY CHECK (id = 1), name INTEGER NOT NULL, size INTEGER NOT NULL)`,
		`CREATE TABLE seq.sequence_stamp (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL, owner INTEGER NOT NULL)`,
		`INSERT INTO seq.sequence_stamp (id, n, owner) SELECT id, n, owner FROM main.sequence_stamp`,
	} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("sqlite: rebuild sequences: %w", err)
		}
	}
	if err := recordLog(ctx, tx, log); err != nil {
		return err
	}
	if err := fillSequences(ctx, tx, log, false); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: rebuild sequences: %w", err)
	}
	return nil
}
