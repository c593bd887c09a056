package tokfreq

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name    string
		entries []Entry
		size    int
	}{
		{"empty", nil, 0},
		{"one body count, exact and folded", []Entry{{7, Counts{0, 0, 3, 3}}}, 3},
		{"title and body", []Entry{{0, Counts{1, 1, 2, 2}}, {ChunkSize - 1, Counts{0, 200, 0, 300}}}, 4 + 7},
		{"folded only", []Entry{{12, Counts{0, 1, 0, 2}}, {13, Counts{0, 0, 0, 1}}}, 4 + 3},
		{"large count", []Entry{{12, Counts{0, 0, 0, 1 << 31}}}, 2 + 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := Encode(tt.entries)
			if len(b) != tt.size {
				t.Errorf("size %d, want %d", len(b), tt.size)
			}
			got, err := Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.entries) {
				t.Errorf("decoded %v, want %v", got, tt.entries)
			}
		})
	}
}

func TestBuilderSkipsZero(t *testing.T) {
	var b Builder
	b.Add(3, &Counts{})
	if len(b.Bytes()) != 0 {
		t.Errorf("an entry without counts is written: %x", b.Bytes())
	}
	b.Add(5, &Counts{0, 0, 1, 1})
	b.Add(6, &Counts{})
	b.Add(9, &Counts{0, 0, 2, 2})
	got, err := Decode(b.Bytes())
	if want := []Entry{{5, Counts{0, 0, 1, 1}}, {9, Counts{0, 0, 2, 2}}}; err != nil || !slices.Equal(got, want) {
		t.Errorf("decoded %v, %v; want %v", got, err, want)
	}
}

func TestCorrupt(t *testing.T) {
	good := Encode([]Entry{{5, Counts{0, 0, 1, 0}}, {9, Counts{2, 0, 0, 0}}})
	tests := []struct {
		name string
		b    []byte
	}{
		{"gap alone", good[:1]},
		{"cut varint", good[:len(good)-1]},
		{"offset past the chunk", []byte{byte(ChunkSize&0x7f | 0x80), byte(ChunkSize >> 7), 1, 1}},
		{"gap not in its shortest form", []byte{0x81, 0x00, 1, 1}},
		{"no column", []byte{1, 0}},
		{"unknown column", []byte{1, 0x20, 1}},
		{"zero count", []byte{1, 1, 0}},
		{"count too large", []byte{1, 1, 0xff, 0xff, 0xff, 0xff, 0x10}},
		{"equal counts with a folded column", []byte{1, sameBit | 0b0010, 1}},
		{"equal counts written twice", []byte{1, 0b0011, 1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Decode(tt.b); !errors.Is(err, ErrCorrupt) {
				t.Errorf("Decode(%x) = %v, want ErrCorrupt", tt.b, err)
			}
			if _, err := Merge(tt.b, nil); !errors.Is(err, ErrCorrupt) {
				t.Errorf("Merge(%x, nil) = %v, want ErrCorrupt", tt.b, err)
			}
			if _, err := Merge(nil, tt.b); !errors.Is(err, ErrCorrupt) {
				t.Errorf("Merge(nil, %x) = %v, want ErrCorrupt", tt.b, err)
			}
		})
	}
}

func TestSet(t *testing.T) {
	var e []Entry
	e = Set(e, 10, &Counts{0, 0, 1, 1})
	e = Set(e, 2, &Counts{1, 1, 0, 0})
	e = Set(e, 30, &Counts{0, 0, 0, 4})
	e = Set(e, 10, &Counts{0, 0, 2, 2})
	e = Set(e, 30, &Counts{})
	e = Set(e, 31, &Counts{})
	want := []Entry{{2, Counts{1, 1, 0, 0}}, {10, Counts{0, 0, 2, 2}}}
	if !slices.Equal(e, want) {
		t.Errorf("got %v, want %v", e, want)
	}
}

func TestMerge(t *testing.T) {
	old := []Entry{{1, Counts{0, 0, 1, 1}}, {50, Counts{0, 1, 0, 0}}}
	tests := []struct {
		name string
		add  []Entry
		want []Entry
	}{
		{"newer articles", []Entry{{51, Counts{0, 0, 0, 2}}, {60, Counts{1, 1, 0, 0}}},
			[]Entry{old[0], old[1], {51, Counts{0, 0, 0, 2}}, {60, Counts{1, 1, 0, 0}}}},
		{"between", []Entry{{20, Counts{0, 0, 3, 3}}},
			[]Entry{old[0], {20, Counts{0, 0, 3, 3}}, old[1]}},
		{"replaced", []Entry{{50, Counts{0, 0, 7, 7}}},
			[]Entry{old[0], {50, Counts{0, 0, 7, 7}}}},
		{"nothing", nil, old},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Merge(Encode(old), Encode(tt.add))
			if err != nil {
				t.Fatal(err)
			}
			if want := Encode(tt.want); !bytes.Equal(b, want) {
				t.Errorf("merged %x, want %x", b, want)
			}
		})
	}
	b, err := Merge(nil, Encode(old))
	if err != nil || !bytes.Equal(b, Encode(old)) {
		t.Errorf("Merge(nil, old) = %x, %v", b, err)
	}
}

// FuzzDecode checks that any stored bytes either decode to entries that
// encode to the same bytes, or give ErrCorrupt; never a panic.
func FuzzDecode(f *testing.F) {
	f.Add(Encode([]Entry{{5, Counts{0, 0, 1, 0}}, {9, Counts{2, 0, 300, 0}}}))
	f.Add([]byte{1, 0, 1, 0})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		entries, err := Decode(b)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v", err)
			}
			return
		}
		if got := Encode(entries); !bytes.Equal(got, b) {
			t.Fatalf("%x decodes to %v, which encodes to %x", b, entries, got)
		}
		if m, err := Merge(b, b); err != nil || !bytes.Equal(m, b) {
			t.Fatalf("Merge(b, b) = %x, %v", m, err)
		}
		// Appending newer articles gives the chunk holding them all.
		h := len(entries) / 2
		if m, err := Merge(Encode(entries[:h]), Encode(entries[h:])); err != nil || !bytes.Equal(m, b) {
			t.Fatalf("Merge of the halves of %x = %x, %v", b, m, err)
		}
	})
}

// BenchmarkEach decodes chunks of a common token: one article in density
// holds it, a few times in the body, now and then in the title, its folded
// counts mostly equal to its exact ones.
func BenchmarkEach(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	var entries []Entry
	for off := range ChunkSize {
		if r.Float64() >= 0.8 {
			continue
		}
		var c Counts
		c[2] = uint32(1 + r.IntN(8))
		if r.IntN(10) == 0 {
			c[0] = 1
		}
		c[1], c[3] = c[0], c[2]
		if r.IntN(4) == 0 {
			c[3] += uint32(1 + r.IntN(3))
		}
		entries = append(entries, Entry{uint16(off), c})
	}
	chunk := Encode(entries)
	b.SetBytes(int64(len(chunk)))
	var n uint32
	for b.Loop() {
		if err := Each(chunk, func(_ uint16, c *Counts) { n += c[3] }); err != nil {
			b.Fatal(err)
		}
	}
}
