package pairidx

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// randomEntries returns n distinct entries of the given keys, ascending.
func randomEntries(rng *rand.Rand, keys []uint64, n int) []uint64 {
	var es []uint64
	for range n {
		es = append(es, Entry(keys[rng.IntN(len(keys))], rng.IntN(ChunkSize), rng.Uint64N(1<<FollowBits)))
	}
	slices.Sort(es)
	return slices.Compact(es)
}

// manyKeys returns n random keys.
func manyKeys(rng *rand.Rand, n int) []uint64 {
	keys := make([]uint64, n)
	for i := range keys {
		keys[i] = rng.Uint64()
	}
	return keys
}

// chunkRow returns the entries of a bucket's row for a chunk of articles
// with a few common pairs and many rare ones (the common ones in most
// articles), and a key of each kind.
func chunkRow(rng *rand.Rand) (row []byte, common, rare uint64) {
	commonKeys, rareKeys := manyKeys(rng, 4), manyKeys(rng, 1500)
	var es []uint64
	for _, k := range commonKeys {
		for off := range ChunkSize {
			if rng.IntN(3) > 0 {
				es = append(es, Entry(k, off, 1<<rng.IntN(FollowBits)))
			}
		}
	}
	for _, k := range rareKeys {
		for range 1 + rng.IntN(2) {
			es = append(es, Entry(k, rng.IntN(ChunkSize), 1<<rng.IntN(FollowBits)))
		}
	}
	slices.Sort(es)
	return AppendRow(nil, slices.Compact(es)), commonKeys[0], rareKeys[0]
}

func BenchmarkOffsets(b *testing.B) {
	row, common, rare := chunkRow(rand.New(rand.NewPCG(3, 4)))
	for _, k := range []struct {
		name string
		key  uint64
	}{{"common", common}, {"rare", rare}} {
		b.Run(k.name, func(b *testing.B) {
			n := 0
			for b.Loop() {
				if err := Offsets(row, k.key, 0, func(int) { n++ }); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(row)), "row-bytes")
		})
	}
}

func BenchmarkMerge(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	a, _, _ := chunkRow(rng)
	c, _, _ := chunkRow(rng)
	var dst []byte
	for b.Loop() {
		var err error
		if dst, err = Merge(dst[:0], a, c); err != nil {
			b.Fatal(err)
		}
	}
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
		{"every slot", randomEntries(rng, manyKeys(rng, 500), 2000), randomEntries(rng, manyKeys(rng, 500), 1000)},
		{"largest", []uint64{maxEntry - 1, maxEntry}, []uint64{0, maxEntry}},
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
				for _, need := range []uint64{0, 1, 0b0110, 1<<FollowBits - 1} {
					var offs []int
					if err := Offsets(m, k, need, func(o int) { offs = append(offs, o) }); err != nil {
						t.Fatal(err)
					}
					var wantOffs []int
					for _, e := range want {
						if e>>hashShift == hash(k) && e&need == need {
							wantOffs = append(wantOffs, int(e>>FollowBits&(ChunkSize-1)))
						}
					}
					if !slices.Equal(offs, wantOffs) {
						t.Fatalf("Offsets(%x, %b) = %v, want %v", k, need, offs, wantOffs)
					}
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
	// Each pair once, with the follow bits of every pair after it: (a,
	// b) is followed by (b, a), then ends the first column; (b, a) is
	// followed by (a, b), then ends the second.
	ab, ba := Key("a", "b"), Key("b", "a")
	for _, p := range []struct {
		key, follow uint64
	}{{ab, Follow(ba) | EndFollow}, {ba, Follow(ab) | EndFollow}} {
		want = append(want, uint64(Bucket(p.key))<<EntryBits|Entry(p.key, 0, p.follow))
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("Pairs = %x, want %x", got, want)
	}
}

// rawRow returns a row whose first slots have the given parts, the others
// none.
func rawRow(parts ...[]byte) []byte {
	var row, body []byte
	for s := range Slots {
		var part []byte
		if s < len(parts) {
			part = parts[s]
		}
		row = binary.AppendUvarint(row, uint64(len(part)))
		body = append(body, part...)
	}
	return append(row, body...)
}

func TestCorrupt(t *testing.T) {
	valid := AppendRow(nil, []uint64{1, 1 << slotShift})
	// slot is the slot holding the corruption, whose keys Offsets reads
	// (a damaged header fails every slot).
	for _, tc := range []struct {
		name string
		row  []byte
		slot int
	}{
		{"short header", []byte{1, 0}, 5},
		{"part past the row", append(rawRow([]byte{1}), 0)[:Slots], 5},
		{"bytes past the parts", append(slices.Clone(valid), 0), 5},
		{"a header without entries", rawRow(), 5},
		{"repeated entry", rawRow([]byte{3, 0}), 0},
		{"truncated varint", rawRow([]byte{1, 0x80}), 0},
		{"long varint", rawRow([]byte{0x81, 0x00}), 0},
		{"entry past its slot", rawRow(binary.AppendUvarint(nil, 1<<slotShift)), 0},
		{"entry past the largest", rawRow(nil, nil, binary.AppendUvarint(nil, 1<<EntryBits)), 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Entries(nil, tc.row); err != ErrCorrupt {
				t.Errorf("Entries = %v, want ErrCorrupt", err)
			}
			if _, err := Merge(nil, tc.row, valid); err != ErrCorrupt {
				t.Errorf("Merge = %v, want ErrCorrupt", err)
			}
			if _, err := Merge(nil, valid, tc.row); err != ErrCorrupt {
				t.Errorf("Merge (second) = %v, want ErrCorrupt", err)
			}
			key := uint64(tc.slot) << (64 - BucketBits - SlotBits)
			if err := Offsets(tc.row, key, 0, func(int) {}); err != ErrCorrupt {
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
			key := e >> hashShift << (64 - BucketBits - HashBits)
			found := false
			if err := Offsets(m, key, e&(1<<FollowBits-1), func(o int) { found = found || o == int(e>>FollowBits&(ChunkSize-1)) }); err != nil || !found {
				t.Fatalf("Offsets misses entry %x: %v", e, err)
			}
		}
	})
}
