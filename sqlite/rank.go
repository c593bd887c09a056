package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"unsafe"

	"modernc.org/libc"
	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/diembao/diembao/query"
)

// This file gives FTS5 a ranking function of diembao's own,
// diembao_rank(article_index, handle). FTS5's bm25() computes the inverse
// document frequency of each phrase of the query by running the phrase
// over the whole index in every statement, which on a large archive costs
// far more than the search itself (a quarter of a second for two common
// words at a million articles). diembao_rank scores a row exactly as bm25()
// does from the same per-row facts (the instances of each phrase in each
// column, the row's length in tokens), but takes the inverse document
// frequencies from token statistics kept at write time (the table
// term_stats, see termDeltas), weighing a phrase as query.PhraseIDF does.
//
// modernc.org/sqlite registers scalar and aggregate functions from Go but
// not FTS5 auxiliary functions, which are registered through the fts5_api
// structure. Its SQLite is C translated to Go: C function pointers are Go
// function values, C memory is memory outside the Go heap, and the
// functions of the C API are exported by modernc.org/sqlite/lib. This file
// reaches the connection's sqlite3 handle and registers the function with
// that API.

// rankName is the name of the ranking function in SQL.
const rankName = "diembao_rank"

// driverName is the database/sql driver of the store: modernc.org/sqlite's
// driver with diembao_rank registered on each new connection.
const driverName = "diembao-sqlite"

// init registers the store's driver: modernc.org/sqlite's, with
// diembao_rank and diembao_keep registered on each new connection and the
// sequences file attached to it (see attachSequences).
func init() {
	d := new(msqlite.Driver)
	d.RegisterConnectionHook(func(conn msqlite.ExecQuerierContext, dsn string) error {
		if err := registerFunctions(conn); err != nil {
			return err
		}
		return attachSequences(conn, dsn)
	})
	sql.Register(driverName, d)
}

// registerFunctions registers diembao_rank and diembao_keep on a new
// connection.
func registerFunctions(conn any) error {
	db, err := connHandle(conn)
	if err != nil {
		return err
	}
	tls := libc.NewTLS()
	defer tls.Close()
	for _, f := range []struct {
		name  string
		args  int32
		flags int32
		fn    func(*libc.TLS, uintptr, int32, uintptr)
	}{
		{"diembao_keep", 2, sqlite3.SQLITE_UTF8, keepFunction},
		{unionName, 2, sqlite3.SQLITE_UTF8 | sqlite3.SQLITE_DETERMINISTIC, unionFunction},
		{freqsName, 2, sqlite3.SQLITE_UTF8 | sqlite3.SQLITE_DETERMINISTIC, freqsFunction},
		{pairsMergeName, 2, sqlite3.SQLITE_UTF8 | sqlite3.SQLITE_DETERMINISTIC, pairsMergeFunction},
		{visitName, -1, sqlite3.SQLITE_UTF8, visitFunction},
	} {
		if err := createFunction(tls, db, f.name, f.args, f.flags, f.fn); err != nil {
			return err
		}
	}
	api, err := fts5API(tls, db)
	if err != nil {
		return err
	}
	name, err := libc.CString(rankName)
	if err != nil {
		return err
	}
	// SQLite keeps the name's pointer for the life of the function: it is
	// allocated once per connection and never freed (a few bytes).
	create := (*sqlite3.Tfts5_api)(ptr(api)).FxCreateFunction
	rc := (*(*func(*libc.TLS, uintptr, uintptr, uintptr, uintptr, uintptr) int32)(unsafe.Pointer(&struct{ uintptr }{create})))(
		tls, api, name, 0, funcPointer(rankFunction), 0)
	if rc != sqlite3.SQLITE_OK {
		return fmt.Errorf("sqlite: register %s: error code %d", rankName, rc)
	}
	return nil
}

// createFunction registers fn as the SQL function name of args arguments
// on connection db.
func createFunction(tls *libc.TLS, db uintptr, name string, args, flags int32, fn func(*libc.TLS, uintptr, int32, uintptr)) error {
	cname, err := libc.CString(name)
	if err != nil {
		return err
	}
	defer libc.Xfree(tls, cname)
	if rc := sqlite3.Xsqlite3_create_function_v2(tls, db, cname, args, flags, 0, funcPointer(fn), 0, 0, 0); rc != sqlite3.SQLITE_OK {
		return fmt.Errorf("sqlite: register %s: error code %d", name, rc)
	}
	return nil
}

// connHandle returns the sqlite3 handle of a modernc.org/sqlite
// connection, which the driver keeps in its unexported field db.
func connHandle(conn any) (uintptr, error) {
	v := reflect.ValueOf(conn)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() == reflect.Struct {
		if f := v.FieldByName("db"); f.IsValid() && f.Kind() == reflect.Uintptr && f.Uint() != 0 {
			return uintptr(f.Uint()), nil
		}
	}
	return 0, fmt.Errorf("sqlite: %T: no sqlite3 handle: this version of modernc.org/sqlite is not supported", conn)
}

// fts5API returns the connection's fts5_api pointer, which SQLite hands
// out through SELECT fts5(?1) with a pointer bound to ?1.
func fts5API(tls *libc.TLS, db uintptr) (uintptr, error) {
	q, err := libc.CString("SELECT fts5(?1)")
	if err != nil {
		return 0, err
	}
	defer libc.Xfree(tls, q)
	typ, err := libc.CString("fts5_api_ptr")
	if err != nil {
		return 0, err
	}
	defer libc.Xfree(tls, typ)
	// out holds the statement pointer, then the fts5_api pointer.
	out := libc.Xcalloc(tls, 2, 8)
	if out == 0 {
		return 0, errors.New("sqlite: out of memory")
	}
	defer libc.Xfree(tls, out)
	if rc := sqlite3.Xsqlite3_prepare_v2(tls, db, q, -1, out, 0); rc != sqlite3.SQLITE_OK {
		return 0, fmt.Errorf("sqlite: fts5 api: prepare: error code %d", rc)
	}
	stmt := *(*uintptr)(ptr(out))
	defer sqlite3.Xsqlite3_finalize(tls, stmt)
	if rc := sqlite3.Xsqlite3_bind_pointer(tls, stmt, 1, out+8, typ, 0); rc != sqlite3.SQLITE_OK {
		return 0, fmt.Errorf("sqlite: fts5 api: bind: error code %d", rc)
	}
	if rc := sqlite3.Xsqlite3_step(tls, stmt); rc != sqlite3.SQLITE_ROW {
		return 0, fmt.Errorf("sqlite: fts5 api: step: error code %d", rc)
	}
	api := *(*uintptr)(ptr(out + 8))
	if api == 0 {
		return 0, errors.New("sqlite: this SQLite has no FTS5")
	}
	if v := (*sqlite3.Tfts5_api)(ptr(api)).FiVersion; v < 2 {
		return 0, fmt.Errorf("sqlite: fts5_api version %d, need 2", v)
	}
	return api, nil
}

// ptr turns an address of C memory (outside the Go heap, where the garbage
// collector never moves or frees anything) into a pointer.
func ptr(addr uintptr) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(&addr))
}

// funcPointer turns a function declared at package level into the C
// function pointer of translated C code: the function value itself.
func funcPointer[T any](f T) uintptr {
	return *(*uintptr)(unsafe.Pointer(&struct{ f T }{f}))
}

// call helpers: each converts a C function pointer of the FTS5 extension
// API to the Go function it is.
func api2(f uintptr) func(*libc.TLS, uintptr) int32 {
	return *(*func(*libc.TLS, uintptr) int32)(unsafe.Pointer(&struct{ uintptr }{f}))
}

func apiRowid(f uintptr) func(*libc.TLS, uintptr) int64 {
	return *(*func(*libc.TLS, uintptr) int64)(unsafe.Pointer(&struct{ uintptr }{f}))
}

func api3(f uintptr) func(*libc.TLS, uintptr, uintptr) int32 {
	return *(*func(*libc.TLS, uintptr, uintptr) int32)(unsafe.Pointer(&struct{ uintptr }{f}))
}

func api4(f uintptr) func(*libc.TLS, uintptr, int32, uintptr) int32 {
	return *(*func(*libc.TLS, uintptr, int32, uintptr) int32)(unsafe.Pointer(&struct{ uintptr }{f}))
}

func apiInst(f uintptr) func(*libc.TLS, uintptr, int32, uintptr, uintptr, uintptr) int32 {
	return *(*func(*libc.TLS, uintptr, int32, uintptr, uintptr, uintptr) int32)(unsafe.Pointer(&struct{ uintptr }{f}))
}

// ranker is what diembao_rank needs to score the rows of one statement:
// the column weights and the document frequencies of the tokens of each
// phrase of the MATCH expression, in FTS5's order (the order they are
// written in).
type ranker struct {
	weights *[9]float64
	dfs     [][]int64
	// logical, when set, maps the phrases of the expression to those of
	// dfs: a prefix written as the tokens it begins (see expansion) is one
	// phrase of the query, several of the expression.
	logical []int
	// lengths holds the articles' lengths by ID when the in-memory
	// attributes are loaded (see attrs.length); read-locked by the search.
	lengths []int32
	// idf and avgdl are set on the first row, from the number of rows and
	// their total length in the index.
	once  sync.Once
	idf   []float64
	avgdl float64
	err   error
}

// rankers holds the rankers of statements in progress by handle.
var (
	rankers   sync.Map
	rankerSeq atomic.Int64
)

// register makes r reachable from SQL and returns its handle and a
// function that removes it.
func (r *ranker) register() (int64, func()) {
	h := rankerSeq.Add(1)
	rankers.Store(h, r)
	return h, func() { rankers.Delete(h) }
}

// resultError makes msg the error of the function call ctx.
func resultError(tls *libc.TLS, ctx uintptr, msg string) {
	s, err := libc.CString(msg)
	if err != nil {
		sqlite3.Xsqlite3_result_error_nomem(tls, ctx)
		return
	}
	defer libc.Xfree(tls, s)
	sqlite3.Xsqlite3_result_error(tls, ctx, s, -1)
}

// rankFunction is diembao_rank(article_index, handle): minus the BM25 score
// of the row (lower is better, as bm25()).
func rankFunction(tls *libc.TLS, pApi, pFts, pCtx uintptr, nVal int32, apVal uintptr) {
	fail := func(msg string) { resultError(tls, pCtx, msg) }
	if nVal != 1 {
		fail(rankName + ": want one argument, the handle")
		return
	}
	h := sqlite3.Xsqlite3_value_int64(tls, *(*uintptr)(ptr(apVal)))
	v, ok := rankers.Load(h)
	if !ok {
		fail(rankName + ": no such ranking")
		return
	}
	r := v.(*ranker)
	api := (*sqlite3.TFts5ExtensionApi)(ptr(pApi))
	bp := tls.Alloc(16)
	defer tls.Free(16)
	r.once.Do(func() {
		// Row count and total length of all columns, as bm25() reads them.
		rows, total := bp, bp+8
		if rc := api3(api.FxRowCount)(tls, pFts, rows); rc != sqlite3.SQLITE_OK {
			r.err = fmt.Errorf("row count: error code %d", rc)
			return
		}
		if rc := api4(api.FxColumnTotalSize)(tls, pFts, -1, total); rc != sqlite3.SQLITE_OK {
			r.err = fmt.Errorf("total size: error code %d", rc)
			return
		}
		n, t := *(*int64)(ptr(rows)), *(*int64)(ptr(total))
		r.avgdl = 1
		if n > 0 {
			r.avgdl = float64(t) / float64(n)
		}
		np := api2(api.FxPhraseCount)(tls, pFts)
		if r.logical != nil && int(np) != len(r.logical) || r.logical == nil && int(np) != len(r.dfs) {
			r.err = fmt.Errorf("%d phrases in the expression, %d statistics", np, len(r.dfs))
			return
		}
		r.idf = make([]float64, len(r.dfs))
		for i, dfs := range r.dfs {
			r.idf[i] = query.PhraseIDF(n, dfs)
		}
	})
	if r.err != nil {
		fail(rankName + ": " + r.err.Error())
		return
	}
	if rc := api3(api.FxInstCount)(tls, pFts, bp); rc != sqlite3.SQLITE_OK {
		sqlite3.Xsqlite3_result_error_code(tls, pCtx, rc)
		return
	}
	n := *(*int32)(ptr(bp))
	var (
		freqBuf [16]float64
		freq    []float64
	)
	if len(r.idf) <= len(freqBuf) {
		freq = freqBuf[:len(r.idf)]
	} else {
		freq = make([]float64, len(r.idf))
	}
	inst := apiInst(api.FxInst)
	for i := range n {
		if rc := inst(tls, pFts, i, bp, bp+4, bp+8); rc != sqlite3.SQLITE_OK {
			sqlite3.Xsqlite3_result_error_code(tls, pCtx, rc)
			return
		}
		phrase, col := int(*(*int32)(ptr(bp))), *(*int32)(ptr(bp + 4))
		if r.logical != nil && phrase < len(r.logical) {
			phrase = r.logical[phrase]
		}
		if phrase < len(freq) && int(col) < len(r.weights) {
			freq[phrase] += r.weights[col]
		}
	}
	length := int32(0)
	if r.lengths != nil {
		id := apiRowid(api.FxRowid)(tls, pFts)
		if id > 0 && id < int64(len(r.lengths)) {
			length = r.lengths[id]
		}
	}
	if length == 0 {
		// Not in memory: FTS5 reads it from its docsize table.
		if rc := api4(api.FxColumnSize)(tls, pFts, -1, bp); rc != sqlite3.SQLITE_OK {
			sqlite3.Xsqlite3_result_error_code(tls, pCtx, rc)
			return
		}
		length = *(*int32)(ptr(bp))
	}
	sqlite3.Xsqlite3_result_double(tls, pCtx, query.BM25(freq, r.idf, float64(length), r.avgdl))
}
