// Package pairidx holds which articles of a chunk of ChunkSize consecutive
// IDs hold which pairs of adjacent folded tokens in their title or body,
// hashed: what a phrase search reads to find the few articles where its
// words may follow each other, instead of the posting lists of its words,
// which for common words cover most of an archive.
//
// A pair (a, b) of folded tokens has a 64-bit Key. Its first BucketBits
// bits choose a bucket; a store keeps one row per bucket and chunk. A row
// holds entries: the next HashBits bits of the key, shifted left by
// ChunkBits, plus the article's offset in the chunk. A row is its distinct
// entries in ascending order, each written as its difference from the
// previous one (the first as itself) as an unsigned varint; the entries of
// one hash are therefore together and in offset order.
//
// The index finds candidates, not matches: two pairs may share a bucket
// and hash, and an article holding the pairs (a, b) and (b, c) need not
// hold a b c. A search checks each candidate in the article's token
// sequence (package tokseq).
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

// hash returns the bits of a key an entry keeps.
func hash(key uint64) uint64 { return key << BucketBits >> (64 - HashBits) }

// Entry returns the entry of a key for the article at offset in its chunk
// (id % ChunkSize).
func Entry(key uint64, offset int) uint64 {
	return hash(key)<<ChunkBits | uint64(offset)&(ChunkSize-1)
}

// EntryBits is the number of bits of an entry.
const EntryBits = HashBits + ChunkBits

// Pairs returns the pairs of adjacent tokens of each column of cols as
// their buckets and entries for an article at offset 0, bucket <<
// EntryBits | entry, ascending and without repeats: an article's pairs,
// worked out before it has an ID (add its offset to each entry then).
func Pairs(dst []uint64, cols ...[]string) []uint64 {
	dst = dst[:0]
	for _, col := range cols {
		for i := 0; i+1 < len(col); i++ {
			key := Key(col[i], col[i+1])
			dst = append(dst, uint64(Bucket(key))<<EntryBits|Entry(key, 0))
		}
	}
	slices.Sort(dst)
	return slices.Compact(dst)
}

// AppendRow appends the row of entries, which must be in ascending order
// without repeats, to dst.
func AppendRow(dst []byte, entries []uint64) []byte {
	var prev uint64
	for i, e := range entries {
		if i > 0 && e <= prev || e > maxEntry {
			panic("pairidx: entries not ascending")
		}
		dst = binary.AppendUvarint(dst, e-prev)
		prev = e
	}
	return dst
}

// reader reads the entries of a row in order.
type reader struct {
	b    []byte
	i    int
	prev uint64
	n    int // entries read
}

// next returns the next entry, false at the end of the row, or an error.
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
	if d == 0 && r.n > 0 || d > maxEntry-r.prev {
		return 0, false, ErrCorrupt
	}
	r.prev += d
	r.n++
	return r.prev, true, nil
}

// Entries appends the entries of a row to dst.
func Entries(dst []uint64, row []byte) ([]uint64, error) {
	r := reader{b: row}
	for {
		e, ok, err := r.next()
		if err != nil || !ok {
			return dst, err
		}
		dst = append(dst, e)
	}
}

// Merge appends to dst the row holding the entries of rows a and b.
func Merge(dst, a, b []byte) ([]byte, error) {
	ra, rb := reader{b: a}, reader{b: b}
	ea, oka, err := ra.next()
	if err != nil {
		return dst, err
	}
	eb, okb, err := rb.next()
	if err != nil {
		return dst, err
	}
	var prev uint64
	first := true
	put := func(e uint64) {
		if first || e != prev {
			dst = binary.AppendUvarint(dst, e-prev)
			prev, first = e, false
		}
	}
	for oka || okb {
		switch {
		case oka && (!okb || ea <= eb):
			put(ea)
			if ea == eb && okb {
				if eb, okb, err = rb.next(); err != nil {
					return dst, err
				}
			}
			if ea, oka, err = ra.next(); err != nil {
				return dst, err
			}
		default:
			put(eb)
			if eb, okb, err = rb.next(); err != nil {
				return dst, err
			}
		}
	}
	return dst, nil
}

// Offsets calls fn with the offset of every article of a row's chunk that
// holds an entry of key, in ascending order.
func Offsets(row []byte, key uint64, fn func(offset int)) error {
	h := hash(key)
	r := reader{b: row}
	for {
		e, ok, err := r.next()
		if err != nil || !ok {
			return err
		}
		switch eh := e >> ChunkBits; {
		case eh == h:
			fn(int(e & (ChunkSize - 1)))
		case eh > h:
			return nil
		}
	}
}
