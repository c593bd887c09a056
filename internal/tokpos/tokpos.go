// Package tokpos holds the positions of a token in each scored text column
// of the articles of one chunk of tokfreq.ChunkSize consecutive IDs, in the
// compact form a store keeps them in: what a phrase search reads to find
// where tokens follow each other without reading each article's whole
// index entry.
//
// A stored chunk is a sequence of entries in ascending offset order. An
// entry is the gap from the previous entry's offset (the offset less the
// previous one less one, the first entry's offset itself) as an unsigned
// varint, a byte whose low Columns bits mark the columns holding the token,
// and, for each marked column in column order, the number of positions as
// an unsigned varint followed by the positions, ascending, each as its
// difference from the previous one (the first as itself). When a token's
// folded positions equal its exact ones (a word without diacritics, the
// most common case), the byte has bit sameBit set and marks the exact
// columns only, and only their positions are written.
package tokpos

import (
	"encoding/binary"
	"errors"
	"math/bits"
	"slices"

	"github.com/diembao/diembao/internal/tokfreq"
	"github.com/diembao/diembao/internal/varint"
)

// Columns is the number of columns kept: in the order of the full-text
// index, title, folded title, body, folded body (those of tokfreq).
const Columns = tokfreq.Columns

// MaxPos is the largest position an entry may hold.
const MaxPos = 1<<16 - 1

// MaxPositions is the largest number of positions an entry may hold in one
// column.
const MaxPositions = 1 << 16

// Positions are the positions of a token in each column, ascending and
// distinct.
type Positions [Columns][]uint16

// IsZero reports whether no column holds the token.
func (p *Positions) IsZero() bool {
	for _, c := range p {
		if len(c) > 0 {
			return false
		}
	}
	return true
}

// Entry is the positions of a token in the article at offset Off of a
// chunk.
type Entry struct {
	Off uint16
	Pos Positions
}

// ErrCorrupt reports stored bytes that are not a chunk of entries.
var ErrCorrupt = errors.New("tokpos: corrupt chunk")

// sameBit marks an entry whose folded positions (columns 1 and 3) equal
// its exact ones (columns 0 and 2), which are the only ones written.
const sameBit = 1 << Columns

// Builder builds a stored chunk from entries added in ascending offset
// order. The zero Builder is an empty chunk.
type Builder struct {
	buf  []byte
	last int // the offset of the last entry, when n > 0
	n    int // the number of entries
}

// Add appends the entry of the article at offset off, which must be larger
// than the offsets added before, with the positions p (ascending and
// distinct in each column). An entry without positions is not written.
func (b *Builder) Add(off uint16, p *Positions) {
	if p.IsZero() {
		return
	}
	last := b.last
	if b.n == 0 {
		last = -1
	}
	b.buf = binary.AppendUvarint(b.buf, uint64(int(off)-last-1))
	b.last, b.n = int(off), b.n+1
	same := slices.Equal(p[0], p[1]) && slices.Equal(p[2], p[3])
	var mask byte
	for c, pos := range p {
		if len(pos) > 0 && !(same && c%2 == 1) {
			mask |= 1 << c
		}
	}
	if same {
		mask |= sameBit
	}
	b.buf = append(b.buf, mask)
	for c, pos := range p {
		if mask&(1<<c) == 0 {
			continue
		}
		b.buf = binary.AppendUvarint(b.buf, uint64(len(pos)))
		prev := 0
		for _, q := range pos {
			b.buf = binary.AppendUvarint(b.buf, uint64(int(q)-prev))
			prev = int(q)
		}
	}
}

// Bytes returns the stored chunk.
func (b *Builder) Bytes() []byte { return b.buf }

// Encode returns the stored chunk of entries, which must be in ascending
// offset order with ascending, distinct positions. Entries without
// positions are not written.
func Encode(entries []Entry) []byte {
	var b Builder
	for i := range entries {
		b.Add(entries[i].Off, &entries[i].Pos)
	}
	return b.Bytes()
}

// Each calls f with each entry of a stored chunk in offset order, and
// returns ErrCorrupt, having called f for the entries before, when b is not
// a chunk. f must not keep p or its slices.
func Each(b []byte, f func(off uint16, p *Positions)) error {
	return walk(b, nil, f)
}

// EachIn is Each for the entries whose offsets want holds: the positions of
// the others are stepped over, not decoded, and checked only for their
// length.
func EachIn(b []byte, want *Offsets, f func(off uint16, p *Positions)) error {
	return walk(b, want, f)
}

// walk calls f with each entry of a stored chunk whose offset want holds
// (every entry when want is nil), and returns ErrCorrupt when b is not a
// chunk. The positions of an entry not handed to f are stepped over.
func walk(b []byte, want *Offsets, f func(off uint16, p *Positions)) error {
	var (
		p   Positions
		buf [Columns][]uint16
	)
	off := -1
	for i := 0; i < len(b); {
		// A varint of one byte is read here, longer ones by varint.Long
		// (see package varint).
		gap, j := uint64(b[i]), i+1
		if gap >= 0x80 {
			gap, j = varint.Long(b, i, tokfreq.ChunkSize)
		}
		if j < 0 || j == len(b) {
			return ErrCorrupt
		}
		off += int(gap) + 1
		mask := b[j]
		i = j + 1
		same := mask&sameBit != 0
		if off >= tokfreq.ChunkSize || mask&^(sameBit|(1<<Columns-1)) != 0 || mask&(1<<Columns-1) == 0 ||
			same && mask&0b1010 != 0 {
			return ErrCorrupt
		}
		decode := want == nil || want.Has(uint16(off))
		if decode {
			p = Positions{}
		}
		for m := mask & (1<<Columns - 1); m != 0; m &= m - 1 {
			if i == len(b) {
				return ErrCorrupt
			}
			n, j := uint64(b[i]), i+1
			if n >= 0x80 {
				n, j = varint.Long(b, i, MaxPositions)
			}
			if j < 0 || n == 0 {
				return ErrCorrupt
			}
			i = j
			if !decode {
				// Most entries hold a few positions of one byte each.
				if n <= 8 && len(b)-i >= 8 && binary.LittleEndian.Uint64(b[i:])&(highBits>>(64-8*n)) == 0 {
					i += int(n)
					continue
				}
				k := skipVarints(b[i:], int(n))
				if k < 0 {
					return ErrCorrupt
				}
				i += k
				continue
			}
			c := bits.TrailingZeros8(m)
			pos := buf[c][:0]
			prev := 0
			for range n {
				if i == len(b) {
					return ErrCorrupt
				}
				d, j := uint64(b[i]), i+1
				if d >= 0x80 {
					d, j = varint.Long(b, i, MaxPos)
				}
				if j < 0 || d == 0 && len(pos) > 0 || prev+int(d) > MaxPos {
					return ErrCorrupt
				}
				i = j
				prev += int(d)
				pos = append(pos, uint16(prev))
			}
			buf[c], p[c] = pos, pos
		}
		if !decode {
			continue
		}
		if same {
			p[1], p[3] = p[0], p[2]
		}
		f(uint16(off), &p)
	}
	return nil
}

// highBits are the high bits of the bytes of a little-endian word: a
// byte without its high bit ends a varint.
const highBits = 0x8080808080808080

// skipVarints returns the length of the first n varints of b, or -1 when
// b holds fewer: the bytes up to the n-th byte without the high bit,
// counted eight bytes at a time.
func skipVarints(b []byte, n int) int {
	i := 0
	for ; n > 0 && i+8 <= len(b); i += 8 {
		ends := ^binary.LittleEndian.Uint64(b[i:]) & highBits
		k := bits.OnesCount64(ends)
		if k < n {
			n -= k
			continue
		}
		// The n-th end is in this word.
		for ; n > 1; n-- {
			ends &= ends - 1
		}
		return i + bits.TrailingZeros64(ends)/8 + 1
	}
	for ; n > 0; i++ {
		if i == len(b) {
			return -1
		}
		if b[i] < 0x80 {
			n--
		}
	}
	return i
}

// Offsets is a set of offsets within a chunk.
type Offsets [tokfreq.ChunkSize / 64]uint64

// Add adds off to o.
func (o *Offsets) Add(off uint16) { o[off>>6] |= 1 << (off & 63) }

// Remove removes off from o.
func (o *Offsets) Remove(off uint16) { o[off>>6] &^= 1 << (off & 63) }

// Has reports whether o holds off.
func (o *Offsets) Has(off uint16) bool { return o[off>>6]&(1<<(off&63)) != 0 }

// And keeps in o the offsets that x holds too.
func (o *Offsets) And(x *Offsets) {
	for i := range o {
		o[i] &= x[i]
	}
}

// Or adds the offsets of x to o.
func (o *Offsets) Or(x *Offsets) {
	for i := range o {
		o[i] |= x[i]
	}
}

// Each calls f with each offset of o in ascending order.
func (o *Offsets) Each(f func(off uint16)) {
	for i, w := range o {
		for w != 0 {
			f(uint16(i<<6 + bits.TrailingZeros64(w)))
			w &= w - 1
		}
	}
}

// Decode returns the entries of a stored chunk, their positions copied.
func Decode(b []byte) ([]Entry, error) {
	var out []Entry
	err := Each(b, func(off uint16, p *Positions) {
		e := Entry{Off: off}
		for c := range p {
			if len(p[c]) > 0 {
				e.Pos[c] = slices.Clone(p[c])
			}
		}
		out = append(out, e)
	})
	return out, err
}

// Follow returns the number of places where the tokens whose positions in
// one column are pos follow each other: the positions q of the first such
// that the j-th holds q+j. Each list must be ascending.
func Follow(pos ...[]uint16) int {
	if len(pos) == 0 {
		return 0
	}
	idx := make([]int, len(pos))
	n := 0
next:
	for _, q := range pos[0] {
		for j := 1; j < len(pos); j++ {
			want := int(q) + j
			l := pos[j]
			i := idx[j]
			for i < len(l) && int(l[i]) < want {
				i++
			}
			idx[j] = i
			if i == len(l) {
				break next
			}
			if int(l[i]) != want {
				continue next
			}
		}
		n++
	}
	return n
}
