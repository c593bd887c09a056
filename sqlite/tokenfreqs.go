package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"modernc.org/libc"

	"github.com/diembao/diembao/internal/idset"
	"github.com/diembao/diembao/internal/tokfreq"
	"github.com/diembao/diembao/query"
)

// The token counts (table token_freqs, migration 0006) hold, for every
// token of the title and body columns and their folded forms, how many
// times each article holds it in each of those four columns, by chunks of
// tokfreq.ChunkSize IDs grouped like token_sets (see freqGroupOf). A search
// that the token sets answer scores its relevance window from them (see
// scoreWindow): BM25
// needs, for a phrase of one token, nothing else than these counts, the
// article's length and the token's document frequency, and reading a
// window's counts costs a few milliseconds where FTS5 walks every match
// between the window's first and last article.

// freqGroupBits is the base-2 logarithm of the number of chunks of counts
// whose rows token_freqs keeps together: a group covers the IDs of a group
// of token_sets.
const freqGroupBits = groupBits + idset.ChunkBits - tokfreq.ChunkBits

// freqGroupOf returns the group of a chunk of counts.
func freqGroupOf(chunk int64) int64 { return chunk >> freqGroupBits }

// freqChange is one change of a token's counts: article id's counts
// become counts (none: it no longer holds the token).
type freqChange struct {
	id     int64
	counts tokfreq.Counts
}

// freqsName is the SQL function diembao_freqs(a, b): the stored chunk of
// counts holding a's articles and b's, b's replacing a's (see
// tokfreq.Merge).
const freqsName = "diembao_freqs"

// freqSQL are the statements on one chunk of a token's counts.
var freqSQL = chunkStatements("token_freqs", "freqs", freqsName)

// applyFreqs writes the count changes the writer gathered to token_freqs:
// first the counts of new articles, merged into the stored chunks in the
// table's order, then each chunk that other changes touch, read and
// written once.
func (w *writer) applyFreqs() error {
	var adds []chunkRow
	byChunk := map[chunkKey][]freqChange{}
	for tok, d := range w.tokens {
		for _, r := range d.freqAdds {
			adds = append(adds, chunkRow{freqGroupOf(r.chunk), tok, r.chunk, r.counts.Bytes()})
		}
		for _, ch := range d.freqs {
			k, _ := tokfreq.ChunkOf(ch.id)
			byChunk[chunkKey{tok, k}] = append(byChunk[chunkKey{tok, k}], ch)
		}
	}
	if err := w.upsertRows(&w.freqAdd, freqSQL.add, adds); err != nil {
		return fmt.Errorf("sqlite: token counts: %w", err)
	}
	for _, k := range sortedKeys(byChunk, freqGroupOf) {
		if err := w.applyFreqChunk(k.token, k.chunk, byChunk[k]); err != nil {
			return fmt.Errorf("sqlite: token counts of %q, chunk %d: %w", k.token, k.chunk, err)
		}
	}
	return nil
}

// applyFreqChunk applies changes to one chunk of a token's counts, in
// order.
func (w *writer) applyFreqChunk(tok string, chunk int64, changes []freqChange) error {
	read, err := w.prepared(&w.freqRead, freqSQL.read)
	if err != nil {
		return err
	}
	var stored []byte
	if err := read.QueryRowContext(w.ctx, freqGroupOf(chunk), tok, chunk).Scan(&stored); err != nil && err != sql.ErrNoRows {
		return err
	}
	entries, err := tokfreq.Decode(stored)
	if err != nil {
		return err
	}
	for _, ch := range changes {
		_, off := tokfreq.ChunkOf(ch.id)
		entries = tokfreq.Set(entries, off, &ch.counts)
	}
	if len(entries) == 0 {
		del, err := w.prepared(&w.freqDelete, freqSQL.delete)
		if err == nil {
			_, err = del.ExecContext(w.ctx, freqGroupOf(chunk), tok, chunk)
		}
		return err
	}
	put, err := w.prepared(&w.freqWrite, freqSQL.write)
	if err == nil {
		_, err = put.ExecContext(w.ctx, freqGroupOf(chunk), tok, chunk, tokfreq.Encode(entries))
	}
	return err
}

// freqsFunction is diembao_freqs(a, b) (see freqsName), registered with
// SQLite's C API like diembao_union.
func freqsFunction(tls *libc.TLS, ctx uintptr, argc int32, argv uintptr) {
	if argc != 2 {
		resultError(tls, ctx, freqsName+": want two arguments")
		return
	}
	out, err := tokfreq.Merge(blobArg(tls, argv, 0), blobArg(tls, argv, 1))
	if err != nil {
		resultError(tls, ctx, freqsName+": "+err.Error())
		return
	}
	resultBlob(tls, ctx, out)
}

// freqColumns names the columns token_freqs counts, in the order of
// tokfreq.Counts.
var freqColumns = func() (names [tokfreq.Columns]string) {
	copy(names[:], ranking.Columns[:tokfreq.Columns])
	return names
}()

// fillTokenFreqs fills token_freqs from the full-text index, for the
// migration that creates it: FTS5's instances of every token in the
// counted columns (fts5vocab 'instance'), which come by token, then
// article. The instances (hundreds of millions at a million articles) are
// handed to Go inside the statement (see visitName), not returned as rows;
// the tokens are taken in ranges (see fillRanges) whose rows are written
// after each.
func fillTokenFreqs(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `CREATE VIRTUAL TABLE temp.article_instances USING fts5vocab(main, 'article_index', 'instance')`); err != nil {
		return err
	}
	defer tx.ExecContext(ctx, `DROP TABLE temp.article_instances`)
	put, err := tx.PrepareContext(ctx, freqSQL.write)
	if err != nil {
		return err
	}
	defer put.Close()
	bounds, err := fillRanges(ctx, tx, fillRangePostings)
	if err != nil {
		return err
	}
	f := &instanceFill{id: -1, chunk: -1}
	h, done := registerVisitor(f.visit)
	defer done()
	const walk = `SELECT count(*) FROM temp.article_instances WHERE term >= ?`
	filter := ` AND col IN (?, ?, ?, ?) AND ` + visitName + `(?, term, doc, col)`
	for i, lo := range bounds {
		stmt, args := walk, []any{lo}
		if i+1 < len(bounds) {
			stmt, args = stmt+` AND term < ?`, append(args, bounds[i+1])
		}
		args = append(args, freqColumns[0], freqColumns[1], freqColumns[2], freqColumns[3], h)
		var none int64
		if err := tx.QueryRowContext(ctx, stmt+filter, args...).Scan(&none); err != nil {
			return err
		}
		f.entry()
		f.flush()
		f.id = -1
		for _, r := range f.rows {
			if _, err := put.ExecContext(ctx, freqGroupOf(r.chunk), r.token, r.chunk, r.freqs); err != nil {
				return err
			}
		}
		f.rows = f.rows[:0]
	}
	return nil
}

// fillRangePostings is about how many articles of tokens (the sum of
// their document frequencies) a range of fillTokenFreqs holds: the rows of
// a range are kept in memory until it is written, a few bytes an article.
// A variable for tests.
var fillRangePostings int64 = 4 << 20

// fillRanges returns the lower bounds of ranges of tokens, in order, the
// first "", each holding about postings articles of tokens by term_stats.
func fillRanges(ctx context.Context, tx *sql.Tx, postings int64) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT token, df FROM term_stats ORDER BY token`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	bounds := []string{""}
	var sum int64
	for rows.Next() {
		var (
			tok string
			df  int64
		)
		if err := rows.Scan(&tok, &df); err != nil {
			return nil, err
		}
		if sum >= postings {
			bounds, sum = append(bounds, tok), 0
		}
		sum += df
	}
	return bounds, rows.Err()
}

// instanceFill builds the rows of token_freqs from FTS5's instances, in
// the order of the token, then the article.
type instanceFill struct {
	// tok and id are the token and article being counted; chunk and buf
	// the chunk of the token's counts being built.
	tok    string
	id     int64
	counts tokfreq.Counts
	chunk  int64
	buf    tokfreq.Builder
	// rows are the finished rows, to write.
	rows []filledRow
}

// filledRow is a row of token_freqs.
type filledRow struct {
	token string
	chunk int64
	freqs []byte
}

// add counts one instance of term in article doc, column col (an index of
// freqColumns).
func (f *instanceFill) add(term []byte, doc int64, col int) error {
	if string(term) != f.tok || doc != f.id {
		f.entry()
		if string(term) != f.tok {
			if string(term) < f.tok {
				return errors.New("fts5vocab: instances out of token order")
			}
			f.flush()
			f.tok = string(term)
		} else if doc < f.id {
			return errors.New("fts5vocab: instances out of article order")
		}
		f.id = doc
	}
	f.counts[col]++
	return nil
}

// entry adds the counts of (tok, id) to the chunk being built, finishing
// the chunk before when id is in another.
func (f *instanceFill) entry() {
	if f.id < 0 {
		return
	}
	k, off := tokfreq.ChunkOf(f.id)
	if k != f.chunk {
		f.flush()
		f.chunk = k
	}
	f.buf.Add(off, &f.counts)
	f.counts = tokfreq.Counts{}
}

// flush finishes the chunk being built.
func (f *instanceFill) flush() {
	if b := f.buf.Bytes(); f.chunk >= 0 && len(b) > 0 {
		f.rows = append(f.rows, filledRow{f.tok, f.chunk, b})
	}
	f.buf, f.chunk = tokfreq.Builder{}, -1
}

// visit counts the instance of one call of diembao_visit(h, term, doc,
// col).
func (f *instanceFill) visit(args visitArgs) error {
	if args.argc != 3 {
		return errors.New("fill: want a term, a document and a column")
	}
	col := args.bytes(2)
	i := slices.IndexFunc(freqColumns[:], func(name string) bool { return string(col) == name })
	if i < 0 {
		return fmt.Errorf("fts5vocab: unexpected column %q", col)
	}
	return f.add(args.bytes(0), args.int64(1), i)
}

// indexTotals returns what FTS5 keeps of the whole index for bm25(): the
// number of rows and the total length of all their columns in tokens (the
// values of xRowCount and xColumnTotalSize(-1)), from the "averages"
// record of its data table.
func indexTotals(ctx context.Context, tx *sql.Tx) (rows, total int64, err error) {
	var b []byte
	if err := tx.QueryRowContext(ctx, `SELECT block FROM article_index_data WHERE id = 1`).Scan(&b); err != nil {
		if err == sql.ErrNoRows {
			return 0, 0, nil
		}
		return 0, 0, err
	}
	n, k := sqliteVarint(b)
	if k == 0 {
		return 0, 0, errors.New("sqlite: corrupt full-text averages record")
	}
	rows, b = int64(n), b[k:]
	for range ranking.Columns {
		v, k := sqliteVarint(b)
		if k == 0 {
			return 0, 0, errors.New("sqlite: corrupt full-text averages record")
		}
		total += int64(v)
		b = b[k:]
	}
	return rows, total, nil
}

// ftsPhrase is one phrase of a MATCH expression as FTS5 numbers them: its
// tokens, searched as a prefix or not, in columns (positions in
// ranking.Columns), counting for the query's phrase logical (see
// ranker.logical); from is the prefix a token of an expansion was
// written for.
type ftsPhrase struct {
	tokens  []string
	prefix  bool
	cols    []int
	logical int
	from    string
}

// scoreNode is the scoring expression of a search as FTS5 evaluates it on
// an article, for the phrases whose instances diembao_rank sees: only
// those of terms on a path of nodes that all match the article. A phrase
// under an AND that does not match, or under a NOT, is not on the row
// FTS5 stands on, and reports no instance ("mưa lũ OR sạt" on an article
// without "lũ" counts "sạt" alone).
type scoreNode struct {
	kind     byte // 't' term, '&' and, '|' or
	children []*scoreNode
	// not holds an AND's exclusions.
	not []*scoreNode
	// lo and hi bound a term's phrases of the query (see ranker.logical).
	lo, hi int
}

// scoreTree builds the scoreNode of a positive text tree, numbering the
// phrases of its terms from *next as expr does: an AND's children before
// its exclusions, a term's exact phrase (when it has one) before its
// folded one.
func scoreTree(n query.Node, next *int) (*scoreNode, bool) {
	switch n := n.(type) {
	case *query.Term:
		k := 2
		if n.Columns().Exact == nil {
			k = 1
		}
		t := &scoreNode{kind: 't', lo: *next, hi: *next + k}
		*next += k
		return t, true
	case *query.Or:
		out := &scoreNode{kind: '|'}
		for _, ch := range n.Children {
			c, ok := scoreTree(ch, next)
			if !ok {
				return nil, false
			}
			out.children = append(out.children, c)
		}
		return out, true
	case *query.And:
		out := &scoreNode{kind: '&'}
		for _, ch := range n.Children {
			if _, not := ch.(*query.Not); !not {
				c, ok := scoreTree(ch, next)
				if !ok {
					return nil, false
				}
				out.children = append(out.children, c)
			}
		}
		for _, ch := range n.Children {
			if not, ok := ch.(*query.Not); ok {
				c, ok := scoreTree(not.Child, next)
				if !ok {
					return nil, false
				}
				out.not = append(out.not, c)
			}
		}
		return out, true
	}
	return nil, false
}

// matches reports whether the node matches an article that holds the
// phrases has marks.
func (n *scoreNode) matches(has []bool) bool {
	switch n.kind {
	case 't':
		return slices.Contains(has[n.lo:n.hi], true)
	case '&':
		for _, c := range n.children {
			if !c.matches(has) {
				return false
			}
		}
		for _, c := range n.not {
			if c.matches(has) {
				return false
			}
		}
		return true
	}
	for _, c := range n.children {
		if c.matches(has) {
			return true
		}
	}
	return false
}

// mark marks in seen the phrases whose instances count on an article the
// node matches.
func (n *scoreNode) mark(has, seen []bool) {
	switch n.kind {
	case 't':
		for l := n.lo; l < n.hi; l++ {
			seen[l] = has[l]
		}
	case '&':
		for _, c := range n.children {
			c.mark(has, seen)
		}
	default:
		for _, c := range n.children {
			if c.matches(has) {
				c.mark(has, seen)
			}
		}
	}
}

// scoreWindow scores the articles of win (lo and hi its first and last) as
// diembao_rank scores them with rk for the match that expand left in p,
// from token_freqs, newest first. It reports false, having read nothing,
// when the counts cannot score the match: a phrase of several tokens
// whose instances were not counted, a column they do not count, or
// articles whose length is not in memory. The match must match every
// article of win, unless p.optional is set (a boost): then the articles
// it does not match are left out.
func (s *SearchService) scoreWindow(ctx context.Context, tx *sql.Tx, p *plan, rk *ranker, win *idset.Set, lo, hi int64) ([]scored, bool, error) {
	if s.noFreqs || rk.lengths == nil || hi >= int64(len(rk.lengths)) {
		return nil, false, nil
	}
	ex := &expansion{record: true}
	if p.ex != nil {
		ex.tokens = p.ex.tokens
	}
	if _, _, err := scoreMatch(p.text, ex); err != nil {
		return nil, false, err
	}
	if len(rk.dfs) == 0 {
		return nil, false, nil
	}
	next := 0
	tree, ok := scoreTree(positive(p.text), &next)
	if !ok || next != len(rk.dfs) {
		return nil, false, nil
	}
	byToken := map[string][]int{}
	// The rows are read by token, and those of a prefix's tokens as the
	// prefix's range of tokens: a statement per group and prefix instead
	// of one per group and token.
	var plain, prefixes []string
	var multi []int // the phrases of several tokens
	for i, ph := range ex.phrases {
		if ph.prefix {
			// A prefix left as such begins no token (see expandPrefixes):
			// it holds no instance.
			continue
		}
		if slices.ContainsFunc(ph.cols, func(c int) bool { return c >= tokfreq.Columns }) || ph.logical >= len(rk.dfs) {
			return nil, false, nil
		}
		if len(ph.tokens) > 1 {
			// A phrase the sets answered: its instances were counted
			// in the articles found (see phraseReader).
			if p.phraseCounts[countKey(ph.cols[0]%2 == 0, ph.tokens)] == nil {
				return nil, false, nil
			}
			multi = append(multi, i)
			continue
		}
		if len(ph.tokens) != 1 {
			return nil, false, nil
		}
		tok := ph.tokens[0]
		byToken[tok] = append(byToken[tok], i)
		switch {
		case ph.from != "" && !slices.Contains(prefixes, ph.from):
			prefixes = append(prefixes, ph.from)
		case ph.from == "" && !slices.Contains(plain, tok):
			plain = append(plain, tok)
		}
	}
	var ids []int64
	win.DescendingIn(lo, hi+1, func(id int64) bool {
		ids = append(ids, id)
		return true
	})
	at := make(map[int64]int32, len(ids))
	chunks := map[int64]bool{}
	for i, id := range ids {
		if rk.lengths[id] == 0 {
			return nil, false, nil
		}
		at[id] = int32(i)
		k, _ := tokfreq.ChunkOf(id)
		chunks[k] = true
	}
	nl := len(rk.dfs)
	// counts[(i*nl+logical)*Columns+c]: article i's instances of a
	// logical phrase in column c.
	counts := make([]uint32, len(ids)*nl*tokfreq.Columns)
	// add adds the counts of one stored chunk of a token to those of the
	// window's articles.
	add := func(tok []byte, chunk int64, b []byte) error {
		phrases := byToken[string(tok)]
		if len(phrases) == 0 || !chunks[chunk] {
			return nil
		}
		err := tokfreq.Each(b, func(off uint16, c *tokfreq.Counts) {
			id := chunk<<tokfreq.ChunkBits | int64(off)
			if !win.Has(id) {
				return
			}
			i := int(at[id])
			for _, pi := range phrases {
				ph := &ex.phrases[pi]
				base := (i*nl + ph.logical) * tokfreq.Columns
				for _, col := range ph.cols {
					counts[base+col] += c[col]
				}
			}
		})
		if err != nil {
			return fmt.Errorf("sqlite: token counts of %q, chunk %d: %w", tok, chunk, err)
		}
		return nil
	}
	for _, pi := range multi {
		ph := &ex.phrases[pi]
		found := p.phraseCounts[countKey(ph.cols[0]%2 == 0, ph.tokens)]
		for i, id := range ids {
			c, ok := found[id]
			if !ok {
				continue
			}
			base := (i*nl + ph.logical) * tokfreq.Columns
			for _, col := range ph.cols {
				// c holds the title's instances, then the body's.
				counts[base+col] += c[col/2]
			}
		}
	}
	type read struct {
		stmt string
		args []any
	}
	var reads []read
	for _, tok := range plain {
		reads = append(reads, read{`token = ?`, []any{tok}})
	}
	for _, prefix := range prefixes {
		cond, args := prefixRange(prefix)
		reads = append(reads, read{cond, args})
	}
	// The rows come to add inside the statement (see visitName).
	h, done := registerVisitor(func(args visitArgs) error {
		if args.argc != 3 {
			return errors.New("token counts: want a token, a chunk and its counts")
		}
		return add(args.bytes(0), args.int64(1), args.bytes(2))
	})
	defer done()
	// Only the groups that hold articles of the window are read, and in
	// each the range of its chunks that do, or a list of them when they
	// are fewer than half of that range: a window spread over the archive
	// (a date order's page when the dates do not follow the IDs, a rare
	// word beside a common one) would otherwise read every row of its
	// tokens between its first and last article, while a range read
	// whole costs less than a list (a date range over such an archive,
	// whose window holds a few articles of every chunk: 69–75 ms p50
	// with ranges, 89–94 with lists, a million articles, empty cache).
	byGroup := map[int64][]int64{}
	var groups []int64
	for k := range chunks {
		g := freqGroupOf(k)
		if byGroup[g] == nil {
			groups = append(groups, g)
		}
		byGroup[g] = append(byGroup[g], k)
	}
	slices.Sort(groups)
	type chunkCond struct {
		sql  string
		args []any
	}
	conds := make([]chunkCond, len(groups))
	for i, g := range groups {
		list := byGroup[g]
		slices.Sort(list)
		first, last := list[0], list[len(list)-1]
		conds[i] = chunkCond{` AND chunk BETWEEN ? AND ?`, []any{first, last}}
		if 2*int64(len(list)) < last-first+1 {
			c := chunkCond{sql: ` AND chunk IN (` + strings.TrimSuffix(strings.Repeat("?,", len(list)), ",") + `)`}
			for _, k := range list {
				c.args = append(c.args, k)
			}
			conds[i] = c
		}
	}
	for _, r := range reads {
		for i, g := range groups {
			var none int64
			err := tx.QueryRowContext(ctx, `SELECT count(*) FROM token_freqs WHERE grp = ? AND `+r.stmt+conds[i].sql+
				` AND `+visitName+`(?, token, chunk, freqs)`,
				append(append(append([]any{g}, r.args...), conds[i].args...), h)...).Scan(&none)
			if err != nil {
				return nil, false, queryError(ctx, err)
			}
		}
	}
	n, total, err := indexTotals(ctx, tx)
	if err != nil {
		return nil, false, queryError(ctx, err)
	}
	avgdl := 1.0
	if n > 0 {
		avgdl = float64(total) / float64(n)
	}
	idf := make([]float64, nl)
	for i, dfs := range rk.dfs {
		idf[i] = query.PhraseIDF(n, dfs)
	}
	out := make([]scored, 0, len(ids))
	freq := make([]float64, nl)
	has, seen := make([]bool, nl), make([]bool, nl)
	for i, id := range ids {
		row := counts[i*nl*tokfreq.Columns : (i+1)*nl*tokfreq.Columns]
		for l := range has {
			has[l] = slices.ContainsFunc(row[l*tokfreq.Columns:(l+1)*tokfreq.Columns], func(n uint32) bool { return n > 0 })
			seen[l] = false
		}
		if !tree.matches(has) {
			if p.optional {
				continue
			}
			return nil, false, nil
		}
		tree.mark(has, seen)
		// Each instance adds its column's weight, in column order, as
		// diembao_rank adds them: the same sums to the bit.
		for l := range freq {
			freq[l] = 0
			if !seen[l] {
				continue
			}
			for c, n := range row[l*tokfreq.Columns : (l+1)*tokfreq.Columns] {
				for range n {
					freq[l] += rk.weights[c]
				}
			}
		}
		out = append(out, scored{ID: id, Score: query.BM25(freq, idf, float64(rk.lengths[id]), avgdl)})
	}
	return out, true, nil
}
