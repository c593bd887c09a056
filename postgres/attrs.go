package postgres

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/jackc/pgx/v5"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/internal/idset"
	"github.com/diembao/diembao/internal/tokfreq"
	"github.com/diembao/diembao/query"
)

// attrChunkBits is the base-2 logarithm of the number of IDs in a chunk of
// the attribute copy: the chunks of token_freqs, whose shift migration
// 0009 writes as id >> 10.
const attrChunkBits = tokfreq.ChunkBits

const attrChunkSize = 1 << attrChunkBits

// noTime marks an article whose publication time is unknown.
const noTime = math.MinInt64

// attrChunk is the copy of what article_index holds of the articles of one
// chunk of IDs for searches that decide their match from the counts: their
// lengths, publication times (for date filters, date orders and the day
// facet), sources and sections. Once built it is not changed, so searches
// read it without a lock.
type attrChunk struct {
	version   int64
	present   [attrChunkSize / 64]uint64
	ntokens   [attrChunkSize]int32
	published [attrChunkSize]int64 // Unix microseconds, noTime when unknown
	sourceID  [attrChunkSize]int64 // 0 when none
	source    [attrChunkSize]uint32
	section   [attrChunkSize]uint32
}

func (c *attrChunk) has(slot int) bool { return c.present[slot/64]&(1<<(slot%64)) != 0 }

// attrCache is a search service's copy of article_index's narrow columns,
// chunk by chunk, each chunk with the version of attr_versions it was read
// at (see migration 0009). Searches share it; each search sees it through
// an attrView of its own snapshot.
type attrCache struct {
	mu      sync.Mutex
	chunks  map[int64]*attrChunk
	names   []string // source and section names, by index; append-only
	nameIdx map[string]uint32
}

// name returns the index of s among the names, adding it. The caller
// holds c.mu.
func (c *attrCache) name(s string) uint32 {
	if c.nameIdx == nil {
		c.nameIdx = map[string]uint32{}
	}
	if i, ok := c.nameIdx[s]; ok {
		return i
	}
	i := uint32(len(c.names))
	c.names = append(c.names, s)
	c.nameIdx[s] = i
	return i
}

// attrView is the attribute copy as one search's snapshot sees it: the
// version of every chunk in that snapshot and the chunks loaded for it.
type attrView struct {
	cache    *attrCache
	versions map[int64]int64 // chunks without a row hold no article; nil until read
	chunks   map[int64]*attrChunk
	names    []string
	days     map[int32]string
	all      bool // every chunk is loaded
}

// view returns a view of the copy for one search; it reads the chunks'
// versions in the search's snapshot when it first loads a chunk.
func (c *attrCache) view() *attrView {
	return &attrView{cache: c, chunks: map[int64]*attrChunk{}, days: map[int32]string{}}
}

// readVersions reads the version of every chunk in the snapshot of conn,
// once.
func (v *attrView) readVersions(ctx context.Context, conn querier) error {
	if v.versions != nil {
		return nil
	}
	rows, err := conn.Query(ctx, `SELECT chunk, version FROM attr_versions`)
	if err != nil {
		return fmt.Errorf("postgres: search: attribute versions: %w", err)
	}
	defer rows.Close()
	versions := map[int64]int64{}
	for rows.Next() {
		var chunk, version int64
		if err := rows.Scan(&chunk, &version); err != nil {
			return fmt.Errorf("postgres: search: attribute versions: %w", err)
		}
		versions[chunk] = version
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgres: search: attribute versions: %w", err)
	}
	v.versions = versions
	return nil
}

// load makes the chunks of the IDs ids available to the view: from the
// cache when the snapshot sees the version the cache holds, else read from
// article_index (in one statement) and put in the cache when newer than
// what it holds.
func (v *attrView) load(ctx context.Context, conn querier, ids []int64) error {
	if err := v.readVersions(ctx, conn); err != nil {
		return err
	}
	var want []int64
	for _, id := range ids {
		ch := id >> attrChunkBits
		if _, ok := v.chunks[ch]; ok || len(want) > 0 && want[len(want)-1] == ch {
			continue
		}
		want = append(want, ch)
	}
	if len(want) == 0 {
		return nil
	}
	slices.Sort(want)
	want = slices.Compact(want)
	var stale []int64
	v.cache.mu.Lock()
	for _, ch := range want {
		if _, ok := v.chunks[ch]; ok {
			continue
		}
		version, ok := v.versions[ch]
		if !ok {
			v.chunks[ch] = nil // no article
			continue
		}
		if c := v.cache.chunks[ch]; c != nil && c.version == version {
			v.chunks[ch] = c
			continue
		}
		stale = append(stale, ch)
	}
	v.names = v.cache.names
	v.cache.mu.Unlock()
	if len(stale) == 0 {
		return nil
	}
	return v.read(ctx, conn, stale)
}

// loadAll loads every chunk (see load).
func (v *attrView) loadAll(ctx context.Context, conn querier) error {
	if v.all {
		return nil
	}
	if err := v.readVersions(ctx, conn); err != nil {
		return err
	}
	ids := make([]int64, 0, len(v.versions))
	for ch := range v.versions {
		ids = append(ids, ch<<attrChunkBits)
	}
	if err := v.load(ctx, conn, ids); err != nil {
		return err
	}
	v.all = true
	return nil
}

// read reads the chunks stale (in ascending order) from article_index.
func (v *attrView) read(ctx context.Context, conn querier, stale []int64) error {
	rows, err := conn.Query(ctx, `SELECT a.id, a.ntokens, (extract(epoch FROM a.published) * 1000000)::bigint,
			coalesce(a.source_id, 0), a.source_name, a.section
		FROM unnest($1::bigint[]) c(chunk)
		CROSS JOIN LATERAL (SELECT * FROM article_index WHERE id >= c.chunk << $2 AND id < (c.chunk + 1) << $2) a`,
		stale, attrChunkBits)
	if err != nil {
		return fmt.Errorf("postgres: search: attributes: %w", err)
	}
	defer rows.Close()
	built := make(map[int64]*attrChunk, len(stale))
	for _, ch := range stale {
		built[ch] = &attrChunk{version: v.versions[ch]}
	}
	type row struct {
		id, published, sourceID int64
		n                       int32
		source, section         string
	}
	var list []row
	for rows.Next() {
		var (
			r         row
			published *int64
		)
		if err := rows.Scan(&r.id, &r.n, &published, &r.sourceID, &r.source, &r.section); err != nil {
			return fmt.Errorf("postgres: search: attributes: %w", err)
		}
		r.published = noTime
		if published != nil {
			r.published = *published
		}
		list = append(list, r)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgres: search: attributes: %w", err)
	}
	c := v.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range list {
		ch := built[r.id>>attrChunkBits]
		slot := int(r.id & (attrChunkSize - 1))
		ch.present[slot/64] |= 1 << (slot % 64)
		ch.ntokens[slot], ch.published[slot], ch.sourceID[slot] = r.n, r.published, r.sourceID
		ch.source[slot], ch.section[slot] = c.name(r.source), c.name(r.section)
	}
	if c.chunks == nil {
		c.chunks = map[int64]*attrChunk{}
	}
	for n, ch := range built {
		v.chunks[n] = ch
		if old := c.chunks[n]; old == nil || old.version < ch.version {
			c.chunks[n] = ch
		}
	}
	v.names = c.names
	return nil
}

// chunk returns the loaded chunk of id and its slot there (nil when the
// chunk holds no article).
func (v *attrView) chunk(id int64) (*attrChunk, int) {
	return v.chunks[id>>attrChunkBits], int(id & (attrChunkSize - 1))
}

// info returns what the view holds of article id, and false when no
// article has that ID (or its chunk is not loaded) or f does not keep it.
// Facet values are filled withFacets.
func (v *attrView) info(id int64, f *attrFilter, withFacets bool) (articleInfo, bool) {
	c, slot := v.chunk(id)
	if c == nil || !c.has(slot) || !f.keeps(c, slot) {
		return articleInfo{}, false
	}
	a := articleInfo{id: id, n: int(c.ntokens[slot]), published: noTime}
	if p := c.published[slot]; p != noTime {
		a.published = epochSeconds(p)
	}
	if withFacets {
		a.source, a.section = v.names[c.source[slot]], v.names[c.section[slot]]
		a.day = v.day(c.published[slot])
	}
	return a, true
}

// facets counts the articles ids (whose chunks the view has loaded) by
// each of the named facets, as countFacets does from their articleInfo.
func (v *attrView) facets(ids []int64, names []string) map[string][]diembao.FacetCount {
	byName := [2][]int{make([]int, len(v.names)), make([]int, len(v.names))} // source, section: by name index
	byDay := map[int64]int{}                                                 // by publication day, noTime for none
	for _, id := range ids {
		c, slot := v.chunk(id)
		if c == nil || !c.has(slot) {
			continue
		}
		byName[0][c.source[slot]]++
		byName[1][c.section[slot]]++
		d := int64(noTime)
		if p := c.published[slot]; p != noTime {
			d = dayOf(p)
		}
		byDay[d]++
	}
	out := make(map[string][]diembao.FacetCount, len(names))
	delete(byDay, noTime)
	for _, name := range names {
		if name == "day" {
			out[name] = query.TopDays(byDay)
			continue
		}
		i := 0 // source
		if name == "section" {
			i = 1
		}
		counts := map[string]int{}
		for n, k := range byName[i] {
			if k > 0 {
				counts[v.names[n]] += k
			}
		}
		out[name] = query.TopFacet(name, counts)
	}
	return out
}

// day returns the day facet's value of a publication time (Unix
// microseconds): the date in Vietnam's time zone, "" when unknown.
func (v *attrView) day(micro int64) string {
	if micro == noTime {
		return ""
	}
	return v.dayName(int32(dayOf(micro)))
}

// dayOf returns the day of a publication time (Unix microseconds) in
// Vietnam's time zone (UTC+7, no daylight saving time), in days since
// 1970-01-01.
func dayOf(micro int64) int64 {
	const offset, day = 7 * 3600 * 1000000, 86400 * 1000000
	return floorDiv(micro+offset, day)
}

// dayName returns the date of a day (days since 1970-01-01) as the day
// facet writes it.
func (v *attrView) dayName(d int32) string {
	s, ok := v.days[d]
	if !ok {
		s = query.DayValue(int64(d))
		v.days[d] = s
	}
	return s
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// epochSeconds rounds Unix microseconds to seconds as PostgreSQL's
// extract(epoch FROM t)::bigint does: half away from zero.
func epochSeconds(micro int64) int64 {
	if micro < 0 {
		return -((-micro + 500000) / 1000000)
	}
	return (micro + 500000) / 1000000
}

// attrFilter is the filters of a search (dates, sources) as the in-memory
// attributes test them, as the SQL conditions of plan.filterWhere do.
type attrFilter struct {
	// ranges are publication times, in Unix microseconds, an article must
	// be at or after (from) and before (to); hasFrom/hasTo tell which
	// bound a range has.
	ranges  []attrRange
	sources []int64
}

type attrRange struct {
	from, to       int64
	hasFrom, hasTo bool
}

// keeps reports whether the article in slot of c passes f.
func (f *attrFilter) keeps(c *attrChunk, slot int) bool {
	for _, r := range f.ranges {
		p := c.published[slot]
		if p == noTime || r.hasFrom && p < r.from || r.hasTo && p >= r.to {
			return false
		}
	}
	return len(f.sources) == 0 || slices.Contains(f.sources, c.sourceID[slot])
}

// kept returns, in descending ID order, the articles f keeps, up to limit
// of them (limit+1 tells there are more). The view must have loaded every
// chunk.
func (v *attrView) kept(f *attrFilter, limit int, withFacets bool) []articleInfo {
	chunks := make([]int64, 0, len(v.chunks))
	for n, c := range v.chunks {
		if c != nil {
			chunks = append(chunks, n)
		}
	}
	slices.Sort(chunks)
	var out []articleInfo
	for i := len(chunks) - 1; i >= 0; i-- {
		c := v.chunks[chunks[i]]
		base := chunks[i] << attrChunkBits
		for slot := attrChunkSize - 1; slot >= 0; slot-- {
			if !c.has(slot) || !f.keeps(c, slot) {
				continue
			}
			a, _ := v.info(base+int64(slot), f, withFacets)
			out = append(out, a)
			if len(out) > limit {
				return out
			}
		}
	}
	return out
}

// alive returns, in descending ID order, the articles of set that are in
// article_index in the view's snapshot and that f keeps, loading their
// chunks.
func (v *attrView) alive(ctx context.Context, conn querier, set *idset.Set, f *attrFilter) ([]int64, error) {
	ids := make([]int64, 0, set.Len())
	set.Descending(func(id int64) bool {
		ids = append(ids, id)
		return true
	})
	if err := v.load(ctx, conn, ids); err != nil {
		return nil, err
	}
	return slices.DeleteFunc(ids, func(id int64) bool {
		c, slot := v.chunk(id)
		return c == nil || !c.has(slot) || !f.keeps(c, slot)
	}), nil
}

// Warm reads the attribute copy of every article (see attrView), which
// the first searches would otherwise read as they need it. A server calls
// it in the background at start-up.
func (s *SearchService) Warm(ctx context.Context) error {
	tx, err := s.db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("postgres: search: attributes: %w", err)
	}
	defer tx.Rollback(ctx) // read-only: nothing to keep
	return s.attrs.view().loadAll(ctx, tx)
}
