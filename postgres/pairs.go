package postgres

import (
	"cmp"
	"context"
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
// articlePairs), each piece a row of pairidx. A replaced article's pairs
// are not removed: without is not set, and no write asks for removals
// from this table.
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

// encodePairs returns the row of pairidx of the entries, in any order.
func encodePairs(entries []uint64) []byte {
	slices.Sort(entries)
	return pairidx.AppendRow(nil, slices.Compact(entries))
}

// mergePairs returns a value of token_pairs as one piece: the row holding
// the entries of its pieces.
func mergePairs(v []byte) ([]byte, error) {
	var row, next []byte
	err := eachPiece(v, func(b []byte) error {
		var err error
		next, err = pairidx.Merge(next[:0], row, b)
		row, next = next, row
		return err
	})
	if err != nil {
		return nil, err
	}
	return appendPiece(nil, row), nil
}

// fillTokenPairs fills token_pairs from the index entries, in shard 0: the
// migration that creates the table calls it in its transaction.
func fillTokenPairs(ctx context.Context, tx pgx.Tx) error {
	add := map[freqKey][]uint64{}
	var pairs []uint64
	return fillFromIndex(ctx, tx, pairsTable, func(id int64, d docPositions) {
		pairs = articlePairs(pairs, tokenPositions(d))
		addPairs(add, id, pairs)
	}, func() map[freqKey][]byte {
		out := make(map[freqKey][]byte, len(add))
		for k, entries := range add {
			out[k] = encodePairs(entries)
		}
		clear(add)
		return out
	})
}

// pairCandidates are the articles that may hold a positional phrase, from
// token_pairs: those holding an entry of each pair of adjacent tokens of
// the phrase with the follow bit of the pair after it, by chunk of
// token_positions (a chunk without candidates is absent).
type pairCandidates map[int64]*tokpos.Offsets

// phrasePairs returns the keys of the pairs of adjacent tokens of the
// phrase ph and the follow bits each needs (see pairidx.Offsets).
func phrasePairs(ph *expr) (keys, need []uint64) {
	for i := range len(ph.tokens) - 1 {
		keys = append(keys, pairKey(ph.tokens[i], ph.tokens[i+1]))
	}
	need = make([]uint64, len(keys))
	for i := range len(keys) - 1 {
		need[i] = pairidx.Follow(keys[i+1])
	}
	return keys, need
}

// readPairCandidates sets the pair candidates (expr.cands) of each
// positional phrase of phrases that has none, from the rows of
// token_pairs of their pairs' buckets over the whole archive (one
// statement). readPhrases then decodes positions in those articles only.
func readPairCandidates(ctx context.Context, conn querier, phrases []*expr) error {
	type pair struct {
		ph, at    int // the phrase's index in list, the pair's in the phrase
		key, need uint64
	}
	var (
		list    []*expr
		byKey   = map[string][]pair{}
		buckets []string
		npairs  []int
	)
	for _, ph := range phrases {
		if !positional(ph) || ph.cands != nil || slices.Contains(list, ph) {
			continue
		}
		keys, need := phrasePairs(ph)
		for i, key := range keys {
			b := bucketKey(pairidx.Bucket(key))
			if byKey[b] == nil {
				buckets = append(buckets, b)
			}
			byKey[b] = append(byKey[b], pair{len(list), i, key, need[i]})
		}
		list = append(list, ph)
		npairs = append(npairs, len(keys))
	}
	if len(list) == 0 {
		return nil
	}
	// The articles holding each pair of each phrase, by chunk of
	// token_pairs.
	held := make([][]map[int64]*idset.Chunk, len(list))
	for i := range held {
		held[i] = make([]map[int64]*idset.Chunk, npairs[i])
		for j := range held[i] {
			held[i][j] = map[int64]*idset.Chunk{}
		}
	}
	err := eachKeyedRow(ctx, conn, `SELECT token, chunk, pairs FROM token_pairs WHERE token = ANY($1::text[])`, []any{buckets}, "",
		func(b string, chunk int64, v []byte) error {
			for _, pr := range byKey[b] {
				set := held[pr.ph][pr.at][chunk]
				if set == nil {
					set = new(idset.Chunk)
					held[pr.ph][pr.at][chunk] = set
				}
				err := eachPiece(v, func(row []byte) error {
					return pairidx.Offsets(row, pr.key, pr.need, func(off int) { set.Add(uint16(off)) })
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
		cands := pairCandidates{}
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
					s := cands[c]
					if s == nil {
						s = new(tokpos.Offsets)
						cands[c] = s
					}
					s.Add(o)
				}
			}
		}
		ph.cands = cands
	}
	return nil
}
