package postgres

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/diembao/diembao/internal/idset"
	"github.com/diembao/diembao/internal/pairidx"
	"github.com/diembao/diembao/internal/tokfreq"
	"github.com/diembao/diembao/internal/tokpos"
	"github.com/diembao/diembao/viet"
)

// pairsTable is token_pairs (migration 0011): for each bucket of package
// pairidx (its bucketKey) and chunk of pairidx.ChunkSize IDs, the pairs of
// adjacent folded tokens of the title and body of its articles (see
// articlePairs), each piece a row of pairidx or a short list of entries
// (see encodePairs). A replaced article's pairs are not removed: without
// is not set, and no write asks for removals from this table.
var pairsTable = pieceTable{name: "token_pairs", column: "pairs", chunkBits: pairidx.ChunkBits, merge: mergePairs}

// A span of fillFromIndex holds whole chunks of token_pairs.
var _ [0]struct{} = [fillSpan % pairidx.ChunkSize]struct{}{}

// bucketKey is the key of token_pairs of the bucket b.
func bucketKey(b int) string { return strconv.Itoa(b) }

// pairKey is the key of the pair (a, b) of tokens of an article's columns
// or of a phrase: that of their folded forms, so that the pairs of the
// exact columns and those of the folded ones have the same keys.
func pairKey(a, b string) uint64 { return pairidx.Key(viet.Fold(a), viet.Fold(b)) }

// articlePairs appends to dst the pairs of an article whose positions by
// token are positions (see tokenPositions), in the form of pairidx.Pairs:
// bucket << pairidx.EntryBits | entry, for an article at offset 0,
// ascending, one per pair with the follow bits of all its occurrences.
// The pairs are those of the tokens at positions p and p+1 of each column,
// exact and folded, keyed by pairKey; the follow bits are those of the
// tokens at p+2, or pairidx.EndFollow when there is none. Taken from the
// positions a search checks its candidates in, every instance of a phrase
// that the positions show has its pairs, past a lexeme's 256 positions
// and the clamp at 16,383 too (several tokens at one position make a pair
// with each token of the next).
func articlePairs(dst []uint64, positions map[string]*tokpos.Positions) []uint64 {
	dst = dst[:0]
	type occurrence struct {
		pos uint16
		tok string // folded
	}
	var cols [tokpos.Columns][]occurrence
	for tok, p := range positions {
		f := viet.Fold(tok)
		for c := range p {
			for _, q := range p[c] {
				cols[c] = append(cols[c], occurrence{q, f})
			}
		}
	}
	for _, occ := range cols {
		slices.SortFunc(occ, func(a, b occurrence) int {
			return cmp.Or(cmp.Compare(a.pos, b.pos), cmp.Compare(a.tok, b.tok))
		})
		// group returns the end of the run of occurrences at the position
		// of occ[i].
		group := func(i int, pos uint16) int {
			for i < len(occ) && occ[i].pos == pos {
				i++
			}
			return i
		}
		for i := 0; i < len(occ); {
			p := occ[i].pos
			j := group(i, p)
			k := group(j, p+1)
			m := group(k, p+2)
			for a := i; a < j; a++ {
				for b := j; b < k; b++ {
					key := pairidx.Key(occ[a].tok, occ[b].tok)
					follow := uint64(pairidx.EndFollow)
					if m > k {
						follow = 0
						for c := k; c < m; c++ {
							follow |= pairidx.Follow(pairidx.Key(occ[b].tok, occ[c].tok))
						}
					}
					dst = append(dst, uint64(pairidx.Bucket(key))<<pairidx.EntryBits|pairidx.Entry(key, 0, follow))
				}
			}
			i = j
		}
	}
	slices.Sort(dst)
	out := dst[:0]
	for _, e := range dst {
		if n := len(out); n > 0 && out[n-1]>>pairidx.FollowBits == e>>pairidx.FollowBits {
			out[n-1] |= e
			continue
		}
		out = append(out, e)
	}
	return out
}

// addPairs adds to add, by key of token_pairs, the entries of the article
// id whose pairs are pairs (see articlePairs).
func addPairs(add map[freqKey][]uint64, id int64, pairs []uint64) {
	chunk := id >> pairidx.ChunkBits
	off := int(id & (pairidx.ChunkSize - 1))
	for _, e := range pairs {
		k := freqKey{bucketKey(int(e >> pairidx.EntryBits)), chunk}
		add[k] = append(add[k], pairidx.AtOffset(e&(1<<pairidx.EntryBits-1), off))
	}
}

// The kinds of piece of token_pairs: its first byte, then a row of
// pairidx, or a list of entries ascending without repeats, each written as
// its difference from the one before (the first from zero) as an unsigned
// varint. A list costs no header of slots: the piece of one article in a
// bucket, which a writer of one article at a time appends to a tail, is a
// few bytes instead of some seventy.
const (
	pieceRow  = 0
	pieceList = 1
)

// listEntries is the number of entries below which a piece is a list.
const listEntries = 32

// errCorruptPairs reports a piece of token_pairs that cannot be decoded.
var errCorruptPairs = errors.New("postgres: corrupt token_pairs piece")

// encodePairs returns the piece of token_pairs of the entries, in any
// order: a list when they are few, else a row of pairidx.
func encodePairs(entries []uint64) []byte {
	slices.Sort(entries)
	entries = slices.Compact(entries)
	if len(entries) >= listEntries {
		return pairidx.AppendRow([]byte{pieceRow}, entries)
	}
	out, prev := []byte{pieceList}, uint64(0)
	for _, e := range entries {
		out = binary.AppendUvarint(out, e-prev)
		prev = e
	}
	return out
}

// eachListEntry calls f with each entry of the list b (a piece of kind
// pieceList without its first byte), in order, until f returns false.
func eachListEntry(b []byte, f func(e uint64) bool) error {
	prev := uint64(0)
	for i := 0; len(b) > 0; i++ {
		d, k := binary.Uvarint(b)
		if k <= 0 || i > 0 && d == 0 || d > 1<<pairidx.EntryBits-1-prev {
			return errCorruptPairs
		}
		prev += d
		b = b[k:]
		if !f(prev) {
			return nil
		}
	}
	return nil
}

// pieceEntries appends the entries of a piece of token_pairs to dst.
func pieceEntries(dst []uint64, piece []byte) ([]uint64, error) {
	switch {
	case len(piece) == 0:
		return dst, errCorruptPairs
	case piece[0] == pieceRow:
		return pairidx.Entries(dst, piece[1:])
	case piece[0] == pieceList:
		err := eachListEntry(piece[1:], func(e uint64) bool {
			dst = append(dst, e)
			return true
		})
		return dst, err
	}
	return dst, errCorruptPairs
}

// pieceOffsets calls fn with the offset of every article of a piece of
// token_pairs that holds an entry of key with every follow bit of need, as
// pairidx.Offsets does for a row.
func pieceOffsets(piece []byte, key, need uint64, fn func(offset int)) error {
	switch {
	case len(piece) == 0:
		return errCorruptPairs
	case piece[0] == pieceRow:
		return pairidx.Offsets(piece[1:], key, need, fn)
	case piece[0] == pieceList:
		lo := pairidx.Entry(key, 0, 0)
		hi := pairidx.Entry(key, pairidx.ChunkSize-1, 1<<pairidx.FollowBits-1)
		return eachListEntry(piece[1:], func(e uint64) bool {
			if e >= lo && e <= hi && e&need == need {
				fn(int(e >> pairidx.FollowBits & (pairidx.ChunkSize - 1)))
			}
			return e <= hi
		})
	}
	return errCorruptPairs
}

// mergePairs returns a value of token_pairs as one piece: the row holding
// the entries of its pieces.
func mergePairs(v []byte) ([]byte, error) {
	var entries []uint64
	err := eachPiece(v, func(piece []byte) error {
		var err error
		entries, err = pieceEntries(entries, piece)
		return err
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(entries)
	return appendPiece(nil, pairidx.AppendRow([]byte{pieceRow}, slices.Compact(entries))), nil
}

// fillTokenPairs fills token_pairs from the index entries, in shard 0: the
// migration that creates the table calls it in its transaction.
func fillTokenPairs(ctx context.Context, tx pgx.Tx) error {
	add := map[freqKey][]uint64{}
	var pairs []uint64
	return fillFromIndex(ctx, tx, pairsTable, func(id int64, d docPositions) {
		pairs = articlePairs(pairs, tokenPositions(d))
		addPairs(add, id, pairs)
	}, func() map[freqKey][]byte { return encodeAll(add, encodePairs) })
}

// phrasePairs are the pair candidates of a positional phrase: the
// articles holding an entry of each pair of adjacent tokens of the phrase,
// with the follow bit of the pair after it, in the chunks of token_pairs
// read so far.
type phrasePairs struct {
	// cands holds the candidates by chunk of token_positions (a chunk
	// without candidates is absent).
	cands map[int64]*tokpos.Offsets
	// read marks the chunks of token_pairs read.
	read map[int64]bool
}

// pairKeys returns the keys of the pairs of adjacent tokens of the phrase
// ph and the follow bits each needs (see pairidx.Offsets).
func pairKeys(ph *expr) (keys, need []uint64) {
	for i := range len(ph.tokens) - 1 {
		keys = append(keys, pairKey(ph.tokens[i], ph.tokens[i+1]))
	}
	need = make([]uint64, len(keys))
	for i := range len(keys) - 1 {
		need[i] = pairidx.Follow(keys[i+1])
	}
	return keys, need
}

// pairChunks returns the chunks of token_pairs whose candidates a search
// reading the chunks of token_positions sel selects wants: those of the
// chunks of a list; for a range, every chunk up to its last, since a
// search reads ranges from the newest down and one statement costs less
// than one per range.
func (sel chunkSel) pairChunks() []int64 {
	const shift = pairidx.ChunkBits - tokfreq.ChunkBits
	var out []int64
	if sel.list != nil {
		for _, c := range sel.list {
			out = append(out, c>>shift)
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	for c := int64(0); c <= sel.hi>>shift; c++ {
		out = append(out, c)
	}
	return out
}

// readPairCandidates reads the pair candidates of the phrases of list that
// have phrasePairs in the chunks of token_pairs that sel wants (see
// pairChunks) and that they lack, from the rows of their pairs' buckets
// there (one statement).
func readPairCandidates(ctx context.Context, conn querier, list []*expr, sel chunkSel) error {
	type pair struct {
		ph, at    int // the phrase's index in list, the pair's in the phrase
		key, need uint64
	}
	var (
		byKey   = map[string][]pair{}
		buckets []string
		npairs  = make([]int, len(list))
		missing = make([]map[int64]bool, len(list))
		chunks  []int64 // the union of missing
		want    = sel.pairChunks()
	)
	for i, ph := range list {
		if ph.pairs == nil {
			continue
		}
		for _, c := range want {
			if !ph.pairs.read[c] {
				if missing[i] == nil {
					missing[i] = map[int64]bool{}
				}
				missing[i][c] = true
				chunks = append(chunks, c)
			}
		}
		if missing[i] == nil {
			continue
		}
		keys, need := pairKeys(ph)
		for j, key := range keys {
			b := bucketKey(pairidx.Bucket(key))
			if byKey[b] == nil {
				buckets = append(buckets, b)
			}
			byKey[b] = append(byKey[b], pair{i, j, key, need[j]})
		}
		npairs[i] = len(keys)
	}
	if len(chunks) == 0 {
		return nil
	}
	slices.Sort(chunks)
	chunks = slices.Compact(chunks)
	// The articles holding each pair of each phrase, by chunk of
	// token_pairs.
	held := make([][]map[int64]*idset.Chunk, len(list))
	for i := range held {
		held[i] = make([]map[int64]*idset.Chunk, npairs[i])
		for j := range held[i] {
			held[i][j] = map[int64]*idset.Chunk{}
		}
	}
	err := eachKeyedRow(ctx, conn, `SELECT token, chunk, pairs FROM token_pairs WHERE token = ANY($1::text[]) AND chunk = ANY($2::bigint[])`,
		[]any{buckets, chunks}, "",
		func(b string, chunk int64, v []byte) error {
			for _, pr := range byKey[b] {
				if !missing[pr.ph][chunk] {
					continue
				}
				set := held[pr.ph][pr.at][chunk]
				if set == nil {
					set = new(idset.Chunk)
					held[pr.ph][pr.at][chunk] = set
				}
				err := eachPiece(v, func(row []byte) error {
					return pieceOffsets(row, pr.key, pr.need, func(off int) { set.Add(uint16(off)) })
				})
				if err != nil {
					return err
				}
			}
			return nil
		})
	if err != nil {
		return fmt.Errorf("postgres: search: token pairs: %w", err)
	}
	for i, ph := range list {
		if missing[i] == nil {
			continue
		}
		pp := ph.pairs
		if pp.cands == nil {
			pp.cands, pp.read = map[int64]*tokpos.Offsets{}, map[int64]bool{}
		}
		for c := range missing[i] {
			pp.read[c] = true
		}
		for chunk, first := range held[i][0] {
			both := *first
			for _, other := range held[i][1:] {
				o := other[chunk]
				if o == nil {
					both = idset.Chunk{}
					break
				}
				for w := range both {
					both[w] &= o[w]
				}
			}
			for w, bitsOf := range both {
				for ; bitsOf != 0; bitsOf &= bitsOf - 1 {
					id := chunk<<pairidx.ChunkBits | int64(w*64+bits.TrailingZeros64(bitsOf))
					c, o := tokfreq.ChunkOf(id)
					s := pp.cands[c]
					if s == nil {
						s = new(tokpos.Offsets)
						pp.cands[c] = s
					}
					s.Add(o)
				}
			}
		}
	}
	return nil
}
