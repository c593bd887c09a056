package postgres

import (
	"context"
	"fmt"
	"math/bits"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/internal/tokfreq"
	"github.com/diembao/diembao/query"
)

// weights are column weights of bm25, in column order.
type weights = [9]float64

// ranking is the definition of relevance both stores share: the column
// weights of the match and of the boost terms, and the boost factor.
var ranking = query.DefaultRanking()

// rankStats are the collection statistics BM25 needs for one query: the
// number of indexed articles, their average length in tokens and the
// inverse document frequency of each phrase of the match and of the boost.
type rankStats struct {
	rows     int64
	avgdl    float64
	idf      []float64
	boostIDF []float64
	// df is the document frequency of each whole token of the phrases.
	df map[string]int64
}

// docPositions holds, for one article, the positions of the lexemes a query
// looks for.
type docPositions map[string][]int

// parseTsvector reads PostgreSQL's text form of a tsvector ('lex':1A,5 …)
// into lexeme positions; weights are ignored. Text it cannot read ends the
// parse with what was read so far.
func parseTsvector(s string) docPositions {
	d := docPositions{}
	i := 0
	for i < len(s) {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i >= len(s) || s[i] != '\'' {
			break
		}
		i++
		var lex strings.Builder
		for i < len(s) {
			c := s[i]
			if c == '\'' {
				if i+1 < len(s) && s[i+1] == '\'' {
					lex.WriteByte('\'')
					i += 2
					continue
				}
				i++
				break
			}
			if c == '\\' && i+1 < len(s) {
				i++
				c = s[i]
			}
			lex.WriteByte(c)
			i++
		}
		var pos []int
		if i < len(s) && s[i] == ':' {
			i++
			for i < len(s) && s[i] != ' ' {
				j := i
				for j < len(s) && s[j] >= '0' && s[j] <= '9' {
					j++
				}
				if p, err := strconv.Atoi(s[i:j]); err == nil {
					pos = append(pos, p)
				}
				for j < len(s) && s[j] != ',' && s[j] != ' ' {
					j++ // weight letter
				}
				if j < len(s) && s[j] == ',' {
					j++
				}
				i = j
			}
		}
		d[lex.String()] = pos
	}
	return d
}

// tokens returns the distinct tokens of d's lexemes, whatever their
// column.
func (d docPositions) tokens() []string {
	seen := map[string]bool{}
	var out []string
	for lex := range d {
		if _, tok := splitLexeme(lex); !seen[tok] {
			seen[tok] = true
			out = append(out, tok)
		}
	}
	return out
}

// occurrences returns, in column order, the columns of the phrase's
// instances in the article: one entry per place where the phrase's tokens
// follow each other within one of its columns.
func (d docPositions) occurrences(ph *expr) []int {
	cols := append([]int(nil), ph.cols...)
	sort.Ints(cols)
	var out []int
	for _, c := range cols {
		code := columns[c].code + ":"
		last := len(ph.tokens) - 1
		// Positions of the last token (every lexeme with the prefix, for a
		// prefix phrase).
		var lastPos []int
		if ph.prefix {
			for lex, pos := range d {
				if strings.HasPrefix(lex, code+ph.tokens[last]) {
					lastPos = append(lastPos, pos...)
				}
			}
		} else {
			lastPos = d[code+ph.tokens[last]]
		}
		if len(lastPos) == 0 {
			continue
		}
		lastSet := map[int]bool{}
		for _, p := range lastPos {
			lastSet[p] = true
		}
		if last == 0 {
			for range lastSet {
				out = append(out, c)
			}
			continue
		}
		sets := make([]map[int]bool, last)
		for j := 0; j < last; j++ {
			sets[j] = map[int]bool{}
			for _, p := range d[code+ph.tokens[j]] {
				sets[j][p] = true
			}
		}
		for _, p := range d[code+ph.tokens[0]] {
			ok := lastSet[p+last]
			for j := 1; ok && j < last; j++ {
				ok = sets[j][p+j]
			}
			if ok {
				out = append(out, c)
			}
		}
	}
	return out
}

// bm25 returns the score the embedded store's diembao_rank gives an
// article of ntokens tokens with the given lexeme positions for the
// expression x, whose phrases (in FTS5's order) are phrases: negative,
// lower is better.
//
// Like FTS5, it counts the instances of a phrase only where the phrase
// takes part in the match: a phrase under an AND that does not match the
// article, under the excluded side of a NOT, or under an OR branch that
// does not match counts nothing, even when it occurs. Both stores end in
// query.BM25, so scores agree to the last bits or nearly.
func bm25(d docPositions, ntokens int, x *expr, phrases []*expr, idf []float64, w *weights, avgdl float64) float64 {
	occ := make(map[*expr][]int, len(phrases))
	for _, ph := range phrases {
		occ[ph] = d.occurrences(ph)
	}
	return bm25Occ(occ, ntokens, x, phrases, idf, w, avgdl)
}

// bm25Occ is bm25 for an article whose phrases have the instances occ: the
// columns of each phrase's instances, in column order.
func bm25Occ(occ map[*expr][]int, ntokens int, x *expr, phrases []*expr, idf []float64, w *weights, avgdl float64) float64 {
	counted := map[*expr]bool{}
	x.collect(occ, counted)
	freq := make([]float64, len(phrases))
	for i, ph := range phrases {
		if !counted[ph] {
			continue
		}
		for _, c := range occ[ph] {
			freq[i] += w[c]
		}
	}
	return query.BM25(freq, idf, float64(ntokens), avgdl)
}

// matches reports whether the article whose phrase occurrences are occ
// matches x.
func (x *expr) matches(occ map[*expr][]int) bool {
	switch x.op {
	case opPhrase:
		return len(occ[x]) > 0
	case opAnd:
		for _, k := range x.kids {
			if !k.matches(occ) {
				return false
			}
		}
		return true
	case opOr:
		for _, k := range x.kids {
			if k.matches(occ) {
				return true
			}
		}
		return false
	case opNot:
		return x.kids[0].matches(occ) && !x.kids[1].matches(occ)
	}
	return false
}

// collect marks the phrases that take part in x's match of the article.
func (x *expr) collect(occ map[*expr][]int, counted map[*expr]bool) {
	if !x.matches(occ) {
		return
	}
	switch x.op {
	case opPhrase:
		counted[x] = true
	case opAnd, opOr:
		for _, k := range x.kids {
			k.collect(occ, counted)
		}
	case opNot:
		x.kids[0].collect(occ, counted)
	}
}

// score returns an article's score for the plan: the bm25 of the match plus
// boostFactor times the bm25 of the boost terms, as the embedded store
// computes it (negative, lower is better).
func (p *plan) score(d docPositions, ntokens int, st *rankStats) float64 {
	s := bm25(d, ntokens, p.match, p.phrases, st.idf, &ranking.Weights, st.avgdl)
	if p.boost == nil {
		return s
	}
	b := bm25(d, ntokens, p.boost, p.boostPhrases, st.boostIDF, &ranking.BoostWeights, st.avgdl)
	return s + float64(ranking.BoostFactor*b)
}

// window returns the matching articles that relevance order ranks, each
// with its score: every match, or the Window of the limits with the highest
// IDs when more match (see query.Limits), and the number of matching
// articles, or -1 when it was not counted (the window is full).
//
// When the phrases of the match are single tokens or positional phrases
// (see countable) and those of the boost terms are exact (see boostExact),
// no tsvector is read: when filters (dates, sources) leave at most
// maxCandidates articles, the match, exclusions included, is decided from
// the counts of those articles (see candidates); otherwise the newest
// matches are found in token_freqs and token_positions and checked
// against the filters (see newest). The window is then scored from the
// counts, the boost terms' read for its articles only. Other queries find
// their window with the GIN index and score it from its tsvectors.
func (s *SearchService) window(ctx context.Context, conn querier, p *plan, st *rankStats, facetNames []string) (win []scored, total int, facets map[string][]diembao.FacetCount, err error) {
	counted := !s.noCounts && p.match != nil && countable(p.phrases) && boostExact(p)
	var (
		docs []docPositions
		lens []int
		wc   windowCounts
		info []articleInfo
	)
	total = -1
	// With facets and filters, every match is found, with the values it
	// is counted under (from the attribute copy): the facets statement
	// would test the match on the tsvector of each article the filters
	// leave. Without filters the GIN index finds every match faster than
	// the counts do (see facets).
	withFacets := len(facetNames) > 0 && len(p.filterWhere) > 0
	// done scores the window of the matches found from the counts.
	done := func() ([]scored, int, map[string][]diembao.FacetCount, error) {
		var facets map[string][]diembao.FacetCount
		if withFacets {
			facets = countFacets(facetNames, info)
		}
		lens = articleLens(info)
		if s.Limits.Window > 0 && len(win) > s.Limits.Window {
			win, lens, wc = win[:s.Limits.Window], lens[:s.Limits.Window], wc.prefix(s.Limits.Window)
		}
		// The boost terms count in the window only: their tokens are read
		// for its articles once the matches are found.
		if err := addBoostCounts(ctx, conn, p, win, wc); err != nil {
			return nil, 0, nil, err
		}
		s.scoreWindow(win, lens, p, st, wc)
		return win, total, facets, nil
	}
	v := s.attrs.view()
	// A prefix's set is the union of those of every token it begins (read
	// over the whole archive): without facets to count, the newest spans
	// of the counts find its window sooner (13.5–16 against 9.5–10 ms p50
	// at 100,000 articles).
	prefix := slices.ContainsFunc(p.phrases, func(ph *expr) bool { return ph.prefix })
	if counted && !s.noSets && (len(facetNames) > 0 || !prefix) {
		// Every match found from token_sets: the total and the facets
		// counted from them all, the newest ones as the window, whose
		// counts alone are read.
		ids, facets, ok, err := s.setMatches(ctx, conn, v, p, facetNames)
		if err != nil {
			return nil, 0, nil, err
		}
		if ok {
			total = len(ids)
			if s.Limits.Window > 0 && len(ids) > s.Limits.Window {
				ids = ids[:s.Limits.Window]
			}
			win, info = make([]scored, len(ids)), make([]articleInfo, len(ids))
			for i, id := range ids {
				win[i].ID = id
				info[i], _ = v.info(id, &p.filters, false)
			}
			if wc, err = readWindowCounts(ctx, conn, p.phrases, win); err != nil {
				return nil, 0, nil, err
			}
			withFacets = false
			win, total, _, err = done()
			return win, total, facets, err
		}
	}
	if counted && len(p.filterWhere) > 0 {
		var ok bool
		if win, info, wc, ok, err = s.candidates(ctx, conn, v, p, withFacets); err != nil {
			return nil, 0, nil, err
		}
		if ok {
			total = len(win)
			return done()
		}
	}
	if counted {
		// The newest matches: as many as the window holds, and as many as
		// the total counts to unless the facets statement counts it; all
		// of them for facets counted here.
		need := s.Limits.Window
		switch {
		case s.Limits.Window <= 0 || withFacets:
			need = 0
		case len(facetNames) > 0:
		case s.Limits.Count <= 0:
			need = 0
		default:
			need = max(need, s.Limits.Count+1)
		}
		if win, info, wc, err = s.newest(ctx, conn, v, p, need, withFacets); err != nil {
			return nil, 0, nil, err
		}
		if need <= 0 || len(win) < need || len(facetNames) == 0 {
			total = len(win)
		}
		return done()
	}
	args := append([]any(nil), p.args...)
	// The inner query picks the window from the GIN index's bitmap, which
	// needs no tsvector; the outer one reads the tsvectors of the window
	// only. An index scan in ID order would read the tsvector of every
	// article it passes to test the match, matching or not.
	inner := `SELECT a.id, a.ntokens, a.tsv FROM article_index a` + whereClause(p.where) + ` ORDER BY a.id DESC`
	if s.Limits.Window > 0 {
		args = append(args, s.Limits.Window)
		inner += ` LIMIT $` + strconv.Itoa(len(args))
	}
	q := `SELECT a.id, a.ntokens, ` + positionsExpr(p, &args) + ` FROM (` + inner + `) a`
	if _, err := conn.Exec(ctx, `SET LOCAL enable_indexscan = off`); err != nil {
		return nil, 0, nil, fmt.Errorf("postgres: search: %w", err)
	}
	rows, err := conn.Query(ctx, q, args...)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("postgres: search: %w", err)
	}
	for rows.Next() {
		var (
			sc      scored
			ntokens int
			pos     string
		)
		if err := rows.Scan(&sc.ID, &ntokens, &pos); err != nil {
			rows.Close()
			return nil, 0, nil, fmt.Errorf("postgres: search: %w", err)
		}
		win = append(win, sc)
		docs = append(docs, parseTsvector(pos))
		lens = append(lens, ntokens)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, nil, fmt.Errorf("postgres: search: %w", err)
	}
	if _, err := conn.Exec(ctx, `SET LOCAL enable_indexscan = on`); err != nil {
		return nil, 0, nil, fmt.Errorf("postgres: search: %w", err)
	}
	if s.Limits.Window <= 0 || len(win) < s.Limits.Window {
		total = len(win)
	}
	for i := range win {
		win[i].Score = p.score(docs[i], lens[i], st)
	}
	return win, total, nil, nil
}

// maxCandidates is the largest number of articles the filters of a query
// may leave for its match to be decided from their counts (see
// candidates); with more, its newest matches are found in the counts and
// checked against the filters (see newest). A variable for tests.
var maxCandidates = 20000

// candidates returns, in descending ID order, the articles that the
// filters of p leave and that its match (exclusions included) selects, or
// that none of its exclusions selects when it has no match (see matching),
// decided from their counts, with what article_index holds of them (see
// articleInfo; facet values withFacets) and the counts of the match's
// tokens. ok is false when the filters leave more than maxCandidates
// articles.
func (s *SearchService) candidates(ctx context.Context, conn querier, v *attrView, p *plan, withFacets bool) (win []scored, info []articleInfo, wc windowCounts,
	ok bool, err error) {
	if err := v.loadAll(ctx, conn); err != nil {
		return nil, nil, nil, false, err
	}
	all := v.kept(&p.filters, maxCandidates, withFacets)
	if len(all) > maxCandidates {
		return nil, nil, nil, false, nil
	}
	if len(all) == 0 {
		return nil, nil, windowCounts{}, true, nil
	}
	ids := make([]scored, len(all))
	for i, a := range all {
		ids[i].ID = a.id
	}
	phrases := p.phrases
	if p.match == nil {
		phrases = p.excludePhrases
	}
	counts, err := readWindowCounts(ctx, conn, phrases, ids)
	if err != nil {
		return nil, nil, nil, false, err
	}
	keep := matching(p, counts, len(all))
	for _, i := range keep {
		win, info = append(win, ids[i]), append(info, all[i])
	}
	return win, info, counts.subset(keep), true, nil
}

// facetValues are the values an article is counted under in the source,
// section and day facets.
type facetValues struct {
	source, section, day string
}

// get returns the value of the facet named name.
func (v *facetValues) get(name string) string {
	switch name {
	case "source":
		return v.source
	case "section":
		return v.section
	}
	return v.day
}

// articleInfo is what a search of words reads of a matching article in
// article_index (through the attribute copy, see attrView): its length,
// its publication time (Unix seconds, noTime when it has none) and, for
// facets, its facet values.
type articleInfo struct {
	id        int64
	n         int
	published int64
	facetValues
}

// articleLens returns the lengths of the articles info.
func articleLens(info []articleInfo) []int {
	lens := make([]int, len(info))
	for i := range info {
		lens[i] = info[i].n
	}
	return lens
}

// countFacets counts the articles whose facet values are attrs by each of
// the named facets, as attrView.facets counts articles by ID.
func countFacets(names []string, attrs []articleInfo) map[string][]diembao.FacetCount {
	out := make(map[string][]diembao.FacetCount, len(names))
	for _, name := range names {
		counts := map[string]int{}
		for i := range attrs {
			counts[attrs[i].get(name)]++
		}
		out[name] = query.TopFacet(name, counts)
	}
	return out
}

// matching returns the indices, among n articles whose counts are wc, of
// those the match of p selects, exclusions included (its NOT nodes), or,
// for a query that only excludes, those none of its exclusions selects,
// decided from the counts: a phrase occurs in an article when it has an
// instance in one of its columns.
func matching(p *plan, wc windowCounts, n int) []int {
	phrases := p.phrases
	var selects func(present []bool) bool
	if p.match != nil {
		selects = p.match.matcher(phraseIndex(phrases))
	} else {
		phrases = p.excludePhrases
		index := phraseIndex(phrases)
		excl := make([]func([]bool) bool, len(p.exclude))
		for k, x := range p.exclude {
			excl[k] = x.matcher(index)
		}
		selects = func(present []bool) bool {
			for _, x := range excl {
				if x(present) {
					return false
				}
			}
			return true
		}
	}
	srcs := wc.sources(phrases)
	present := make([]bool, len(phrases))
	var keep []int
	for i := range n {
		for j, src := range srcs {
			present[j] = false
			for _, s := range src {
				if s.counts[i][s.place] > 0 {
					present[j] = true
					break
				}
			}
		}
		if selects(present) {
			keep = append(keep, i)
		}
	}
	return keep
}

// phraseIndex returns the position of each phrase of phrases in it (the
// first, for a phrase listed twice).
func phraseIndex(phrases []*expr) map[*expr]int {
	index := make(map[*expr]int, len(phrases))
	for j, ph := range phrases {
		if _, ok := index[ph]; !ok {
			index[ph] = j
		}
	}
	return index
}

// matcher returns a function that reports whether an article matches x,
// given which phrases occur in it: present[index[ph]] for the phrase ph (a
// phrase not in index occurs nowhere), as matches decides it.
func (x *expr) matcher(index map[*expr]int) func(present []bool) bool {
	kids := make([]func([]bool) bool, len(x.kids))
	for i, k := range x.kids {
		kids[i] = k.matcher(index)
	}
	switch x.op {
	case opPhrase:
		if j, ok := index[x]; ok {
			return func(present []bool) bool { return present[j] }
		}
	case opAnd:
		return func(present []bool) bool {
			for _, k := range kids {
				if !k(present) {
					return false
				}
			}
			return true
		}
	case opOr:
		return func(present []bool) bool {
			for _, k := range kids {
				if k(present) {
					return true
				}
			}
			return false
		}
	case opNot:
		return func(present []bool) bool { return kids[0](present) && !kids[1](present) }
	}
	return func([]bool) bool { return false }
}

// subset returns the counts of the articles keep (indices in wc's
// articles), in that order.
func (wc windowCounts) subset(keep []int) windowCounts {
	out := make(windowCounts, len(wc))
	for key, c := range wc {
		sub := make([]tokfreq.Counts, len(keep))
		for k, i := range keep {
			sub[k] = c[i]
		}
		out[key] = sub
	}
	return out
}

// prefix returns the counts of the first n articles.
func (wc windowCounts) prefix(n int) windowCounts {
	out := make(windowCounts, len(wc))
	for key, c := range wc {
		out[key] = c[:n]
	}
	return out
}

// firstSpan is the number of chunks newest reads first; it doubles at
// each step, up to maxSpan. A variable for tests.
var firstSpan = 16

// maxSpan is the largest number of chunks newest reads at a time: its
// counts take 16 bytes per article of the span and key.
const maxSpan = 128

// newest returns, in descending ID order, the newest articles that the
// match of p (see countable) and its filters select, with what
// article_index holds of them (see articleInfo) and the counts of the
// match's tokens: the chunks of token_freqs and token_positions are read
// from the newest down, a growing span at a time, the match is decided
// from the counts, and the matching IDs are checked against article_index
// and the filters (which drops an article deleted by hand, whose counts
// stay behind), until need articles match (need <= 0: all). Fewer than
// need articles are returned only when no more match.
func (s *SearchService) newest(ctx context.Context, conn querier, v *attrView, p *plan, need int, withFacets bool) (win []scored, info []articleInfo, wc windowCounts,
	err error) {
	var maxID int64
	if err := conn.QueryRow(ctx, `SELECT coalesce(max(id), -1) FROM article_index`).Scan(&maxID); err != nil {
		return nil, nil, nil, fmt.Errorf("postgres: search: %w", err)
	}
	var parts []windowCounts // the counts of the matches of each batch
	phrases := p.phrases
	for hi, span := maxID>>tokfreq.ChunkBits, int64(firstSpan); hi >= 0 && (need <= 0 || len(win) < need); hi, span = hi-span, min(span*2, maxSpan) {
		lo := max(0, hi-span+1)
		// The counts of the span, by key, in slots of a dense array
		// (the ID less the span's first), which marks the slots of the
		// articles with counts.
		base := lo << tokfreq.ChunkBits
		n := int(hi-lo+1) << tokfreq.ChunkBits
		var (
			dense   [][]tokfreq.Counts
			keys    []string
			keyAt   = map[string]int{}
			present = make([]uint64, (n+63)/64)
		)
		err := readCounts(ctx, conn, phrases, chunkSel{lo: lo, hi: hi}, nil, func(key string, id int64, c *tokfreq.Counts) {
			k, ok := keyAt[key]
			if !ok {
				k = len(keys)
				keyAt[key] = k
				keys = append(keys, key)
				dense = append(dense, make([]tokfreq.Counts, n))
			}
			slot := id - base
			addCounts(&dense[k][slot], c)
			present[slot/64] |= 1 << (slot % 64)
		})
		if err != nil {
			return nil, nil, nil, err
		}
		var slots []int
		for w := len(present) - 1; w >= 0; w-- {
			for b := present[w]; b != 0; b &^= 1 << (63 - bits.LeadingZeros64(b)) {
				slots = append(slots, w*64+63-bits.LeadingZeros64(b))
			}
		}
		ids := make([]int64, len(slots))
		for i, slot := range slots {
			ids[i] = base + int64(slot)
		}
		counts := windowCounts{}
		for k, key := range keys {
			c := make([]tokfreq.Counts, len(slots))
			for i, slot := range slots {
				c[i] = dense[k][slot]
			}
			counts[key] = c
		}
		// The matches of the span, newest first, checked against
		// article_index as many at a time as are still needed.
		// The matches of the span, newest first, that are in article_index
		// and pass the filters, as many as are still needed.
		keep := matching(p, counts, len(ids))
		keepIDs := make([]int64, len(keep))
		for k, i := range keep {
			keepIDs[k] = ids[i]
		}
		if err := v.load(ctx, conn, keepIDs); err != nil {
			return nil, nil, nil, err
		}
		win, info = slices.Grow(win, len(keep)), slices.Grow(info, len(keep))
		alive := make([]int, 0, len(keep))
		for _, i := range keep {
			if need > 0 && len(win) >= need {
				break
			}
			if a, ok := v.info(ids[i], &p.filters, withFacets); ok {
				alive = append(alive, i)
				win, info = append(win, scored{ID: ids[i]}), append(info, a)
			}
		}
		parts = append(parts, counts.subset(alive))
	}
	// The counts of the matches, span after span, in one list per key.
	wc = windowCounts{}
	off := 0
	for _, part := range parts {
		n := 0
		for key, c := range part {
			dst := wc[key]
			if dst == nil {
				dst = make([]tokfreq.Counts, len(win))
				wc[key] = dst
			}
			copy(dst[off:], c)
			n = len(c)
		}
		off += n
	}
	return win, info, wc, nil
}

// addBoostCounts adds to wc, the counts of the articles win, those of the
// tokens of p's boost terms, read from the tables.
func addBoostCounts(ctx context.Context, conn querier, p *plan, win []scored, wc windowCounts) error {
	if p.boost == nil || len(win) == 0 {
		return nil
	}
	boost, err := readWindowCounts(ctx, conn, p.boostPhrases, win)
	if err != nil {
		return err
	}
	for key, c := range boost {
		if _, ok := wc[key]; !ok {
			wc[key] = c
		}
	}
	return nil
}

// scoreWindow scores the articles of win, whose lengths are lens, from the
// counts wc of their tokens, the match and the boost terms (see
// boostExact).
func (s *SearchService) scoreWindow(win []scored, lens []int, p *plan, st *rankStats, wc windowCounts) {
	if len(win) == 0 {
		return
	}
	match := matchFromCounts(p, st, wc, win, lens)
	if p.boost == nil {
		for i := range win {
			win[i].Score = match[i]
		}
		return
	}
	boost := boostFromCounts(p, st, wc, lens)
	for i := range win {
		win[i].Score = match[i] + float64(ranking.BoostFactor*boost[i])
	}
}

// boostExact reports whether every boost phrase of p is exact (see exact):
// its boost is then scored from the counts.
func boostExact(p *plan) bool {
	for _, ph := range p.boostPhrases {
		if !exact(ph) {
			return false
		}
	}
	return true
}
