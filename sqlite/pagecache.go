package sqlite

import (
	"fmt"
	"unsafe"

	"modernc.org/libc"
	"modernc.org/libc/sys/types"
	sqlite3 "modernc.org/sqlite/lib"
)

// pageCacheErr is the error of configurePageCache, which Open logs.
var pageCacheErr = configurePageCache()

// configurePageCache has each of SQLite's page caches (one per database
// file per connection) take its pages from one allocation, made when it
// first needs a page and sized for the cache's size then (PRAGMA
// cache_size, which Open's connections therefore set first), instead of
// one allocation per page (SQLITE_CONFIG_PAGECACHE without a buffer of its
// own). The C library under modernc.org/sqlite rounds every allocation of
// up to 16 KB to a power of two: a page of 4,096 bytes with SQLite's
// header of a few hundred took 8 KB, so a cache of 64 MB held 128 MB. One
// allocation is not rounded; SQLite writes into each of its pages when it
// makes it, so a connection holds its whole cache from its first read,
// and a cache grown past that size takes its further pages one by one.
//
// It must run before SQLite is initialized, by the first connection of
// the process: package variables are initialized before any function of
// the package can open one. When SQLite was initialized before (another
// package opened a connection first), it returns the error and the caches
// allocate page by page, as by default.
func configurePageCache() error {
	tls := libc.NewTLS()
	defer tls.Close()
	args := libc.Xmalloc(tls, types.Size_t(3*unsafe.Sizeof(uint64(0))))
	if args == 0 {
		return fmt.Errorf("sqlite: page cache: out of memory")
	}
	defer libc.Xfree(tls, args)
	// No buffer, its size ignored, and a negative count: KiB to
	// allocate, of which SQLite takes no more than the cache's size.
	rc := sqlite3.Xsqlite3_config(tls, sqlite3.SQLITE_CONFIG_PAGECACHE,
		libc.VaList(args, uintptr(0), int32(0), int32(-cacheKiB)))
	if rc != sqlite3.SQLITE_OK {
		return fmt.Errorf("sqlite: page cache: sqlite3_config returned %d", rc)
	}
	return nil
}
