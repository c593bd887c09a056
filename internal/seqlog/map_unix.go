//go:build unix

package seqlog

import (
	"os"
	"syscall"
)

// canMap is whether files are mapped into memory here (a variable for
// tests).
var canMap = true

// mapFile maps size bytes of f, read-only and shared: the pages past the
// file's end are reserved address space, never read.
func mapFile(f *os.File, size int64) ([]byte, error) {
	return syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
}

// unmap unmaps a mapping mapFile made.
func unmap(data []byte) error { return syscall.Munmap(data) }
