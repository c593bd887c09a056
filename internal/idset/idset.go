// Package idset holds sets of article IDs as dense bitsets, and the compact
// form in which a store keeps them: the IDs of one chunk of ChunkSize
// consecutive IDs as a sorted array of offsets or, when that would be
// larger, a bitmap.
//
// A search evaluates AND, OR and NOT of the sets of its words on bitsets of
// the whole ID range (a million articles take 128 KB a set, and an
// operation a few microseconds), then counts and iterates the result
// without reading the full-text index.
package idset

import (
	"encoding/binary"
	"errors"
	"math/bits"
)

// ChunkBits is the base-2 logarithm of ChunkSize.
const ChunkBits = 12

// ChunkSize is the number of consecutive IDs a stored chunk covers: chunk c
// holds the IDs c·ChunkSize to (c+1)·ChunkSize−1.
const ChunkSize = 1 << ChunkBits

// chunkWords is the number of 64-bit words of a chunk's bitmap.
const chunkWords = ChunkSize / 64

// BitmapBytes is the size of a chunk stored as a bitmap; any shorter
// encoding is an array of little-endian 16-bit offsets.
const BitmapBytes = ChunkSize / 8

// maxArray is the largest number of offsets stored as an array.
const maxArray = BitmapBytes/2 - 1

// ErrCorrupt reports a stored chunk that is not in either form.
var ErrCorrupt = errors.New("idset: corrupt chunk")

// Chunk is one chunk of a set as a bitmap of offsets.
type Chunk [chunkWords]uint64

// ChunkOf returns the chunk of an ID and its offset in it.
func ChunkOf(id int64) (chunk int64, offset uint16) {
	return id >> ChunkBits, uint16(id & (ChunkSize - 1))
}

// Add adds an offset.
func (c *Chunk) Add(off uint16) { c[off/64] |= 1 << (off % 64) }

// Remove removes an offset.
func (c *Chunk) Remove(off uint16) { c[off/64] &^= 1 << (off % 64) }

// Has reports whether the chunk holds an offset.
func (c *Chunk) Has(off uint16) bool { return c[off/64]&(1<<(off%64)) != 0 }

// Union adds the offsets of o.
func (c *Chunk) Union(o *Chunk) {
	for i := range c {
		c[i] |= o[i]
	}
}

// Len returns the number of offsets the chunk holds.
func (c *Chunk) Len() int {
	n := 0
	for _, w := range c {
		n += bits.OnesCount64(w)
	}
	return n
}

// Encode returns the stored form of the chunk: its offsets in increasing
// order as little-endian 16-bit numbers when it holds at most 255 of them,
// its bitmap (BitmapBytes bytes, little-endian words) otherwise. An empty
// chunk encodes to an empty slice.
func (c *Chunk) Encode() []byte {
	n := c.Len()
	if n > maxArray {
		out := make([]byte, BitmapBytes)
		for i, w := range c {
			binary.LittleEndian.PutUint64(out[8*i:], w)
		}
		return out
	}
	out := make([]byte, 0, 2*n)
	for i, w := range c {
		for w != 0 {
			b := bits.TrailingZeros64(w)
			out = binary.LittleEndian.AppendUint16(out, uint16(i*64+b))
			w &= w - 1
		}
	}
	return out
}

// DecodeChunk reads a stored chunk. A chunk of BitmapBytes bytes is a
// bitmap; a shorter one of even length an array of strictly increasing
// offsets; anything else gives ErrCorrupt.
func DecodeChunk(b []byte) (Chunk, error) {
	var c Chunk
	err := decode(b, func(i int, w uint64) { c[i] = w }, func(off uint16) { c.Add(off) })
	return c, err
}

// decode calls word for each word of a bitmap chunk, or offset for each
// offset of an array chunk.
func decode(b []byte, word func(int, uint64), offset func(uint16)) error {
	if len(b) == BitmapBytes {
		for i := range chunkWords {
			word(i, binary.LittleEndian.Uint64(b[8*i:]))
		}
		return nil
	}
	if len(b)%2 != 0 || len(b)/2 > maxArray {
		return ErrCorrupt
	}
	prev := -1
	for i := 0; i < len(b); i += 2 {
		off := int(binary.LittleEndian.Uint16(b[i:]))
		if off <= prev || off >= ChunkSize {
			return ErrCorrupt
		}
		prev = off
		offset(uint16(off))
	}
	return nil
}

// Set is a set of non-negative IDs as a bitset. The zero value is an empty
// set.
type Set struct {
	words []uint64
}

// grow makes room for the IDs below n words·64.
func (s *Set) grow(n int) {
	if n > len(s.words) {
		s.words = append(s.words, make([]uint64, n-len(s.words))...)
	}
}

// Add adds an ID; a negative one is ignored.
func (s *Set) Add(id int64) {
	if id < 0 {
		return
	}
	w := int(id / 64)
	s.grow(w + 1)
	s.words[w] |= 1 << (id % 64)
}

// Has reports whether the set holds id.
func (s *Set) Has(id int64) bool {
	if id < 0 || id/64 >= int64(len(s.words)) {
		return false
	}
	return s.words[id/64]&(1<<(id%64)) != 0
}

// AddChunk adds the IDs of a stored chunk (see DecodeChunk) of the given
// index.
func (s *Set) AddChunk(chunk int64, b []byte) error {
	if chunk < 0 {
		return ErrCorrupt
	}
	base := int(chunk) * chunkWords
	if len(b) > 0 {
		s.grow(base + chunkWords)
	}
	return decode(b,
		func(i int, w uint64) { s.words[base+i] |= w },
		func(off uint16) { s.words[base+int(off)/64] |= 1 << (off % 64) })
}

// Len returns the number of IDs in the set.
func (s *Set) Len() int {
	n := 0
	for _, w := range s.words {
		n += bits.OnesCount64(w)
	}
	return n
}

// And keeps the IDs that o holds too.
func (s *Set) And(o *Set) {
	n := min(len(s.words), len(o.words))
	for i := range n {
		s.words[i] &= o.words[i]
	}
	clear(s.words[n:])
}

// Or adds the IDs of o.
func (s *Set) Or(o *Set) {
	s.grow(len(o.words))
	for i, w := range o.words {
		s.words[i] |= w
	}
}

// AndNot removes the IDs of o.
func (s *Set) AndNot(o *Set) {
	n := min(len(s.words), len(o.words))
	for i := range n {
		s.words[i] &^= o.words[i]
	}
}

// Descending calls f for each ID from the largest down, until f returns
// false.
func (s *Set) Descending(f func(id int64) bool) {
	for i := len(s.words) - 1; i >= 0; i-- {
		w := s.words[i]
		for w != 0 {
			b := 63 - bits.LeadingZeros64(w)
			if !f(int64(i)*64 + int64(b)) {
				return
			}
			w &^= 1 << b
		}
	}
}

// Clone returns a copy of the set.
func (s *Set) Clone() *Set {
	return &Set{words: append([]uint64(nil), s.words...)}
}

// DescendingIn calls f for each ID of the set in [lo, hi), from the
// largest down, until f returns false.
func (s *Set) DescendingIn(lo, hi int64, f func(id int64) bool) {
	lo, hi = max(lo, 0), min(hi, int64(len(s.words))*64)
	for i := (hi - 1) / 64; hi > lo && i >= lo/64; i-- {
		w := s.words[i]
		if top := hi - i*64; top < 64 {
			w &= 1<<top - 1
		}
		if i*64 < lo {
			w &^= 1<<(lo-i*64) - 1
		}
		for w != 0 {
			b := 63 - bits.LeadingZeros64(w)
			if !f(i*64 + int64(b)) {
				return
			}
			w &^= 1 << b
		}
	}
}
