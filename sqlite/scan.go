package sqlite

import (
	"container/heap"
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/internal/idset"
	"github.com/diembao/diembao/query"
)

// A scan is the Go side of one pass of a search over the articles its
// full-text match finds. SQLite calls diembao_keep(handle, rowid) for every
// matching row, in the order of the statement (newest first); the scan
// applies the filters from the in-memory attributes, counts what passes
// (total and facets), keeps the top of a date order, and says which rows
// the statement should return: for relevance, the first window rows that
// pass, so that diembao_rank scores those only.
type scan struct {
	a *attrs // read-locked for the length of the scan; nil when not needed

	// Filters.
	ranges  []timeRange
	sources []int64
	in      *idset.Set // when set, only its IDs pass

	// Counting.
	total     int
	bySource  []int // by name index
	bySection []int
	byDay     []int // by day - a.minDay, or nil and then dayMap
	dayMap    map[int32]int
	countDays bool

	// Relevance: how many rows to return (0: none, -1: every row).
	window int
	kept   int

	// Date orders: the best limit rows after the cursor.
	order diembao.Sort
	cur   *query.Cursor
	limit int
	top   keyHeap
}

// timeRange is a condition on the publication time: from ≤ t < to, where a
// zero bound is open.
type timeRange struct{ from, to int64 }

func newTimeRange(from, to time.Time) timeRange {
	r := timeRange{from: math.MinInt64, to: math.MaxInt64}
	if !from.IsZero() {
		r.from = from.Unix()
	}
	if !to.IsZero() {
		r.to = to.Unix()
	}
	return r
}

// pass reports whether article id passes the filters.
func (s *scan) pass(id int64) bool {
	if s.in != nil && !s.in.Has(id) {
		return false
	}
	a := s.a
	if a == nil {
		return true
	}
	if id <= 0 || id >= int64(len(a.published)) {
		// Stored after the attributes were read: unknown, so it passes
		// only when there is nothing to check.
		return len(s.ranges) == 0 && len(s.sources) == 0
	}
	if len(s.ranges) > 0 {
		p := a.published[id]
		if p == noTime {
			return false
		}
		for _, r := range s.ranges {
			if p < r.from || p >= r.to {
				return false
			}
		}
	}
	if len(s.sources) > 0 {
		src := a.sourceID[id]
		found := false
		for _, x := range s.sources {
			if x == src {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// visit handles one matching row and reports whether the statement should
// return it.
func (s *scan) visit(id int64) bool {
	if !s.pass(id) {
		return false
	}
	s.total++
	known := s.a != nil && id > 0 && id < int64(len(s.a.published))
	if known {
		if s.bySource != nil {
			s.bySource[s.a.source[id]]++
		}
		if s.bySection != nil {
			s.bySection[s.a.section[id]]++
		}
		if s.countDays {
			if p := s.a.published[id]; p != noTime {
				if s.byDay != nil {
					s.byDay[dayOf(p)-s.a.minDay]++
				} else {
					s.dayMap[dayOf(p)]++
				}
			}
		}
	}
	if s.order != "" {
		s.offer(id, known)
		return false
	}
	if s.window < 0 || s.kept < s.window {
		s.kept++
		return true
	}
	return false
}

// offer considers article id for the page of a date order.
func (s *scan) offer(id int64, known bool) {
	p := int64(noTime)
	if known {
		p = s.a.published[id]
	}
	newest := s.order == diembao.SortNewest
	c := query.Cursor{ID: id, Key: p}
	if p == noTime {
		c.Key = unknownKey(newest)
	}
	if s.cur != nil && !keyAfter(c, *s.cur, newest) {
		return
	}
	h := &s.top
	h.newest = newest
	if len(h.c) < s.limit {
		heap.Push(h, c)
		return
	}
	if keyAfter(h.c[0], c, newest) {
		h.c[0] = c
		heap.Fix(h, 0)
	}
}

// keyAfter reports whether c comes after d in the date order.
func keyAfter(c, d query.Cursor, newest bool) bool {
	if newest {
		return c.Key < d.Key || c.Key == d.Key && c.ID < d.ID
	}
	return c.Key > d.Key || c.Key == d.Key && c.ID > d.ID
}

// keyHeap holds the best rows of a date order with the worst on top.
type keyHeap struct {
	c      []query.Cursor
	newest bool
}

func (h *keyHeap) Len() int           { return len(h.c) }
func (h *keyHeap) Less(i, j int) bool { return keyAfter(h.c[i], h.c[j], h.newest) }
func (h *keyHeap) Swap(i, j int)      { h.c[i], h.c[j] = h.c[j], h.c[i] }
func (h *keyHeap) Push(x any)         { h.c = append(h.c, x.(query.Cursor)) }
func (h *keyHeap) Pop() any {
	x := h.c[len(h.c)-1]
	h.c = h.c[:len(h.c)-1]
	return x
}

// sorted returns the rows of the date order, best first.
func (h *keyHeap) sorted() []query.Cursor {
	out := make([]query.Cursor, len(h.c))
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = heap.Pop(h).(query.Cursor)
	}
	return out
}

// countFacets prepares the counts of the named facets.
func (s *scan) countFacets(names []string) {
	for _, f := range names {
		switch f {
		case "source":
			s.bySource = make([]int, len(s.a.names))
		case "section":
			s.bySection = make([]int, len(s.a.names))
		case "day":
			s.countDays = true
			if span := int64(s.a.maxDay) - int64(s.a.minDay) + 1; span > 0 && span <= 1<<16 {
				s.byDay = make([]int, span)
			} else {
				s.dayMap = map[int32]int{}
			}
		}
	}
}

// facets returns the counts of the facets the scan counted.
func (s *scan) facets(names []string) map[string][]diembao.FacetCount {
	out := map[string][]diembao.FacetCount{}
	byName := func(counts []int) map[string]int {
		m := map[string]int{}
		for i, n := range counts {
			if n > 0 {
				m[s.a.names[i]] += n
			}
		}
		return m
	}
	for _, f := range names {
		switch f {
		case "source":
			out[f] = query.TopFacet(f, byName(s.bySource))
		case "section":
			out[f] = query.TopFacet(f, byName(s.bySection))
		case "day":
			m := make(map[int64]int, len(s.dayMap))
			for i, n := range s.byDay {
				if n > 0 {
					m[int64(int32(i)+s.a.minDay)] += n
				}
			}
			for d, n := range s.dayMap {
				m[int64(d)] += n
			}
			out[f] = query.TopDays(m)
		}
	}
	return out
}

// scans holds the scans in progress by handle, for diembao_keep.
var (
	scans     sync.Map
	scanSeq   atomic.Int64
	errNoScan = errors.New("sqlite: diembao_keep: no such scan")
)

// keep adds the condition diembao_keep(handle, rowid) to a statement on
// article_index that ends with its WHERE clause, with the handle of s as
// its argument, and returns a function that unregisters s once the
// statement is done. A nil scan adds nothing.
func (s *scan) keep(stmt string, args []any) (string, []any, func()) {
	if s == nil {
		return stmt, args, func() {}
	}
	h, done := s.register()
	return stmt + ` AND diembao_keep(?, rowid)`, append(args, h), done
}

// register makes s reachable from SQL and returns its handle and a
// function that removes it.
func (s *scan) register() (int64, func()) {
	h := scanSeq.Add(1)
	scans.Store(h, s)
	return h, func() { scans.Delete(h) }
}

// keepFunction is diembao_keep(handle, rowid): 1 when the scan of handle
// keeps the row, 0 when not. It is called for every row a search reads, so
// it is registered with SQLite's C API directly (see registerFunctions),
// without the per-call allocations of modernc.org/sqlite's Go functions.
func keepFunction(tls *libc.TLS, ctx uintptr, argc int32, argv uintptr) {
	if argc != 2 {
		resultError(tls, ctx, "diembao_keep: want two arguments")
		return
	}
	h := sqlite3.Xsqlite3_value_int64(tls, *(*uintptr)(ptr(argv)))
	id := sqlite3.Xsqlite3_value_int64(tls, *(*uintptr)(ptr(argv + 8)))
	v, ok := scans.Load(h)
	if !ok {
		resultError(tls, ctx, errNoScan.Error())
		return
	}
	keep := int64(0)
	if v.(*scan).visit(id) {
		keep = 1
	}
	sqlite3.Xsqlite3_result_int64(tls, ctx, keep)
}
