// Package tokfreq holds how many times a token occurs in each scored text
// column of the articles of one chunk of ChunkSize consecutive IDs, in the
// compact form a store keeps them in: the facts a BM25 score reads for a
// one-token phrase, without walking the full-text index.
//
// A stored chunk is a sequence of entries in ascending offset order. An
// entry is the article's offset in the chunk (two bytes, little-endian), a
// byte whose low Columns bits mark the columns holding the token, and the
// count of each marked column as an unsigned varint, in column order. A
// chunk that only gains newer articles grows by appending their entries.
package tokfreq

import (
	"encoding/binary"
	"errors"
	"math"
	"slices"
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

// Append appends the entry of the article at offset off to a stored chunk
// whose entries all have smaller offsets. An entry without counts is not
// written.
func Append(b []byte, off uint16, c *Counts) []byte {
	var mask byte
	for i, n := range c {
		if n > 0 {
			mask |= 1 << i
		}
	}
	if mask == 0 {
		return b
	}
	b = binary.LittleEndian.AppendUint16(b, off)
	b = append(b, mask)
	for _, n := range c {
		if n > 0 {
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
	last := -1
	for len(b) > 0 {
		if len(b) < 3 {
			return ErrCorrupt
		}
		off, mask := binary.LittleEndian.Uint16(b), b[2]
		if int(off) <= last || off >= ChunkSize || mask == 0 || mask >= 1<<Columns {
			return ErrCorrupt
		}
		last = int(off)
		b = b[3:]
		for i := range c {
			c[i] = 0
			if mask&(1<<i) == 0 {
				continue
			}
			n, k := binary.Uvarint(b)
			// A count is written in its shortest form: a last byte of zero
			// would be a longer one.
			if k <= 0 || n == 0 || n > math.MaxUint32 || k > 1 && b[k-1] == 0 {
				return ErrCorrupt
			}
			c[i], b = uint32(n), b[k:]
		}
		f(off, &c)
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
	var b []byte
	for i := range entries {
		b = Append(b, entries[i].Off, &entries[i].Counts)
	}
	return b
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
// a (articles newer than the chunk's), it is a followed by b.
func Merge(a, b []byte) ([]byte, error) {
	last := -1
	if err := Each(a, func(off uint16, _ *Counts) { last = int(off) }); err != nil {
		return nil, err
	}
	first := -1
	if len(b) >= 2 {
		first = int(binary.LittleEndian.Uint16(b))
	}
	if first > last {
		if err := Each(b, func(uint16, *Counts) {}); err != nil {
			return nil, err
		}
		return append(slices.Clip(a), b...), nil
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
