package postgres

import (
	"context"
	"fmt"
	"math/bits"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/internal/idset"
	"github.com/diembao/diembao/query"
)

// setsTable is token_sets (migration 0010): for each key of token_freqs
// (see countKey), the articles holding it in any of its columns, by chunks
// of idset.ChunkSize IDs, each piece a stored chunk of package idset.
var setsTable = pieceTable{name: "token_sets", column: "ids", chunkBits: idset.ChunkBits,
	without: func(v []byte, gone map[uint16]bool) ([]byte, bool, error) {
		return without(v, gone, eachSetOffset, encodeSet)
	},
	merge: mergeSet,
}

// mergeSet returns a value of token_sets as one piece: the union of its
// pieces.
func mergeSet(v []byte) ([]byte, error) {
	var c idset.Chunk
	err := eachPiece(v, func(b []byte) error {
		d, err := idset.DecodeChunk(b)
		c.Union(&d)
		return err
	})
	if err != nil {
		return nil, err
	}
	return appendPiece(nil, c.Encode()), nil
}

// eachSetOffset calls f with each offset of each piece of a value of
// token_sets, piece after piece (an offset two pieces hold, twice), as
// both the offset and the entry (the shape without reads entries in).
func eachSetOffset(v []byte, f func(off, _ uint16)) error {
	return eachPiece(v, func(b []byte) error {
		c, err := idset.DecodeChunk(b)
		if err != nil {
			return err
		}
		for i, w := range c {
			for ; w != 0; w &= w - 1 {
				off := uint16(i*64 + bits.TrailingZeros64(w))
				f(off, off)
			}
		}
		return nil
	})
}

// A span of fillFromIndex holds whole chunks of token_sets.
var _ [0]struct{} = [fillSpan % idset.ChunkSize]struct{}{}

// encodeSet returns the stored chunk of the offsets offs, in any order and
// possibly repeated.
func encodeSet(offs []uint16) []byte {
	var c idset.Chunk
	for _, off := range offs {
		c.Add(off)
	}
	return c.Encode()
}

// fillTokenSets fills token_sets from the index entries, in shard 0: the
// migration that creates the table calls it in its transaction.
func fillTokenSets(ctx context.Context, tx pgx.Tx) error {
	built := map[freqKey][]uint16{}
	return fillFromIndex(ctx, tx, setsTable, func(id int64, d docPositions) {
		chunk, off := idset.ChunkOf(id)
		for key := range tokenCounts(d) {
			k := freqKey{key, chunk}
			built[k] = append(built[k], off)
		}
	}, func() map[freqKey][]byte { return encodeAll(built, encodeSet) })
}

// setKey returns the key of token_sets whose set holds the articles that
// the phrase ph finds, and whether there is one: for a whole token searched
// in the folded title and body columns, the token (its set counts the
// exact columns too, but a folded column holds the folded form of each
// token of its exact column, and the folded form of a folded token is
// itself); for one searched in the folded words column, the words key and
// the token. A prefix of one token searched in the folded title and body
// has the union of the sets of the tokens it begins, under its prefixKey
// (an exact token it begins folds to a token the prefix begins too).
func setKey(ph *expr) (string, bool) {
	if ph.op != opPhrase || len(ph.tokens) != 1 || ph.tokens[0] == "" {
		return "", false
	}
	switch cols := slices.Sorted(slices.Values(ph.cols)); {
	case slices.Equal(cols, []int{colTitleFolded, colBodyFolded}) && ph.prefix:
		return prefixKey(ph.tokens[0]), true
	case slices.Equal(cols, []int{colTitleFolded, colBodyFolded}):
		return ph.tokens[0], true
	case slices.Equal(cols, []int{colWordsFolded}) && !ph.prefix:
		return wordsKey + ph.tokens[0], true
	}
	return "", false
}

// The folded index columns of the title and body (see columns).
const (
	colTitleFolded = 1
	colBodyFolded  = 3
)

// setKeys returns the keys of token_sets from which the articles x
// selects are found (see evalSets), and whether they are: x must be AND,
// OR and NOT of phrases with a setKey, a term of one token being searched
// in its folded form alone (see expr.folded).
func (x *expr) setKeys() ([]string, bool) {
	var keys []string
	var walk func(x *expr) bool
	walk = func(x *expr) bool {
		switch {
		case x.op == opPhrase:
			key, ok := setKey(x)
			if ok && !slices.Contains(keys, key) {
				keys = append(keys, key)
			}
			return ok
		case x.folded != nil:
			return walk(x.folded)
		}
		for _, k := range x.kids {
			if !walk(k) {
				return false
			}
		}
		return len(x.kids) > 0
	}
	if !walk(x) {
		return nil, false
	}
	return keys, true
}

// evalSets returns the articles x selects, from the sets of its keys (see
// setKeys): a new set, which the caller may change.
func (x *expr) evalSets(sets map[string]*idset.Set) *idset.Set {
	switch {
	case x.op == opPhrase:
		key, _ := setKey(x)
		if s := sets[key]; s != nil {
			return s.Clone()
		}
		return &idset.Set{}
	case x.folded != nil:
		return x.folded.evalSets(sets)
	}
	out := x.kids[0].evalSets(sets)
	for _, k := range x.kids[1:] {
		s := k.evalSets(sets)
		switch x.op {
		case opAnd:
			out.And(s)
		case opOr:
			out.Or(s)
		case opNot:
			out.AndNot(s)
		}
	}
	return out
}

// matchSet returns the articles the match x selects, found from
// token_sets, and true; false when x is not made of whole words and
// prefixes the table holds (see setKeys). The set may hold articles
// deleted by hand from article_index since: their rows stay behind, as in
// token_freqs.
func matchSet(ctx context.Context, conn querier, x *expr) (*idset.Set, bool, error) {
	keys, ok := x.setKeys()
	if !ok {
		return nil, false, nil
	}
	sets, err := readSets(ctx, conn, keys)
	if err != nil {
		return nil, false, err
	}
	return x.evalSets(sets), true, nil
}

// setMatches returns, in descending ID order, every article that the
// match of p selects and its filters keep, found from token_sets (see
// matchSet) and the attribute copy (see attrView.alive), with the named
// facets counted over them; ok is false when the match is not made of
// whole words and prefixes.
func (s *SearchService) setMatches(ctx context.Context, conn querier, v *attrView, p *plan, facetNames []string) (ids []int64,
	facets map[string][]diembao.FacetCount, ok bool, err error) {
	set, ok, err := matchSet(ctx, conn, p.match)
	if !ok || err != nil {
		return nil, nil, false, err
	}
	if ids, err = v.alive(ctx, conn, set, &p.filters); err != nil {
		return nil, nil, false, err
	}
	if len(facetNames) > 0 {
		facets = v.facets(ids, facetNames)
	}
	return ids, facets, true, nil
}

// readSets reads the sets of the keys of token_sets (a key without rows
// has none); a prefixKey has the union of the sets of the tokens its
// prefix begins, read as a range of the primary key.
func readSets(ctx context.Context, conn querier, keys []string) (map[string]*idset.Set, error) {
	sets := make(map[string]*idset.Set, len(keys))
	read := func(as, cond string, args ...any) error {
		err := eachKeyedRow(ctx, conn, `SELECT token, chunk, ids FROM token_sets WHERE `+cond, args, as,
			func(key string, chunk int64, v []byte) error {
				s := sets[key]
				if s == nil {
					s = &idset.Set{}
					sets[key] = s
				}
				return eachPiece(v, func(b []byte) error { return s.AddChunk(chunk, b) })
			})
		if err != nil {
			return fmt.Errorf("postgres: search: token sets: %w", err)
		}
		return nil
	}
	var whole []string
	for _, key := range keys {
		prefix, ok := strings.CutPrefix(key, prefixKey(""))
		if !ok {
			whole = append(whole, key)
			continue
		}
		lo, hi := query.PrefixBounds(prefix)
		cond, args := `token >= $1`, []any{lo}
		if hi != "" {
			cond, args = cond+` AND token < $2`, append(args, hi)
		}
		if err := read(key, cond, args...); err != nil {
			return nil, err
		}
	}
	if len(whole) > 0 {
		if err := read("", `token = ANY($1::text[])`, whole); err != nil {
			return nil, err
		}
	}
	return sets, nil
}
