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
// the positional phrases of phrases, in the chunks that chunkCond (over
// chunkArgs, $1 on) selects, and calls visit with the instances of each
// phrase in each column of each article where it occurs, under its
// phraseKey. visit must not keep c.
func readPhrases(ctx context.Context, conn querier, phrases []*expr, chunkCond string, chunkArgs []any,
	visit func(key string, id int64, c *tokfreq.Counts)) error {
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
	// The rows come chunk after chunk; the positions of a chunk are kept
	// until the next one begins.
	rows, err := conn.Query(ctx, `SELECT token, chunk, positions FROM token_positions WHERE token = ANY($`+
		strconv.Itoa(len(chunkArgs)+1)+`::text[]) AND `+chunkCond+` ORDER BY chunk`,
		append(append([]any(nil), chunkArgs...), tokens)...)
	if err != nil {
		return fmt.Errorf("postgres: search: token positions: %w", err)
	}
	defer rows.Close()
	cp := newChunkPositions(len(tokens))
	chunk := int64(-1)
	for rows.Next() {
		var (
			tok string
			c   int64
			v   []byte
		)
		if err := rows.Scan(&tok, &c, &v); err != nil {
			return fmt.Errorf("postgres: search: token positions: %w", err)
		}
		if c != chunk {
			cp.phrases(list, tokenAt, chunk, visit)
			cp.reset()
			chunk = c
		}
		if err := cp.add(tokenAt[tok], v); err != nil {
			return fmt.Errorf("postgres: search: token %q, chunk %d: %w", tok, c, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgres: search: token positions: %w", err)
	}
	cp.phrases(list, tokenAt, chunk, visit)
	return nil
}

// chunkPositions holds the positions of some tokens in the articles of one
// chunk: those of token t in the article at offset off are
// arena[lo:hi] for {lo, hi} = slots[t*ChunkSize+off][column].
type chunkPositions struct {
	arena []uint16
	slots [][tokpos.Columns][2]int32
	// offs are the offsets of the articles holding each token, in the
	// order they were added.
	offs [][]uint16
}

// newChunkPositions returns an empty chunkPositions for n tokens.
func newChunkPositions(n int) *chunkPositions {
	return &chunkPositions{slots: make([][tokpos.Columns][2]int32, n*tokfreq.ChunkSize), offs: make([][]uint16, n)}
}

// reset empties cp for another chunk.
func (cp *chunkPositions) reset() {
	for t, offs := range cp.offs {
		for _, off := range offs {
			cp.slots[t*tokfreq.ChunkSize+int(off)] = [tokpos.Columns][2]int32{}
		}
		cp.offs[t] = offs[:0]
	}
	cp.arena = cp.arena[:0]
}

// add adds the positions of the token t that the value v of
// token_positions holds.
func (cp *chunkPositions) add(t int, v []byte) error {
	return eachPos(v, func(off uint16, p *tokpos.Positions) {
		slot := &cp.slots[t*tokfreq.ChunkSize+int(off)]
		if *slot == ([tokpos.Columns][2]int32{}) {
			cp.offs[t] = append(cp.offs[t], off)
		}
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
	})
}

// positions returns the positions of the token t in the column c of the
// article at offset off.
func (cp *chunkPositions) positions(t int, off uint16, c int) []uint16 {
	s := cp.slots[t*tokfreq.ChunkSize+int(off)][c]
	return cp.arena[s[0]:s[1]]
}

// phrases calls visit with the instances of each phrase of list in each
// column of each article of the chunk where it occurs, under its
// phraseKey; tokenAt gives the index of each token in cp.
func (cp *chunkPositions) phrases(list []*expr, tokenAt map[string]int, chunk int64, visit func(key string, id int64, c *tokfreq.Counts)) {
	if chunk < 0 {
		return
	}
	base := chunk << tokfreq.ChunkBits
	var lists [][]uint16
	for _, ph := range list {
		ts := make([]int, len(ph.tokens))
		rarest := 0
		for j, tok := range ph.tokens {
			ts[j] = tokenAt[tok]
			if len(cp.offs[ts[j]]) < len(cp.offs[ts[rarest]]) {
				rarest = j
			}
		}
		key := phraseKey(ph)
		offs := slices.Clone(cp.offs[ts[rarest]])
		slices.Sort(offs)
		for _, off := range offs {
			var c tokfreq.Counts
			for col := range c {
				lists = lists[:0]
				for _, t := range ts {
					lists = append(lists, cp.positions(t, off, col))
				}
				c[col] = uint32(tokpos.Follow(lists...))
			}
			if !c.IsZero() {
				visit(key, base+int64(off), &c)
			}
		}
	}
}
