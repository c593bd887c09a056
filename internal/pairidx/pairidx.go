// Package pairidx holds which articles of a chunk of ChunkSize consecutive
// IDs hold which pairs of adjacent folded tokens in their title or body,
// hashed: what a phrase search reads to find the few articles where its
// words may follow each other, instead of the posting lists of its words,
// which for common words cover most of an archive.
//
// A pair (a, b) of folded tokens has a 64-bit Key. Its first BucketBits
// bits choose a bucket; a store keeps one row per bucket and chunk. A row
// holds entries: the next HashBits bits of the key, then the article's
// offset in the chunk (ChunkBits), then FollowBits bits that sum up the
// tokens following the pair in the article: each occurrence of the pair
// (a, b) followed by c sets the bit Follow gives for the next pair's key,
// Key(b, c), or the bit of the end of a column (EndFollow). The entries
// of a row fall into Slots slots by their first SlotBits bits. A row without
// entries is empty; any other is a header, the length in bytes of each
// slot's part as an unsigned varint, followed by the slots' parts in
// order. A part is its slot's distinct entries in ascending order, each
// written as its difference from the previous one (the first from the
// smallest entry of the slot) as an unsigned varint. The entries of one
// hash are therefore together and in offset order, and a search decodes
// one slot of a row, not the row.
//
// The index finds candidates, not matches: two pairs may share a bucket
// and hash, and an article holding the pairs (a, b) and (b, c), with the
// bit of (b, c) among the follow bits of (a, b), need not hold a b c. A search
// checks each candidate in the article's token sequence (package tokseq).
package pairidx

import (
	"encoding/binary"
	"errors"
	"slices"

	"github.com/diembao/diembao/internal/varint"
)

// ChunkBits is the base-2 logarithm of ChunkSize.
const ChunkBits = 12

// ChunkSize is the number of consecutive article IDs a row covers: those of
// package idset's chunks.
const ChunkSize = 1 << ChunkBits

// BucketBits is the base-2 logarithm of the number of buckets.
const BucketBits = 10

// Buckets is the number of buckets.
const Buckets = 1 << BucketBits

// HashBits is the number of bits of a key an entry keeps beyond its bucket.
const HashBits = 32

// maxEntry is the largest entry.
const maxEntry = 1<<EntryBits - 1

// SlotBits is the base-2 logarithm of Slots.
const SlotBits = 6

// Slots is the number of slots of a row.
const Slots = 1 << SlotBits

// slotShift places an entry's slot: entry >> slotShift.
const slotShift = EntryBits - SlotBits

// ErrCorrupt reports a stored row that cannot be decoded.
var ErrCorrupt = errors.New("pairidx: corrupt row")

// Key returns the key of the pair of adjacent folded tokens (a, b): the
// 64-bit FNV-1a hash of a, a zero byte and b, its bits then mixed so that
// they are evenly spread (the finalizer of splitmix64).
func Key(a, b string) uint64 {
	x := uint64(14695981039346656037)
	for i := 0; i < len(a); i++ {
		x = (x ^ uint64(a[i])) * 1099511628211
	}
	x *= 1099511628211 // the zero byte
	for i := 0; i < len(b); i++ {
		x = (x ^ uint64(b[i])) * 1099511628211
	}
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// Bucket returns the bucket of a key.
func Bucket(key uint64) int { return int(key >> (64 - BucketBits)) }

// The follow bits of a key lie below its hash (compile-time check).
const _ = uint(64 - BucketBits - HashBits - followLog)

// hash returns the bits of a key an entry keeps.
func hash(key uint64) uint64 { return key << BucketBits >> (64 - HashBits) }

// FollowBits is the number of bits of an entry that sum up the tokens
// following its pair.
const FollowBits = 1 << followLog

// followLog is the base-2 logarithm of FollowBits.
const followLog = 2

// Follow returns the follow bit a pair gets from the key of the pair after
// it (b, c for a, b followed by c): two bits of the key that neither its
// bucket nor its hash use, so that Pairs works it out from the keys it
// computes anyway.
func Follow(next uint64) uint64 { return 1 << (next & (FollowBits - 1)) }

// EndFollow is the follow bit of a pair that ends its column.
const EndFollow = 1

// hashShift places an entry's hash: entry >> hashShift.
const hashShift = ChunkBits + FollowBits

// Entry returns the entry of a key for the article at offset in its chunk
// (id % ChunkSize) with the follow bits follow (see Follow).
func Entry(key uint64, offset int, follow uint64) uint64 {
	return hash(key)<<hashShift | AtOffset(follow&(1<<FollowBits-1), offset)
}

// AtOffset returns the entry e of an article at offset 0 (as Pairs gives
// them) for the article at offset.
func AtOffset(e uint64, offset int) uint64 {
	return e | (uint64(offset)&(ChunkSize-1))<<FollowBits
}

// EntryBits is the number of bits of an entry.
const EntryBits = HashBits + ChunkBits + FollowBits

// Pairs returns the pairs of adjacent tokens of each column of cols as
// their buckets and entries for an article at offset 0, bucket <<
// EntryBits | entry, ascending, one per pair with the follow bits of all
// its occurrences: an article's pairs, worked out before it has an ID
// (see AtOffset).
func Pairs(dst []uint64, cols ...[]string) []uint64 {
	dst = dst[:0]
	for _, col := range cols {
		follow := uint64(EndFollow) // the follow bit of pair i
		for i := len(col) - 2; i >= 0; i-- {
			key := Key(col[i], col[i+1])
			dst = append(dst, uint64(Bucket(key))<<EntryBits|Entry(key, 0, follow))
			follow = Follow(key)
		}
	}
	slices.Sort(dst)
	out := dst[:0]
	for _, e := range dst {
		if n := len(out); n > 0 && out[n-1]>>FollowBits == e>>FollowBits {
			out[n-1] |= e
			continue
		}
		out = append(out, e)
	}
	return out
}

// AppendRow appends the row of entries, which must be in ascending order
// without repeats, to dst.
func AppendRow(dst []byte, entries []uint64) []byte {
	for i, e := range entries {
		if i > 0 && e <= entries[i-1] || e > maxEntry {
			panic("pairidx: entries not ascending")
		}
	}
	var w writer
	for _, e := range entries {
		w.add(e)
	}
	return w.appendRow(dst)
}

// writer builds a row from ascending entries and parts.
type writer struct {
	body []byte
	ends [Slots]int // where each slot's part ends in body
	done int        // the slots before done are complete
	open bool       // whether entries were added to slot done
	prev uint64     // the last entry added
}

// finish completes the slots before s.
func (w *writer) finish(s int) {
	for ; w.done < s; w.done++ {
		w.ends[w.done] = len(w.body)
		w.open = false
	}
}

// add adds an entry past those added.
func (w *writer) add(e uint64) {
	if s := int(e >> slotShift); !w.open || s != w.done {
		w.begin(s)
	}
	w.put(e)
}

// begin begins slot s, past the slots of the entries added.
func (w *writer) begin(s int) {
	w.finish(s)
	w.prev, w.open = uint64(s)<<slotShift, true
}

// put adds an entry of the slot begun, past those added.
func (w *writer) put(e uint64) {
	w.body = binary.AppendUvarint(w.body, e-w.prev)
	w.prev = e
}

// addPart adds slot s's part, past the slots of the entries added.
func (w *writer) addPart(s int, part []byte) {
	w.finish(s)
	w.body = append(w.body, part...)
	w.finish(s + 1)
}

// appendRow appends the row of the entries added to dst.
func (w *writer) appendRow(dst []byte) []byte {
	w.finish(Slots)
	if len(w.body) == 0 {
		return dst // a row without entries is empty
	}
	start := 0
	for _, end := range w.ends {
		dst = binary.AppendUvarint(dst, uint64(end-start))
		start = end
	}
	return append(dst, w.body...)
}

// slots reads a row's header: the offsets in the row where each slot's
// part begins, and where the last ends.
func slots(row []byte) (starts [Slots + 1]int, err error) {
	if len(row) == 0 {
		return starts, nil
	}
	i := 0
	for s := range Slots {
		if i >= len(row) {
			return starts, ErrCorrupt
		}
		var n uint64
		if c := row[i]; c < 0x80 {
			n = uint64(c)
			i++
		} else if n, i = varint.Long(row, i, uint64(len(row))); i < 0 {
			return starts, ErrCorrupt
		}
		starts[s+1] = starts[s] + int(n)
		if starts[s+1] > len(row) {
			return starts, ErrCorrupt
		}
	}
	for s := range starts {
		starts[s] += i
	}
	if starts[Slots] != len(row) || starts[0] == len(row) {
		// Past the parts, or no entries but a header.
		return starts, ErrCorrupt
	}
	return starts, nil
}

// reader reads the entries of a slot's part in order.
type reader struct {
	b     []byte
	i     int
	prev  uint64
	limit uint64 // the largest entry of the slot
	n     int    // entries read
}

// newReader returns a reader of slot s's part, b.
func newReader(b []byte, s int) reader {
	base := uint64(s) << slotShift
	return reader{b: b, prev: base, limit: base + 1<<slotShift - 1}
}

// next returns the next entry, false at the end of the part, or an error.
func (r *reader) next() (uint64, bool, error) {
	if r.i >= len(r.b) {
		return 0, false, nil
	}
	var d uint64
	if c := r.b[r.i]; c < 0x80 {
		d = uint64(c)
		r.i++
	} else if d, r.i = varint.Long(r.b, r.i, maxEntry); r.i < 0 {
		return 0, false, ErrCorrupt
	}
	if d == 0 && r.n > 0 || d > r.limit-r.prev {
		return 0, false, ErrCorrupt
	}
	r.prev += d
	r.n++
	return r.prev, true, nil
}

// Entries appends the entries of a row to dst.
func Entries(dst []uint64, row []byte) ([]uint64, error) {
	starts, err := slots(row)
	if err != nil {
		return dst, err
	}
	for s := range Slots {
		r := newReader(row[starts[s]:starts[s+1]], s)
		for {
			e, ok, err := r.next()
			if err != nil {
				return dst, err
			}
			if !ok {
				break
			}
			dst = append(dst, e)
		}
	}
	return dst, nil
}

// Merge appends to dst the row holding the entries of rows a and b.
func Merge(dst, a, b []byte) ([]byte, error) {
	sa, err := slots(a)
	if err != nil {
		return dst, err
	}
	sb, err := slots(b)
	if err != nil {
		return dst, err
	}
	var w writer
	w.body = make([]byte, 0, len(a)+len(b))
	for s := range Slots {
		pa, pb := a[sa[s]:sa[s+1]], b[sb[s]:sb[s+1]]
		if len(pa) == 0 || len(pb) == 0 {
			// One row has no entries in the slot: the other's part
			// as it is, once checked.
			part := pa
			if len(pa) == 0 {
				part = pb
			}
			r := newReader(part, s)
			for {
				_, ok, err := r.next()
				if err != nil {
					return dst, err
				}
				if !ok {
					break
				}
			}
			w.addPart(s, part)
			continue
		}
		w.begin(s)
		ra, rb := newReader(pa, s), newReader(pb, s)
		ea, oka, err := ra.next()
		if err != nil {
			return dst, err
		}
		eb, okb, err := rb.next()
		if err != nil {
			return dst, err
		}
		for oka || okb {
			switch {
			case oka && (!okb || ea <= eb):
				w.put(ea)
				if ea == eb && okb {
					if eb, okb, err = rb.next(); err != nil {
						return dst, err
					}
				}
				if ea, oka, err = ra.next(); err != nil {
					return dst, err
				}
			default:
				w.put(eb)
				if eb, okb, err = rb.next(); err != nil {
					return dst, err
				}
			}
		}
	}
	return w.appendRow(dst), nil
}

// Offsets calls fn with the offset of every article of a row's chunk that
// holds an entry of key with every follow bit of need (see Follow; 0
// asks for none), in ascending order. An article whose entries of key
// differ in their follow bits (a replaced article's old entries beside
// its new ones) may be given twice.
func Offsets(row []byte, key, need uint64, fn func(offset int)) error {
	starts, err := slots(row)
	if err != nil {
		return err
	}
	h := hash(key)
	s := int(h << hashShift >> slotShift)
	r := newReader(row[starts[s]:starts[s+1]], s)
	for {
		e, ok, err := r.next()
		if err != nil || !ok {
			return err
		}
		switch eh := e >> hashShift; {
		case eh == h:
			if e&need == need {
				fn(int(e >> FollowBits & (ChunkSize - 1)))
			}
		case eh > h:
			return nil
		}
	}
}
