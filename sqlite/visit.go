package sqlite

import (
	"fmt"
	"sync"
	"sync/atomic"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// visitName is the SQL function diembao_visit(handle, ...): it hands its
// other arguments to the Go function registered as handle (see
// registerVisitor) and returns 0. A statement gives Go many rows this way,
// as arguments of a call inside the statement, where returning them as
// rows would cost the driver several times SQLite's own walk (column by
// column, each access taking the connection's mutex): wrapped in
// "SELECT count(*) FROM … WHERE … AND diembao_visit(?, a, b)", the rows
// never leave SQLite.
const visitName = "diembao_visit"

// A visitor receives the arguments of one call of diembao_visit after the
// handle (see arg); an error fails the statement.
type visitor func(args visitArgs) error

// visitArgs are the arguments of a call of diembao_visit, valid during the
// call only.
type visitArgs struct {
	tls  *libc.TLS
	argc int
	argv uintptr
}

// value returns the sqlite3_value of argument i.
func (a visitArgs) value(i int) uintptr {
	return *(*uintptr)(ptr(a.argv + uintptr(8*i)))
}

// int64 returns argument i as an integer.
func (a visitArgs) int64(i int) int64 { return sqlite3.Xsqlite3_value_int64(a.tls, a.value(i)) }

// bytes returns the bytes of argument i, a text or a blob, valid during
// the call only.
func (a visitArgs) bytes(i int) []byte { return blobArg(a.tls, a.argv, i) }

// visitors holds the visitors of statements in progress by handle.
var (
	visitors sync.Map
	visitSeq atomic.Int64
)

// registerVisitor makes v reachable from SQL and returns its handle and a
// function that removes it.
func registerVisitor(v visitor) (int64, func()) {
	h := visitSeq.Add(1)
	visitors.Store(h, v)
	return h, func() { visitors.Delete(h) }
}

// visitFunction is diembao_visit (see visitName), registered with
// SQLite's C API like diembao_keep: it is called for every row visited.
func visitFunction(tls *libc.TLS, ctx uintptr, argc int32, argv uintptr) {
	if argc < 1 {
		resultError(tls, ctx, visitName+": want a handle")
		return
	}
	v, ok := visitors.Load(sqlite3.Xsqlite3_value_int64(tls, *(*uintptr)(ptr(argv))))
	if !ok {
		resultError(tls, ctx, visitName+": no such visitor")
		return
	}
	if err := v.(visitor)(visitArgs{tls: tls, argc: int(argc) - 1, argv: argv + 8}); err != nil {
		resultError(tls, ctx, fmt.Sprintf("%s: %v", visitName, err))
		return
	}
	sqlite3.Xsqlite3_result_int64(tls, ctx, 0)
}
