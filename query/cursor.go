package query

import (
	"cmp"
	"encoding/base64"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/diembao/diembao"
)

// Cursor is the position after the last hit of a page of results: its score
// (for relevance), its sort key (for date orders) and its article ID. Every
// backend encodes it the same way, so a cursor is an opaque string to users.
type Cursor struct {
	Score float64
	Key   int64
	ID    int64
}

// Encode returns the cursor as an opaque string for the order sort.
func (c Cursor) Encode(sort diembao.Sort) string {
	var s string
	if sort == diembao.SortRelevance {
		s = "r:" + strconv.FormatUint(math.Float64bits(c.Score), 16) + ":" + strconv.FormatInt(c.ID, 10)
	} else {
		s = string(sort[0]) + ":" + strconv.FormatInt(c.Key, 10) + ":" + strconv.FormatInt(c.ID, 10)
	}
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

// DecodeCursor reads a cursor made by Encode for the same order; any other
// string gives an EINVALID error.
func DecodeCursor(s string, sort diembao.Sort) (*Cursor, error) {
	bad := diembao.Errorf(diembao.EINVALID, "the cursor is not valid for this search")
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	parts := strings.Split(string(raw), ":")
	if len(parts) != 3 || parts[0] != string(sort[0]) {
		return nil, bad
	}
	var c Cursor
	if c.ID, err = strconv.ParseInt(parts[2], 10, 64); err != nil {
		return nil, bad
	}
	if sort == diembao.SortRelevance {
		bits, err := strconv.ParseUint(parts[1], 16, 64)
		if err != nil {
			return nil, bad
		}
		c.Score = math.Float64frombits(bits)
	} else if c.Key, err = strconv.ParseInt(parts[1], 10, 64); err != nil {
		return nil, bad
	}
	return &c, nil
}

// CompareScores orders hits as a relevance order does: lowest score first
// (the sign of bm25 in every store), then by ID.
func CompareScores(a, b Cursor) int {
	if c := cmp.Compare(a.Score, b.Score); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

// ScorePage sorts the hits of a relevance order, lowest score first (the
// sign of bm25 in every store) and then by ID, and returns up to n of those
// that follow cur (from the first when cur is nil), and whether more
// follow them.
func ScorePage(hits []Cursor, cur *Cursor, n int) ([]Cursor, bool) {
	slices.SortFunc(hits, CompareScores)
	start := 0
	if cur != nil {
		start, _ = slices.BinarySearchFunc(hits, *cur, func(h, c Cursor) int {
			if x := cmp.Compare(h.Score, c.Score); x != 0 {
				return x
			}
			if h.ID <= c.ID {
				return -1
			}
			return 1
		})
	}
	rest := hits[start:]
	if len(rest) > n {
		return rest[:n], true
	}
	return rest, false
}
