package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/diembao/diembao/internal/pairidx"
	"github.com/diembao/diembao/internal/seqlog"
)

// The token sequences themselves (since migration 0011) are records of a
// file of their own, diembao.db-sequences-data (package seqlog), which
// searches map into memory and read without SQLite: checking a phrase's
// candidates reads one sequence per candidate, scattered over the
// archive, and a read through SQLite — a statement step, a seek from the
// b-tree's root, each page's header parsed again at every acquisition of
// a mapped page — cost three times the count itself. The file only grows:
// a writer appends its transaction's sequences before it commits, so an
// offset a snapshot holds points at bytes written before that snapshot.
//
// Where each sequence begins is kept in the sequences database (schema
// seq, see sequences.go), in the same transactions as the rest of the
// article: sequence_chunks holds, for each chunk of pairidx.ChunkSize
// article IDs, the offsets of its articles' sequences (8 bytes each,
// little-endian, by the article's place in the chunk; 0 for none) and the
// data file's size after the write that last changed them (gen, which
// only grows: searches keep the rows they read, by chunk, while it stays
// the same), and sequence_log the data file's name (the random number of its header) and
// the size its recorded offsets need. Open rebuilds the sequences when the
// file is missing, is another one, or is shorter than that size (see
// checkSequences).

// SequencesDataPath returns the name of the file holding the token
// sequences' data of the database file path.
func SequencesDataPath(path string) string { return path + "-sequences-data" }

// locSize is the size of an offset in a row of sequence_chunks.
const locSize = 8

// sequenceFiles is a store's open file of sequence data: the one whose
// name the sequences database records, opened again when a rebuild (by
// this process or another) replaced it. A file is closed once replaced or
// once the store is closed, when no search or writer holds it any more
// (see acquire): a search still reading when the store closes would
// otherwise read unmapped memory.
type sequenceFiles struct {
	path   string
	mu     sync.Mutex
	log    *seqlog.Log
	refs   map[*seqlog.Log]int
	closed bool
	// cache holds the rows of sequence_chunks searches read, by chunk,
	// for the data file named cacheName (see readLocs): about 8 MB per
	// million articles once every chunk was read.
	cache     map[int64]cachedLocs
	cacheName uint64
}

// acquire returns the file the snapshot of tx records, which the caller
// releases when done with it.
func (f *sequenceFiles) acquire(ctx context.Context, tx *sql.Tx) (*seqlog.Log, error) {
	var name int64
	if err := tx.QueryRowContext(ctx, `SELECT name FROM seq.sequence_log`).Scan(&name); err != nil {
		return nil, fmt.Errorf("sqlite: sequences data: %w", err)
	}
	// The file is found and held under one lock: a rebuild's file
	// installed in between would close it unheld.
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil, errors.New("sqlite: the store is closed")
	}
	l, err := f.namedLocked(uint64(name))
	if err != nil {
		return nil, err
	}
	if f.refs == nil {
		f.refs = map[*seqlog.Log]int{}
	}
	f.refs[l]++
	return l, nil
}

// release gives back a file acquire returned.
func (f *sequenceFiles) release(l *seqlog.Log) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.refs[l]--; f.refs[l] > 0 {
		return
	}
	delete(f.refs, l)
	if l != f.log || f.closed {
		l.Close()
	}
}

// named returns the file of the given name, opening it when the one open
// has another.
func (f *sequenceFiles) named(name uint64) (*seqlog.Log, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.namedLocked(name)
}

// namedLocked is named for a caller holding f.mu.
func (f *sequenceFiles) namedLocked(name uint64) (*seqlog.Log, error) {
	if f.log != nil && f.log.Name() == name {
		return f.log, nil
	}
	l, err := seqlog.Open(f.path)
	if err != nil {
		return nil, &sequencesError{f.path, err}
	}
	if l.Name() != name {
		l.Close()
		return nil, &sequencesError{f.path, fmt.Errorf("not the file the database's sequences point into (named %d, not %d); open the database again to rebuild it", l.Name(), name)}
	}
	f.install(l)
	return l, nil
}

// install makes l the open file, closing the one it replaces unless it is
// held. The caller holds f.mu.
func (f *sequenceFiles) install(l *seqlog.Log) {
	if f.log != nil && f.refs[f.log] == 0 {
		f.log.Close()
	}
	f.log = l
}

// close closes the open file, or has the last release close it.
func (f *sequenceFiles) close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	var err error
	if f.log != nil && f.refs[f.log] == 0 {
		err = f.log.Close()
	}
	return err
}

// recordLog records the new, empty data file log in sequence_log.
func recordLog(ctx context.Context, tx *sql.Tx, log *seqlog.Log) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO seq.sequence_log (id, name, size) VALUES (1, ?, ?)`, int64(log.Name()), seqlog.HeaderSize); err != nil {
		return fmt.Errorf("sqlite: sequences data: %w", err)
	}
	return nil
}

// moveSequences moves the sequences of article_tokens into a new data
// file, for migration 0011.
func moveSequences(ctx context.Context, db *DB, tx *sql.Tx) error {
	log, err := seqlog.Create(db.seqs.path)
	if err != nil {
		return &sequencesError{db.seqs.path, err}
	}
	defer log.Close()
	if err := recordLog(ctx, tx, log); err != nil {
		return err
	}
	var dict tokenDict
	w, err := newSeqWriter(ctx, tx, &dict)
	if err != nil {
		return err
	}
	defer w.close()
	w.log, w.noPairs = log, true
	err = eachSequence(ctx, tx, &db.seqs, func(id int64, seq []byte) error {
		w.seqs.add(id, seq)
		if len(w.seqs.ids) < fillBatch {
			return nil
		}
		return w.flushSeqs()
	})
	if err != nil {
		return err
	}
	if err := w.flushSeqs(); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DROP TABLE seq.article_tokens`); err != nil {
		return err
	}
	return bumpStamps(ctx, tx)
}

// locOf returns the offset of the sequence of article id in locs, the row
// of sequence_chunks of its chunk, or 0 when it has none.
func locOf(locs []byte, id int64) int64 {
	i := int(id&(pairidx.ChunkSize-1)) * locSize
	if i+locSize > len(locs) {
		return 0
	}
	return int64(binary.LittleEndian.Uint64(locs[i:]))
}

// setLoc sets the offset of the sequence of article id in locs, growing
// it as needed, and returns it.
func setLoc(locs []byte, id, off int64) []byte {
	i := int(id&(pairidx.ChunkSize-1)) * locSize
	if need := i + locSize; need > len(locs) {
		locs = append(locs, make([]byte, need-len(locs))...)
	}
	binary.LittleEndian.PutUint64(locs[i:], uint64(off))
	return locs
}

// pendingSeqs are the sequences a writer appends to the data file when it
// flushes: their records, one after another, and each one's article and
// place among them.
type pendingSeqs struct {
	records []byte
	ids     []int64
	rel     []int64
}

// add adds the sequence of article id.
func (p *pendingSeqs) add(id int64, seq []byte) {
	p.ids, p.rel = append(p.ids, id), append(p.rel, int64(len(p.records)))
	p.records = seqlog.AppendRecord(p.records, id, seq)
}

// flushSeqs appends the pending sequences to the data file and records
// their offsets in sequence_chunks, and the file's size in sequence_log.
func (w *seqWriter) flushSeqs() error {
	p := &w.seqs
	if len(p.ids) == 0 {
		return nil
	}
	base, err := w.log.Append(p.records)
	if err != nil {
		return fmt.Errorf("sqlite: token sequences: %w", err)
	}
	byChunk := map[int64][]int{}
	for i, id := range p.ids {
		c := id >> pairidx.ChunkBits
		byChunk[c] = append(byChunk[c], i)
	}
	chunks := make([]int64, 0, len(byChunk))
	for c := range byChunk {
		chunks = append(chunks, c)
	}
	slices.Sort(chunks)
	for _, c := range chunks {
		var locs []byte
		err := w.tx.QueryRowContext(w.ctx, `SELECT locs FROM sequence_chunks WHERE chunk = ?`, c).Scan(&locs)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("sqlite: token sequences: %w", err)
		}
		for _, i := range byChunk[c] {
			locs = setLoc(locs, p.ids[i], base+p.rel[i])
		}
		if _, err := w.tx.ExecContext(w.ctx, `INSERT OR REPLACE INTO sequence_chunks (chunk, gen, locs) VALUES (?, ?, ?)`, c, base+int64(len(p.records)), locs); err != nil {
			return fmt.Errorf("sqlite: token sequences: %w", err)
		}
	}
	if _, err := w.tx.ExecContext(w.ctx, `UPDATE sequence_log SET size = ?`, base+int64(len(p.records))); err != nil {
		return fmt.Errorf("sqlite: token sequences: %w", err)
	}
	p.records, p.ids, p.rel = p.records[:0], p.ids[:0], p.rel[:0]
	return nil
}

// readLocs reads into locs the rows of sequence_chunks of the chunks it
// lacks (an empty row for a chunk without one), in the snapshot of tx,
// whose data file is log: from files' copies of the rows read before
// where their gen is still the same, else from the table.
func (f *sequenceFiles) readLocs(ctx context.Context, tx *sql.Tx, log *seqlog.Log, chunks []int64, locs map[int64][]byte) error {
	var todo []int64
	for _, c := range chunks {
		if _, ok := locs[c]; !ok {
			todo = append(todo, c)
			locs[c] = nil
		}
	}
	if len(todo) == 0 {
		return nil
	}
	gens := map[int64]int64{}
	if err := queryChunks(ctx, tx, `SELECT chunk, gen FROM sequence_chunks WHERE chunk IN (SELECT value FROM json_each(?))`, todo, func(rows *sql.Rows) error {
		var c, gen int64
		if err := rows.Scan(&c, &gen); err != nil {
			return err
		}
		gens[c] = gen
		return nil
	}); err != nil {
		return err
	}
	f.mu.Lock()
	if f.cacheName != log.Name() {
		f.cache, f.cacheName = map[int64]cachedLocs{}, log.Name()
	}
	var read []int64
	for c, gen := range gens {
		if e, ok := f.cache[c]; ok && e.gen == gen {
			locs[c] = e.locs
		} else {
			read = append(read, c)
		}
	}
	f.mu.Unlock()
	if len(read) == 0 {
		return nil
	}
	fresh := map[int64]cachedLocs{}
	if err := queryChunks(ctx, tx, `SELECT chunk, gen, locs FROM sequence_chunks WHERE chunk IN (SELECT value FROM json_each(?))`, read, func(rows *sql.Rows) error {
		var (
			c int64
			e cachedLocs
		)
		if err := rows.Scan(&c, &e.gen, &e.locs); err != nil {
			return err
		}
		locs[c], fresh[c] = e.locs, e
		return nil
	}); err != nil {
		return err
	}
	f.mu.Lock()
	if f.cacheName == log.Name() {
		for c, e := range fresh {
			if old, ok := f.cache[c]; !ok || old.gen < e.gen {
				f.cache[c] = e
			}
		}
	}
	f.mu.Unlock()
	return nil
}

// cachedLocs is a row of sequence_chunks as a search read it: the rows of
// a chunk with the same gen are the same.
type cachedLocs struct {
	gen  int64
	locs []byte
}

// queryChunks runs query, whose one argument is a JSON list of chunks,
// and calls scan with each row.
func queryChunks(ctx context.Context, tx *sql.Tx, query string, chunks []int64, scan func(*sql.Rows) error) error {
	list, err := json.Marshal(chunks)
	if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, query, string(list))
	if err != nil {
		return queryError(ctx, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return queryError(ctx, err)
		}
	}
	if err := rows.Err(); err != nil {
		return queryError(ctx, err)
	}
	return nil
}

// eachSequence calls fn with the stored sequences of the articles, in ID
// order: those of the table article_tokens while it exists (before
// migration 0011), else those of the data file of files. fn must not keep
// the sequence it is given.
func eachSequence(ctx context.Context, tx *sql.Tx, files *sequenceFiles, fn func(id int64, seq []byte) error) error {
	var inTable int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_list WHERE name = 'article_tokens'`).Scan(&inTable); err != nil {
		return fmt.Errorf("sqlite: token sequences: %w", err)
	}
	if inTable > 0 {
		var last int64
		for {
			rows, err := tx.QueryContext(ctx, `SELECT id, seq FROM article_tokens WHERE id > ? ORDER BY id LIMIT ?`, last, fillBatch)
			if err != nil {
				return fmt.Errorf("sqlite: token sequences: %w", err)
			}
			n := 0
			for rows.Next() {
				var seq sql.RawBytes
				if err := rows.Scan(&last, &seq); err != nil {
					rows.Close()
					return fmt.Errorf("sqlite: token sequences: %w", err)
				}
				if err := fn(last, seq); err != nil {
					rows.Close()
					return err
				}
				n++
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("sqlite: token sequences: %w", err)
			}
			if n == 0 {
				return nil
			}
		}
	}
	log, err := files.acquire(ctx, tx)
	if err != nil {
		return err
	}
	defer files.release(log)
	last := int64(-1)
	var buf []byte
	for {
		var (
			c    int64
			locs []byte
		)
		err := tx.QueryRowContext(ctx, `SELECT chunk, locs FROM sequence_chunks WHERE chunk > ? ORDER BY chunk LIMIT 1`, last).Scan(&c, &locs)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("sqlite: token sequences: %w", err)
		}
		last = c
		for i := 0; i+locSize <= len(locs); i += locSize {
			off := int64(binary.LittleEndian.Uint64(locs[i:]))
			if off == 0 {
				continue
			}
			id := c<<pairidx.ChunkBits | int64(i/locSize)
			seq, err := log.Read(off, id, &buf)
			if err != nil {
				return fmt.Errorf("sqlite: token sequence of article %d: %w", id, err)
			}
			if err := fn(id, seq); err != nil {
				return err
			}
		}
	}
}
