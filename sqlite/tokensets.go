package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unsafe"

	"modernc.org/libc"
	"modernc.org/libc/sys/types"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/diembao/diembao/internal/idset"
	"github.com/diembao/diembao/query"
	"github.com/diembao/diembao/viet"
)

// The token sets (table token_sets, migration 0005) hold, for every token of
// the folded title, body and words columns, the IDs of the articles holding
// it, by chunks of idset.ChunkSize IDs, keyed by (group of chunks, token,
// chunk) so that the rows a batch of new articles changes lie together. A
// query made of words without a field, AND, OR and NOT (see setTokens) is evaluated on them: the exact set
// of matching articles in microseconds per chunk, which the search then
// counts, filters, facets and orders from the in-memory attributes, and of
// which FTS5 only scores the articles relevance ranks.

// setChange is one change of a token set: an ID added or removed.
type setChange struct {
	id     int64
	remove bool
}

// unionName is the SQL function diembao_union(a, b): the union of two
// stored chunks (see unionFunction).
const unionName = "diembao_union"

// groupBits is the base-2 logarithm of the number of chunks whose rows
// token_sets keeps together (see migration 0005).
const groupBits = 3

// groupOf returns the group of a chunk.
func groupOf(chunk int64) int64 { return chunk >> groupBits }

// chunkSQL are the statements on one chunk of token_sets or token_freqs,
// which take (group, token, chunk) first: read it, merge new articles into
// it in one statement (add, with the table's SQL merge function), write it
// over, delete it.
type chunkSQL struct {
	read, add, write, delete string
}

// chunkStatements returns the statements on one chunk of table, whose blob
// column is col and merge function merge.
func chunkStatements(table, col, merge string) chunkSQL {
	insert := `INSERT INTO ` + table + ` (grp, token, chunk, ` + col + `) VALUES (?, ?, ?, ?)
		ON CONFLICT (grp, token, chunk) DO UPDATE SET ` + col + ` = `
	return chunkSQL{
		read:   `SELECT ` + col + ` FROM ` + table + ` WHERE grp = ? AND token = ? AND chunk = ?`,
		add:    insert + merge + `(` + col + `, excluded.` + col + `)`,
		write:  insert + `excluded.` + col,
		delete: `DELETE FROM ` + table + ` WHERE grp = ? AND token = ? AND chunk = ?`,
	}
}

// setSQL are the statements on one chunk of a token set.
var setSQL = chunkStatements("token_sets", "ids", unionName)

// applySets writes the set changes the writer gathered to token_sets:
// first what new articles add, merged into the stored chunks in the
// table's order, then each chunk that other changes touch, read and
// written once.
func (w *writer) applySets() error {
	var adds []chunkRow
	byChunk := map[chunkKey][]setChange{}
	for tok, d := range w.tokens {
		for _, r := range d.setAdds {
			var c idset.Chunk
			for _, off := range r.offs {
				c.Add(off)
			}
			adds = append(adds, chunkRow{groupOf(r.chunk), tok, r.chunk, c.Encode()})
		}
		for _, ch := range d.changes {
			k, _ := idset.ChunkOf(ch.id)
			byChunk[chunkKey{tok, k}] = append(byChunk[chunkKey{tok, k}], ch)
		}
	}
	if err := w.upsertRows(&w.setAdd, setSQL.add, adds); err != nil {
		return fmt.Errorf("sqlite: token sets: %w", err)
	}
	for _, k := range sortedKeys(byChunk, groupOf) {
		if err := w.applyChunk(k.token, k.chunk, byChunk[k]); err != nil {
			return err
		}
	}
	return nil
}

// chunkKey is a chunk of a token's set or counts.
type chunkKey struct {
	token string
	chunk int64
}

// sortedKeys returns the chunks of m in the order of their table, group
// giving a chunk's group.
func sortedKeys[T any](m map[chunkKey]T, group func(int64) int64) []chunkKey {
	keys := slices.Collect(maps.Keys(m))
	slices.SortFunc(keys, func(a, b chunkKey) int {
		return compareRows(group(a.chunk), a.token, a.chunk, group(b.chunk), b.token, b.chunk)
	})
	return keys
}

// compareRows orders rows of token_sets and token_freqs by their key.
func compareRows(g1 int64, t1 string, c1 int64, g2 int64, t2 string, c2 int64) int {
	return cmp.Or(cmp.Compare(g1, g2), strings.Compare(t1, t2), cmp.Compare(c1, c2))
}

// chunkRow is a row of token_sets or token_freqs to write.
type chunkRow struct {
	group int64
	token string
	chunk int64
	blob  []byte
}

// rowsPerStatement is how many rows a statement of upsertRows writes: a
// statement costs the writer about as much as the rows it writes.
const rowsPerStatement = 64

// upsertRows writes rows, in the table's order, with stmt, an INSERT of
// one row of (grp, token, chunk, blob) with an ON CONFLICT clause, written
// for many rows at once: full caches the statement for rowsPerStatement
// rows.
func (w *writer) upsertRows(full **sql.Stmt, stmt string, rows []chunkRow) error {
	slices.SortFunc(rows, func(a, b chunkRow) int {
		return compareRows(a.group, a.token, a.chunk, b.group, b.token, b.chunk)
	})
	const one = `(?, ?, ?, ?)`
	at := strings.Index(stmt, one)
	if at < 0 {
		return fmt.Errorf("sqlite: upsertRows: %q has no row of four values", stmt)
	}
	for len(rows) > 0 {
		n := min(len(rows), rowsPerStatement)
		text := stmt[:at] + strings.TrimSuffix(strings.Repeat(one+", ", n), ", ") + stmt[at+len(one):]
		var (
			st  *sql.Stmt
			err error
		)
		if n == rowsPerStatement {
			st, err = w.prepared(full, text)
		} else {
			st, err = w.tx.PrepareContext(w.ctx, text)
			if st != nil {
				defer st.Close()
			}
		}
		if err != nil {
			return err
		}
		args := make([]any, 0, 4*n)
		for _, r := range rows[:n] {
			args = append(args, r.group, r.token, r.chunk, r.blob)
		}
		if _, err := st.ExecContext(w.ctx, args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// applyChunk applies changes to one chunk of a token's set, in order.
func (w *writer) applyChunk(tok string, chunk int64, changes []setChange) error {
	var c idset.Chunk
	read, err := w.prepared(&w.setRead, setSQL.read)
	if err != nil {
		return fmt.Errorf("sqlite: token sets: %w", err)
	}
	var stored []byte
	if err := read.QueryRowContext(w.ctx, groupOf(chunk), tok, chunk).Scan(&stored); err != nil && err != sql.ErrNoRows {
		return fmt.Errorf("sqlite: token sets: %w", err)
	}
	if c, err = idset.DecodeChunk(stored); err != nil {
		return fmt.Errorf("sqlite: token set of %q, chunk %d: %w", tok, chunk, err)
	}
	for _, ch := range changes {
		if _, off := idset.ChunkOf(ch.id); ch.remove {
			c.Remove(off)
		} else {
			c.Add(off)
		}
	}
	return w.writeChunk(tok, chunk, &c)
}

// unionFunction is diembao_union(a, b): the stored form of the union of
// two stored chunks. It runs for every chunk a batch of new articles adds
// to, so it is registered with SQLite's C API directly, like diembao_keep.
func unionFunction(tls *libc.TLS, ctx uintptr, argc int32, argv uintptr) {
	if argc != 2 {
		resultError(tls, ctx, unionName+": want two arguments")
		return
	}
	var c idset.Chunk
	for i := range 2 {
		d, err := idset.DecodeChunk(blobArg(tls, argv, i))
		if err != nil {
			resultError(tls, ctx, unionName+": "+err.Error())
			return
		}
		c.Union(&d)
	}
	resultBlob(tls, ctx, c.Encode())
}

// blobArg returns argument i of a SQL function call as bytes of SQLite's
// memory, valid for the call.
func blobArg(tls *libc.TLS, argv uintptr, i int) []byte {
	v := *(*uintptr)(ptr(argv + uintptr(8*i)))
	n := sqlite3.Xsqlite3_value_bytes(tls, v)
	p := sqlite3.Xsqlite3_value_blob(tls, v)
	if n <= 0 || p == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(ptr(p)), n)
}

// resultBlob makes a copy of out the result of a SQL function call.
func resultBlob(tls *libc.TLS, ctx uintptr, out []byte) {
	if len(out) == 0 {
		sqlite3.Xsqlite3_result_zeroblob(tls, ctx, 0)
		return
	}
	p := libc.Xmalloc(tls, types.Size_t(len(out)))
	if p == 0 {
		sqlite3.Xsqlite3_result_error_nomem(tls, ctx)
		return
	}
	defer libc.Xfree(tls, p)
	copy(unsafe.Slice((*byte)(ptr(p)), len(out)), out)
	sqlite3.Xsqlite3_result_blob(tls, ctx, p, int32(len(out)), sqlite3.SQLITE_TRANSIENT)
}

// writeChunk stores one chunk of a token set, or deletes it when empty.
func (w *writer) writeChunk(tok string, chunk int64, c *idset.Chunk) error {
	var err error
	if b := c.Encode(); len(b) == 0 {
		var del *sql.Stmt
		if del, err = w.prepared(&w.setDelete, setSQL.delete); err == nil {
			_, err = del.ExecContext(w.ctx, groupOf(chunk), tok, chunk)
		}
	} else {
		var put *sql.Stmt
		if put, err = w.prepared(&w.setWrite, setSQL.write); err == nil {
			_, err = put.ExecContext(w.ctx, groupOf(chunk), tok, chunk, b)
		}
	}
	if err != nil {
		return fmt.Errorf("sqlite: token sets: %w", err)
	}
	return nil
}

// fillTokenSets fills token_sets from the full-text index, for the
// migration that creates it: for each token of term_stats that is its own
// folded form (every token of a folded column is), the articles FTS5 finds
// it in the folded columns.
func fillTokenSets(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT token FROM term_stats`)
	if err != nil {
		return err
	}
	var tokens []string
	for rows.Next() {
		var tok string
		if err := rows.Scan(&tok); err != nil {
			rows.Close()
			return err
		}
		if viet.Fold(tok) == tok {
			tokens = append(tokens, tok)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	find, err := tx.PrepareContext(ctx, `SELECT rowid FROM article_index WHERE article_index MATCH ? ORDER BY rowid`)
	if err != nil {
		return err
	}
	defer find.Close()
	put, err := tx.PrepareContext(ctx, setSQL.write)
	if err != nil {
		return err
	}
	defer put.Close()
	for _, tok := range tokens {
		if err := fillTokenSet(ctx, find, put, tok); err != nil {
			return fmt.Errorf("token %q: %w", tok, err)
		}
	}
	return nil
}

// fillTokenSet writes the set of one token, chunk by chunk, from the
// articles find (a statement on article_index, in rowid order) returns.
func fillTokenSet(ctx context.Context, find, put *sql.Stmt, tok string) error {
	rows, err := find.QueryContext(ctx, `{title_f body_f words_f} : `+phrase([]string{tok}, false))
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		c     idset.Chunk
		chunk int64 = -1
	)
	flush := func() error {
		if chunk < 0 {
			return nil
		}
		_, err := put.ExecContext(ctx, groupOf(chunk), tok, chunk, c.Encode())
		c = idset.Chunk{}
		return err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		k, off := idset.ChunkOf(id)
		if k != chunk {
			if err := flush(); err != nil {
				return err
			}
			chunk = k
		}
		c.Add(off)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return flush()
}

// setTokens returns the distinct tokens of a prepared text tree when the
// tree can be evaluated on the token sets, nil when not: its terms must be
// single words, prefixes of one word or phrases of whole words (see
// phraseTerm) searched without a field, combined with AND, OR and NOT. A
// prefix is listed as its folded form followed by "*" (see prefixMark), to
// be replaced by the tokens it begins (see expandPrefixes); a phrase by its
// key (see phraseKey), whose set the pairs and sequences give.
func setTokens(n query.Node) []string {
	var toks []string
	var walk func(n query.Node) bool
	walk = func(n query.Node) bool {
		switch n := n.(type) {
		case *query.Term:
			cols := n.Columns()
			if phraseTerm(n, cols) {
				if key := phraseKey(n); !slices.Contains(toks, key) {
					toks = append(toks, key)
				}
				return true
			}
			if len(n.Folded) != 1 || n.Folded[0] == "" {
				return false
			}
			f := filter(cols.Folded)
			if cols.Same || f != "{title_f body_f}" && (f != "{words_f}" || n.Prefix) {
				return false
			}
			tok := n.Folded[0]
			if n.Prefix {
				// The folded columns of the text hold syllables, never "_".
				if strings.Contains(tok, "_") {
					return false
				}
				tok += prefixMark
			}
			if !slices.Contains(toks, tok) {
				toks = append(toks, tok)
			}
			return true
		case *query.And:
			return len(n.Children) > 0 && !slices.ContainsFunc(n.Children, func(ch query.Node) bool { return !walk(ch) })
		case *query.Or:
			return len(n.Children) > 0 && !slices.ContainsFunc(n.Children, func(ch query.Node) bool { return !walk(ch) })
		case *query.Not:
			return walk(n.Child)
		}
		return false
	}
	if !walk(n) {
		return nil
	}
	return toks
}

// setReader reads token sets in a read transaction: whole, or group by
// group from the newest, into one set per token of setTokens. A prefix
// (written with prefixMark) has one set, the union of those of the tokens
// it begins: their rows are read as the prefix's range of tokens, those of
// other tokens in the range (segmented words) skipped.
type setReader struct {
	ctx        context.Context
	tx         *sql.Tx
	all, group *sql.Stmt
	read       map[string]*idset.Set
	// dict is the store's copy of token_ids, for phrases (see
	// phraseReader); phrases their reader, once needed, and counts the
	// instances it found.
	dict    *tokenDict
	seqs    *sequenceFiles
	phrases *phraseReader
	counts  phraseCounts
	// phraseChunks, when set, bounds the chunks whose phrases are read
	// (checking candidates costs far more than reading a word's set).
	phraseChunks *[2]int64
	// prefixes holds the folded tokens each folded prefix of the query
	// begins (see expandPrefixes).
	prefixes map[string]map[string]bool
	// excluded holds the keys of the phrases that the query only excludes
	// from what the rest of an AND matches (see excludedPhrases; set by
	// the search that makes the reader): eval checks them among those
	// articles only, in the chunks bounds gives (those of the last read).
	excluded map[string]bool
	bounds   [2]int64
}

// excludedPhrases returns the keys of the phrases (see phraseTerm) that
// occur in the tree only as a NOT of an AND: each such AND's other
// children decide which articles it must be checked in. A phrase that
// also occurs elsewhere is read whole, as any other.
func excludedPhrases(text query.Node) map[string]bool {
	negated, other := map[string]bool{}, map[string]bool{}
	var walk func(n query.Node, negatedInAnd bool)
	walk = func(n query.Node, negatedInAnd bool) {
		switch n := n.(type) {
		case *query.Term:
			if phraseTerm(n, n.Columns()) {
				if negatedInAnd {
					negated[phraseKey(n)] = true
				} else {
					other[phraseKey(n)] = true
				}
			}
		case *query.And:
			for _, ch := range n.Children {
				if not, ok := ch.(*query.Not); ok {
					walk(not.Child, true)
				} else {
					walk(ch, false)
				}
			}
		case *query.Or:
			for _, ch := range n.Children {
				walk(ch, false)
			}
		case *query.Not:
			walk(n.Child, false)
		}
	}
	walk(text, false)
	for key := range other {
		delete(negated, key)
	}
	return negated
}

// newSetReader returns a reader for the sets of a query whose folded
// prefixes begin the tokens of prefixes (see expandPrefixes).
func newSetReader(ctx context.Context, tx *sql.Tx, prefixes map[string][]string) *setReader {
	r := &setReader{ctx: ctx, tx: tx, read: map[string]*idset.Set{}, prefixes: map[string]map[string]bool{}, counts: phraseCounts{}}
	for prefix, toks := range prefixes {
		in := make(map[string]bool, len(toks))
		for _, tok := range toks {
			in[tok] = true
		}
		r.prefixes[prefix] = in
	}
	return r
}

// prefixMark follows a prefix in the list of setTokens.
const prefixMark = "*"

// maxPrefixTokens is how many tokens (of each half of a term) a prefix may
// begin for a search to read their sets; a prefix that begins more is left
// to FTS5. The sets of a prefix are read as one range of rows whatever the
// number of its tokens (see setReader); the scoring expression spells them
// out, one phrase each (see expansion). At a million articles, má* (over
// a thousand folded tokens) takes 13 ms this way, 2.2 s through FTS5's
// prefix query. A variable for tests.
var maxPrefixTokens = 16384

// expandPrefixes finds the tokens the prefixes of a query that setTokens
// accepts begin, in term_stats: for the sets and the folded half of a
// term, the folded tokens, which the sets hold; for the exact half, any.
// The lists (see expansion) are in the order of the tokens. ok is false
// when a prefix begins more than maxPrefixTokens tokens.
func expandPrefixes(ctx context.Context, tx *sql.Tx, text query.Node) (ex *expansion, ok bool, err error) {
	ex = &expansion{tokens: [2]map[string][]string{{}, {}}}
	var prefixes []*query.Term
	query.Walk(text, func(n query.Node) bool {
		if t, isTerm := n.(*query.Term); isTerm && t.Prefix {
			prefixes = append(prefixes, t)
		}
		return true
	})
	// find lists the tokens of term_stats that prefix begins, those that
	// are their own folded form only when folded is set.
	find := func(prefix string, folded bool) ([]string, bool, error) {
		cond, args := prefixRange(prefix)
		rows, err := tx.QueryContext(ctx, `SELECT token FROM term_stats WHERE `+cond+` AND df > 0 ORDER BY token`, args...)
		if err != nil {
			return nil, false, queryError(ctx, err)
		}
		defer rows.Close()
		var found []string
		for rows.Next() {
			var tok string
			if err := rows.Scan(&tok); err != nil {
				return nil, false, queryError(ctx, err)
			}
			if strings.Contains(tok, "_") || folded && viet.Fold(tok) != tok {
				continue
			}
			if len(found) == maxPrefixTokens {
				return nil, false, nil
			}
			found = append(found, tok)
		}
		if err := rows.Err(); err != nil {
			return nil, false, queryError(ctx, err)
		}
		return found, true, nil
	}
	for _, t := range prefixes {
		for half, prefix := range [2][]string{t.Exact, t.Folded} {
			if len(prefix) != 1 || half == 0 && t.Columns().Exact == nil {
				continue
			}
			if _, done := ex.tokens[half][prefix[0]]; done {
				continue
			}
			found, fits, err := find(prefix[0], half == 1)
			if err != nil || !fits {
				return nil, false, err
			}
			ex.tokens[half][prefix[0]] = found
		}
	}
	return ex, true, nil
}

// close releases the reader's statements.
func (r *setReader) close() {
	for _, st := range []*sql.Stmt{r.all, r.group} {
		if st != nil {
			st.Close()
		}
	}
	if r.phrases != nil {
		r.phrases.close()
	}
}

// readPhrases reads the sets of the phrases among toks (see phraseKey) in
// chunks lo to hi, and returns the other tokens.
func (r *setReader) readPhrases(toks []string, lo, hi int64) ([]string, error) {
	var plain []string
	for _, tok := range toks {
		if !strings.HasPrefix(tok, phraseMark) {
			plain = append(plain, tok)
			continue
		}
		pr, err := r.phraseReader()
		if err != nil {
			return nil, err
		}
		if b := r.phraseChunks; b != nil {
			lo, hi = max(lo, b[0]), min(hi, b[1])
		}
		r.bounds = [2]int64{lo, hi}
		if r.excluded[tok] {
			continue // checked by eval where it is excluded
		}
		if err := pr.read(tok, r.set(tok), lo, hi); err != nil {
			return nil, err
		}
	}
	return plain, nil
}

// phraseReader returns the reader of phrases, made when first needed.
func (r *setReader) phraseReader() (*phraseReader, error) {
	if r.phrases == nil {
		if r.dict == nil {
			return nil, errors.New("sqlite: token sets: a phrase without the token dictionary")
		}
		pr, err := newPhraseReader(r.ctx, r.tx, r.dict, r.seqs)
		if err != nil {
			return nil, err
		}
		pr.counts, pr.bounds = r.counts, r.phraseChunks
		r.phrases = pr
	}
	return r.phrases, nil
}

// prepare prepares *st once.
func (r *setReader) prepare(st **sql.Stmt, query string) (*sql.Stmt, error) {
	if *st == nil {
		p, err := r.tx.PrepareContext(r.ctx, query)
		if err != nil {
			return nil, queryError(r.ctx, err)
		}
		*st = p
	}
	return *st, nil
}

// readAll reads the whole sets of toks, whose newest group is top (see
// maxGroup): one range of rows per group.
func (r *setReader) readAll(toks []string, top int64) error {
	toks, err := r.readPhrases(toks, 0, (top+1)<<groupBits-1)
	if err != nil {
		return err
	}
	st, err := r.prepare(&r.all, `WITH RECURSIVE g(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM g WHERE n < ?)
		SELECT t.chunk, t.ids FROM g CROSS JOIN token_sets t ON t.grp = g.n AND t.token = ?`)
	if err != nil {
		return err
	}
	return r.readTokens(toks, st, `WITH RECURSIVE g(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM g WHERE n < ?)
		SELECT t.token, t.chunk, t.ids FROM g CROSS JOIN token_sets t
		ON t.grp = g.n AND t.token >= ? AND t.token < ?`, top)
}

// readGroup adds group g of the sets of toks.
func (r *setReader) readGroup(g int64, toks []string) error {
	toks, err := r.readPhrases(toks, g<<groupBits, (g+1)<<groupBits-1)
	if err != nil {
		return err
	}
	st, err := r.prepare(&r.group, `SELECT chunk, ids FROM token_sets WHERE grp = ? AND token = ?`)
	if err != nil {
		return err
	}
	return r.readTokens(toks, st, `SELECT token, chunk, ids FROM token_sets WHERE grp = ? AND token >= ? AND token < ?`, g)
}

// readTokens reads the sets of toks with st (arguments: groups, then the
// token) or, for a prefix, with the statement byRange (arguments: groups,
// then the bounds of the prefix's tokens; see readRange).
func (r *setReader) readTokens(toks []string, st *sql.Stmt, byRange string, groups any) error {
	for _, tok := range toks {
		var err error
		if prefix, ok := strings.CutSuffix(tok, prefixMark); ok {
			lo, hi := prefixBounds(prefix)
			err = r.readRange(byRange, prefix, groups, lo, hi)
		} else {
			err = r.readRows(st, tok, groups, tok)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// maxGroup returns the newest group the sets hold, or -1.
func (r *setReader) maxGroup() (int64, error) {
	var g sql.NullInt64
	if err := r.tx.QueryRowContext(r.ctx, `SELECT max(grp) FROM token_sets`).Scan(&g); err != nil {
		return 0, queryError(r.ctx, err)
	}
	if !g.Valid {
		return -1, nil
	}
	return g.Int64, nil
}

// visitAll calls visit for each article p's query matches, from the
// newest down, reading the sets whole (one range of rows per token; top is
// the newest group, see maxGroup), until visit returns false.
func (r *setReader) visitAll(p *plan, top int64, visit func(id int64) bool) error {
	clear(r.read)
	if err := r.readAll(p.setToks, top); err != nil {
		return err
	}
	set, err := r.eval(p.text)
	if err != nil {
		return err
	}
	set.Descending(visit)
	return nil
}

// visitGroup calls visit for each article p's query matches among IDs lo
// to hi, which lie in one group of the sets, from the newest down, until
// visit returns false. It reads the group's sets alone.
func (r *setReader) visitGroup(p *plan, lo, hi int64, visit func(id int64) bool) error {
	clear(r.read)
	if err := r.readGroup(lo>>blockBits, p.setToks); err != nil {
		return err
	}
	set, err := r.eval(p.text)
	if err != nil {
		return err
	}
	set.DescendingIn(lo, hi+1, visit)
	return nil
}

// set returns the set read for key, a token or a prefix with prefixMark.
func (r *setReader) set(key string) *idset.Set {
	s := r.read[key]
	if s == nil {
		s = &idset.Set{}
		r.read[key] = s
	}
	return s
}

// readRange adds the (token, chunk, ids) rows of stmt, a range of tokens,
// to the set of prefix, for the tokens prefix begins (r.prefixes).
func (r *setReader) readRange(stmt, prefix string, args ...any) error {
	s, in := r.set(prefix+prefixMark), r.prefixes[prefix]
	rows, err := r.tx.QueryContext(r.ctx, stmt, args...)
	if err != nil {
		return queryError(r.ctx, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			tok   sql.RawBytes
			chunk int64
			ids   sql.RawBytes
		)
		if err := rows.Scan(&tok, &chunk, &ids); err != nil {
			return queryError(r.ctx, err)
		}
		if !in[string(tok)] {
			continue
		}
		if err := s.AddChunk(chunk, ids); err != nil {
			return fmt.Errorf("sqlite: token set of %q, chunk %d: %w", tok, chunk, err)
		}
	}
	if err := rows.Err(); err != nil {
		return queryError(r.ctx, err)
	}
	return nil
}

// readRows adds the (chunk, ids) rows st returns to the set of tok.
func (r *setReader) readRows(st *sql.Stmt, tok string, args ...any) error {
	s := r.set(tok)
	rows, err := st.QueryContext(r.ctx, args...)
	if err != nil {
		return queryError(r.ctx, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			chunk int64
			ids   sql.RawBytes
		)
		if err := rows.Scan(&chunk, &ids); err != nil {
			return queryError(r.ctx, err)
		}
		if err := s.AddChunk(chunk, ids); err != nil {
			return fmt.Errorf("sqlite: token set of %q, chunk %d: %w", tok, chunk, err)
		}
	}
	if err := rows.Err(); err != nil {
		return queryError(r.ctx, err)
	}
	return nil
}

// eval returns the set of articles a tree accepted by setTokens matches
// among the sets read so far: a new set the caller may change. A prefix
// matches the articles of the tokens it begins (see readRange).
func (r *setReader) eval(n query.Node) (*idset.Set, error) {
	switch n := n.(type) {
	case *query.Term:
		key := n.Folded[0]
		switch {
		case phraseTerm(n, n.Columns()):
			key = phraseKey(n)
		case n.Prefix:
			key += prefixMark
		}
		if s := r.read[key]; s != nil {
			return s.Clone(), nil
		}
		return &idset.Set{}, nil
	case *query.Or:
		out := &idset.Set{}
		for _, ch := range n.Children {
			s, err := r.eval(ch)
			if err != nil {
				return nil, err
			}
			out.Or(s)
		}
		return out, nil
	case *query.And:
		var (
			out  *idset.Set
			negs []*idset.Set
		)
		var excluded []*query.Term
		for _, ch := range n.Children {
			if not, ok := ch.(*query.Not); ok {
				if t, ok := not.Child.(*query.Term); ok && phraseTerm(t, t.Columns()) && r.excluded[phraseKey(t)] {
					excluded = append(excluded, t)
					continue
				}
				s, err := r.eval(not.Child)
				if err != nil {
					return nil, err
				}
				negs = append(negs, s)
				continue
			}
			s, err := r.eval(ch)
			if err != nil {
				return nil, err
			}
			if out == nil {
				out = s
			} else {
				out.And(s)
			}
		}
		if out == nil {
			return nil, posError(n, "this group only excludes: add a word it must contain")
		}
		for _, s := range negs {
			out.AndNot(s)
		}
		// The phrases excluded here alone: checked among the articles
		// left, not over the archive.
		for _, t := range excluded {
			if out.Len() == 0 {
				break
			}
			pr, err := r.phraseReader()
			if err != nil {
				return nil, err
			}
			var s idset.Set
			if err := pr.readWithin(phraseKey(t), out, &s, r.bounds[0], r.bounds[1]); err != nil {
				return nil, err
			}
			out.AndNot(&s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("sqlite: cannot evaluate query node %T on token sets", n)
}
