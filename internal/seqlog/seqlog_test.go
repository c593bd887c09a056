package seqlog

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// modes runs f with files mapped and read with system calls, and with a
// mapping that the file outgrows after a few records.
func modes(t *testing.T, f func(t *testing.T)) {
	for _, m := range []struct {
		name string
		mp   bool
		unit int64
	}{{"mapped", true, 1 << 34}, {"remapped", true, 64}, {"read", false, 1 << 34}} {
		t.Run(m.name, func(t *testing.T) {
			if m.mp && !canMap {
				t.Skip("files are not mapped here")
			}
			oldMap, oldUnit := canMap, mapUnit
			canMap, mapUnit = m.mp, m.unit
			t.Cleanup(func() { canMap, mapUnit = oldMap, oldUnit })
			f(t)
		})
	}
}

// newLog creates a file of records in a temporary directory, closed when
// the test ends, and returns it with its path.
func newLog(t *testing.T) (*Log, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "log")
	l, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l, path
}

func TestAppendRead(t *testing.T) {
	modes(t, func(t *testing.T) {
		l, path := newLog(t)
		// Records appended in batches of various sizes, some read
		// between the appends (the mapping must follow the file).
		want := map[int64][]byte{}
		offs := map[int64]int64{}
		var buf []byte
		for batch := range 20 {
			var recs []byte
			var rel []int64
			var keys []int64
			for i := range batch % 5 {
				key := int64(batch*10 + i)
				data := bytes.Repeat([]byte{byte(key)}, int(key)%300)
				rel = append(rel, int64(len(recs)))
				keys = append(keys, key)
				recs = AppendRecord(recs, key, data)
				want[key] = data
			}
			base, err := l.Append(recs)
			if err != nil {
				t.Fatal(err)
			}
			for i, k := range keys {
				offs[k] = base + rel[i]
			}
			for k, off := range offs {
				got, err := l.Read(off, k, &buf)
				if err != nil || !bytes.Equal(got, want[k]) {
					t.Fatalf("key %d at %d: %v, %d bytes, want %d", k, off, err, len(got), len(want[k]))
				}
			}
		}
		name := l.Name()
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		r, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if r.Name() != name {
			t.Errorf("name %d after reopening, want %d", r.Name(), name)
		}
		for k, off := range offs {
			if got, err := r.Read(off, k, &buf); err != nil || !bytes.Equal(got, want[k]) {
				t.Fatalf("reopened: key %d at %d: %v", k, off, err)
			}
		}
	})
}

func TestReadErrors(t *testing.T) {
	modes(t, func(t *testing.T) {
		l, path := newLog(t)
		recs := AppendRecord(nil, 7, []byte("first record"))
		second := len(recs)
		recs = AppendRecord(recs, 300, []byte("second record"))
		base, err := l.Append(recs)
		if err != nil {
			t.Fatal(err)
		}
		// A byte of the first record's data damaged on disk.
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteAt([]byte{'F'}, base+7); err != nil {
			t.Fatal(err)
		}
		f.Close()
		var buf []byte
		for _, c := range []struct {
			name     string
			off, key int64
		}{
			{"damaged data", base, 7},
			{"another key", base + int64(second), 301},
			{"within a record", base + 2, 7},
			{"in the header", 3, 7},
			{"past the end", base + int64(len(recs)), 7},
			{"far past the end", 1 << 40, 7},
			{"negative", -5, 7},
		} {
			if _, err := l.Read(c.off, c.key, &buf); !errors.Is(err, ErrCorrupt) {
				t.Errorf("%s: %v, want ErrCorrupt", c.name, err)
			}
		}
		if got, err := l.Read(base+int64(second), 300, &buf); err != nil || string(got) != "second record" {
			t.Errorf("the undamaged record: %q, %v", got, err)
		}
	})
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	for _, content := range []string{"", "dbseq", "not a log of records at all"} {
		path := filepath.Join(dir, "bad")
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(path); !errors.Is(err, ErrNotLog) {
			t.Errorf("%q: %v, want ErrNotLog", content, err)
		}
	}
	// Create replaces a file, with another name.
	path := filepath.Join(dir, "log")
	a, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if a.Name() == b.Name() {
		t.Errorf("two files have the name %d", a.Name())
	}
	if size, err := b.Size(); err != nil || size != int64(HeaderSize) {
		t.Errorf("new file: %d bytes, %v", size, err)
	}
}

// FuzzRead reads records at any offset of any file: Read never panics,
// and what it returns is a record of the key asked for, as AppendRecord
// writes it, at that offset.
func FuzzRead(f *testing.F) {
	good := AppendRecord(AppendRecord(nil, 5, []byte("a record")), 1<<40, bytes.Repeat([]byte("x"), 200))
	f.Add(good, uint16(0), int64(5))
	f.Add(good, uint16(12), int64(1<<40))
	f.Add([]byte{0x85, 0x00, 0x01, 0, 0, 0, 0, 0}, uint16(0), int64(5))
	f.Add([]byte{0x05, 0xff, 0xff, 0xff, 0xff, 0x0f, 0, 0, 0, 0}, uint16(0), int64(5))
	f.Fuzz(func(t *testing.T, body []byte, at uint16, key int64) {
		for _, mp := range []bool{true, false} {
			if mp && !canMap {
				continue
			}
			old := canMap
			canMap = mp
			path := filepath.Join(t.TempDir(), fmt.Sprint(mp))
			l, err := Create(path)
			if err != nil {
				t.Fatal(err)
			}
			base, err := l.Append(body)
			if err != nil {
				t.Fatal(err)
			}
			var buf []byte
			got, err := l.Read(base+int64(at), key, &buf)
			if err == nil {
				rec := AppendRecord(nil, key, got)
				if int(at)+len(rec) > len(body) || !bytes.Equal(body[at:int(at)+len(rec)], rec) {
					t.Errorf("read %q for key %d at %d, not the record there", got, key, at)
				}
			}
			l.Close()
			canMap = old
		}
	})
}

func TestUvarintLen(t *testing.T) {
	for _, v := range []uint64{0, 1, 127, 128, 16383, 16384, 1<<63 - 1, 1 << 63, ^uint64(0)} {
		if got, want := uvarintLen(v), len(binary.AppendUvarint(nil, v)); got != want {
			t.Errorf("uvarintLen(%d) = %d, want %d", v, got, want)
		}
	}
}

// TestTouch checks that touching the file, whole or from an offset, leaves
// its records readable, on a file that grew since it was mapped.
func TestTouch(t *testing.T) {
	modes(t, func(t *testing.T) {
		l, _ := newLog(t)
		var buf []byte
		for round := range 3 {
			data := bytes.Repeat([]byte{byte(round)}, 10000)
			off, err := l.Append(AppendRecord(nil, int64(round), data))
			if err != nil {
				t.Fatal(err)
			}
			for _, from := range []int64{0, off, off + 5000, 1 << 40, -1} {
				if err := l.Touch(from); err != nil {
					t.Fatalf("touch from %d: %v", from, err)
				}
			}
			if got, err := l.Read(off, int64(round), &buf); err != nil || !bytes.Equal(got, data) {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	})
}
