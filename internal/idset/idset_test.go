package idset

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestChunkEncoding(t *testing.T) {
	tests := []struct {
		name    string
		offsets []uint16
		size    int // encoded length
	}{
		{"empty", nil, 0},
		{"one", []uint16{7}, 2},
		{"ends", []uint16{0, ChunkSize - 1}, 4},
		{"largest array", seq(maxArray), 2 * maxArray},
		{"smallest bitmap", seq(maxArray + 1), BitmapBytes},
		{"full", seq(ChunkSize), BitmapBytes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c Chunk
			for _, o := range tt.offsets {
				c.Add(o)
			}
			b := c.Encode()
			if len(b) != tt.size {
				t.Fatalf("encoded in %d bytes, want %d", len(b), tt.size)
			}
			d, err := DecodeChunk(b)
			if err != nil {
				t.Fatal(err)
			}
			if d != c {
				t.Fatal("decoded chunk differs")
			}
			var s Set
			if err := s.AddChunk(3, b); err != nil {
				t.Fatal(err)
			}
			var got []int64
			s.Descending(func(id int64) bool { got = append(got, id); return true })
			slices.Reverse(got)
			var want []int64
			for _, o := range tt.offsets {
				want = append(want, 3*ChunkSize+int64(o))
			}
			if !slices.Equal(got, want) {
				t.Fatalf("set holds %v, want %v", got, want)
			}
		})
	}
}

func seq(n int) []uint16 {
	out := make([]uint16, n)
	for i := range out {
		out[i] = uint16(i)
	}
	return out
}

func TestDecodeChunkRejects(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
	}{
		{"odd length", []byte{1, 0, 2}},
		{"not increasing", []byte{5, 0, 5, 0}},
		{"decreasing", []byte{6, 0, 5, 0}},
		{"offset past the chunk", []byte{0, 0x10}},
		{"too long for an array", make([]byte, BitmapBytes+2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := DecodeChunk(tt.b); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("err %v, want ErrCorrupt", err)
			}
			var s Set
			if err := s.AddChunk(0, tt.b); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("AddChunk: err %v, want ErrCorrupt", err)
			}
		})
	}
}

// TestSetOperations checks And, Or, AndNot, Len, Has and Descending against
// maps, on random sets of different lengths.
func TestSetOperations(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	random := func() (*Set, map[int64]bool) {
		var s Set
		m := map[int64]bool{}
		limit := 1 + rng.Int64N(20000)
		for range rng.IntN(3000) {
			id := rng.Int64N(limit)
			s.Add(id)
			m[id] = true
		}
		return &s, m
	}
	check := func(t *testing.T, s *Set, m map[int64]bool) {
		t.Helper()
		if s.Len() != len(m) {
			t.Fatalf("Len %d, want %d", s.Len(), len(m))
		}
		var got []int64
		s.Descending(func(id int64) bool {
			got = append(got, id)
			return true
		})
		want := make([]int64, 0, len(m))
		for id := range m {
			want = append(want, id)
		}
		slices.Sort(want)
		slices.Reverse(want)
		if !slices.Equal(got, want) {
			t.Fatalf("Descending gives %d IDs, want %d", len(got), len(want))
		}
		for id := range int64(25000) {
			if s.Has(id) != m[id] {
				t.Fatalf("Has(%d) = %v", id, s.Has(id))
			}
		}
	}
	for i := range 50 {
		a, ma := random()
		b, mb := random()
		and, or, not := a.Clone(), a.Clone(), a.Clone()
		and.And(b)
		or.Or(b)
		not.AndNot(b)
		mand, mor, mnot := map[int64]bool{}, map[int64]bool{}, map[int64]bool{}
		for id := range ma {
			mor[id] = true
			if mb[id] {
				mand[id] = true
			} else {
				mnot[id] = true
			}
		}
		for id := range mb {
			mor[id] = true
		}
		t.Run("and", func(t *testing.T) { check(t, and, mand) })
		t.Run("or", func(t *testing.T) { check(t, or, mor) })
		t.Run("andnot", func(t *testing.T) { check(t, not, mnot) })
		if i == 0 {
			n := 0
			or.Descending(func(int64) bool { n++; return n < 3 })
			if n != min(3, len(mor)) {
				t.Fatalf("Descending went on after false: %d calls", n)
			}
		}
	}
}

// FuzzDecodeChunk checks that any stored bytes either decode to a chunk
// whose encoding decodes to the same chunk, or give ErrCorrupt; never a
// panic.
func FuzzDecodeChunk(f *testing.F) {
	var c Chunk
	c.Add(1)
	c.Add(4000)
	f.Add(c.Encode())
	for _, o := range seq(300) {
		c.Add(o * 13)
	}
	f.Add(c.Encode())
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := DecodeChunk(b)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v", err)
			}
			return
		}
		again, err := DecodeChunk(d.Encode())
		if err != nil || again != d {
			t.Fatalf("re-encoding changes the chunk (%v)", err)
		}
		if len(b) < BitmapBytes && !bytes.Equal(d.Encode(), b) {
			t.Fatal("an array chunk does not encode back to itself")
		}
		var s Set
		if err := s.AddChunk(1, b); err != nil || s.Len() != d.Len() {
			t.Fatalf("AddChunk holds %d IDs, chunk %d (%v)", s.Len(), d.Len(), err)
		}
	})
}

func TestChunkUnion(t *testing.T) {
	var a, b, want Chunk
	for _, o := range []uint16{0, 5, 4095} {
		a.Add(o)
		want.Add(o)
	}
	for _, o := range []uint16{5, 64, 300} {
		b.Add(o)
		want.Add(o)
	}
	a.Union(&b)
	if a != want || a.Len() != 5 {
		t.Fatalf("union holds %d offsets, want 5", a.Len())
	}
}

func TestDescendingIn(t *testing.T) {
	var s Set
	ids := []int64{0, 1, 63, 64, 65, 127, 128, 500, 4095, 4096, 9000}
	for _, id := range ids {
		s.Add(id)
	}
	tests := []struct{ lo, hi int64 }{
		{0, 10000}, {1, 64}, {63, 65}, {64, 128}, {65, 4096}, {-5, 2}, {9000, 9001}, {9001, 20000}, {128, 128}, {200, 100},
	}
	for _, tt := range tests {
		var got, want []int64
		s.DescendingIn(tt.lo, tt.hi, func(id int64) bool { got = append(got, id); return true })
		for i := len(ids) - 1; i >= 0; i-- {
			if ids[i] >= tt.lo && ids[i] < tt.hi {
				want = append(want, ids[i])
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("[%d, %d): %v, want %v", tt.lo, tt.hi, got, want)
		}
	}
}
