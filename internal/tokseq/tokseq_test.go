package tokseq

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name string
		seq  Seq
	}{
		{"empty", Seq{}},
		{"title only", Seq{Title: []uint32{0, 1, 127, 128}}},
		{"body only", Seq{Body: []uint32{1 << 31, 300, 5}}},
		{"random", Seq{Title: randomIDs(rng, 12, 1<<20), Body: randomIDs(rng, 2000, 1<<32-1)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := Append(nil, tc.seq)
			got := Seq{Title: []uint32{9, 9}} // reused slices are reset
			if err := Decode(b, &got); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Title, tc.seq.Title) || !slices.Equal(got.Body, tc.seq.Body) {
				t.Fatalf("decoded %v, want %v", got, tc.seq)
			}
		})
	}
}

func randomIDs(rng *rand.Rand, n int, max uint32) []uint32 {
	ids := make([]uint32, n)
	for i := range ids {
		ids[i] = rng.Uint32N(max)
	}
	return ids
}

func TestMatcherLongPhrase(t *testing.T) {
	// A phrase longer than the ring is counted on a decoded copy.
	var s Seq
	var p Phrase
	for i := range 2*ring + 3 {
		id := uint32(1 + i%6)
		s.Body = append(s.Body, id)
		if i < ring+2 {
			p.Exact = append(p.Exact, id)
			p.Folded = append(p.Folded, fold[id])
		}
	}
	var scratch []uint32
	want, _ := Count(&s, p, fold, &scratch)
	got, ok, err := NewMatcher(p, fold).Count(Append(nil, s), &scratch)
	if err != nil || !ok || got != want || want[2] == 0 {
		t.Fatalf("Matcher.Count = %v, %v, %v; Count %v", got, ok, err, want)
	}
}

func TestDecodeCorrupt(t *testing.T) {
	good := Append(nil, Seq{Title: []uint32{1, 2}, Body: []uint32{300}})
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"title only", Append(nil, Seq{Title: []uint32{1}})[:2]},
		{"truncated", good[:len(good)-1]},
		{"trailing byte", append(slices.Clone(good), 0)},
		{"count past the end", []byte{5, 1, 0}},
		{"long varint", []byte{1, 0x81, 0x00, 0}},
		{"ID past 32 bits", []byte{1, 0x80, 0x80, 0x80, 0x80, 0x10, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s Seq
			if err := Decode(tc.b, &s); err != ErrCorrupt {
				t.Fatalf("Decode(%v) = %v, want ErrCorrupt", tc.b, err)
			}
		})
	}
}

// The dictionary of the tests: IDs 1–3 are folded tokens, 4–6 their
// variants with diacritics (4 folds to 1, 5 to 2, 6 to 3), and 7 a token
// whose folded form is empty.
var fold = []uint32{0, 1, 2, 3, 1, 2, 3, 0}

func TestCount(t *testing.T) {
	for _, tc := range []struct {
		name   string
		seq    Seq
		phrase Phrase
		want   [Columns]int
	}{
		{"exact in body", Seq{Body: []uint32{4, 5, 6}}, Phrase{Exact: []uint32{4, 5}, Folded: []uint32{1, 2}}, [Columns]int{0, 0, 1, 1}},
		{"folded only", Seq{Body: []uint32{1, 5, 6}}, Phrase{Exact: []uint32{4, 5}, Folded: []uint32{1, 2}}, [Columns]int{0, 0, 0, 1}},
		{"title and body", Seq{Title: []uint32{4, 5}, Body: []uint32{1, 2, 4, 5}}, Phrase{Exact: []uint32{4, 5}, Folded: []uint32{1, 2}}, [Columns]int{1, 1, 1, 2}},
		{"overlapping", Seq{Body: []uint32{1, 1, 1}}, Phrase{Exact: []uint32{1, 1}, Folded: []uint32{1, 1}}, [Columns]int{0, 0, 2, 2}},
		{"not across columns", Seq{Title: []uint32{1}, Body: []uint32{2}}, Phrase{Exact: []uint32{1, 2}, Folded: []uint32{1, 2}}, [Columns]int{}},
		{"not adjacent", Seq{Body: []uint32{1, 3, 2}}, Phrase{Exact: []uint32{1, 2}, Folded: []uint32{1, 2}}, [Columns]int{}},
		{"no exact form", Seq{Body: []uint32{4, 5}}, Phrase{Folded: []uint32{1, 2}}, [Columns]int{0, 0, 0, 1}},
		{"at the end", Seq{Body: []uint32{3, 2, 1, 2}}, Phrase{Exact: []uint32{1, 2}, Folded: []uint32{1, 2}}, [Columns]int{0, 0, 1, 1}},
		{"three words", Seq{Body: []uint32{6, 4, 5, 6, 4, 5}}, Phrase{Exact: []uint32{4, 5, 6}, Folded: []uint32{1, 2, 3}}, [Columns]int{0, 0, 1, 1}},
		{"empty phrase", Seq{Body: []uint32{1}}, Phrase{}, [Columns]int{}},
		// The folded column lacks a token whose folded form is empty:
		// words on either side of it follow each other there only.
		{"empty fold between", Seq{Body: []uint32{4, 7, 5}}, Phrase{Exact: []uint32{4, 5}, Folded: []uint32{1, 2}}, [Columns]int{0, 0, 0, 1}},
		{"empty fold in the phrase", Seq{Body: []uint32{4, 7, 5}}, Phrase{Exact: []uint32{4, 7, 5}, Folded: []uint32{1, 2}}, [Columns]int{0, 0, 1, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var scratch []uint32
			got, ok := Count(&tc.seq, tc.phrase, fold, &scratch)
			if !ok || got != tc.want {
				t.Fatalf("Count = %v, %v; want %v", got, ok, tc.want)
			}
		})
	}
	var scratch []uint32
	if _, ok := Count(&Seq{Body: []uint32{1, 8}}, Phrase{Folded: []uint32{1, 2}}, fold, &scratch); ok {
		t.Error("Count of a sequence holding an ID past the dictionary succeeded")
	}
}

// TestCountAgainstNaive compares Count and Matcher.Count with a count over
// the columns' strings, with the small dictionary fold and with one of
// several hundred IDs (a matcher marks IDs in words of 64 bits).
func TestCountAgainstNaive(t *testing.T) {
	// big: 1 to 299 in threes folding to the first of each (1, 4, ...),
	// every 50th folding to nothing.
	big := make([]uint32, 300)
	for id := 1; id < len(big); id++ {
		if id%50 != 0 {
			big[id] = uint32(id-1)/3*3 + 1
		}
	}
	for _, tc := range []struct {
		name string
		fold []uint32
		// words are the IDs a phrase holds: any but those folding to
		// nothing.
		words []uint32
	}{
		{"small", fold, []uint32{1, 2, 3, 4, 5, 6}},
		{"big", big, []uint32{1, 2, 3, 63, 64, 65, 127, 128, 201, 298}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 4))
			var scratch []uint32
			n := uint32(len(tc.fold))
			for range 2000 {
				s := Seq{Title: randomIDs(rng, rng.IntN(8), n), Body: randomIDs(rng, rng.IntN(40), n)}
				if tc.name == "big" {
					// Mostly the phrase's words, so that it is found.
					for _, col := range [][]uint32{s.Title, s.Body} {
						for i := range col {
							if rng.IntN(4) > 0 {
								col[i] = tc.words[rng.IntN(len(tc.words))]
							}
						}
					}
				}
				var p Phrase
				for range 1 + rng.IntN(3) {
					id := tc.words[rng.IntN(len(tc.words))]
					p.Exact = append(p.Exact, id)
					p.Folded = append(p.Folded, tc.fold[id])
				}
				got, ok := Count(&s, p, tc.fold, &scratch)
				if !ok {
					t.Fatal("Count failed")
				}
				stored, ok, err := NewMatcher(p, tc.fold).Count(Append(nil, s), &scratch)
				if err != nil || !ok || stored != got {
					t.Fatalf("Matcher.Count(%v, %v) = %v, %v, %v; Count gives %v", s, p, stored, ok, err, got)
				}
				// The reference: the columns as strings, the folded one
				// without empty forms, and strings.Count-like matching.
				var want [Columns]int
				for c, col := range [2][]uint32{s.Title, s.Body} {
					var folded []uint32
					for _, id := range col {
						if tc.fold[id] != 0 {
							folded = append(folded, tc.fold[id])
						}
					}
					want[2*c] = naive(col, p.Exact)
					want[2*c+1] = naive(folded, p.Folded)
				}
				if got != want {
					t.Fatalf("Count(%v, %v) = %v, want %v", s, p, got, want)
				}
			}
		})
	}
}

// naive counts the positions of col where phrase begins, comparing
// strings of the IDs.
func naive(col, phrase []uint32) int {
	str := func(ids []uint32) string {
		var b strings.Builder
		for _, id := range ids {
			fmt.Fprintf(&b, "<%d>", id)
		}
		return b.String()
	}
	s, p, n := str(col), str(phrase), 0
	for i := range len(s) {
		if strings.HasPrefix(s[i:], p) && s[i] == '<' {
			n++
		}
	}
	return n
}

func FuzzDecode(f *testing.F) {
	f.Add(Append(nil, Seq{Title: []uint32{1, 2}, Body: []uint32{300, 1 << 31}}))
	f.Add([]byte{})
	f.Add([]byte{0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		var s Seq
		if err := Decode(b, &s); err != nil {
			var scratch []uint32
			if _, _, err := NewMatcher(Phrase{Folded: []uint32{1, 2}}, fold).Count(b, &scratch); err == nil {
				// Count may stop at an ID past the dictionary
				// before it finds the damage; it must not accept more.
				big := make([]uint32, 1<<20)
				for i := range big {
					big[i] = 1
				}
				if _, ok, _ := NewMatcher(Phrase{Folded: []uint32{1, 2}}, big).Count(b, &scratch); ok {
					t.Fatalf("Matcher.Count accepts %v, which Decode rejects: %v", b, err)
				}
			}
			return
		}
		// A decoded sequence is stored in one form only.
		if again := Append(nil, s); !bytes.Equal(again, b) {
			t.Fatalf("Decode(%v) = %v, stored again as %v", b, s, again)
		}
		var scratch []uint32
		p := Phrase{Exact: []uint32{4, 5}, Folded: []uint32{1, 2}}
		n, ok := Count(&s, p, fold, &scratch)
		if ok != !slices.ContainsFunc(append(s.Title, s.Body...), func(id uint32) bool { return id >= uint32(len(fold)) }) {
			t.Fatalf("Count of %v: ok %v", s, ok)
		}
		if stored, sok, err := NewMatcher(p, fold).Count(b, &scratch); err != nil || sok != ok || ok && stored != n {
			t.Fatalf("Matcher.Count(%v) = %v, %v, %v; Count gives %v, %v", b, stored, sok, err, n, ok)
		}
	})
}

func BenchmarkCount(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	folds := make([]uint32, 50000)
	for i := range folds {
		folds[i] = uint32(i) / 4 * 4
	}
	s := Seq{Title: randomIDs(rng, 20, 50000), Body: randomIDs(rng, 1000, 50000)}
	stored := Append(nil, s)
	p := Phrase{Exact: []uint32{s.Body[500], s.Body[501], s.Body[502]}}
	for _, id := range p.Exact {
		p.Folded = append(p.Folded, folds[id])
	}
	var got Seq
	var scratch []uint32
	b.SetBytes(int64(len(stored)))
	for b.Loop() {
		if err := Decode(stored, &got); err != nil {
			b.Fatal(err)
		}
		if n, ok := Count(&got, p, folds, &scratch); !ok || n[2] == 0 {
			b.Fatal(n, ok)
		}
	}
}

func BenchmarkMatcher(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	folds := make([]uint32, 50000)
	for i := range folds {
		folds[i] = uint32(i)/4*4 + 1
	}
	// IDs as a dictionary numbers a text's tokens: the common ones first.
	s := Seq{Title: randomIDs(rng, 20, 2000), Body: randomIDs(rng, 1000, 2000)}
	for i := range s.Body[:100] {
		s.Body[i] = rng.Uint32N(50000)
	}
	stored := Append(nil, s)
	p := Phrase{Exact: []uint32{s.Body[500], s.Body[501], s.Body[502]}}
	for _, id := range p.Exact {
		p.Folded = append(p.Folded, folds[id])
	}
	var scratch []uint32
	m := NewMatcher(p, folds)
	b.SetBytes(int64(len(stored)))
	for b.Loop() {
		if n, ok, err := m.Count(stored, &scratch); err != nil || !ok || n[2] == 0 {
			b.Fatal(n, ok, err)
		}
	}
}

// BenchmarkNewMatcher makes the matcher of a phrase over a dictionary of
// two million tokens, as a long crawl's is, finding the marked IDs itself
// (scan) or given them (of).
func BenchmarkNewMatcher(b *testing.B) {
	folds := make([]uint32, 2_000_000)
	for i := range folds {
		folds[i] = uint32(i) / 4 * 4
	}
	p := Phrase{Folded: []uint32{400, 800, 1200}}
	marked := []uint32{1200, 1201, 1202, 1203}
	b.Run("scan", func(b *testing.B) {
		for b.Loop() {
			NewMatcher(p, folds)
		}
	})
	b.Run("of", func(b *testing.B) {
		for b.Loop() {
			NewMatcherOf(p, folds, marked)
		}
	})
}
