package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"modernc.org/libc"

	"github.com/diembao/diembao/internal/idset"
	"github.com/diembao/diembao/internal/pairidx"
	"github.com/diembao/diembao/internal/seqlog"
	"github.com/diembao/diembao/internal/tokseq"
	"github.com/diembao/diembao/query"
	"github.com/diembao/diembao/viet"
)

// Phrases (tables token_ids and token_pairs, migration 0007, and the token
// sequences, see seqdata.go) are answered from each article's sequence of
// token IDs and an index of the adjacent pairs of folded tokens: the pairs
// of a phrase give its candidate articles, few even when its words are in
// most articles, and each candidate's sequence says whether and how many
// times it holds the phrase, in which column, exactly or folded. FTS5 would
// read the position lists of the phrase's words over the whole archive.

// pairsMergeName is the SQL function diembao_pairs_merge(a, b): the union
// of two rows of token_pairs (see pairsMergeFunction).
const pairsMergeName = "diembao_pairs_merge"

const pairsUpsertSQL = `INSERT INTO token_pairs (id, entries) VALUES (?, ?)
	ON CONFLICT (id) DO UPDATE SET entries = ` + pairsMergeName + `(entries, excluded.entries)`

// pairsRow returns the ID of the row of token_pairs of a bucket, chunk and
// part (see migration 0007).
func pairsRow(bucket int, chunk int64, part int) int64 {
	return int64(bucket)<<44 | chunk<<pairidx.ChunkBits | int64(part)
}

// maxPairParts is how many parts a chunk's rows of token_pairs may have
// before the writer merges them (see seqWriter.compact). A variable for
// tests.
var maxPairParts = 16

// seqTokens is what the writer needs of an index entry for its token
// sequence and pairs, worked out with the analysis, on every processor:
// the IDs of the exact tokens of the title and body (0 where the
// dictionary had none then; missing holds those tokens, in order), how
// many folded tokens each folded column holds, and the entry's pairs (see
// pairidx.Pairs).
type seqTokens struct {
	title, body   []uint32
	missing       []string
	titleF, bodyF int
	pairs         []uint64
}

// newSeqTokens returns the seqTokens of an entry whose title and body hold
// the exact tokens title and body and the folded ones titleF and bodyF,
// looking the tokens up in dict.
func newSeqTokens(dict *tokenDict, title, titleF, body, bodyF []string) seqTokens {
	st := seqTokens{titleF: len(titleF), bodyF: len(bodyF), pairs: pairidx.Pairs(nil, titleF, bodyF)}
	dict.mu.RLock()
	defer dict.mu.RUnlock()
	ids := func(toks []string) []uint32 {
		out := make([]uint32, len(toks))
		for i, tok := range toks {
			if out[i] = dict.ids[tok]; out[i] == 0 {
				st.missing = append(st.missing, tok)
			}
		}
		return out
	}
	st.title, st.body = ids(title), ids(body)
	return st
}

// tokenDict is an in-memory copy of token_ids: the ID of every token and
// the folded ID of every ID. IDs are only ever added and never change, so
// a copy read in any snapshot stays true in every later one; it is brought
// up to date when a writer is about to add tokens or a reader meets an ID
// past it.
type tokenDict struct {
	mu  sync.RWMutex
	ids map[string]uint32
	// fold[id] is the ID of id's folded form, 0 when it is empty (a
	// lone combining mark); fold[0] stands for no token.
	fold []uint32
	// next[id] is the next ID after id with the same folded form, 0 past
	// the last: the IDs folding to a folded ID f are f and those its
	// chain leads to. empty holds the IDs whose folded form is empty.
	// A phrase's matcher needs the IDs folding to its last token (see
	// marked), which would otherwise take a walk over the whole of fold.
	next  []uint32
	empty []uint32
}

// marked returns the IDs below n folding to the folded ID f or to
// nothing, those a phrase ending in f marks (see tokseq.NewMatcherOf).
// The caller holds d.mu for reading.
func (d *tokenDict) marked(f uint32, n int) []uint32 {
	var out []uint32
	for id := f; id != 0 && int(id) < n && int(id) < len(d.next); id = d.next[id] {
		out = append(out, id)
	}
	for _, id := range d.empty {
		if int(id) < n {
			out = append(out, id)
		}
	}
	return out
}

// tokens returns the token of each ID, by ID. The caller holds d.mu or
// owns d.
func (d *tokenDict) tokens() []string {
	tokens := make([]string, len(d.fold))
	for tok, id := range d.ids {
		tokens[id] = tok
	}
	return tokens
}

// refresh reads the IDs past those known, through q. The caller holds
// d.mu for writing.
func (d *tokenDict) refresh(ctx context.Context, q querier) error {
	if d.ids == nil {
		d.ids = map[string]uint32{}
		d.fold, d.next, d.empty = []uint32{0}, []uint32{0}, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT id, token, fold FROM token_ids WHERE id >= ? ORDER BY id`, len(d.fold))
	if err != nil {
		return fmt.Errorf("sqlite: token IDs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id, fold int64
			tok      string
		)
		if err := rows.Scan(&id, &tok, &fold); err != nil {
			return fmt.Errorf("sqlite: token IDs: %w", err)
		}
		if id != int64(len(d.fold)) || fold < 0 || fold > id {
			return fmt.Errorf("sqlite: token IDs: token %q has ID %d and folded ID %d after %d IDs", tok, id, fold, len(d.fold)-1)
		}
		d.ids[tok] = uint32(id)
		d.fold = append(d.fold, uint32(fold))
		d.next = append(d.next, 0)
		switch {
		case fold == 0:
			d.empty = append(d.empty, uint32(id))
		case fold < id:
			// The chain's last ID: the chain of a folded form
			// holds its few spellings.
			last := uint32(fold)
			for d.next[last] != 0 {
				last = d.next[last]
			}
			d.next[last] = uint32(id)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: token IDs: %w", err)
	}
	return nil
}

// seqWriter writes the sequences and pairs of the articles of one
// transaction (which holds the write lock), adding the tokens the
// dictionary lacks.
type seqWriter struct {
	ctx  context.Context
	tx   *sql.Tx
	dict *tokenDict
	// added are the tokens the transaction numbered, not yet in dict
	// (the transaction may still fail).
	added     map[string]uint32
	addedFold []uint32
	next      uint32
	insertID  *sql.Stmt
	putTable  *sql.Stmt
	// pairs are the entries of the pairs written, by chunk and bucket;
	// parts the part each chunk's rows get (the smallest offset written).
	pairs map[int64]*[pairidx.Buckets][]uint64
	parts map[int64]int
	blob  []byte
	// noPairs has put write the sequences only.
	noPairs bool
	// log is the data file the sequences are appended to (see
	// seqdata.go), seqs those not appended yet; nil writes them into the
	// table article_tokens, as migrations before 0011 keep them.
	log  *seqlog.Log
	seqs pendingSeqs
}

// newSeqWriter returns a writer of the transaction tx with the dictionary
// dict, brought up to date.
func newSeqWriter(ctx context.Context, tx *sql.Tx, dict *tokenDict) (*seqWriter, error) {
	dict.mu.Lock()
	err := dict.refresh(ctx, tx)
	next := uint32(len(dict.fold))
	dict.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return &seqWriter{ctx: ctx, tx: tx, dict: dict, added: map[string]uint32{}, next: next,
		pairs: map[int64]*[pairidx.Buckets][]uint64{}, parts: map[int64]int{}}, nil
}

// id returns the ID of a token, numbering it (and its folded form first)
// when new. The caller holds w.dict.mu for reading.
func (w *seqWriter) id(tok string) (uint32, error) {
	if id, ok := w.dict.ids[tok]; ok {
		return id, nil
	}
	if id, ok := w.added[tok]; ok {
		return id, nil
	}
	// The folded column holds the folded form of each token of its exact
	// column, in order, except those whose folded form is empty; no
	// letter, digit or mark folds to several tokens.
	id, fold := w.next, uint32(0)
	switch f := query.IndexTokens(viet.Fold(tok)); {
	case len(f) > 1:
		return 0, fmt.Errorf("sqlite: token sequences: token %q folds to %d tokens", tok, len(f))
	case len(f) == 1 && f[0] == tok:
		fold = id
	case len(f) == 1:
		var err error
		if fold, err = w.id(f[0]); err != nil {
			return 0, err
		}
		id = w.next
	}
	if w.insertID == nil {
		st, err := w.tx.PrepareContext(w.ctx, `INSERT INTO token_ids (id, token, fold) VALUES (?, ?, ?)`)
		if err != nil {
			return 0, fmt.Errorf("sqlite: token IDs: %w", err)
		}
		w.insertID = st
	}
	if _, err := w.insertID.ExecContext(w.ctx, id, tok, fold); err != nil {
		return 0, fmt.Errorf("sqlite: token IDs: %w", err)
	}
	w.next++
	w.added[tok] = id
	w.addedFold = append(w.addedFold, fold)
	return id, nil
}

// foldOf returns the folded ID of an ID the dictionary or the transaction
// numbered. The caller holds w.dict.mu for reading.
func (w *seqWriter) foldOf(id uint32) uint32 {
	if int(id) < len(w.dict.fold) {
		return w.dict.fold[id]
	}
	return w.addedFold[int(id)-len(w.dict.fold)]
}

// column completes the IDs of a column's exact tokens (numbering those
// missing, which *missing holds in order), checking that the folded
// column holds the folded forms of those whose folded form is not empty,
// folded tokens in all.
func (w *seqWriter) column(ids []uint32, missing *[]string, folded int) error {
	n := 0
	for i, id := range ids {
		if id == 0 {
			var err error
			if id, err = w.id((*missing)[0]); err != nil {
				return err
			}
			*missing = (*missing)[1:]
			ids[i] = id
		}
		if w.foldOf(id) != 0 {
			n++
		}
	}
	if n != folded {
		return fmt.Errorf("sqlite: token sequences: %d folded tokens, but %d from the exact ones", folded, n)
	}
	return nil
}

// put writes the sequence of article id's entry and gathers its pairs.
func (w *seqWriter) put(id int64, st *seqTokens) error {
	w.dict.mu.RLock()
	defer w.dict.mu.RUnlock()
	missing := st.missing
	if err := w.column(st.title, &missing, st.titleF); err != nil {
		return err
	}
	if err := w.column(st.body, &missing, st.bodyF); err != nil {
		return err
	}
	w.blob = tokseq.Append(w.blob[:0], tokseq.Seq{Title: st.title, Body: st.body})
	if err := w.putSeq(id, w.blob); err != nil {
		return err
	}
	if !w.noPairs {
		w.addPairs(id, st.pairs)
	}
	return nil
}

// putSeq writes the stored sequence of article id: into the pending
// records of the data file, or into article_tokens.
func (w *seqWriter) putSeq(id int64, seq []byte) error {
	if w.log != nil {
		w.seqs.add(id, seq)
		return nil
	}
	var err error
	if w.putTable == nil {
		if w.putTable, err = w.tx.PrepareContext(w.ctx, `INSERT OR REPLACE INTO article_tokens (id, seq) VALUES (?, ?)`); err != nil {
			return fmt.Errorf("sqlite: token sequences: %w", err)
		}
	}
	if _, err := w.putTable.ExecContext(w.ctx, id, seq); err != nil {
		return fmt.Errorf("sqlite: token sequences: %w", err)
	}
	return nil
}

// addPairs gathers the pairs of article id (see pairidx.Pairs).
func (w *seqWriter) addPairs(id int64, pairs []uint64) {
	chunk, offset := id>>pairidx.ChunkBits, uint64(id&(pairidx.ChunkSize-1))
	buckets := w.pairs[chunk]
	if buckets == nil {
		buckets = new([pairidx.Buckets][]uint64)
		w.pairs[chunk] = buckets
		w.parts[chunk] = int(offset)
	}
	w.parts[chunk] = min(w.parts[chunk], int(offset))
	for _, e := range pairs {
		b := e >> pairidx.EntryBits
		buckets[b] = append(buckets[b], pairidx.AtOffset(e&(1<<pairidx.EntryBits-1), int(offset)))
	}
}

// flush writes the gathered pairs into token_pairs, a part per bucket and
// chunk (see flushBefore).
func (w *seqWriter) flush() error {
	return w.flushBefore(math.MaxInt64)
}

// flushBefore writes the pending sequences, merges the gathered pairs of
// the chunks before chunk end into token_pairs, row by row in the table's
// order, and keeps the others gathered.
func (w *seqWriter) flushBefore(end int64) error {
	if w.log != nil {
		if err := w.flushSeqs(); err != nil {
			return err
		}
	}
	var chunks []int64
	for chunk := range w.pairs {
		if chunk < end {
			chunks = append(chunks, chunk)
		}
	}
	if len(chunks) == 0 {
		return nil
	}
	slices.Sort(chunks)
	st, err := w.tx.PrepareContext(w.ctx, pairsUpsertSQL)
	if err != nil {
		return fmt.Errorf("sqlite: token pairs: %w", err)
	}
	defer st.Close()
	var blob []byte
	// Each chunk gets a part of its own (merged into a stored part of the
	// same number, where a batch replaces articles of an older one).
	for _, chunk := range chunks {
		part := w.parts[chunk]
		for bucket, es := range w.pairs[chunk] {
			if len(es) == 0 {
				continue
			}
			slices.Sort(es)
			blob = pairidx.AppendRow(blob[:0], slices.Compact(es))
			if _, err := st.ExecContext(w.ctx, pairsRow(bucket, chunk, part), blob); err != nil {
				return fmt.Errorf("sqlite: token pairs: %w", err)
			}
		}
		delete(w.pairs, chunk)
		delete(w.parts, chunk)
		if err := w.countPart(chunk); err != nil {
			return err
		}
	}
	return nil
}

// countPart records a part written into chunk, and merges the parts of
// chunk when they are too many, or those of the chunks before it once it
// is begun (their articles are all written, as an import writes them).
func (w *seqWriter) countPart(chunk int64) error {
	var parts int
	if err := w.tx.QueryRowContext(w.ctx, `INSERT INTO token_pair_chunks (chunk, parts) VALUES (?, 1)
		ON CONFLICT (chunk) DO UPDATE SET parts = parts + 1 RETURNING parts`, chunk).Scan(&parts); err != nil {
		return fmt.Errorf("sqlite: token pairs: %w", err)
	}
	if parts > maxPairParts {
		return w.compact(chunk)
	}
	if parts > 1 {
		return nil
	}
	rows, err := w.tx.QueryContext(w.ctx, `SELECT chunk FROM token_pair_chunks WHERE chunk < ? AND parts > 1`, chunk)
	if err != nil {
		return fmt.Errorf("sqlite: token pairs: %w", err)
	}
	var older []int64
	for rows.Next() {
		var c int64
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return fmt.Errorf("sqlite: token pairs: %w", err)
		}
		older = append(older, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: token pairs: %w", err)
	}
	for _, c := range older {
		if err := w.compact(c); err != nil {
			return err
		}
	}
	return nil
}

// compact merges the parts of each bucket's rows of chunk into part 0.
func (w *seqWriter) compact(chunk int64) error {
	var merged, next []byte
	for bucket := range pairidx.Buckets {
		lo, hi := pairsRow(bucket, chunk, 0), pairsRow(bucket, chunk, pairidx.ChunkSize-1)
		rows, err := w.tx.QueryContext(w.ctx, `SELECT entries FROM token_pairs WHERE id BETWEEN ? AND ?`, lo, hi)
		if err != nil {
			return fmt.Errorf("sqlite: token pairs: %w", err)
		}
		merged = merged[:0]
		n := 0
		for rows.Next() {
			var part sql.RawBytes
			if err := rows.Scan(&part); err != nil {
				rows.Close()
				return fmt.Errorf("sqlite: token pairs: %w", err)
			}
			if next, err = pairidx.Merge(next[:0], merged, part); err != nil {
				rows.Close()
				return fmt.Errorf("sqlite: token pairs, bucket %d, chunk %d: %w", bucket, chunk, err)
			}
			merged, next = next, merged
			n++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlite: token pairs: %w", err)
		}
		if n < 2 {
			continue
		}
		if _, err := w.tx.ExecContext(w.ctx, `DELETE FROM token_pairs WHERE id BETWEEN ? AND ?`, lo+1, hi); err != nil {
			return fmt.Errorf("sqlite: token pairs: %w", err)
		}
		if _, err := w.tx.ExecContext(w.ctx, `INSERT OR REPLACE INTO token_pairs (id, entries) VALUES (?, ?)`, lo, merged); err != nil {
			return fmt.Errorf("sqlite: token pairs: %w", err)
		}
	}
	if _, err := w.tx.ExecContext(w.ctx, `UPDATE token_pair_chunks SET parts = 1 WHERE chunk = ?`, chunk); err != nil {
		return fmt.Errorf("sqlite: token pairs: %w", err)
	}
	return nil
}

// close closes the writer's statements.
func (w *seqWriter) close() {
	for _, st := range []*sql.Stmt{w.insertID, w.putTable} {
		if st != nil {
			st.Close()
		}
	}
}

// pairsMergeFunction is diembao_pairs_merge(a, b): the union of two rows of
// token_pairs. It runs for every row a batch adds to, so it is registered
// with SQLite's C API directly, like diembao_union.
func pairsMergeFunction(tls *libc.TLS, ctx uintptr, argc int32, argv uintptr) {
	if argc != 2 {
		resultError(tls, ctx, pairsMergeName+": want two arguments")
		return
	}
	out, err := pairidx.Merge(nil, blobArg(tls, argv, 0), blobArg(tls, argv, 1))
	if err != nil {
		resultError(tls, ctx, pairsMergeName+": "+err.Error())
		return
	}
	resultBlob(tls, ctx, out)
}

// fillBatch is the number of articles fillTokenPairs analyses at a time.
const fillBatch = 1000

// fillTokenPairs fills token_ids, article_tokens and token_pairs from the
// stored articles, for the migration that creates them.
func fillTokenPairs(ctx context.Context, _ *DB, tx *sql.Tx) error {
	return fillSequences(ctx, tx, nil, true)
}

// fillSequences writes the token sequences of the stored articles, into
// the data file log (or article_tokens when nil, see seqWriter), and their
// pairs when pairs is true, numbering the tokens token_ids lacks: each
// article is analysed again as the writer analyses it, on every
// processor.
func fillSequences(ctx context.Context, tx *sql.Tx, log *seqlog.Log, pairs bool) error {
	var dict tokenDict
	w, err := newSeqWriter(ctx, tx, &dict)
	if err != nil {
		return err
	}
	defer w.close()
	w.noPairs, w.log = !pairs, log
	an := query.DefaultAnalyzer()
	var last int64
	for {
		rows, err := tx.QueryContext(ctx, `SELECT `+articleReadColumns+` FROM articles WHERE id > ? ORDER BY id LIMIT ?`, last, fillBatch)
		if err != nil {
			return fmt.Errorf("sqlite: fill token pairs: %w", err)
		}
		list, err := scanArticles(rows)
		if err != nil {
			return fmt.Errorf("sqlite: fill token pairs: %w", err)
		}
		if len(list) == 0 {
			break
		}
		seqs := make([]seqTokens, len(list))
		var wg sync.WaitGroup
		workers := runtime.GOMAXPROCS(0)
		for k := range workers {
			wg.Go(func() {
				for i := k; i < len(list); i += workers {
					doc := an.Document(list[i])
					_, seqs[i] = tokensAndSeq(&doc, &dict)
				}
			})
		}
		wg.Wait()
		for i, a := range list {
			if err := w.put(a.ID, &seqs[i]); err != nil {
				return err
			}
		}
		// The articles come in ID order: a chunk's rows are written
		// once, when the next chunk begins.
		last = list[len(list)-1].ID
		if err := w.flushBefore(last >> pairidx.ChunkBits); err != nil {
			return err
		}
	}
	return w.flush()
}

// refillTokenPairs writes token_pairs afresh from the stored token
// sequences, for migrations 0008 and 0010, which changed the form of its
// rows: the pairs of each article's folded columns, a chunk's rows written
// once.
func refillTokenPairs(ctx context.Context, db *DB, tx *sql.Tx) error {
	var dict tokenDict
	w, err := newSeqWriter(ctx, tx, &dict)
	if err != nil {
		return err
	}
	defer w.close()
	tokens := dict.tokens()
	type article struct {
		id    int64
		seq   []byte
		pairs []uint64
		err   error
	}
	var list []article
	pairsOf := func() error {
		var wg sync.WaitGroup
		workers := runtime.GOMAXPROCS(0)
		for k := range workers {
			wg.Go(func() {
				var (
					s      tokseq.Seq
					folded [2][]string
				)
				for i := k; i < len(list); i += workers {
					a := &list[i]
					if a.err = tokseq.Decode(a.seq, &s); a.err != nil {
						continue
					}
					for c, col := range [2][]uint32{s.Title, s.Body} {
						folded[c] = folded[c][:0]
						for _, id := range col {
							if int(id) >= len(dict.fold) {
								a.err = fmt.Errorf("unknown token ID %d", id)
								break
							}
							if f := dict.fold[id]; f != 0 {
								folded[c] = append(folded[c], tokens[f])
							}
						}
					}
					a.pairs = pairidx.Pairs(nil, folded[0], folded[1])
				}
			})
		}
		wg.Wait()
		for _, a := range list {
			if a.err != nil {
				return fmt.Errorf("sqlite: refill token pairs: token sequence of article %d: %w", a.id, a.err)
			}
			w.addPairs(a.id, a.pairs)
		}
		last := list[len(list)-1].id
		list = list[:0]
		return w.flushBefore(last >> pairidx.ChunkBits)
	}
	err = eachSequence(ctx, tx, &db.seqs, func(id int64, seq []byte) error {
		list = append(list, article{id: id, seq: slices.Clone(seq)})
		if len(list) < fillBatch {
			return nil
		}
		return pairsOf()
	})
	if err != nil {
		return err
	}
	if len(list) > 0 {
		if err := pairsOf(); err != nil {
			return err
		}
	}
	return w.flush()
}

// phraseMark begins the key of a phrase in the list of setTokens: the mark,
// the phrase's folded tokens, the mark again and its exact tokens, each
// list joined by spaces (see phraseKey). A phrase's set is that of the
// articles holding its folded tokens in a row in the title or body.
const phraseMark = "\x00"

// phraseKey returns the key of a phrase term.
func phraseKey(t *query.Term) string {
	return phraseMark + strings.Join(t.Folded, " ") + phraseMark + strings.Join(t.Exact, " ")
}

// phraseTerm reports whether a term is a phrase of whole words the token
// sequences answer: several tokens, none folding to nothing, searched in
// the title and body without a field.
func phraseTerm(t *query.Term, cols query.ColumnSet) bool {
	return len(t.Folded) > 1 && (t.Exact == nil || len(t.Exact) == len(t.Folded)) && !t.Prefix && !cols.Same &&
		filter(cols.Folded) == "{title_f body_f}" && !slices.Contains(t.Folded, "")
}

// countKey is the key of the instances of one half of a phrase in
// phraseCounts: "E" or "F" (exact or folded) followed by its tokens.
func countKey(exact bool, tokens []string) string {
	half := "F"
	if exact {
		half = "E"
	}
	return half + strings.Join(tokens, " ")
}

// phraseCounts holds, by half of a phrase (see countKey) and article, the
// phrase's instances in the title and the body, for the articles found to
// hold it so far; an article missing holds none.
type phraseCounts map[string]map[int64][2]uint32

// phraseReader finds the articles holding phrases, from token_pairs and
// the token sequences, in a read transaction.
type phraseReader struct {
	ctx     context.Context
	tx      *sql.Tx
	dict    *tokenDict
	fold    []uint32
	pairs   *sql.Stmt
	pairsIn *sql.Stmt
	// files is the store's data file of sequences, log the one of the
	// transaction's snapshot (once a phrase is checked), locs the rows of
	// sequence_chunks read, by chunk.
	files  *sequenceFiles
	log    *seqlog.Log
	locs   map[int64][]byte
	todo   []int64
	ids    []byte
	counts phraseCounts
	// cands holds the candidates of each phrase read, by its folded
	// count key (nil: none), in the chunks bounds allows (all when nil).
	cands  map[string]*idset.Set
	bounds *[2]int64
	// phrases holds the phrases looked up, by key (see phraseOf), checks
	// what read has checked of each.
	phrases map[string]readPhrase
	checks  map[string]*phraseChecks
}

// newPhraseReader returns a reader whose dictionary covers every ID of the
// transaction's snapshot, and which reads the sequences of files.
func newPhraseReader(ctx context.Context, tx *sql.Tx, dict *tokenDict, files *sequenceFiles) (*phraseReader, error) {
	var top sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT max(id) FROM token_ids`).Scan(&top); err != nil {
		return nil, queryError(ctx, err)
	}
	dict.mu.Lock()
	defer dict.mu.Unlock()
	if dict.fold == nil || top.Int64 >= int64(len(dict.fold)) {
		if err := dict.refresh(ctx, tx); err != nil {
			return nil, err
		}
	}
	return &phraseReader{ctx: ctx, tx: tx, dict: dict, fold: dict.fold, files: files, locs: map[int64][]byte{},
		counts: phraseCounts{}, cands: map[string]*idset.Set{}, phrases: map[string]readPhrase{}, checks: map[string]*phraseChecks{}}, nil
}

// close releases the reader's statements.
func (r *phraseReader) close() {
	for _, st := range []*sql.Stmt{r.pairs, r.pairsIn} {
		if st != nil {
			st.Close()
		}
	}
	if r.log != nil {
		r.files.release(r.log)
		r.log = nil
	}
}

// idsOf returns the IDs of tokens, and false when one has none.
func (r *phraseReader) idsOf(tokens []string) ([]uint32, bool) {
	r.dict.mu.RLock()
	defer r.dict.mu.RUnlock()
	out := make([]uint32, len(tokens))
	for i, tok := range tokens {
		id, ok := r.dict.ids[tok]
		if !ok || int(id) >= len(r.fold) {
			return nil, false
		}
		out[i] = id
	}
	return out, true
}

// read adds to s the articles with IDs in chunks lo to hi (of
// pairidx.ChunkSize IDs) that hold the phrase of key (see phraseKey), and
// records their instances.
func (r *phraseReader) read(key string, s *idset.Set, lo, hi int64) error {
	ph, cand, err := r.phraseCandidates(key)
	if err != nil || cand == nil {
		return err
	}
	st := r.checks[key]
	if st == nil {
		st = &phraseChecks{chunks: map[int64]bool{}}
		r.checks[key] = st
	}
	// The chunks not checked yet, and below them as many more as make
	// minChecks candidates in all (a search visits the groups from the
	// newest), checked at once.
	var (
		todo []int64
		n    int
	)
	count := func(c int64) {
		if st.chunks[c] {
			return
		}
		todo = append(todo, c)
		cand.DescendingIn(c<<pairidx.ChunkBits, (c+1)<<pairidx.ChunkBits, func(int64) bool {
			n++
			return true
		})
	}
	for c := hi; c >= lo; c-- {
		count(c)
	}
	floor := int64(0)
	if r.bounds != nil {
		floor = r.bounds[0]
	}
	for c := lo - 1; len(todo) > 0 && n < minChecks && c >= floor; c-- {
		count(c)
	}
	if len(todo) > 0 {
		if err := r.check(cand, todo, ph, &st.matched); err != nil {
			return err
		}
		for _, c := range todo {
			st.chunks[c] = true
		}
	}
	st.matched.DescendingIn(lo<<pairidx.ChunkBits, (hi+1)<<pairidx.ChunkBits, func(id int64) bool {
		s.Add(id)
		return true
	})
	return nil
}

// readWithin adds to s the articles of within, in chunks lo to hi (of
// pairidx.ChunkSize IDs), that hold the phrase of key, checking only the
// candidates among within: a phrase a query excludes from what the rest
// of an AND matches needs no check elsewhere. What it checks is not kept
// for read, which checks whole chunks.
func (r *phraseReader) readWithin(key string, within, s *idset.Set, lo, hi int64) error {
	ph, cand, err := r.phraseCandidates(key)
	if err != nil || cand == nil {
		return err
	}
	in := cand.Clone()
	in.And(within)
	var todo []int64
	for c := hi; c >= lo; c-- {
		in.DescendingIn(c<<pairidx.ChunkBits, (c+1)<<pairidx.ChunkBits, func(int64) bool {
			todo = append(todo, c)
			return false
		})
	}
	if len(todo) == 0 {
		return nil
	}
	var matched idset.Set
	if err := r.check(in, todo, ph, &matched); err != nil {
		return err
	}
	s.Or(&matched)
	return nil
}

// phraseCandidates returns the phrase of key (see phraseOf) and its
// candidates (nil: none, or a token no article holds) in the whole
// archive, or in the chunks r.bounds allows, read once per search: a
// search reads the phrase group by group, and a statement per pair and
// group would cost more than the rows.
func (r *phraseReader) phraseCandidates(key string) (readPhrase, *idset.Set, error) {
	ph, ok := r.phraseOf(key)
	if !ok {
		return ph, nil, nil
	}
	cand, found := r.cands[ph.fk]
	if !found {
		var err error
		if cand, err = r.candidates(ph.foldToks, r.bounds); err != nil {
			return ph, nil, err
		}
		r.cands[ph.fk] = cand
	}
	return ph, cand, nil
}

// minChecks is how many candidates read checks at least at once when the
// chunks below those asked for hold more: each check reads the offsets of
// its chunks in a statement, and past parallelChecks counts on every
// processor. A variable for tests.
var minChecks = 256

// phraseChecks is what a reader has checked of a phrase: the chunks whose
// candidates it checked, and the articles found to hold the phrase there.
type phraseChecks struct {
	chunks  map[int64]bool
	matched idset.Set
}

// readPhrase is a phrase as a reader looks it up: its IDs, its folded
// tokens, the keys of its halves' instances (see countKey; ek is "" when
// the phrase has no exact half) and its matcher (nil when a folded token
// has no ID).
type readPhrase struct {
	tokseq.Phrase
	foldToks []string
	fk, ek   string
	m        *tokseq.Matcher
}

// phraseOf returns the phrase of key (see phraseKey), with maps ready for
// its instances in r.counts, and false when one of its folded tokens has
// no ID (no article holds it). A phrase is looked up once per reader.
func (r *phraseReader) phraseOf(key string) (readPhrase, bool) {
	ph, found := r.phrases[key]
	if !found {
		ph = r.lookUp(key)
		r.phrases[key] = ph
	}
	return ph, ph.m != nil
}

// lookUp returns the phrase of key for phraseOf.
func (r *phraseReader) lookUp(key string) readPhrase {
	folded, exact, _ := strings.Cut(strings.TrimPrefix(key, phraseMark), phraseMark)
	ph := readPhrase{foldToks: strings.Split(folded, " ")}
	ph.fk = countKey(false, ph.foldToks)
	if r.counts[ph.fk] == nil {
		r.counts[ph.fk] = map[int64][2]uint32{}
	}
	// A phrase typed without diacritics has no exact half (see
	// query.Term).
	var exactToks []string
	if exact != "" {
		exactToks = strings.Split(exact, " ")
		ph.ek = countKey(true, exactToks)
		if r.counts[ph.ek] == nil {
			r.counts[ph.ek] = map[int64][2]uint32{}
		}
	}
	var ok bool
	if ph.Folded, ok = r.idsOf(ph.foldToks); !ok {
		return ph
	}
	if exactToks != nil {
		ph.Exact, _ = r.idsOf(exactToks)
	}
	r.dict.mu.RLock()
	marked := r.dict.marked(ph.Folded[len(ph.Folded)-1], len(r.fold))
	r.dict.mu.RUnlock()
	ph.m = tokseq.NewMatcherOf(ph.Phrase, r.fold, marked)
	return ph
}

// readIn records the instances of the phrases of keys (see phraseKey) in
// the articles of in, whose IDs lie from lo to hi, unless their
// candidates there number more than limit: then it reports false, having
// checked none.
func (r *phraseReader) readIn(keys []string, in *idset.Set, lo, hi int64, limit int) (bool, error) {
	bounds := [2]int64{lo >> pairidx.ChunkBits, hi >> pairidx.ChunkBits}
	phrases := make([]readPhrase, 0, len(keys))
	cands := make([]*idset.Set, 0, len(keys))
	n := 0
	for _, key := range keys {
		ph, ok := r.phraseOf(key)
		if !ok {
			continue
		}
		cand, err := r.candidates(ph.foldToks, &bounds)
		if err != nil {
			return false, err
		}
		if cand == nil {
			continue
		}
		cand.And(in)
		if n += cand.Len(); n > limit {
			return false, nil
		}
		phrases, cands = append(phrases, ph), append(cands, cand)
	}
	var (
		found  idset.Set
		chunks []int64
	)
	for c := hi >> pairidx.ChunkBits; c >= lo>>pairidx.ChunkBits; c-- {
		chunks = append(chunks, c)
	}
	for i, ph := range phrases {
		// cands[i] lies within the window, lo to hi.
		if err := r.check(cands[i], chunks, ph, &found); err != nil {
			return false, err
		}
	}
	return true, nil
}

// check checks the candidates of phrase ph in the chunks (of
// pairidx.ChunkSize IDs) in their sequences, adds those holding it to s
// and records their instances.
func (r *phraseReader) check(cand *idset.Set, chunks []int64, ph readPhrase, s *idset.Set) error {
	r.todo = r.todo[:0]
	var withCands []int64
	for _, c := range chunks {
		n := len(r.todo)
		cand.DescendingIn(c<<pairidx.ChunkBits, (c+1)<<pairidx.ChunkBits, func(id int64) bool {
			r.todo = append(r.todo, id)
			return true
		})
		if len(r.todo) > n {
			withCands = append(withCands, c)
		}
	}
	if len(r.todo) == 0 {
		return nil
	}
	if r.log == nil {
		var err error
		if r.log, err = r.files.acquire(r.ctx, r.tx); err != nil {
			return err
		}
	}
	if err := r.files.readLocs(r.ctx, r.tx, r.log, withCands, r.locs); err != nil {
		return err
	}
	// Many candidates: counted on every processor, each taking every
	// workers-th.
	workers := 1
	if len(r.todo) >= parallelChecks {
		workers = runtime.GOMAXPROCS(0)
	}
	hits := make([][]phraseHit, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for k := range workers {
		wg.Go(func() { hits[k], errs[k] = r.count(r.todo, k, workers, ph) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for _, list := range hits {
		for _, h := range list {
			s.Add(h.id)
			r.counts[ph.fk][h.id] = [2]uint32{uint32(h.n[1]), uint32(h.n[3])}
			if ph.ek != "" && h.n[0]+h.n[2] > 0 {
				r.counts[ph.ek][h.id] = [2]uint32{uint32(h.n[0]), uint32(h.n[2])}
			}
		}
	}
	return nil
}

// parallelChecks is the number of candidates from which check counts the
// instances on every processor. A variable for tests.
var parallelChecks = 256

// phraseHit is an article holding a phrase, with its instances by column
// (see tokseq.Count).
type phraseHit struct {
	id int64
	n  [tokseq.Columns]int
}

// count counts the instances of phrase ph in the sequences of the
// articles ids[first], ids[first+step], … and returns those holding it.
// r.locs holds the rows of their chunks.
func (r *phraseReader) count(ids []int64, first, step int, ph readPhrase) ([]phraseHit, error) {
	var (
		hits    []phraseHit
		buf     []byte
		scratch []uint32
	)
	for k := first; k < len(ids); k += step {
		id := ids[k]
		off := locOf(r.locs[id>>pairidx.ChunkBits], id)
		if off == 0 {
			continue
		}
		seq, err := r.log.Read(off, id, &buf)
		if err != nil {
			return nil, fmt.Errorf("sqlite: token sequence of article %d: %w", id, err)
		}
		n, ok, err := ph.m.Count(seq, &scratch)
		if err != nil {
			return nil, fmt.Errorf("sqlite: token sequence of article %d: %w", id, err)
		}
		if !ok {
			return nil, fmt.Errorf("sqlite: token sequence of article %d holds an unknown token ID", id)
		}
		if n[1]+n[3] > 0 {
			hits = append(hits, phraseHit{id, n})
		}
	}
	return hits, nil
}

// candidates returns the articles holding every pair of adjacent tokens of
// folded, each with the follow bit of the pair after it in folded, in the
// chunks bounds allows (all when nil), or nil when none does. It reads
// the pair that looks rarest first (see pairOrder), then each other pair
// in the chunks that still hold candidates only.
func (r *phraseReader) candidates(folded []string, bounds *[2]int64) (*idset.Set, error) {
	pairs, err := r.pairOrder(folded)
	if err != nil {
		return nil, err
	}
	// The chunks holding pairs, when a pair is read after another.
	var span int
	if len(pairs) > 1 {
		lo, hi := int64(0), int64(math.MaxInt64)
		if bounds != nil {
			lo, hi = bounds[0], bounds[1]
		}
		if err := r.tx.QueryRowContext(r.ctx, `SELECT count(*) FROM token_pair_chunks WHERE chunk BETWEEN ? AND ?`, lo, hi).Scan(&span); err != nil {
			return nil, queryError(r.ctx, err)
		}
	}
	var out *idset.Set
	for _, p := range pairs {
		got, err := r.pairArticles(p, bounds, out, span)
		if err != nil {
			return nil, err
		}
		if got.Len() == 0 {
			return nil, nil
		}
		out = got
	}
	return out, nil
}

// phrasePair is a pair of adjacent tokens of a phrase: its key, the follow
// bits an article's entry of it must have (those of the pairs after it in
// the phrase, see pairidx.Follow) and the index of its first token.
type phrasePair struct {
	key, need uint64
	at        int
}

// pairOrder returns the pairs of adjacent tokens of folded, each once, the
// one whose rarer token is held by the fewest articles first: the
// articles holding a pair are at most those holding either of its tokens
// (term_stats).
func (r *phraseReader) pairOrder(folded []string) ([]phrasePair, error) {
	var pairs []phrasePair
	for i := 0; i+1 < len(folded); i++ {
		key := pairidx.Key(folded[i], folded[i+1])
		var need uint64
		if i+2 < len(folded) {
			need = pairidx.Follow(pairidx.Key(folded[i+1], folded[i+2]))
		}
		if j := slices.IndexFunc(pairs, func(p phrasePair) bool { return p.key == key }); j >= 0 {
			pairs[j].need |= need
			continue
		}
		pairs = append(pairs, phrasePair{key, need, i})
	}
	if len(pairs) > 1 {
		dfs, err := phraseDFs(r.ctx, r.tx, []query.Phrase{{Tokens: folded}})
		if err != nil {
			return nil, err
		}
		df := dfs[0]
		slices.SortStableFunc(pairs, func(p, q phrasePair) int {
			return cmp.Compare(min(df[p.at], df[p.at+1]), min(df[q.at], df[q.at+1]))
		})
	}
	return pairs, nil
}

// pairArticles returns the articles holding the pair p with its follow
// bits, in the chunks bounds allows (all when nil), among those of within
// when it is not nil. When within holds articles in fewer than half of
// the span chunks holding pairs there, only the rows of its chunks are
// read.
func (r *phraseReader) pairArticles(p phrasePair, bounds *[2]int64, within *idset.Set, span int) (*idset.Set, error) {
	b := pairidx.Bucket(p.key)
	lo, hi := pairsRow(b, 0, 0), pairsRow(b+1, 0, 0)-1
	if bounds != nil {
		lo, hi = max(lo, pairsRow(b, bounds[0], 0)), min(hi, pairsRow(b, bounds[1], pairidx.ChunkSize-1))
	}
	var (
		rows *sql.Rows
		err  error
	)
	chunks := r.chunksOf(within)
	if within != nil && len(chunks)*2 < span {
		// The rows of each chunk, in one statement.
		r.ids = append(r.ids[:0], '[')
		for i, c := range chunks {
			if i > 0 {
				r.ids = append(r.ids, ',')
			}
			r.ids = strconv.AppendInt(r.ids, pairsRow(b, c, 0), 10)
		}
		r.ids = append(r.ids, ']')
		if r.pairsIn == nil {
			if r.pairsIn, err = r.tx.PrepareContext(r.ctx, `SELECT (p.id >> 12) & 0xffffffff, p.entries FROM json_each(?) AS c, token_pairs AS p
				WHERE p.id BETWEEN c.value AND c.value + `+strconv.Itoa(pairidx.ChunkSize-1)); err != nil {
				return nil, queryError(r.ctx, err)
			}
		}
		rows, err = r.pairsIn.QueryContext(r.ctx, string(r.ids))
	} else {
		if r.pairs == nil {
			if r.pairs, err = r.tx.PrepareContext(r.ctx, `SELECT (id >> 12) & 0xffffffff, entries FROM token_pairs WHERE id BETWEEN ? AND ?`); err != nil {
				return nil, queryError(r.ctx, err)
			}
		}
		rows, err = r.pairs.QueryContext(r.ctx, lo, hi)
	}
	if err != nil {
		return nil, queryError(r.ctx, err)
	}
	defer rows.Close()
	var got idset.Set
	for rows.Next() {
		var (
			chunk   int64
			entries sql.RawBytes
		)
		if err := rows.Scan(&chunk, &entries); err != nil {
			return nil, queryError(r.ctx, err)
		}
		if within != nil && !slices.Contains(chunks, chunk) {
			continue
		}
		base := chunk << pairidx.ChunkBits
		add := func(off int) { got.Add(base | int64(off)) }
		if within != nil {
			add = func(off int) {
				if id := base | int64(off); within.Has(id) {
					got.Add(id)
				}
			}
		}
		if err := pairidx.Offsets(entries, p.key, p.need, add); err != nil {
			return nil, fmt.Errorf("sqlite: token pairs, chunk %d: %w", chunk, err)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, queryError(r.ctx, err)
	}
	return &got, nil
}

// chunksOf returns the chunks (of pairidx.ChunkSize IDs) s holds articles
// in, in descending order, or nil when s is nil.
func (r *phraseReader) chunksOf(s *idset.Set) []int64 {
	if s == nil {
		return nil
	}
	var chunks []int64
	s.Descending(func(id int64) bool {
		if c := id >> pairidx.ChunkBits; len(chunks) == 0 || chunks[len(chunks)-1] != c {
			chunks = append(chunks, c)
		}
		return true
	})
	return chunks
}

// The rows of token_pairs cover the chunks of token_sets, whose groups a
// search reads: a chunk of one is a chunk of the other (compile-time check
// that the sizes are equal).
const _ = uint(pairidx.ChunkBits-idset.ChunkBits) + uint(idset.ChunkBits-pairidx.ChunkBits)
