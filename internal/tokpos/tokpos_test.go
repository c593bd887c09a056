package tokpos

import (
	"encoding/binary"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// randomEntries returns n entries at distinct ascending offsets with random
// positions, some with folded positions equal to the exact ones.
func randomEntries(r *rand.Rand, n int) []Entry {
	offs := r.Perm(1024)[:n]
	slices.Sort(offs)
	out := make([]Entry, 0, n)
	for _, off := range offs {
		e := Entry{Off: uint16(off)}
		for c := range e.Pos {
			if r.IntN(3) == 0 {
				continue
			}
			set := map[uint16]bool{}
			for range 1 + r.IntN(6) {
				set[uint16(1+r.IntN(20000))] = true
			}
			for p := range set {
				e.Pos[c] = append(e.Pos[c], p)
			}
			slices.Sort(e.Pos[c])
		}
		if r.IntN(2) == 0 {
			e.Pos[1], e.Pos[3] = slices.Clone(e.Pos[0]), slices.Clone(e.Pos[2])
		}
		if e.Pos.IsZero() {
			e.Pos[2] = []uint16{7}
		}
		out = append(out, e)
	}
	return out
}

func TestRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 50, 1024} {
		entries := randomEntries(r, n)
		got, err := Decode(Encode(entries))
		if err != nil {
			t.Fatalf("%d entries: %v", n, err)
		}
		if len(entries) == 0 && len(got) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, entries) {
			t.Fatalf("%d entries: round trip differs:\n got %v\nwant %v", n, got, entries)
		}
	}
}

func TestSameFoldedWrittenOnce(t *testing.T) {
	pos := []uint16{3, 9, 400}
	same := Encode([]Entry{{Off: 5, Pos: Positions{pos, pos, nil, nil}}})
	apart := Encode([]Entry{{Off: 5, Pos: Positions{pos, {3, 9, 401}, nil, nil}}})
	if len(same) >= len(apart) {
		t.Errorf("equal folded positions take %d bytes, different ones %d", len(same), len(apart))
	}
	got, err := Decode(same)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Positions{pos, pos, nil, nil}); len(got) != 1 || !reflect.DeepEqual(got[0].Pos, want) {
		t.Errorf("decoded %v, want %v", got, want)
	}
}

func TestSkipsEmptyEntries(t *testing.T) {
	b := Encode([]Entry{{Off: 1}, {Off: 2, Pos: Positions{nil, nil, {4}, {4}}}, {Off: 3}})
	got, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Off != 2 {
		t.Errorf("decoded %v, want the entry at offset 2 only", got)
	}
}

func TestCorrupt(t *testing.T) {
	valid := Encode([]Entry{{Off: 2, Pos: Positions{{1, 5}, nil, {2}, nil}}})
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"truncated", valid[:len(valid)-1]},
		{"gap only", []byte{3}},
		{"offset beyond the chunk", []byte{0x80, 0x08, 0b0100, 1, 4}},
		{"unknown mask bit", []byte{0, 0b100100, 1, 4}},
		{"empty mask", []byte{0, 0}},
		{"same with folded columns", []byte{0, sameBit | 0b0011, 1, 4, 1, 4}},
		{"no positions in a marked column", []byte{0, 0b0100, 0}},
		{"positions not ascending", []byte{0, 0b0100, 2, 4, 0}},
		{"position too large", []byte{0, 0b0100, 2, 0xff, 0xff, 0x03, 1}},
		{"varint not shortest", []byte{0, 0b0100, 1, 0x84, 0x00}},
	} {
		if _, err := Decode(tc.b); err != ErrCorrupt {
			t.Errorf("%s: err = %v, want ErrCorrupt", tc.name, err)
		}
		// Stepping over positions checks the structure, not the
		// positions themselves.
		var none Offsets
		err := EachIn(tc.b, &none, func(uint16, *Positions) { t.Errorf("%s: EachIn hands over an entry", tc.name) })
		switch tc.name {
		case "positions not ascending", "position too large", "varint not shortest":
			if err != nil {
				t.Errorf("%s: EachIn stepping over: %v, want no error", tc.name, err)
			}
		default:
			if err != ErrCorrupt {
				t.Errorf("%s: EachIn stepping over: err = %v, want ErrCorrupt", tc.name, err)
			}
		}
	}
}

// entriesIn returns the entries of b that EachIn hands over for want,
// their positions copied.
func entriesIn(t *testing.T, b []byte, want *Offsets) []Entry {
	t.Helper()
	var out []Entry
	err := EachIn(b, want, func(off uint16, p *Positions) {
		e := Entry{Off: off}
		for c := range p {
			if len(p[c]) > 0 {
				e.Pos[c] = slices.Clone(p[c])
			}
		}
		out = append(out, e)
	})
	if err != nil {
		t.Fatalf("EachIn: %v", err)
	}
	return out
}

func TestEachIn(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	// Random positions are mostly written in several bytes, those of a
	// text (textEntries) mostly in one.
	var sets [][]Entry
	for _, n := range []int{0, 1, 7, 300, 1024} {
		sets = append(sets, randomEntries(r, n))
	}
	for _, d := range []float64{0.01, 0.5, 1} {
		sets = append(sets, textEntries(r, d, true), textEntries(r, d, false))
	}
	for _, entries := range sets {
		n := len(entries)
		b := Encode(entries)
		var all, none, some Offsets
		for i := range all {
			all[i] = ^uint64(0)
		}
		var want []Entry
		for i, e := range entries {
			if i%3 != 1 {
				some.Add(e.Off)
				want = append(want, e)
			}
		}
		// An offset no entry has changes nothing.
		var held Offsets
		for _, e := range entries {
			held.Add(e.Off)
		}
		for off := uint16(1023); off > 0; off-- {
			if !held.Has(off) {
				some.Add(off)
				break
			}
		}
		for _, tc := range []struct {
			name string
			set  *Offsets
			want []Entry
		}{
			{"all", &all, entries},
			{"none", &none, nil},
			{"some", &some, want},
		} {
			got := entriesIn(t, b, tc.set)
			if len(got) != len(tc.want) || len(got) > 0 && !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%d entries, %s: EachIn gives %d entries, want %d", n, tc.name, len(got), len(tc.want))
			}
		}
	}
}

func TestSkipVarints(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 200 {
		var b []byte
		var ends []int
		for range r.IntN(40) {
			b = binary.AppendUvarint(b, uint64(r.IntN(1<<(1+r.IntN(20)))))
			ends = append(ends, len(b))
		}
		for n := 0; n <= len(ends)+1; n++ {
			want := -1
			switch {
			case n == 0:
				want = 0
			case n <= len(ends):
				want = ends[n-1]
			}
			if got := skipVarints(b, n); got != want {
				t.Fatalf("skipVarints(%x, %d) = %d, want %d", b, n, got, want)
			}
		}
	}
}

func TestOffsetsSetOperations(t *testing.T) {
	var a, b Offsets
	for _, off := range []uint16{0, 63, 64, 500, 1023} {
		a.Add(off)
	}
	for _, off := range []uint16{63, 65, 500} {
		b.Add(off)
	}
	list := func(o *Offsets) (out []uint16) {
		o.Each(func(off uint16) { out = append(out, off) })
		return out
	}
	and, or := a, a
	and.And(&b)
	or.Or(&b)
	if got := list(&and); !slices.Equal(got, []uint16{63, 500}) {
		t.Errorf("And = %v", got)
	}
	if got := list(&or); !slices.Equal(got, []uint16{0, 63, 64, 65, 500, 1023}) {
		t.Errorf("Or = %v", got)
	}
	if !a.Has(1023) || a.Has(65) {
		t.Errorf("Has: 1023 %v, 65 %v", a.Has(1023), a.Has(65))
	}
	a.Remove(63)
	a.Remove(65)
	if got := list(&a); !slices.Equal(got, []uint16{0, 64, 500, 1023}) {
		t.Errorf("after Remove: %v", got)
	}
}

// follow counts the places where the lists follow each other the plain
// way.
func follow(pos ...[]uint16) int {
	if len(pos) == 0 {
		return 0
	}
	n := 0
	for _, q := range pos[0] {
		ok := true
		for j := 1; j < len(pos) && ok; j++ {
			ok = slices.Contains(pos[j], q+uint16(j))
		}
		if ok {
			n++
		}
	}
	return n
}

func TestFollow(t *testing.T) {
	for _, tc := range []struct {
		name string
		pos  [][]uint16
		want int
	}{
		{"none", nil, 0},
		{"one list", [][]uint16{{1, 4, 9}}, 3},
		{"pair", [][]uint16{{1, 4, 9}, {2, 6, 10}}, 2},
		{"triple, one broken", [][]uint16{{1, 4, 9}, {2, 5, 10}, {3, 11}}, 2},
		{"second list empty", [][]uint16{{1, 4}, {}}, 0},
		{"adjacent repeats", [][]uint16{{1, 2, 3}, {2, 3, 4}}, 3},
		{"second list runs out", [][]uint16{{1, 8, 20}, {2}}, 1},
	} {
		if got := Follow(tc.pos...); got != tc.want {
			t.Errorf("%s: Follow = %d, want %d", tc.name, got, tc.want)
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 500 {
		lists := make([][]uint16, 1+r.IntN(4))
		for j := range lists {
			set := map[uint16]bool{}
			for range r.IntN(12) {
				set[uint16(r.IntN(30))] = true
			}
			for p := range set {
				lists[j] = append(lists[j], p)
			}
			slices.Sort(lists[j])
		}
		if got, want := Follow(lists...), follow(lists...); got != want {
			t.Fatalf("Follow(%v) = %d, want %d", lists, got, want)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(Encode([]Entry{{Off: 2, Pos: Positions{{1, 5}, {1, 5}, {2}, {2}}}, {Off: 900, Pos: Positions{nil, {7}, nil, nil}}}))
	f.Add([]byte{0, 0b0100, 1, 4})
	f.Fuzz(func(t *testing.T, b []byte) {
		entries, err := Decode(b)
		var none Offsets
		serr := EachIn(b, &none, func(uint16, *Positions) { t.Fatal("EachIn hands over an entry it should step over") })
		if err != nil {
			if err != ErrCorrupt {
				t.Fatalf("Decode: %v", err)
			}
			return
		}
		if serr != nil {
			t.Fatalf("stepping over the entries of a chunk Decode reads: %v", serr)
		}
		var half Offsets
		var want []Entry
		for i, e := range entries {
			if i%2 == 0 {
				half.Add(e.Off)
				want = append(want, e)
			}
		}
		if got := entriesIn(t, b, &half); len(got) != len(want) || len(got) > 0 && !reflect.DeepEqual(got, want) {
			t.Fatalf("EachIn differs:\n got %v\nwant %v", got, want)
		}
		for i := 1; i < len(entries); i++ {
			if entries[i].Off <= entries[i-1].Off {
				t.Fatalf("offsets not ascending: %v", entries)
			}
		}
		again, err := Decode(Encode(entries))
		if err != nil {
			t.Fatalf("re-encoded chunk: %v", err)
		}
		if len(entries) > 0 && !reflect.DeepEqual(again, entries) {
			t.Fatalf("re-encoded chunk differs:\n got %v\nwant %v", again, entries)
		}
	})
}

// textEntries returns the entries of a token in a chunk as an article text
// gives them: one article in density holds it, a few times in a body of
// some hundred tokens, now and then in the title; a word without
// diacritics (same set) has its folded positions equal to its exact ones.
func textEntries(r *rand.Rand, density float64, same bool) []Entry {
	var out []Entry
	for off := range 1024 {
		if r.Float64() >= density {
			continue
		}
		e := Entry{Off: uint16(off)}
		body := 200 + r.IntN(600)
		set := map[uint16]bool{}
		for range 1 + r.IntN(8) {
			set[uint16(r.IntN(body))] = true
		}
		e.Pos[2] = slices.Sorted(func(yield func(uint16) bool) {
			for p := range set {
				if !yield(p) {
					return
				}
			}
		})
		if r.IntN(10) == 0 {
			e.Pos[0] = []uint16{uint16(r.IntN(15))}
		}
		e.Pos[1], e.Pos[3] = e.Pos[0], e.Pos[2]
		if !same {
			// Other words fold to the same form: more folded positions.
			extra := append(slices.Clone(e.Pos[2]), uint16(body+r.IntN(50)))
			e.Pos[3] = extra
		}
		out = append(out, e)
	}
	return out
}

// BenchmarkEach decodes every entry of chunks of a common token.
func BenchmarkEach(b *testing.B) {
	for _, tc := range []struct {
		name string
		same bool
	}{{"same", true}, {"folded", false}} {
		b.Run(tc.name, func(b *testing.B) {
			chunk := Encode(textEntries(rand.New(rand.NewPCG(5, 6)), 0.8, tc.same))
			b.SetBytes(int64(len(chunk)))
			n := 0
			for b.Loop() {
				if err := Each(chunk, func(_ uint16, p *Positions) { n += len(p[2]) }); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEachIn decodes the entries of one article in twenty of chunks
// of a common token and steps over the others.
func BenchmarkEachIn(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 8))
	chunk := Encode(textEntries(r, 0.8, true))
	var want Offsets
	for off := range 1024 {
		if r.IntN(20) == 0 {
			want.Add(uint16(off))
		}
	}
	b.SetBytes(int64(len(chunk)))
	n := 0
	for b.Loop() {
		if err := EachIn(chunk, &want, func(_ uint16, p *Positions) { n += len(p[2]) }); err != nil {
			b.Fatal(err)
		}
	}
}
