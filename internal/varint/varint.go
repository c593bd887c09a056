// Package varint reads the unsigned varints of encoding/binary written in
// their shortest form, as the chunk formats of tokfreq and tokpos store
// them.
//
// A decoder reads a one-byte varint, by far the most common in those
// formats, itself (b[i] < 0x80 is the value) and calls Long for the
// others: Long is too large to be inlined, and a call per value would
// double the time of a decoding loop.
package varint

import "encoding/binary"

// Long reads the varint at b[i:], no larger than limit and written in its
// shortest form (a last byte of zero would make a longer one), and returns
// it with the index after it, or -1 when b holds none there.
func Long(b []byte, i int, limit uint64) (uint64, int) {
	if i < 0 || i >= len(b) {
		return 0, -1
	}
	n, k := binary.Uvarint(b[i:])
	if k <= 0 || n > limit || k > 1 && b[i+k-1] == 0 {
		return 0, -1
	}
	return n, i + k
}
