//go:build !unix

package seqlog

import (
	"errors"
	"os"
)

// canMap is whether files are mapped into memory here: elsewhere than on
// Unix, records are read with a system call each (a variable for tests).
var canMap = false

func mapFile(*os.File, int64) ([]byte, error) { return nil, errors.ErrUnsupported }

func unmap([]byte) error { return nil }
