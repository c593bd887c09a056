package postgres

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/internal/pairidx"
	"github.com/diembao/diembao/internal/tokfreq"
	"github.com/diembao/diembao/internal/tokpos"
)

// holdsPhrase reports whether the pairs of an article (see articlePairs)
// hold each pair of adjacent tokens of phrase with the follow bit of the
// pair after it, as a search of the phrase asks.
func holdsPhrase(t *testing.T, pairs []uint64, phrase ...string) bool {
	t.Helper()
	keys, need := pairKeys(&expr{tokens: phrase})
	for i, key := range keys {
		var entries []uint64
		for _, e := range pairs {
			if int(e>>pairidx.EntryBits) == pairidx.Bucket(key) {
				entries = append(entries, e&(1<<pairidx.EntryBits-1))
			}
		}
		found := false
		if err := pairidx.Offsets(pairidx.AppendRow(nil, entries), key, need[i], func(int) { found = true }); err != nil {
			t.Fatal(err)
		}
		if !found {
			return false
		}
	}
	return true
}

func TestArticlePairs(t *testing.T) {
	// pos builds positions from token/column/position triples.
	type at struct {
		tok      string
		col, pos int
	}
	pos := func(list ...at) map[string]*tokpos.Positions {
		out := map[string]*tokpos.Positions{}
		for _, a := range list {
			if out[a.tok] == nil {
				out[a.tok] = new(tokpos.Positions)
			}
			out[a.tok][a.col] = append(out[a.tok][a.col], uint16(a.pos))
		}
		return out
	}
	tests := []struct {
		name      string
		positions map[string]*tokpos.Positions
		phrase    []string
		want      bool
	}{
		{"exact title", pos(at{"hà", 0, 1}, at{"nội", 0, 2}, at{"mưa", 0, 3}), []string{"hà", "nội", "mưa"}, true},
		{"exact title, folded phrase", pos(at{"hà", 0, 1}, at{"nội", 0, 2}, at{"mưa", 0, 3}), []string{"ha", "noi", "mua"}, true},
		{"folded body", pos(at{"ha", 3, 7}, at{"noi", 3, 8}), []string{"hà", "nội"}, true},
		{"reversed", pos(at{"hà", 0, 2}, at{"nội", 0, 1}), []string{"hà", "nội"}, false},
		{"a position missing", pos(at{"hà", 2, 1}, at{"nội", 2, 3}), []string{"hà", "nội"}, false},
		{"two columns", pos(at{"hà", 0, 1}, at{"nội", 2, 2}), []string{"hà", "nội"}, false},
		{"last pair at the end", pos(at{"mưa", 2, 4}, at{"to", 2, 5}), []string{"mưa", "to"}, true},
		{"three words, the third elsewhere", pos(at{"mưa", 2, 4}, at{"to", 2, 5}, at{"quá", 2, 9}), []string{"mưa", "to", "quá"}, false},
		{"clamped positions", pos(at{"cuối", 2, 16382}, at{"cùng", 2, 16383}, at{"bài", 2, 16383}), []string{"cuối", "bài"}, true},
		{"repeated pair", pos(at{"a", 2, 1}, at{"b", 2, 2}, at{"a", 2, 3}, at{"b", 2, 4}), []string{"a", "b", "a", "b"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pairs := articlePairs(nil, tt.positions)
			if !slices.IsSorted(pairs) {
				t.Errorf("pairs not ascending: %x", pairs)
			}
			if got := holdsPhrase(t, pairs, tt.phrase...); got != tt.want {
				t.Errorf("holds %q: %v, want %v", tt.phrase, got, tt.want)
			}
		})
	}
}

// checkTokenPairs checks that token_pairs holds the pairs of each stored
// article's index entry (see articlePairs); exact also asks that it hold
// nothing else (no article was replaced since the table was filled) and
// each entry once.
func checkTokenPairs(t *testing.T, db *DB, step string, exact bool) {
	t.Helper()
	ctx := context.Background()
	want := map[freqKey][]uint64{}
	eachIndexEntry(t, db, func(id int64, d docPositions) {
		addPairs(want, id, articlePairs(nil, tokenPositions(d)))
	})
	if len(want) == 0 {
		t.Fatalf("%s: no pairs to compare", step)
	}
	got := map[freqKey][]uint64{}
	err := eachKeyedRow(ctx, db.pool, `SELECT token, chunk, pairs FROM token_pairs`, nil, "", func(b string, chunk int64, v []byte) error {
		k := freqKey{b, chunk}
		return eachPiece(v, func(row []byte) error {
			var err error
			got[k], err = pieceEntries(got[k], row)
			return err
		})
	})
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	for k, entries := range want {
		have := map[uint64]bool{}
		for _, e := range got[k] {
			have[e] = true
		}
		for _, e := range entries {
			if !have[e] {
				t.Errorf("%s: bucket %s, chunk %d: entry %x missing", step, k.token, k.chunk, e)
			}
		}
		if exact {
			slices.Sort(entries)
			if g := slices.Sorted(slices.Values(got[k])); !slices.Equal(g, entries) {
				t.Errorf("%s: bucket %s, chunk %d: %d entries, want %d", step, k.token, k.chunk, len(g), len(entries))
			}
		}
	}
	if exact {
		for k := range got {
			if _, ok := want[k]; !ok {
				t.Errorf("%s: bucket %s, chunk %d: entries of no article", step, k.token, k.chunk)
			}
		}
	}
}

// TestPairCandidates checks the candidates of phrases read from
// token_pairs against articles that hold a phrase, its words in another
// order, its pairs apart, and its folded form, and that readPhrases looks
// for a phrase in its candidates only.
func TestPairCandidates(t *testing.T) {
	ctx := context.Background()
	db := openTestDB(t)
	as := NewArticleService(db)
	// A word after "hàng kinh" whose follow bit differs from that of
	// "doanh", so that an article holding "hàng kinh" and "kinh doanh"
	// apart is not a candidate of "hàng kinh doanh".
	other := ""
	for _, w := range []string{"tế", "phí", "nghiệm", "điển", "thành", "độ"} {
		if pairidx.Follow(pairKey("kinh", w)) != pairidx.Follow(pairKey("kinh", "doanh")) {
			other = w
			break
		}
	}
	if other == "" {
		t.Fatal("no word with another follow bit")
	}
	bodies := []string{
		"Các hộ hàng kinh doanh nộp thuế đúng hạn.",         // the phrase
		"Hộ kinh doanh hàng tạp hóa nộp thuế.",              // its words, another order
		"Mặt hàng kinh " + other + " và hộ kinh doanh nhỏ.", // its pairs apart
		"Các hộ hang kinh doanh nộp thuế.",                  // its folded form
		"Thuế của hộ kinh doanh được giảm.",                 // one pair only
		strings.Repeat("Hàng kinh doanh. ", 3) + "Hết giờ.", // several times
	}
	putBatches(t, as, len(bodies), len(bodies), func(i int) *diembao.Article {
		return &diembao.Article{URL: fmt.Sprintf("https://p.example.vn/%d", i), Title: "Tin thuế",
			Body:      []diembao.Paragraph{{Text: bodies[i]}},
			Published: time.Date(2022, 3, 1+i, 8, 0, 0, 0, diembao.Vietnam)}
	})
	ids := map[int64]int{}
	for i := range bodies {
		a, err := as.FindArticleByURL(ctx, fmt.Sprintf("https://p.example.vn/%d", i))
		if err != nil {
			t.Fatal(err)
		}
		ids[a.ID] = i
	}
	ss := NewSearchService(db)
	var last int64
	for id := range ids {
		last = max(last, id)
	}
	all := chunkSel{hi: last >> tokfreq.ChunkBits}
	// candidates returns the pair candidates of the first phrase of q,
	// read for sel.
	candidates := func(q string, sel chunkSel) (*expr, []int) {
		p, err := ss.plan(diembao.SearchRequest{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		ph := p.phrases[0]
		ph.pairs = &phrasePairs{}
		if err := readPairCandidates(ctx, db.pool, p.phrases, sel); err != nil {
			t.Fatal(err)
		}
		var got []int
		for c, offs := range ph.pairs.cands {
			offs.Each(func(off uint16) { got = append(got, ids[c<<tokfreq.ChunkBits|int64(off)]) })
		}
		slices.Sort(got)
		return ph, got
	}
	for _, tt := range []struct {
		query string
		want  []int
	}{
		{`"hàng kinh doanh"`, []int{0, 3, 5}},
		{`"hang kinh doanh"`, []int{0, 3, 5}},
		{`"kinh doanh"`, []int{0, 1, 2, 3, 4, 5}},
		{`"doanh hàng"`, []int{1, 5}}, // the tokens of 5 follow each other across the full stop
		{`"hộ hàng"`, []int{0, 3}},
	} {
		if _, got := candidates(tt.query, all); !slices.Equal(got, tt.want) {
			t.Errorf("%s: candidates %v, want %v", tt.query, got, tt.want)
		}
	}
	// The chunks of token_pairs read are those a selection wants, once.
	var first int64 = -1
	for id := range ids {
		if first < 0 || id < first {
			first = id
		}
	}
	chunk := first >> tokfreq.ChunkBits
	ph, _ := candidates(`"kinh doanh"`, chunkSel{list: []int64{chunk + 4}})
	if want := map[int64]bool{(chunk + 4) >> (pairidx.ChunkBits - tokfreq.ChunkBits): true}; !maps.Equal(ph.pairs.read, want) {
		t.Errorf("read %v for a list, want %v", ph.pairs.read, want)
	}
	// The articles lie in another chunk of token_pairs than the one read.
	if len(ph.pairs.cands) != 0 {
		t.Errorf("candidates %v in chunks not read", ph.pairs.cands)
	}
	// Asked for the archive next, the phrase reads the chunks it lacks.
	if err := readPairCandidates(ctx, db.pool, []*expr{ph}, all); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, offs := range ph.pairs.cands {
		offs.Each(func(uint16) { n++ })
	}
	if n != len(bodies) || !ph.pairs.read[chunk>>(pairidx.ChunkBits-tokfreq.ChunkBits)] {
		t.Errorf("after the archive: %d candidates (want %d), chunks read %v", n, len(bodies), ph.pairs.read)
	}

	// readPhrases finds a phrase in its candidates only: those read, then
	// one of them, then none.
	p, err := ss.plan(diembao.SearchRequest{Query: `"hàng kinh doanh"`})
	if err != nil {
		t.Fatal(err)
	}
	ph = p.phrases[0]
	ph.pairs = &phrasePairs{}
	found := func() []int {
		var out []int
		err := readPhrases(ctx, db.pool, p.phrases, all, nil, func(key string, id int64, c *tokfreq.Counts) {
			if key == phraseKey(ph) {
				out = append(out, ids[id])
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(out)
		return out
	}
	if got, want := found(), []int{0, 5}; !slices.Equal(got, want) {
		t.Errorf("found in %v, want %v", got, want)
	}
	if len(ph.pairs.read) == 0 {
		t.Error("readPhrases read no pairs")
	}
	var five int64
	for id, i := range ids {
		if i == 5 {
			five = id
		}
	}
	c, off := tokfreq.ChunkOf(five)
	one := new(tokpos.Offsets)
	one.Add(off)
	ph.pairs.cands = map[int64]*tokpos.Offsets{c: one}
	if got, want := found(), []int{5}; !slices.Equal(got, want) {
		t.Errorf("with one candidate, found in %v, want %v", got, want)
	}
	ph.pairs.cands = map[int64]*tokpos.Offsets{}
	if got := found(); len(got) != 0 {
		t.Errorf("without candidates, found in %v", got)
	}
}

func TestPairPieces(t *testing.T) {
	key := pairKey("hà", "nội")
	other := pairKey("kinh", "tế")
	tests := []struct {
		name    string
		entries []uint64
		kind    byte
	}{
		{"none", nil, pieceList},
		{"one article", []uint64{pairidx.Entry(key, 7, 2)}, pieceList},
		{"two keys", []uint64{pairidx.Entry(other, 0, 1), pairidx.Entry(key, 9, 3), pairidx.Entry(key, 4095, 8)}, pieceList},
	}
	var many []uint64
	for off := range 40 {
		many = append(many, pairidx.Entry(key, off*3, 1<<(off%4)), pairidx.Entry(other, off, 1))
	}
	tests = append(tests, struct {
		name    string
		entries []uint64
		kind    byte
	}{"many", many, pieceRow})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			piece := encodePairs(slices.Clone(tt.entries))
			if piece[0] != tt.kind {
				t.Errorf("kind %d, want %d", piece[0], tt.kind)
			}
			want := slices.Sorted(slices.Values(tt.entries))
			got, err := pieceEntries(nil, piece)
			if err != nil || !slices.Equal(got, want) {
				t.Errorf("entries %x (%v), want %x", got, err, want)
			}
			// The offsets of key with the follow bit 2, from the piece
			// and from a row of the same entries.
			var fromPiece, fromRow []int
			if err := pieceOffsets(piece, key, 2, func(off int) { fromPiece = append(fromPiece, off) }); err != nil {
				t.Fatal(err)
			}
			if err := pairidx.Offsets(pairidx.AppendRow(nil, want), key, 2, func(off int) { fromRow = append(fromRow, off) }); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(fromPiece, fromRow) {
				t.Errorf("offsets %v, from a row %v", fromPiece, fromRow)
			}
		})
	}
	// A value of a list and a row merges into one row of both.
	v := appendPiece(appendPiece(nil, encodePairs(slices.Clone(many))), encodePairs([]uint64{pairidx.Entry(key, 5, 1)}))
	merged, err := mergePairs(v)
	if err != nil {
		t.Fatal(err)
	}
	var entries []uint64
	pieces := 0
	if err := eachPiece(merged, func(piece []byte) error {
		pieces++
		entries, err = pieceEntries(entries, piece)
		return err
	}); err != nil || pieces != 1 || len(entries) != len(many)+1 {
		t.Errorf("merged: %d pieces, %d entries (%v), want 1, %d", pieces, len(entries), err, len(many)+1)
	}
	for _, bad := range [][]byte{{}, {2}, {pieceList, 0x80}, {pieceList, 1, 0}, {pieceRow, 0xff}} {
		if _, err := pieceEntries(nil, bad); err == nil {
			t.Errorf("%x: no error", bad)
		}
	}
}

// FuzzPairPieces checks that reading and merging a piece of token_pairs
// never panics, and that the entries read from one encode to a piece that
// reads back as them.
func FuzzPairPieces(f *testing.F) {
	f.Add(encodePairs([]uint64{pairidx.Entry(pairKey("a", "b"), 3, 1)}))
	f.Add([]byte{pieceRow})
	f.Add([]byte{pieceList, 5, 1, 0x80, 1})
	f.Fuzz(func(t *testing.T, piece []byte) {
		entries, err := pieceEntries(nil, piece)
		_ = pieceOffsets(piece, pairKey("a", "b"), 1, func(int) {})
		_, _ = mergePairs(appendPiece(nil, piece))
		if err != nil {
			return
		}
		want := slices.Compact(slices.Sorted(slices.Values(entries)))
		if back, err := pieceEntries(nil, encodePairs(entries)); err != nil || !slices.Equal(back, want) {
			t.Errorf("%x read as %x, encoded and read again as %x (%v)", piece, want, back, err)
		}
	})
}
