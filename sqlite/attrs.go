package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sync"
)

// noTime marks an article whose publication time is unknown.
const noTime = math.MinInt64

// attrs is the in-memory copy, for every article, of what search filters,
// counts and orders by: publication time, source and section. Reading them
// from the article rows themselves costs a page read per match, which is
// what made facets and date filters slow on large archives; held here they
// cost a slice index. The copy is filled on first need from the narrow
// index articles_attrs (a few dozen bytes per article) and brought up to
// date before each search that uses it, from the articles stored or changed
// since (articles_updated).
//
// Articles are indexed by ID (IDs are dense), about 30 bytes each: 30 MB
// for a million articles.
type attrs struct {
	mu          sync.RWMutex
	loaded      bool
	lengthsRead bool // every length was read (see warm)
	maxID       int64
	since       int64 // the largest updated_at read
	readAt      int64 // when the last read happened (Unix seconds)
	published   []int64
	present     []bool // false for an ID no article has
	// length is the number of tokens of each article's index entry (all
	// columns), which diembao_rank would otherwise read from FTS5's
	// docsize table for every row it scores; 0 when unknown.
	length   []int32
	sourceID []int64
	source   []uint32 // index into names
	section  []uint32 // index into names
	names    []string
	nameIdx  map[string]uint32
	// minDay and maxDay bound the publication days (Vietnam time, days
	// since 1970-01-01) of the articles with a known time.
	minDay, maxDay int32
	// days bounds the IDs of the articles published on each day: a
	// superset once an article moves to another day, which is all idSpan
	// needs.
	days map[int32]idSpan
	// latest and earliest bound the publication times of the articles of
	// each block of IDs (see blockBits) that have one, as days does: noTime
	// and math.MaxInt64 when none has. A date order reads the blocks whose
	// bounds can still place an article on its page (see scan.walk).
	latest, earliest []int64
}

// idSpan is a range of article IDs, lo to hi inclusive.
type idSpan struct{ lo, hi int64 }

// idSpan returns the range of IDs that holds every article published in
// all of ranges (to a day's precision): an empty range (lo > hi) when no
// article is.
// Articles are stored roughly in the order they are published, so the span
// of a date range is usually a small part of the index, which a statement
// bounded by it reads alone. The caller holds a.mu.
func (a *attrs) idSpan(ranges []timeRange) idSpan {
	none := idSpan{lo: 1, hi: 0}
	from, to := int64(math.MinInt64), int64(math.MaxInt64)
	for _, r := range ranges {
		from, to = max(from, r.from), min(to, r.to)
	}
	if from >= to || a.minDay > a.maxDay {
		return none
	}
	d0, d1 := a.minDay, a.maxDay
	if from != math.MinInt64 {
		d0 = max(d0, dayOf(from))
	}
	if to != math.MaxInt64 {
		d1 = min(d1, dayOf(to-1))
	}
	span := idSpan{lo: math.MaxInt64, hi: math.MinInt64}
	for d := d0; d <= d1; d++ {
		if s, ok := a.days[d]; ok {
			span.lo, span.hi = min(span.lo, s.lo), max(span.hi, s.hi)
		}
	}
	if span.lo > span.hi {
		return none
	}
	return span
}

// widenBlock widens the bounds of the publication times of the block of
// article id (latest, earliest) to hold p.
func (a *attrs) widenBlock(id, p int64) {
	b := id >> blockBits
	for int64(len(a.latest)) <= b {
		a.latest, a.earliest = append(a.latest, noTime), append(a.earliest, math.MaxInt64)
	}
	a.latest[b], a.earliest[b] = max(a.latest[b], p), min(a.earliest[b], p)
}

// dayOf returns the publication day of a Unix time in Vietnam's zone
// (UTC+7, no daylight saving time), in days since 1970-01-01.
func dayOf(t int64) int32 {
	const offset, day = 7 * 3600, 86400
	d := (t + offset) / day
	if (t+offset)%day < 0 {
		d--
	}
	return int32(d)
}

// name returns the index of s in the dictionary, adding it.
func (a *attrs) name(s string) uint32 {
	if i, ok := a.nameIdx[s]; ok {
		return i
	}
	i := uint32(len(a.names))
	a.names = append(a.names, s)
	a.nameIdx[s] = i
	return i
}

// refresh brings the copy up to date with the articles that q (a read
// transaction) sees.
func (a *attrs) refresh(ctx context.Context, q *sql.Tx, now int64) error {
	var maxID, maxUpdated sql.NullInt64
	if err := q.QueryRowContext(ctx, `SELECT (SELECT max(id) FROM articles), (SELECT max(updated_at) FROM articles)`).
		Scan(&maxID, &maxUpdated); err != nil {
		return fmt.Errorf("sqlite: search attributes: %w", err)
	}
	a.mu.RLock()
	// updated_at counts seconds: an article changed later within the
	// second of the last read may not have been read, so that second is
	// read again until a read happened after it.
	fresh := a.loaded && maxID.Int64 == a.maxID && maxUpdated.Int64 <= a.since && a.since < a.readAt
	a.mu.RUnlock()
	if fresh {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.loaded {
		a.nameIdx = map[string]uint32{}
		a.name("")
		a.minDay, a.maxDay = math.MaxInt32, math.MinInt32
		a.days = map[int32]idSpan{}
	}
	var (
		rows *sql.Rows
		err  error
	)
	if !a.loaded {
		rows, err = q.QueryContext(ctx, `SELECT id, published, source_id, source_name, section, NULL FROM articles INDEXED BY articles_attrs`)
	} else {
		rows, err = q.QueryContext(ctx, `SELECT a.id, a.published, a.source_id, a.source_name, a.section, d.sz
			FROM articles a LEFT JOIN article_index_docsize d ON d.id = a.id WHERE a.id > ?
			UNION ALL SELECT a.id, a.published, a.source_id, a.source_name, a.section, d.sz
			FROM articles a LEFT JOIN article_index_docsize d ON d.id = a.id WHERE a.updated_at >= ? AND a.id <= ?`,
			a.maxID, a.since, a.maxID)
	}
	if err != nil {
		return fmt.Errorf("sqlite: search attributes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id              int64
			published, src  sql.NullInt64
			source, section string
			size            []byte
		)
		if err := rows.Scan(&id, &published, &src, &source, &section, &size); err != nil {
			return fmt.Errorf("sqlite: search attributes: %w", err)
		}
		if id < 0 {
			continue
		}
		if n := int(id) + 1; n > len(a.published) {
			grow := max(n, 2*len(a.published))
			a.published = append(a.published, make([]int64, grow-len(a.published))...)
			a.present = append(a.present, make([]bool, grow-len(a.present))...)
			a.length = append(a.length, make([]int32, grow-len(a.length))...)
			a.sourceID = append(a.sourceID, make([]int64, grow-len(a.sourceID))...)
			a.source = append(a.source, make([]uint32, grow-len(a.source))...)
			a.section = append(a.section, make([]uint32, grow-len(a.section))...)
		}
		p := int64(noTime)
		if published.Valid {
			p = published.Int64
			d := dayOf(p)
			a.minDay, a.maxDay = min(a.minDay, d), max(a.maxDay, d)
			span, ok := a.days[d]
			if !ok {
				span = idSpan{lo: id, hi: id}
			}
			a.days[d] = idSpan{lo: min(span.lo, id), hi: max(span.hi, id)}
			a.widenBlock(id, p)
		}
		a.published[id] = p
		a.present[id] = true
		a.length[id] = docLength(size)
		a.sourceID[id] = src.Int64
		a.source[id] = a.name(source)
		a.section[id] = a.name(section)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: search attributes: %w", err)
	}
	a.loaded = true
	a.maxID = max(a.maxID, maxID.Int64)
	a.since = max(a.since, maxUpdated.Int64)
	a.readAt = now
	return nil
}

// warm brings the copy up to date and reads the lengths of the index
// entries of every article (see length), which refresh reads only for the
// articles it reads: a server warms the copy once at start-up, a one-off
// search does not pay for the lengths.
func (a *attrs) warm(ctx context.Context, q *sql.Tx, now int64) error {
	if err := a.refresh(ctx, q, now); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.lengthsRead {
		return nil
	}
	if err := a.readLengths(ctx, q); err != nil {
		return err
	}
	a.lengthsRead = true
	return nil
}

// readLengths reads the length of every article's index entry from FTS5's
// docsize table, which is much smaller than the articles and is read in ID
// order.
func (a *attrs) readLengths(ctx context.Context, q *sql.Tx) error {
	rows, err := q.QueryContext(ctx, `SELECT id, sz FROM article_index_docsize`)
	if err != nil {
		return fmt.Errorf("sqlite: search attributes: lengths: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id   int64
			size []byte
		)
		if err := rows.Scan(&id, &size); err != nil {
			return fmt.Errorf("sqlite: search attributes: lengths: %w", err)
		}
		if id > 0 && id < int64(len(a.length)) {
			a.length[id] = docLength(size)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: search attributes: lengths: %w", err)
	}
	return nil
}

// docLength returns the number of tokens of an index entry from its FTS5
// docsize record: the token count of each column as SQLite varints. A
// record it cannot read gives 0 (unknown).
func docLength(sz []byte) int32 {
	var total int64
	for len(sz) > 0 {
		v, n := sqliteVarint(sz)
		if n == 0 {
			return 0
		}
		total += int64(v)
		sz = sz[n:]
	}
	if total > math.MaxInt32 {
		return 0
	}
	return int32(total)
}

// sqliteVarint decodes SQLite's variable-length integer: big-endian groups
// of 7 bits with the high bit set on all bytes but the last, the ninth byte
// holding 8 bits. It returns the value and the bytes read (0 when b ends
// first).
func sqliteVarint(b []byte) (uint64, int) {
	var v uint64
	for i := 0; i < 9; i++ {
		if i >= len(b) {
			return 0, 0
		}
		if i == 8 {
			return v<<8 | uint64(b[i]), 9
		}
		v = v<<7 | uint64(b[i]&0x7f)
		if b[i] < 0x80 {
			return v, i + 1
		}
	}
	return 0, 0
}

// loadedLengths returns the article lengths when the copy has been read,
// nil when not. The caller holds a.mu.
func (a *attrs) loadedLengths() []int32 {
	if !a.loaded {
		return nil
	}
	return a.length
}

// isLoaded reports whether the copy has been read once.
func (a *attrs) isLoaded() bool {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.loaded
}
