package varint

import (
	"encoding/binary"
	"testing"
)

func TestLong(t *testing.T) {
	tests := []struct {
		name  string
		b     []byte
		i     int
		limit uint64
		want  uint64
		next  int
	}{
		{"one byte", []byte{5}, 0, 10, 5, 1},
		{"two bytes", binary.AppendUvarint(nil, 300), 0, 1000, 300, 2},
		{"after others", append([]byte{9, 9}, binary.AppendUvarint(nil, 70000)...), 2, 1 << 20, 70000, 5},
		{"largest allowed", binary.AppendUvarint(nil, 1024), 0, 1024, 1024, 2},
		{"over the limit", binary.AppendUvarint(nil, 1025), 0, 1024, 0, -1},
		{"not the shortest form", []byte{0x85, 0x00}, 0, 1000, 0, -1},
		{"cut short", []byte{0x85}, 0, 1000, 0, -1},
		{"at the end", []byte{1}, 1, 1000, 0, -1},
		{"empty", nil, 0, 1000, 0, -1},
		{"overflow", []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 0, ^uint64(0), 0, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, next := Long(tt.b, tt.i, tt.limit)
			if got != tt.want || next != tt.next {
				t.Errorf("Long(%x, %d, %d) = %d, %d; want %d, %d", tt.b, tt.i, tt.limit, got, next, tt.want, tt.next)
			}
		})
	}
}

// FuzzLong checks Long against encoding/binary: it reads a value exactly
// when binary.Uvarint does and re-encoding the value gives the same bytes.
func FuzzLong(f *testing.F) {
	f.Add([]byte{0x85, 0x02}, uint64(1000))
	f.Add([]byte{0x80, 0x00}, uint64(1000))
	f.Fuzz(func(t *testing.T, b []byte, limit uint64) {
		n, next := Long(b, 0, limit)
		v, k := binary.Uvarint(b)
		shortest := k > 0 && len(binary.AppendUvarint(nil, v)) == k
		switch {
		case next < 0 && shortest && v <= limit:
			t.Fatalf("Long(%x, %d) reads nothing; binary.Uvarint reads %d in %d bytes", b, limit, v, k)
		case next >= 0 && (!shortest || n != v || next != k || n > limit):
			t.Fatalf("Long(%x, %d) = %d, %d; binary.Uvarint gives %d, %d", b, limit, n, next, v, k)
		}
	})
}
