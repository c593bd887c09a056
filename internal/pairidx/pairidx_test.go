package pairidx

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// randomEntries returns n distinct entries of the given keys, ascending.
func randomEntries(rng *rand.Rand, keys []uint64, n int) []uint64 {
	var es []uint64
	for range n {
		es = append(es, Entry(keys[rng.IntN(len(keys))], rng.IntN(ChunkSize)))
	}
	slices.Sort(es)
	return slices.Compact(es)
}

func TestRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	keys := []uint64{Key("a", "b"), Key("b", "a"), Key("a", "a"), Key("hà", "nội")}
	for _, tc := range []struct {
		name string
		a, b []uint64
	}{
		{"empty", nil, nil},
		{"one empty", []uint64{0, 5}, nil},
		{"other empty", nil, []uint64{maxEntry}},
		{"same", []uint64{1, 2, 3}, []uint64{1, 2, 3}},
		{"interleaved", []uint64{1, 3, 5}, []uint64{0, 2, 4, 6}},
		{"random", randomEntries(rng, keys, 300), randomEntries(rng, keys, 500)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := AppendRow(nil, tc.a), AppendRow(nil, tc.b)
			got, err := Entries(nil, a)
			if err != nil || !slices.Equal(got, tc.a) && len(tc.a) > 0 {
				t.Fatalf("Entries = %v, %v; want %v", got, err, tc.a)
			}
			m, err := Merge(nil, a, b)
			if err != nil {
				t.Fatal(err)
			}
			want := slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(tc.a), tc.b...))))
			if !bytes.Equal(m, AppendRow(nil, want)) {
				got, _ := Entries(nil, m)
				t.Fatalf("Merge = %v, want %v", got, want)
			}
			for _, k := range append(keys, Key("x", "y")) {
				var offs []int
				if err := Offsets(m, k, func(o int) { offs = append(offs, o) }); err != nil {
					t.Fatal(err)
				}
				var wantOffs []int
				for _, e := range want {
					if e>>ChunkBits == hash(k) {
						wantOffs = append(wantOffs, int(e&(ChunkSize-1)))
					}
				}
				if !slices.Equal(offs, wantOffs) {
					t.Fatalf("Offsets(%x) = %v, want %v", k, offs, wantOffs)
				}
			}
		})
	}
}

func TestKeySpreads(t *testing.T) {
	// Pairs of syllables fill the buckets evenly enough: no bucket holds
	// three times its share.
	var n [Buckets]int
	const pairs = 64 * Buckets
	for i := range pairs {
		n[Bucket(Key(fmt.Sprint("tu", i%256), fmt.Sprint("ngu", i/256)))]++
	}
	for b, c := range n {
		if c > 3*pairs/Buckets || c == 0 {
			t.Fatalf("bucket %d holds %d of %d pairs", b, c, pairs)
		}
	}
	for _, tc := range [][4]string{{"a", "b", "b", "a"}, {"ab", "c", "a", "bc"}, {"", "a", "a", ""}} {
		if Key(tc[0], tc[1]) == Key(tc[2], tc[3]) {
			t.Errorf("Key(%q, %q) = Key(%q, %q)", tc[0], tc[1], tc[2], tc[3])
		}
	}
}

func TestPairs(t *testing.T) {
	got := Pairs(nil, []string{"a", "b", "a", "b"}, []string{"b", "a"}, []string{"c"})
	var want []uint64
	for _, p := range [][2]string{{"a", "b"}, {"b", "a"}} {
		k := Key(p[0], p[1])
		want = append(want, uint64(Bucket(k))<<EntryBits|Entry(k, 0))
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("Pairs = %x, want %x", got, want)
	}
}

func TestCorrupt(t *testing.T) {
	for _, tc := range []struct {
		name string
		row  []byte
	}{
		{"repeated entry", []byte{3, 0}},
		{"truncated varint", []byte{1, 0x80}},
		{"long varint", []byte{0x81, 0x00}},
		{"past the largest entry", append(AppendRow(nil, []uint64{maxEntry}), 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Entries(nil, tc.row); err != ErrCorrupt {
				t.Errorf("Entries = %v, want ErrCorrupt", err)
			}
			if _, err := Merge(nil, tc.row, AppendRow(nil, []uint64{1})); err != ErrCorrupt {
				t.Errorf("Merge = %v, want ErrCorrupt", err)
			}
			if err := Offsets(tc.row, 1<<63-1, func(int) {}); err != ErrCorrupt {
				t.Errorf("Offsets = %v, want ErrCorrupt", err)
			}
		})
	}
}

func FuzzRows(f *testing.F) {
	f.Add(AppendRow(nil, []uint64{1, 4096, 1 << 40}), AppendRow(nil, []uint64{2, 4096}))
	f.Add([]byte{}, []byte{0})
	f.Fuzz(func(t *testing.T, a, b []byte) {
		ea, erra := Entries(nil, a)
		eb, errb := Entries(nil, b)
		m, err := Merge(nil, a, b)
		if (err == nil) != (erra == nil && errb == nil) {
			t.Fatalf("Merge error %v with row errors %v, %v", err, erra, errb)
		}
		if err != nil {
			return
		}
		// A decoded row is stored in one form only, and the merge is the
		// union.
		if !bytes.Equal(AppendRow(nil, ea), a) || !bytes.Equal(AppendRow(nil, eb), b) {
			t.Fatal("a row decodes to entries stored otherwise")
		}
		want := slices.Compact(slices.Sorted(slices.Values(append(ea, eb...))))
		if !bytes.Equal(m, AppendRow(nil, want)) {
			t.Fatal("Merge is not the union")
		}
		for _, e := range want[:min(len(want), 3)] {
			key := e >> ChunkBits << (64 - BucketBits - HashBits)
			found := false
			if err := Offsets(m, key, func(o int) { found = found || o == int(e&(ChunkSize-1)) }); err != nil || !found {
				t.Fatalf("Offsets misses entry %x: %v", e, err)
			}
		}
	})
}
