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
)

// The token sequences (table article_tokens, see tokenpairs.go) live in a
// database file of their own beside the main one, attached to every
// connection as the schema seq (migration 0009), so that SQLite can map
// the file into memory: checking a phrase's candidates reads one sequence
// per candidate, scattered over the table, and a read through SQLite's
// page cache (a seek, then a page copied from the OS cache) costs about
// three times as much as one from a mapped file. modernc.org/sqlite's
// SQLite maps at most 2 GB of a file, which the whole main database of a
// large archive passes many times, and the sequences of a million
// articles (about 1.2 GB) do not.
//
// A transaction writing both files commits each atomically, not the two
// together (SQLite in WAL mode). Every transaction that writes sequences
// therefore adds one to a stamp in each file (sequence_stamp, which also
// names the database with a random number); a read transaction begins by
// comparing the two (beginRead), and Open rebuilds the sequences from the
// stored articles when they differ or the file is missing
// (checkSequences).

// sequencesMmap is the size of the sequences file SQLite maps into memory:
// the largest modernc.org/sqlite's SQLite allows (SQLITE_MAX_MMAP_SIZE;
// a larger request is lowered to it).
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

// checkSequences rebuilds the sequences file from the stored articles
// when its stamp differs from the main file's (a crash between the two
// commits of a transaction, or a file from another database) or it lacks
// its tables (a missing file, which attaching created empty).
func (db *DB) checkSequences(ctx context.Context) error {
	var table int
	if err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM seq.sqlite_schema
		WHERE type = 'table' AND name = 'article_tokens'`).Scan(&table); err != nil {
		return fmt.Errorf("sqlite: sequences file: %w", err)
	}
	var same bool
	// An error here is a stamp table missing or of another form: the
	// rebuild writes it afresh (or fails with the error of the file).
	stampErr := db.db.QueryRowContext(ctx, stampsEqualSQL).Scan(&same)
	reason := "the stamps differ"
	switch {
	case table == 0:
		reason = "no sequences table"
	case stampErr != nil:
		reason = stampErr.Error()
	case same:
		return nil
	}
	db.logger.Warn("rebuilding the token sequences from the stored articles", "file", SequencesPath(db.path), "reason", reason)
	start := time.Now()
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, stmt := range []string{
		`DROP TABLE IF EXISTS seq.article_tokens`,
		`DROP TABLE IF EXISTS seq.sequence_stamp`,
		sequencesTableSQL,
		`CREATE TABLE seq.sequence_stamp (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL, owner INTEGER NOT NULL)`,
		`INSERT INTO seq.sequence_stamp (id, n, owner) SELECT id, n, owner FROM main.sequence_stamp`,
	} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("sqlite: rebuild sequences: %w", err)
		}
	}
	if err := fillSequences(ctx, tx, false); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: rebuild sequences: %w", err)
	}
	db.logger.Warn("rebuilt the token sequences", "file", SequencesPath(db.path), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// sequencesTableSQL creates the table of token sequences in the sequences
// file (see migration 0009).
const sequencesTableSQL = `CREATE TABLE seq.article_tokens (id INTEGER PRIMARY KEY, seq BLOB NOT NULL)`
