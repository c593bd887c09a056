package postgres

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/diembao/diembao/internal/idset"
	"github.com/diembao/diembao/internal/tokfreq"
	"github.com/diembao/diembao/internal/tokpos"
	"github.com/diembao/diembao/query"
)

// wordsKey begins the keys of token_freqs rows that count a token in the
// words columns (segmented multi-syllable words), whose counts take the
// first two places of tokfreq.Counts (words, folded words). No token holds
// the byte: the index's tokenizer splits on it.
const wordsKey = "\x1f"

// countKey returns the key of the token_freqs row that counts tok in the
// index column col, and the place of that column in the row's counts: the
// token itself for the title and body columns, exact and folded (places 0
// to 3), wordsKey and the token for the words columns. ok is false for the
// other columns (author, source, section), which are not counted.
func countKey(col int, tok string) (key string, place int, ok bool) {
	switch {
	case col < tokfreq.Columns:
		return tok, col, true
	case col == colWords || col == colWordsFolded:
		return wordsKey + tok, col - colWords, true
	}
	return "", 0, false
}

// The index columns of the segmented words (see columns).
const (
	colWords       = 4
	colWordsFolded = 5
)

// columnOf returns the index column whose lexeme code is code, or -1.
func columnOf(code string) int {
	for i, c := range columns {
		if c.code == code {
			return i
		}
	}
	return -1
}

// splitLexeme returns the column code and the token of an index lexeme.
func splitLexeme(lex string) (code, tok string) {
	code, tok, _ = strings.Cut(lex, ":")
	return code, tok
}

// addCount records that an article holds the lexeme lex at n positions in
// the counts by token_freqs key, when its column is counted.
func addCount(counts map[string]*tokfreq.Counts, lex string, n int) {
	code, tok := splitLexeme(lex)
	key, place, ok := countKey(columnOf(code), tok)
	if !ok || n == 0 {
		return
	}
	c := counts[key]
	if c == nil {
		c = new(tokfreq.Counts)
		counts[key] = c
	}
	c[place] = uint32(n)
}

// tokenCounts returns the counts of an article whose lexeme positions are
// d, by token_freqs key: for each counted column, the positions of each
// token there, the instances a one-token phrase finds (see
// docPositions.occurrences).
func tokenCounts(d docPositions) map[string]*tokfreq.Counts {
	out := map[string]*tokfreq.Counts{}
	for lex, pos := range d {
		addCount(out, lex, distinct(pos))
	}
	return out
}

// distinct returns the number of distinct values of pos.
func distinct(pos []int) int {
	seen := make(map[int]struct{}, len(pos))
	for _, p := range pos {
		seen[p] = struct{}{}
	}
	return len(seen)
}

// errCorruptFreqs reports a value of token_freqs that is not a sequence of
// pieces.
var errCorruptFreqs = errors.New("postgres: corrupt token_freqs value")

// appendPiece appends a piece holding the stored chunk b to a value of
// token_freqs.
func appendPiece(dst, b []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(b)))
	return append(dst, b...)
}

// eachFreq calls f with each entry of each piece of a value of
// token_freqs, piece after piece. It returns an error, having called f for
// the entries before, when v is not a sequence of pieces. f must not keep
// c.
func eachFreq(v []byte, f func(off uint16, c *tokfreq.Counts)) error {
	return eachPiece(v, func(chunk []byte) error { return tokfreq.Each(chunk, f) })
}

// eachPiece calls each with the stored chunk of each piece of a value of
// token_freqs or token_positions, and returns errCorruptFreqs, wrapping
// each's error if any, when v is not a sequence of pieces.
func eachPiece(v []byte, each func(chunk []byte) error) error {
	for len(v) > 0 {
		n, k := binary.Uvarint(v)
		if k <= 0 || n > uint64(len(v)-k) {
			return errCorruptFreqs
		}
		if err := each(v[k : k+int(n)]); err != nil {
			return fmt.Errorf("%w: %w", errCorruptFreqs, err)
		}
		v = v[k+int(n):]
	}
	return nil
}

// freqKey names a row of token_freqs but its shard: its key (a token, or
// wordsKey and a token, see countKey) and chunk.
type freqKey struct {
	token string
	chunk int64
}

// freqChanges are the changes one write makes to token_freqs and
// token_positions: entries of stored articles to append, and articles
// whose entries are to be removed from the rows of some tokens.
type freqChanges struct {
	add    map[freqKey][]tokfreq.Entry
	addPos map[freqKey][]tokpos.Entry
	remove map[freqKey][]uint16
	// addSet and removeSet are the offsets to add to and remove from the
	// rows of token_sets, whose chunks are idset's.
	addSet, removeSet map[freqKey][]uint16
	// addPairs are the entries to append to the rows of token_pairs
	// (whose chunks are pairidx's); a replaced article's are not removed.
	addPairs map[freqKey][]uint64
	pairs    []uint64 // scratch for articlePairs
}

// addArticle adds the entries of the article id, whose counts are counts
// and whose positions are positions.
func (f *freqChanges) addArticle(id int64, counts map[string]*tokfreq.Counts, positions map[string]*tokpos.Positions) {
	if f.add == nil {
		f.add = map[freqKey][]tokfreq.Entry{}
		f.addPos = map[freqKey][]tokpos.Entry{}
		f.addSet = map[freqKey][]uint16{}
		f.addPairs = map[freqKey][]uint64{}
	}
	chunk, off := tokfreq.ChunkOf(id)
	setChunk, setOff := idset.ChunkOf(id)
	for tok, c := range counts {
		k := freqKey{tok, chunk}
		f.add[k] = append(f.add[k], tokfreq.Entry{Off: off, Counts: *c})
		k = freqKey{tok, setChunk}
		f.addSet[k] = append(f.addSet[k], setOff)
	}
	for tok, p := range positions {
		k := freqKey{tok, chunk}
		f.addPos[k] = append(f.addPos[k], tokpos.Entry{Off: off, Pos: *p})
	}
	f.pairs = articlePairs(f.pairs, positions)
	addPairs(f.addPairs, id, f.pairs)
}

// removeArticle removes the entries of the article id from the rows of
// the keys of its stored index entry (see countKey).
func (f *freqChanges) removeArticle(id int64, keys []string) {
	if f.remove == nil {
		f.remove = map[freqKey][]uint16{}
		f.removeSet = map[freqKey][]uint16{}
	}
	chunk, off := tokfreq.ChunkOf(id)
	setChunk, setOff := idset.ChunkOf(id)
	for _, key := range keys {
		k := freqKey{key, chunk}
		f.remove[k] = append(f.remove[k], off)
		k = freqKey{key, setChunk}
		f.removeSet[k] = append(f.removeSet[k], setOff)
	}
}

// sortedKeys returns the keys of m in the order of the rows' primary key
// under byte order, the order in which a write locks them.
func sortedKeys[V any](m map[freqKey]V) []freqKey {
	keys := make([]freqKey, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].token != keys[j].token {
			return keys[i].token < keys[j].token
		}
		return keys[i].chunk < keys[j].chunk
	})
	return keys
}

// pieceTable is a table of rows of pieces keyed by token, chunk, shard and
// tail (token_freqs, token_positions), and how a row is rewritten without
// some of its articles.
type pieceTable struct {
	name, column string
	// chunkBits is the base-2 logarithm of the number of IDs of a chunk.
	chunkBits int
	// without returns the value v without the entries of the articles at
	// the offsets gone, as one piece (nil when none is left), and whether
	// it held any of them.
	without func(v []byte, gone map[uint16]bool) ([]byte, bool, error)
	// merge, when set, returns a value as one piece: a main row a full
	// tail is moved onto is rewritten so. Set for token_sets, whose
	// pieces written one article at a time (two bytes each) would
	// otherwise grow a chunk's row to many times its bitmap.
	merge func(v []byte) ([]byte, error)
}

// The tables of pieces, in the order a write changes them.
var (
	freqsTable = pieceTable{name: "token_freqs", column: "freqs", chunkBits: tokfreq.ChunkBits, without: func(v []byte, gone map[uint16]bool) ([]byte, bool, error) {
		return without(v, gone, func(v []byte, f func(uint16, tokfreq.Entry)) error {
			return eachFreq(v, func(off uint16, c *tokfreq.Counts) { f(off, tokfreq.Entry{Off: off, Counts: *c}) })
		}, encodeFreqs)
	}}
	positionsTable = pieceTable{name: "token_positions", column: "positions", chunkBits: tokfreq.ChunkBits, without: func(v []byte, gone map[uint16]bool) ([]byte, bool, error) {
		return without(v, gone, func(v []byte, f func(uint16, tokpos.Entry)) error {
			return eachPos(v, func(off uint16, p *tokpos.Positions) {
				e := tokpos.Entry{Off: off}
				for c := range p {
					e.Pos[c] = slices.Clone(p[c])
				}
				f(off, e)
			})
		}, encodePositions)
	}}
)

// encodeFreqs and encodePositions return the stored chunk of entries, in
// any order (they are sorted by offset first).
func encodeFreqs(entries []tokfreq.Entry) []byte {
	slices.SortFunc(entries, func(a, b tokfreq.Entry) int { return int(a.Off) - int(b.Off) })
	return tokfreq.Encode(entries)
}

func encodePositions(entries []tokpos.Entry) []byte {
	slices.SortFunc(entries, func(a, b tokpos.Entry) int { return int(a.Off) - int(b.Off) })
	return tokpos.Encode(entries)
}

// without returns the value v of a table of pieces, whose entries each
// reads, without the entries of the articles at the offsets gone, as one
// piece that encode stores (nil when none is left), and whether it held any
// of them.
func without[E any](v []byte, gone map[uint16]bool, each func([]byte, func(uint16, E)) error, encode func([]E) []byte) ([]byte, bool, error) {
	var (
		kept    []E
		removed bool
	)
	err := each(v, func(off uint16, e E) {
		if gone[off] {
			removed = true
			return
		}
		kept = append(kept, e)
	})
	if err != nil || !removed || len(kept) == 0 {
		return nil, removed, err
	}
	return appendPiece(nil, encode(kept)), true, nil
}

// apply writes the changes, to token_freqs, token_positions, token_sets
// then token_pairs: first the removals (none from token_pairs), each row
// read, rewritten without the removed articles as one piece (or deleted
// when none is left), then the additions, appended as one piece per row to
// the rows of the server process's shard (see appendPieces). Rows are
// locked in key order in each statement. Two writers that replace articles
// the other one stored, or that share a shard, may still lock each other's
// rows in a cycle; PostgreSQL then fails one of them, which PutArticles
// runs again.
func (f *freqChanges) apply(ctx context.Context, tx pgx.Tx) error {
	if len(f.remove) > 0 {
		if err := f.applyRemovals(ctx, tx, freqsTable, f.remove); err != nil {
			return fmt.Errorf("token counts: %w", err)
		}
		// The words columns have no positions.
		remove := make(map[freqKey][]uint16, len(f.remove))
		for k, offs := range f.remove {
			if !strings.HasPrefix(k.token, wordsKey) {
				remove[k] = offs
			}
		}
		if err := f.applyRemovals(ctx, tx, positionsTable, remove); err != nil {
			return fmt.Errorf("token positions: %w", err)
		}
		if err := f.applyRemovals(ctx, tx, setsTable, f.removeSet); err != nil {
			return fmt.Errorf("token sets: %w", err)
		}
	}
	if err := appendPieces(ctx, tx, freqsTable, f.add, encodeFreqs); err != nil {
		return fmt.Errorf("token counts: %w", err)
	}
	if err := appendPieces(ctx, tx, positionsTable, f.addPos, encodePositions); err != nil {
		return fmt.Errorf("token positions: %w", err)
	}
	if err := appendPieces(ctx, tx, setsTable, f.addSet, encodeSet); err != nil {
		return fmt.Errorf("token sets: %w", err)
	}
	if err := appendPieces(ctx, tx, pairsTable, f.addPairs, encodePairs); err != nil {
		return fmt.Errorf("token pairs: %w", err)
	}
	return nil
}

// tailLimit is the size in bytes of a piece, or of a tail row's value,
// from which it goes to the main row of its token, chunk and shard: a
// smaller piece is appended to the tail row, which is moved onto the main
// row once it holds tailLimit bytes (migration 0007). Each append rewrites
// its row whole: the tail keeps the appends of single articles small.
const tailLimit = 1024

// appendPieces appends to the rows of t in the server process's shard a
// piece per key of add, its entries encoded by encode: to the main row when
// the piece holds at least tailLimit bytes, else to the tail row, which is
// then moved onto the main row if it reached tailLimit bytes.
func appendPieces[E any](ctx context.Context, tx pgx.Tx, t pieceTable, add map[freqKey][]E, encode func([]E) []byte) error {
	if len(add) == 0 {
		return nil
	}
	keys := sortedKeys(add)
	toks := make([]string, len(keys))
	chunks := make([]int64, len(keys))
	tails := make([]bool, len(keys))
	vals := make([][]byte, len(keys))
	for i, k := range keys {
		v := encode(add[k])
		toks[i], chunks[i], tails[i], vals[i] = k.token, k.chunk, len(v) < tailLimit, appendPiece(nil, v)
	}
	// Sorted as the primary key sorts (COLLATE "C", main row before tail),
	// the order in which every writer locks the rows.
	rows, err := tx.Query(ctx, `INSERT INTO `+t.name+` (token, chunk, shard, tail, `+t.column+`)
		SELECT t, c, (pg_backend_pid() % 16)::smallint, l, v FROM unnest($1::text[], $2::bigint[], $3::bool[], $4::bytea[]) AS u(t, c, l, v)
		ORDER BY t, c, l
		ON CONFLICT (token, chunk, shard, tail) DO UPDATE SET `+t.column+` = `+t.name+`.`+t.column+` || EXCLUDED.`+t.column+`
		RETURNING token, chunk, tail AND octet_length(`+t.column+`) >= $5`,
		toks, chunks, tails, vals, tailLimit)
	if err != nil {
		return err
	}
	var fullT []string
	var fullC []int64
	for rows.Next() {
		var (
			tok  string
			c    int64
			full bool
		)
		if err := rows.Scan(&tok, &c, &full); err != nil {
			rows.Close()
			return err
		}
		if full {
			fullT, fullC = append(fullT, tok), append(fullC, c)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(fullT) == 0 {
		return nil
	}
	// The full tails, moved onto their main rows.
	move := `WITH moved AS (
			DELETE FROM ` + t.name + ` f USING unnest($1::text[], $2::bigint[]) AS u(t, c)
			WHERE f.token = u.t AND f.chunk = u.c AND f.shard = (pg_backend_pid() % 16)::smallint AND f.tail
			RETURNING f.token, f.chunk, f.shard, f.` + t.column + ` AS v)
		INSERT INTO ` + t.name + ` (token, chunk, shard, tail, ` + t.column + `)
		SELECT token, chunk, shard, false, v FROM moved ORDER BY token, chunk
		ON CONFLICT (token, chunk, shard, tail) DO UPDATE SET ` + t.column + ` = ` + t.name + `.` + t.column + ` || EXCLUDED.` + t.column
	if t.merge == nil {
		_, err = tx.Exec(ctx, move, fullT, fullC)
		return err
	}
	// The main rows moved onto, rewritten as one piece each.
	var (
		mergedT []string
		mergedC []int64
		mergedV [][]byte
	)
	err = eachKeyedRow(ctx, tx, move+` RETURNING token, chunk, `+t.column, []any{fullT, fullC}, "", func(tok string, c int64, v []byte) error {
		m, err := t.merge(v)
		mergedT, mergedC, mergedV = append(mergedT, tok), append(mergedC, c), append(mergedV, m)
		return err
	})
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE `+t.name+` f SET `+t.column+` = u.v
		FROM unnest($1::text[], $2::bigint[], $3::bytea[]) AS u(t, c, v)
		WHERE f.token = u.t AND f.chunk = u.c AND f.shard = (pg_backend_pid() % 16)::smallint AND NOT f.tail`,
		mergedT, mergedC, mergedV)
	return err
}

// applyRemovals removes the articles of remove from the rows of t in
// every shard, main rows and tails.
func (f *freqChanges) applyRemovals(ctx context.Context, tx pgx.Tx, t pieceTable, remove map[freqKey][]uint16) error {
	if len(remove) == 0 {
		return nil
	}
	keys := sortedKeys(remove)
	toks := make([]string, len(keys))
	chunks := make([]int64, len(keys))
	for i, k := range keys {
		toks[i], chunks[i] = k.token, k.chunk
	}
	rows, err := tx.Query(ctx, `SELECT f.token, f.chunk, f.shard, f.tail, f.`+t.column+` FROM `+t.name+` f
		JOIN unnest($1::text[], $2::bigint[]) AS u(t, c) ON f.token = u.t AND f.chunk = u.c
		ORDER BY f.token, f.chunk, f.shard, f.tail FOR UPDATE OF f`, toks, chunks)
	if err != nil {
		return err
	}
	type rewrite struct {
		token string
		chunk int64
		shard int16
		tail  bool
		value []byte // nil: delete the row
	}
	var out []rewrite
	for rows.Next() {
		var (
			r rewrite
			v []byte
		)
		if err := rows.Scan(&r.token, &r.chunk, &r.shard, &r.tail, &v); err != nil {
			rows.Close()
			return err
		}
		gone := map[uint16]bool{}
		for _, off := range remove[freqKey{r.token, r.chunk}] {
			gone[off] = true
		}
		value, removed, err := t.without(v, gone)
		if err != nil {
			rows.Close()
			return fmt.Errorf("token %q, chunk %d: %w", r.token, r.chunk, err)
		}
		if !removed {
			continue
		}
		r.value = value
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(out) == 0 {
		return nil
	}
	var (
		upT, delT []string
		upC, delC []int64
		upS, delS []int16
		upL, delL []bool
		upV       [][]byte
	)
	for _, r := range out {
		if r.value == nil {
			delT, delC, delS, delL = append(delT, r.token), append(delC, r.chunk), append(delS, r.shard), append(delL, r.tail)
			continue
		}
		upT, upC, upS, upL, upV = append(upT, r.token), append(upC, r.chunk), append(upS, r.shard), append(upL, r.tail), append(upV, r.value)
	}
	if len(upT) > 0 {
		if _, err := tx.Exec(ctx, `UPDATE `+t.name+` f SET `+t.column+` = u.v
			FROM unnest($1::text[], $2::bigint[], $3::smallint[], $4::bool[], $5::bytea[]) AS u(t, c, s, l, v)
			WHERE f.token = u.t AND f.chunk = u.c AND f.shard = u.s AND f.tail = u.l`, upT, upC, upS, upL, upV); err != nil {
			return err
		}
	}
	if len(delT) > 0 {
		if _, err := tx.Exec(ctx, `DELETE FROM `+t.name+` f USING unnest($1::text[], $2::bigint[], $3::smallint[], $4::bool[]) AS u(t, c, s, l)
			WHERE f.token = u.t AND f.chunk = u.c AND f.shard = u.s AND f.tail = u.l`, delT, delC, delS, delL); err != nil {
			return err
		}
	}
	return nil
}

// fillSpan is the number of IDs fillFromIndex reads at a time: 8 chunks of
// token_freqs, 2 of token_sets, so that a span's rows hold whole chunks of
// either.
const fillSpan = 8 << tokfreq.ChunkBits

// fillTokenFreqs fills token_freqs from the index entries, in shard 0: the
// migration that creates the table calls it in its transaction.
func fillTokenFreqs(ctx context.Context, tx pgx.Tx) error {
	return fillBuilt[tokfreq.Builder](ctx, tx, freqsTable, tokenCounts)
}

// chunkBuilder is a builder of stored chunks (tokfreq.Builder,
// tokpos.Builder) whose entries are V.
type chunkBuilder[B, V any] interface {
	*B
	Add(off uint16, v V)
	Bytes() []byte
}

// fillBuilt fills the table t from the index entries (see fillFromIndex),
// each article's entries by key being those entries returns for its
// lexeme positions, built into chunks with a B.
func fillBuilt[B any, V any, PB chunkBuilder[B, V]](ctx context.Context, tx pgx.Tx, t pieceTable, entries func(docPositions) map[string]V) error {
	built := map[freqKey]PB{}
	return fillFromIndex(ctx, tx, t, func(id int64, d docPositions) {
		chunk, off := tokfreq.ChunkOf(id)
		for tok, v := range entries(d) {
			k := freqKey{tok, chunk}
			b := built[k]
			if b == nil {
				b = PB(new(B))
				built[k] = b
			}
			b.Add(off, v) // IDs ascend: offsets within a chunk too
		}
	}, func() map[freqKey][]byte {
		out := make(map[freqKey][]byte, len(built))
		for k, b := range built {
			out[k] = b.Bytes()
		}
		clear(built)
		return out
	})
}

// encodeAll returns the stored chunk of each key of built, its entries
// encoded by encode, and empties built: the chunks of a span of
// fillFromIndex.
func encodeAll[E any](built map[freqKey][]E, encode func([]E) []byte) map[freqKey][]byte {
	out := make(map[freqKey][]byte, len(built))
	for k, entries := range built {
		out[k] = encode(entries)
	}
	clear(built)
	return out
}

// fillFromIndex fills the table t, in shard 0, from the index entries read
// fillSpan IDs at a time in ascending ID order: add is called with each
// article's ID and lexeme positions, then chunks returns the stored chunk
// of each key for the articles of the span.
func fillFromIndex(ctx context.Context, tx pgx.Tx, t pieceTable, add func(id int64, d docPositions), chunks func() map[freqKey][]byte) error {
	var lo, hi int64
	if err := tx.QueryRow(ctx, `SELECT coalesce(min(id), 0), coalesce(max(id), -1) FROM article_index`).Scan(&lo, &hi); err != nil {
		return err
	}
	lo -= lo % fillSpan
	for ; lo <= hi; lo += fillSpan {
		rows, err := tx.Query(ctx, `SELECT id, tsv::text FROM article_index WHERE id >= $1 AND id < $2 ORDER BY id`, lo, lo+fillSpan)
		if err != nil {
			return err
		}
		for rows.Next() {
			var (
				id  int64
				tsv string
			)
			if err := rows.Scan(&id, &tsv); err != nil {
				rows.Close()
				return err
			}
			add(id, parseTsvector(tsv))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		built := chunks()
		out := make([][]any, 0, len(built))
		for _, k := range sortedKeys(built) {
			out = append(out, []any{k.token, k.chunk, int16(0), appendPiece(nil, built[k])})
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, []string{"token", "chunk", "shard", t.column},
			pgx.CopyFromRows(out)); err != nil {
			return err
		}
	}
	return nil
}

// countable reports whether the instances of every phrase of phrases are
// found without reading tsvectors: a single token, whole or a prefix,
// searched in counted columns only (token_freqs), or a positional phrase
// (token_positions).
func countable(phrases []*expr) bool {
	for _, ph := range phrases {
		if !(len(ph.tokens) == 1 && countedColumns(ph) || positional(ph)) {
			return false
		}
	}
	return true
}

// exact reports whether the instances of the phrase ph that readCounts
// gives are those its positions give: a whole token in counted columns,
// or a positional phrase.
func exact(ph *expr) bool {
	return len(ph.tokens) == 1 && !ph.prefix && countedColumns(ph) || positional(ph)
}

// countedColumns reports whether every column of ph is counted.
func countedColumns(ph *expr) bool {
	for _, c := range ph.cols {
		if _, _, ok := countKey(c, ""); !ok {
			return false
		}
	}
	return true
}

// windowCounts are the counts of some tokens in the articles of a
// relevance window: counts[key][i] for the article win[i], by token_freqs
// key (see countKey), for the keys with rows in the window's chunks.
type windowCounts map[string][]tokfreq.Counts

// readWindowCounts reads from token_freqs the counts, in the articles of
// win (in any order), of the tokens of phrases in their columns
// (see readCounts).
func readWindowCounts(ctx context.Context, conn querier, phrases []*expr, win []scored) (windowCounts, error) {
	// The position in win of each article, by chunk and offset (plus
	// one; 0 for an article not in win): the rows hold every article of
	// their chunks, and come chunk after chunk.
	slots := map[int64]*[tokfreq.ChunkSize]int32{}
	in := map[int64]*tokpos.Offsets{} // the same articles, for readPhrases
	var chunks []int64
	for i, sc := range win {
		c, off := tokfreq.ChunkOf(sc.ID)
		s := slots[c]
		if s == nil {
			s = new([tokfreq.ChunkSize]int32)
			slots[c] = s
			in[c] = new(tokpos.Offsets)
			chunks = append(chunks, c)
		}
		s[off] = int32(i + 1)
		in[c].Add(uint16(off))
	}
	lastChunk, last := int64(-1), (*[tokfreq.ChunkSize]int32)(nil)
	counts := windowCounts{}
	only := func(chunk int64) *tokpos.Offsets { return in[chunk] }
	err := readCounts(ctx, conn, phrases, chunkSel{list: chunks}, only, func(key string, id int64, c *tokfreq.Counts) {
		chunk, off := tokfreq.ChunkOf(id)
		if chunk != lastChunk {
			lastChunk, last = chunk, slots[chunk]
		}
		if last == nil || last[off] == 0 {
			return
		}
		i := int(last[off]) - 1
		dst := counts[key]
		if dst == nil {
			dst = make([]tokfreq.Counts, len(win))
			counts[key] = dst
		}
		addCounts(&dst[i], c)
	})
	return counts, err
}

// addCounts adds c to dst.
func addCounts(dst, c *tokfreq.Counts) {
	for i := range dst {
		dst[i] += c[i]
	}
}

// prefixKey is the key under which readCounts adds up the counts of the
// tokens a prefix begins, the prefix being the key of its first tokens'
// rows (see countKey). No key of token_freqs begins with a zero byte.
func prefixKey(key string) string { return "\x00" + key }

// chunkSel selects chunks of token_freqs and token_positions: those of
// list when it is not nil, else those from lo to hi.
type chunkSel struct {
	lo, hi int64
	list   []int64
}

// where returns the SQL condition on a chunk column that sel makes, over
// args $1 on.
func (sel chunkSel) where() (cond string, args []any) {
	if sel.list != nil {
		return `chunk = ANY($1::bigint[])`, []any{sel.list}
	}
	return `chunk >= $1 AND chunk <= $2`, []any{sel.lo, sel.hi}
}

// readCounts reads from token_freqs the rows of the tokens of phrases in
// their columns, in the chunks sel selects, and calls visit with each entry, whose counts are to be added
// to those of the article id under key: the rows of whole tokens in one
// statement, under their keys, and those of the tokens the prefix of a
// one-token phrase begins as one range of the primary key each, under the
// prefix's prefixKey; for a positional phrase, its instances found from
// token_positions, under its phraseKey (see readPhrases), in the articles
// only gives for their chunk (every article when only is nil). visit must
// not keep c.
func readCounts(ctx context.Context, conn querier, phrases []*expr, sel chunkSel,
	only func(chunk int64) *tokpos.Offsets, visit func(key string, id int64, c *tokfreq.Counts)) error {
	chunkCond, chunkArgs := sel.where()
	read := func(as, cond string, args ...any) error {
		err := eachKeyedRow(ctx, conn, `SELECT token, chunk, freqs FROM token_freqs WHERE `+cond+` AND `+chunkCond,
			append(append([]any(nil), chunkArgs...), args...), as, func(key string, chunk int64, v []byte) error {
				base := chunk << tokfreq.ChunkBits
				return eachFreq(v, func(off uint16, c *tokfreq.Counts) { visit(key, base+int64(off), c) })
			})
		if err != nil {
			return fmt.Errorf("postgres: search: token counts: %w", err)
		}
		return nil
	}
	arg := func(k int) string { return "$" + strconv.Itoa(len(chunkArgs)+k) }
	if err := readPhrases(ctx, conn, phrases, sel, only, visit); err != nil {
		return err
	}
	var whole []string
	seenWhole, seenPrefix := map[string]bool{}, map[string]bool{}
	for _, ph := range phrases {
		if !countedColumns(ph) || positional(ph) {
			continue
		}
		for _, col := range ph.cols {
			for j, tok := range ph.tokens {
				key, _, _ := countKey(col, tok)
				switch {
				case !ph.prefix || j < len(ph.tokens)-1:
					if !seenWhole[key] {
						seenWhole[key] = true
						whole = append(whole, key)
					}
				case len(ph.tokens) == 1 && !seenPrefix[key]:
					seenPrefix[key] = true
					lo, hi := query.PrefixBounds(key)
					cond, args := `token >= `+arg(1), []any{lo}
					if hi != "" {
						cond, args = cond+` AND token < `+arg(2), append(args, hi)
					}
					if err := read(prefixKey(key), cond, args...); err != nil {
						return err
					}
				}
			}
		}
	}
	if len(whole) > 0 {
		return read("", `token = ANY(`+arg(1)+`::text[])`, whole)
	}
	return nil
}

// eachKeyedRow runs stmt, whose rows are a token, a chunk and a value of
// a table of pieces, and calls each with each row's key (as when it is
// set, else the token), chunk and value; an error of each is returned
// naming the row's token and chunk.
func eachKeyedRow(ctx context.Context, conn querier, stmt string, args []any, as string,
	each func(key string, chunk int64, v []byte) error) error {
	rows, err := conn.Query(ctx, stmt, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			tok   string
			chunk int64
			v     []byte
		)
		if err := rows.Scan(&tok, &chunk, &v); err != nil {
			return err
		}
		key := tok
		if as != "" {
			key = as
		}
		if err := each(key, chunk, v); err != nil {
			return fmt.Errorf("token %q, chunk %d: %w", tok, chunk, err)
		}
	}
	return rows.Err()
}

// countSource is where the instances of a phrase in one of its columns
// are: counts[i][place] for the article i.
type countSource struct {
	counts []tokfreq.Counts
	place  int
}

// sources returns, for each phrase of phrases (see countable), where its
// instances in each of its columns that has any are (see instances).
func (wc windowCounts) sources(phrases []*expr) [][]countSource {
	out := make([][]countSource, len(phrases))
	for j, ph := range phrases {
		for _, col := range ph.cols {
			if src := wc.source(ph, col); src.counts != nil {
				out[j] = append(out[j], src)
			}
		}
	}
	return out
}

// source returns where the instances of ph in the column col are (no
// counts when no article has any).
func (wc windowCounts) source(ph *expr, col int) countSource {
	key, place, _ := countKey(col, ph.tokens[0])
	switch {
	case positional(ph):
		key = phraseKey(ph)
	case ph.prefix:
		key = prefixKey(key)
	}
	return countSource{counts: wc[key], place: place}
}

// instances returns, for each phrase of phrases (see countable), a
// function giving its number of instances in one of its columns in the
// article win[i]: those of its token, or of the tokens its prefix begins,
// added up, or those found from its tokens' positions (see readCounts).
func (wc windowCounts) instances(phrases []*expr) []func(i, col int) uint32 {
	out := make([]func(i, col int) uint32, len(phrases))
	for j, ph := range phrases {
		byCol := map[int]countSource{}
		for _, col := range ph.cols {
			byCol[col] = wc.source(ph, col)
		}
		out[j] = func(i, col int) uint32 {
			if src := byCol[col]; src.counts != nil {
				return src.counts[i][src.place]
			}
			return 0
		}
	}
	return out
}

// sortedColumns returns the columns of each phrase in column order, as
// occurrences lists them.
func sortedColumns(phrases []*expr) [][]int {
	cols := make([][]int, len(phrases))
	for j, ph := range phrases {
		cols[j] = append([]int(nil), ph.cols...)
		sort.Ints(cols[j])
	}
	return cols
}

// matchFromCounts scores the articles of win, whose token counts are lens,
// for the match alone, from the counts wc, as bm25 scores them from their
// positions. A prefix's instances in a column are those of the tokens it
// begins, added up.
//
// (An article whose column is longer than maxPos tokens is the exception:
// its tsvector keeps the positions beyond as one, so that two tokens of a
// prefix there count once in its positions and twice in the counts; FTS5
// counts both.)
func matchFromCounts(p *plan, st *rankStats, wc windowCounts, win []scored, lens []int) []float64 {
	return bm25FromCounts(p.match, p.phrases, st.idf, &ranking.Weights, st.avgdl, wc, lens)
}

// boostFromCounts returns the bm25 of the boost terms of the articles
// whose token counts are lens, from the counts wc: p's boost phrases must
// be exact (see exact).
func boostFromCounts(p *plan, st *rankStats, wc windowCounts, lens []int) []float64 {
	return bm25FromCounts(p.boost, p.boostPhrases, st.boostIDF, &ranking.BoostWeights, st.avgdl, wc, lens)
}

// bm25FromCounts is bm25 for the expression x, whose phrases are phrases,
// of the articles whose token counts are lens, their phrases' instances
// taken from the counts wc.
func bm25FromCounts(x *expr, phrases []*expr, idf []float64, w *weights, avgdl float64, wc windowCounts, lens []int) []float64 {
	inst := wc.instances(phrases)
	cols := sortedColumns(phrases)
	occ := make(map[*expr][]int, len(phrases))
	out := make([]float64, len(lens))
	for i := range lens {
		for j, ph := range phrases {
			list := occ[ph][:0]
			for _, col := range cols[j] {
				for range inst[j](i, col) {
					list = append(list, col)
				}
			}
			occ[ph] = list
		}
		out[i] = bm25Occ(occ, lens[i], x, phrases, idf, w, avgdl)
	}
	return out
}
