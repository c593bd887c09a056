package postgres

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/diembao/diembao/internal/tokfreq"
	"github.com/diembao/diembao/internal/tokpos"
)

// addPositions records that an article holds the lexeme lex at the
// positions pos (ascending, distinct) in the positions by token_positions
// key, when its column is one of the title and body columns: the key is
// the token, the place the column, as in token_freqs (see countKey).
func addPositions(out map[string]*tokpos.Positions, lex string, pos []int) {
	code, tok := splitLexeme(lex)
	col := columnOf(code)
	if col < 0 || col >= tokpos.Columns || len(pos) == 0 {
		return
	}
	p := out[tok]
	if p == nil {
		p = new(tokpos.Positions)
		out[tok] = p
	}
	list := make([]uint16, len(pos))
	for i, q := range pos {
		list[i] = uint16(q)
	}
	p[col] = list
}

// tokenPositions returns the positions of an article whose lexeme
// positions are d, by token_positions key.
func tokenPositions(d docPositions) map[string]*tokpos.Positions {
	out := map[string]*tokpos.Positions{}
	for lex, pos := range d {
		pos = slices.Clone(pos)
		slices.Sort(pos)
		addPositions(out, lex, slices.Compact(pos))
	}
	return out
}

// eachPos calls f with each entry of each piece of a value of
// token_positions, piece after piece. It returns an error, having called
// f for the entries before, when v is not a sequence of pieces. f must not
// keep p or its slices.
func eachPos(v []byte, f func(off uint16, p *tokpos.Positions)) error {
	return eachPiece(v, func(chunk []byte) error { return tokpos.Each(chunk, f) })
}

// fillTokenPositions fills token_positions from the index entries, in
// shard 0: the migration that creates the table calls it in its
// transaction.
func fillTokenPositions(ctx context.Context, tx pgx.Tx) error {
	return fillBuilt[tokpos.Builder](ctx, tx, positionsTable, tokenPositions)
}

// positional reports whether the instances of ph are found from
// token_positions: a phrase of several whole tokens searched in the title
// and body columns only.
func positional(ph *expr) bool {
	if len(ph.tokens) < 2 || ph.prefix {
		return false
	}
	for _, c := range ph.cols {
		if c >= tokpos.Columns {
			return false
		}
	}
	return true
}

// phraseKey is the key under which readCounts gives the instances of a
// positional phrase in each column, computed from its tokens' positions.
// No key of token_freqs begins with the byte 0x02, and no token holds
// 0x01.
func phraseKey(ph *expr) string { return "\x02" + strings.Join(ph.tokens, "\x01") }

// readPhrases reads from token_positions the positions of the tokens of
// the positional phrases of phrases, in the chunks sel selects, and calls
// visit with the instances of each phrase in each column of each article
// where it occurs, under its phraseKey: of the articles only gives for
// their chunk, when only is not nil (the positions of the others are
// stepped over), and of a phrase's pair candidates, when it has them
// (expr.pairs, read first where sel asks for chunks not read yet; when
// every phrase has them, the chunks holding none are not read). visit must
// not keep c.
func readPhrases(ctx context.Context, conn querier, phrases []*expr, sel chunkSel,
	only func(chunk int64) *tokpos.Offsets, visit func(key string, id int64, c *tokfreq.Counts)) error {
	var (
		list    []*expr
		tokens  []string
		tokenAt = map[string]int{}
		seen    = map[string]bool{}
	)
	for _, ph := range phrases {
		if !positional(ph) || seen[phraseKey(ph)] {
			continue
		}
		seen[phraseKey(ph)] = true
		list = append(list, ph)
		for _, tok := range ph.tokens {
			if _, ok := tokenAt[tok]; !ok {
				tokenAt[tok] = len(tokens)
				tokens = append(tokens, tok)
			}
		}
	}
	if len(list) == 0 {
		return nil
	}
	if err := readPairCandidates(ctx, conn, list, sel); err != nil {
		return err
	}
	chunkCond, args := sel.where()
	args = append(args, tokens)
	stmt := `SELECT token, chunk, positions FROM token_positions WHERE token = ANY($` +
		strconv.Itoa(len(args)) + `::text[]) AND ` + chunkCond
	// With the pair candidates of every phrase, only the chunks holding
	// some are read.
	if !slices.ContainsFunc(list, func(ph *expr) bool { return ph.pairs == nil }) {
		asked := map[int64]bool{}
		for _, c := range sel.list {
			asked[c] = true
		}
		var chunks []int64
		for _, ph := range list {
			for c := range ph.pairs.cands {
				if sel.list != nil && asked[c] || sel.list == nil && c >= sel.lo && c <= sel.hi {
					chunks = append(chunks, c)
				}
			}
		}
		if len(chunks) == 0 {
			return nil
		}
		slices.Sort(chunks)
		args = append(args, slices.Compact(chunks))
		stmt += ` AND chunk = ANY($` + strconv.Itoa(len(args)) + `::bigint[])`
	}
	// The rows come chunk after chunk; the values of a chunk are kept
	// until the next one begins.
	rows, err := conn.Query(ctx, stmt+` ORDER BY chunk`, args...)
	if err != nil {
		return fmt.Errorf("postgres: search: token positions: %w", err)
	}
	defer rows.Close()
	cp := newChunkPositions(list, tokenAt)
	cp.only = only
	for rows.Next() {
		var (
			tok string
			c   int64
			v   []byte
		)
		if err := rows.Scan(&tok, &c, &v); err != nil {
			return fmt.Errorf("postgres: search: token positions: %w", err)
		}
		if c != cp.chunk {
			if err := cp.phrases(visit); err != nil {
				return err
			}
			cp.reset(c)
		}
		cp.values[tokenAt[tok]] = append(cp.values[tokenAt[tok]], v)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgres: search: token positions: %w", err)
	}
	return cp.phrases(visit)
}

// chunkPositions finds the instances of phrases in the articles of one
// chunk from the values of token_positions of their tokens. The positions
// of token t in the article at offset off are arena[lo:hi] for {lo, hi} =
// slots[t*ChunkSize+off][column]; they are decoded only for the articles
// that hold every token of a phrase holding t (see tokpos.EachIn).
type chunkPositions struct {
	list []*expr
	// tokens holds, for each phrase of list, the indexes of its tokens.
	tokens [][]int
	// chunk is the chunk being read, values the values of each token in
	// it.
	chunk  int64
	values [][][]byte
	arena  []uint16
	slots  [][tokpos.Columns][2]int32
	// decoded are the offsets of the articles whose positions of each
	// token were decoded, need those of the articles that may hold each
	// phrase (see decode).
	decoded, need []tokpos.Offsets
	// only, when not nil, gives the articles of a chunk whose phrases are
	// wanted (nil: none); the others are not decoded.
	only func(chunk int64) *tokpos.Offsets
}

// newChunkPositions returns an empty chunkPositions for the phrases of
// list, whose tokens tokenAt numbers.
func newChunkPositions(list []*expr, tokenAt map[string]int) *chunkPositions {
	n := len(tokenAt)
	cp := &chunkPositions{list: list, chunk: -1,
		values: make([][][]byte, n), slots: make([][tokpos.Columns][2]int32, n*tokfreq.ChunkSize),
		decoded: make([]tokpos.Offsets, n), need: make([]tokpos.Offsets, len(list))}
	for _, ph := range list {
		ts := make([]int, len(ph.tokens))
		for j, tok := range ph.tokens {
			ts[j] = tokenAt[tok]
		}
		cp.tokens = append(cp.tokens, ts)
	}
	return cp
}

// reset empties cp for the chunk c.
func (cp *chunkPositions) reset(c int64) {
	for t := range cp.decoded {
		cp.decoded[t].Each(func(off uint16) {
			cp.slots[t*tokfreq.ChunkSize+int(off)] = [tokpos.Columns][2]int32{}
		})
		cp.decoded[t] = tokpos.Offsets{}
		cp.values[t] = cp.values[t][:0]
	}
	cp.arena = cp.arena[:0]
	cp.chunk = c
}

// decode reads the values of the chunk, token after token, the smallest
// first: the positions of a token are decoded only in the articles that
// may still hold a phrase with it, those that hold its tokens read so far,
// and where each two of them that follow each other in the phrase do so
// in the article; the others are stepped over (see tokpos.EachIn). The
// articles left for a phrase in cp.need hold all its tokens, and each two
// tokens next to each other in it in a row, in some column.
func (cp *chunkPositions) decode() error {
	n := len(cp.values)
	order, size := make([]int, n), make([]int, n)
	for t, vs := range cp.values {
		order[t] = t
		for _, v := range vs {
			size[t] += len(v)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return size[a] - size[b] })
	done := make([]bool, n)
	started := make([]bool, len(cp.tokens))
	var all tokpos.Offsets
	switch {
	case cp.only == nil:
		for i := range all {
			all[i] = ^uint64(0)
		}
	case cp.only(cp.chunk) != nil:
		all = *cp.only(cp.chunk)
	}
	// The articles each phrase may hold before any of its tokens is
	// decoded: those asked for, among its pair candidates when it has them.
	first := make([]tokpos.Offsets, len(cp.list))
	for i, ph := range cp.list {
		first[i] = all
		if ph.pairs != nil {
			if c := ph.pairs.cands[cp.chunk]; c != nil {
				first[i].And(c)
			} else {
				first[i] = tokpos.Offsets{}
			}
		}
	}
	for _, t := range order {
		// The articles to decode: those any phrase with t may still hold.
		var want tokpos.Offsets
		for i, ts := range cp.tokens {
			if !slices.Contains(ts, t) {
				continue
			}
			if !started[i] {
				want.Or(&first[i])
			} else {
				want.Or(&cp.need[i])
			}
		}
		if want != (tokpos.Offsets{}) {
			for _, v := range cp.values[t] {
				if err := eachPiece(v, func(b []byte) error {
					return tokpos.EachIn(b, &want, func(off uint16, p *tokpos.Positions) { cp.add(t, off, p) })
				}); err != nil {
					return err
				}
			}
		}
		done[t] = true
		for i, ts := range cp.tokens {
			if !slices.Contains(ts, t) {
				continue
			}
			if !started[i] {
				started[i], cp.need[i] = true, first[i]
			}
			cp.need[i].And(&cp.decoded[t])
			cp.narrow(i, t, done)
		}
	}
	return nil
}

// narrow removes from cp.need[i] the articles where the token t, just
// decoded, and a token next to it in the phrase cp.tokens[i], decoded
// before, do not follow each other in any column.
func (cp *chunkPositions) narrow(i, t int, done []bool) {
	ts := cp.tokens[i]
	for j := range len(ts) - 1 {
		a, b := ts[j], ts[j+1]
		if a != t && b != t || !done[a] || !done[b] {
			continue
		}
		cp.need[i].Each(func(off uint16) {
			for c := range tokpos.Columns {
				if tokpos.Follow(cp.positions(a, off, c), cp.positions(b, off, c)) > 0 {
					return
				}
			}
			cp.need[i].Remove(off)
		})
	}
}

// add adds the positions p of the token t in the article at offset off.
func (cp *chunkPositions) add(t int, off uint16, p *tokpos.Positions) {
	cp.decoded[t].Add(off)
	slot := &cp.slots[t*tokfreq.ChunkSize+int(off)]
	for c := range p {
		if len(p[c]) == 0 {
			continue
		}
		lo := len(cp.arena)
		if old := slot[c]; old[1] > old[0] {
			// Two pieces hold an article only if a write failed to
			// remove it: the union of their positions.
			cp.arena = append(cp.arena, slices.Compact(slices.Sorted(slices.Values(
				append(slices.Clone(cp.arena[old[0]:old[1]]), p[c]...))))...)
		} else {
			cp.arena = append(cp.arena, p[c]...)
		}
		slot[c] = [2]int32{int32(lo), int32(len(cp.arena))}
	}
}

// positions returns the positions of the token t in the column c of the
// article at offset off.
func (cp *chunkPositions) positions(t int, off uint16, c int) []uint16 {
	s := cp.slots[t*tokfreq.ChunkSize+int(off)][c]
	return cp.arena[s[0]:s[1]]
}

// phrases calls visit with the instances of each phrase of cp.list in each
// column of each article of the chunk where it occurs, under its
// phraseKey.
func (cp *chunkPositions) phrases(visit func(key string, id int64, c *tokfreq.Counts)) error {
	if cp.chunk < 0 {
		return nil
	}
	if err := cp.decode(); err != nil {
		return fmt.Errorf("postgres: search: token positions, chunk %d: %w", cp.chunk, err)
	}
	base := cp.chunk << tokfreq.ChunkBits
	var lists [][]uint16
	for i, ph := range cp.list {
		key := phraseKey(ph)
		cp.need[i].Each(func(off uint16) {
			var c tokfreq.Counts
			for col := range c {
				lists = lists[:0]
				for _, t := range cp.tokens[i] {
					lists = append(lists, cp.positions(t, off, col))
				}
				c[col] = uint32(tokpos.Follow(lists...))
			}
			if !c.IsZero() {
				visit(key, base+int64(off), &c)
			}
		})
	}
	return nil
}
