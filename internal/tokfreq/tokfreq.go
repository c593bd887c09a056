// Package tokfreq holds how many times a token occurs in each scored text
// column of the articles of one chunk of ChunkSize consecutive IDs, in the
// compact form a store keeps them in: the facts a BM25 score reads for a
// one-token phrase, without walking the full-text index.
//
// A stored chunk is a sequence of entries in ascending offset order. An
// entry is the gap from the previous entry's offset (the offset less the
// previous one less one, the first entry's offset itself) as an unsigned
// varint, a byte whose low Columns bits mark the columns holding the token,
// and the count of each marked column as an unsigned varint, in column
// order. When a token's folded counts equal its exact ones (a word without
// diacritics, the most common case), the byte has bit sameBit set, marks
// the exact columns only, and only their counts are written. A chunk that
// only gains newer articles grows by appending their entries (see Merge).
package tokfreq

import (
	"encoding/binary"
	"errors"
	"math"
	"math/bits"
	"slices"

	"github.com/diembao/diembao/internal/varint"
)

// ChunkBits is the base-2 logarithm of ChunkSize.
const ChunkBits = 10

// ChunkSize is the number of consecutive IDs a stored chunk covers: a
// quarter of a token set's chunk, so that a batch of new articles mostly
// writes chunks of its own instead of rewriting a large one.
const ChunkSize = 1 << ChunkBits

// ChunkOf returns the chunk of an ID and its offset in it.
func ChunkOf(id int64) (chunk int64, offset uint16) {
	return id >> ChunkBits, uint16(id & (ChunkSize - 1))
}

// Columns is the number of columns counted: in the order of the full-text
// index, title, folded title, body, folded body.
const Columns = 4

// Counts are the instances of a token in each column.
type Counts [Columns]uint32

// IsZero reports whether no column holds the token.
func (c *Counts) IsZero() bool { return *c == Counts{} }

// ErrCorrupt reports stored bytes that are not a chunk of entries.
var ErrCorrupt = errors.New("tokfreq: corrupt chunk")

// sameBit marks an entry whose folded counts (columns 1 and 3) equal its
// exact ones (columns 0 and 2), which are the only ones written.
const sameBit = 1 << Columns

// Builder builds a stored chunk from entries added in ascending offset
// order. The zero Builder is an empty chunk.
type Builder struct {
	buf  []byte
	last int // the offset of the last entry, when n > 0
	n    int // the number of entries
}

// Add appends the entry of the article at offset off, which must be larger
// than the offsets added before. An entry without counts is not written.
func (b *Builder) Add(off uint16, c *Counts) {
	if c.IsZero() {
		return
	}
	last := b.last
	if b.n == 0 {
		last = -1
	}
	b.buf = appendEntry(b.buf, int(off)-last-1, c)
	b.last, b.n = int(off), b.n+1
}

// Bytes returns the stored chunk.
func (b *Builder) Bytes() []byte { return b.buf }

// appendEntry appends an entry with the given gap.
func appendEntry(b []byte, gap int, c *Counts) []byte {
	b = binary.AppendUvarint(b, uint64(gap))
	var mask byte
	same := c[1] == c[0] && c[3] == c[2]
	for i, n := range c {
		if n > 0 && !(same && i%2 == 1) {
			mask |= 1 << i
		}
	}
	if same {
		mask |= sameBit
	}
	b = append(b, mask)
	for i, n := range c {
		if mask&(1<<i) != 0 {
			b = binary.AppendUvarint(b, uint64(n))
		}
	}
	return b
}

// Each calls f with each entry of a stored chunk in offset order, and
// returns ErrCorrupt, having called f for the entries before, when b is not
// a chunk. f must not keep c.
func Each(b []byte, f func(off uint16, c *Counts)) error {
	var c Counts
	off := -1
	for i := 0; i < len(b); {
		gap, j := uint64(b[i]), i+1
		if gap >= 0x80 {
			gap, j = varint.Long(b, i, ChunkSize)
		}
		if j < 0 || j == len(b) {
			return ErrCorrupt
		}
		off += int(gap) + 1
		mask := b[j]
		i = j + 1
		same := mask&sameBit != 0
		if off >= ChunkSize || mask&^(sameBit|(1<<Columns-1)) != 0 || mask&(1<<Columns-1) == 0 ||
			same && mask&0b1010 != 0 {
			return ErrCorrupt
		}
		c = Counts{}
		for m := mask & (1<<Columns - 1); m != 0; m &= m - 1 {
			if i == len(b) {
				return ErrCorrupt
			}
			n, j := uint64(b[i]), i+1
			if n >= 0x80 {
				n, j = varint.Long(b, i, math.MaxUint32)
			}
			if j < 0 || n == 0 {
				return ErrCorrupt
			}
			c[bits.TrailingZeros8(m)], i = uint32(n), j
		}
		switch {
		case same:
			c[1], c[3] = c[0], c[2]
		case c[1] == c[0] && c[3] == c[2]:
			return ErrCorrupt // written without sameBit: not the shortest form
		}
		f(uint16(off), &c)
	}
	return nil
}

// Entry is an article's counts, by its offset in the chunk.
type Entry struct {
	Off    uint16
	Counts Counts
}

// Decode returns the entries of a stored chunk in offset order.
func Decode(b []byte) ([]Entry, error) {
	var out []Entry
	err := Each(b, func(off uint16, c *Counts) { out = append(out, Entry{off, *c}) })
	return out, err
}

// Encode returns the stored form of entries in offset order (entries
// without counts left out).
func Encode(entries []Entry) []byte {
	var b Builder
	for i := range entries {
		b.Add(entries[i].Off, &entries[i].Counts)
	}
	return b.Bytes()
}

// Set gives the article at offset off the counts c in entries (kept in
// offset order), removing its entry when c is zero.
func Set(entries []Entry, off uint16, c *Counts) []Entry {
	if n := len(entries); (n == 0 || entries[n-1].Off < off) && !c.IsZero() {
		return append(entries, Entry{off, *c}) // a newer article
	}
	i, found := slices.BinarySearchFunc(entries, off, func(e Entry, off uint16) int { return int(e.Off) - int(off) })
	switch {
	case c.IsZero() && found:
		return slices.Delete(entries, i, i+1)
	case c.IsZero():
		return entries
	case found:
		entries[i].Counts = *c
		return entries
	}
	return slices.Insert(entries, i, Entry{off, *c})
}

// Merge returns the stored chunk holding the entries of a and of b, b's
// replacing a's at the same offset. When every offset of b follows those of
// a (articles newer than the chunk's), it is a followed by b, whose first
// gap is written again from a's last offset.
func Merge(a, b []byte) ([]byte, error) {
	last := -1
	if err := Each(a, func(off uint16, _ *Counts) { last = int(off) }); err != nil {
		return nil, err
	}
	first := -1
	if err := Each(b, func(off uint16, _ *Counts) {
		if first < 0 {
			first = int(off)
		}
	}); err != nil {
		return nil, err
	}
	if first > last {
		_, k := varint.Long(b, 0, ChunkSize)
		out := slices.Clip(a)
		out = binary.AppendUvarint(out, uint64(first-last-1))
		return append(out, b[k:]...), nil
	}
	entries, err := Decode(a)
	if err != nil {
		return nil, err
	}
	if err := Each(b, func(off uint16, c *Counts) { entries = Set(entries, off, c) }); err != nil {
		return nil, err
	}
	return Encode(entries), nil
}
