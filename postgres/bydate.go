package postgres

import (
	"cmp"
	"context"
	"slices"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/query"
)

// byDateFromCounts answers a search in date order from token_freqs and
// token_positions when it can: a search whose match they decide (see
// window) and that has at most Limits.Count matches, or one that only
// excludes, within filters that leave at most maxCandidates articles. Its
// matches are all found (see candidates and newest) and sorted by
// publication time, and the page after cur is scored from their counts;
// the total is then exact, and the facets are counted when filters would
// make the facets statement test the match on tsvectors (nil when they
// are not). ok is false when the search is not answered this way: byDate
// then finds the page with the date statement.
func (s *SearchService) byDateFromCounts(ctx context.Context, conn querier, p *plan, st *rankStats, order diembao.Sort,
	cur *query.Cursor, limit int, facetNames []string) (page []scored, more bool, total int, facets map[string][]diembao.FacetCount, ok bool, err error) {
	switch {
	case s.noCounts:
		return nil, false, 0, nil, false, nil
	case p.match == nil:
		// A query that only excludes, within filters that leave few
		// articles: the exclusions are decided from their counts.
		if len(p.exclude) == 0 || len(p.filterWhere) == 0 || !countable(p.excludePhrases) {
			return nil, false, 0, nil, false, nil
		}
	case !countable(p.phrases) || !boostExact(p):
		return nil, false, 0, nil, false, nil
	}
	v := s.attrs.view()
	if p.match != nil && !s.noSets {
		page, more, total, facets, ok, err = s.byDateFromSets(ctx, conn, v, p, st, order, cur, limit, facetNames)
		if ok || err != nil {
			return page, more, total, facets, ok, err
		}
	}
	withFacets := len(facetNames) > 0 && len(p.filterWhere) > 0
	var (
		win  []scored
		info []articleInfo
		wc   windowCounts
	)
	found := false
	if len(p.filterWhere) > 0 {
		if win, info, wc, found, err = s.candidates(ctx, conn, v, p, withFacets); err != nil {
			return nil, false, 0, nil, false, err
		}
	}
	if !found && p.match == nil {
		return nil, false, 0, nil, false, nil
	}
	if !found {
		// A query expected to match many more articles than the limits
		// count goes to the date index at once: finding Limits.Count+1
		// matches in the counts would only tell that there are more.
		if s.Limits.Count > 0 && p.match.expected(st) > 2*float64(s.Limits.Count) {
			return nil, false, 0, nil, false, nil
		}
		need := 0
		if s.Limits.Count > 0 {
			need = s.Limits.Count + 1
		}
		if win, info, wc, err = s.newest(ctx, conn, v, p, need, withFacets); err != nil {
			return nil, false, 0, nil, false, err
		}
		if need > 0 && len(win) >= need {
			return nil, false, 0, nil, false, nil
		}
	}
	// The sort key of each match, as byDate computes it.
	noDate := int64(noDateNewest)
	if order == diembao.SortOldest {
		noDate = noDateOldest
	}
	for i := range win {
		win[i].Key = noDate
		if info[i].published != noTime {
			win[i].Key = info[i].published
		}
	}
	idx := make([]int, 0, len(win))
	for i := range win {
		if afterDate(win[i], cur, order) {
			idx = append(idx, i)
		}
	}
	slices.SortFunc(idx, func(a, b int) int {
		c := cmp.Or(cmp.Compare(win[a].Key, win[b].Key), cmp.Compare(win[a].ID, win[b].ID))
		if order != diembao.SortOldest {
			c = -c
		}
		return c
	})
	if more = len(idx) > limit; more {
		idx = idx[:limit]
	}
	page = make([]scored, len(idx))
	lens := make([]int, len(idx))
	for k, i := range idx {
		page[k], lens[k] = win[i], info[i].n
	}
	if p.match == nil {
		// Nothing to score: byDate leaves such a page's scores at zero.
		if withFacets {
			facets = countFacets(facetNames, info)
		}
		return page, more, len(win), facets, true, nil
	}
	pc := wc.subset(idx)
	if err := addBoostCounts(ctx, conn, p, page, pc); err != nil {
		return nil, false, 0, nil, false, err
	}
	s.scoreWindow(page, lens, p, st, pc)
	if withFacets {
		facets = countFacets(facetNames, info)
	}
	return page, more, len(win), facets, true, nil
}

// byDateFromSets answers a search in date order whose match is made of
// whole words (see matchSet): every match is found from token_sets, the
// total and the facets (when requested) are counted from all of them, the
// page after cur is picked by publication time from the attribute copy,
// and only its articles' counts are read to score it. ok is false when the
// match is not made of whole words.
func (s *SearchService) byDateFromSets(ctx context.Context, conn querier, v *attrView, p *plan, st *rankStats, order diembao.Sort,
	cur *query.Cursor, limit int, facetNames []string) (page []scored, more bool, total int, facets map[string][]diembao.FacetCount, ok bool, err error) {
	ids, facets, ok, err := s.setMatches(ctx, conn, v, p, facetNames)
	if !ok || err != nil {
		return nil, false, 0, nil, false, err
	}
	// The first limit+1 matches after cur in the order, as byDate sorts
	// them: kept sorted, a match entering only when it comes before the
	// last one kept.
	noDate := int64(noDateNewest)
	if order == diembao.SortOldest {
		noDate = noDateOldest
	}
	before := func(a, b scored) bool {
		if order == diembao.SortOldest {
			return a.Key < b.Key || a.Key == b.Key && a.ID < b.ID
		}
		return a.Key > b.Key || a.Key == b.Key && a.ID > b.ID
	}
	best := make([]scored, 0, limit+1)
	for _, id := range ids {
		sc := scored{ID: id, Key: noDate}
		c, slot := v.chunk(id)
		if t := c.published[slot]; t != noTime {
			sc.Key = epochSeconds(t)
		}
		if !afterDate(sc, cur, order) || len(best) == limit+1 && !before(sc, best[limit]) {
			continue
		}
		i, _ := slices.BinarySearchFunc(best, sc, func(a, b scored) int {
			if before(a, b) {
				return -1
			}
			return 1
		})
		if len(best) == limit+1 {
			best = best[:limit]
		}
		best = slices.Insert(best, i, sc)
	}
	if more = len(best) > limit; more {
		best = best[:limit]
	}
	lens := make([]int, len(best))
	for i, sc := range best {
		c, slot := v.chunk(sc.ID)
		lens[i] = int(c.ntokens[slot])
	}
	wc, err := readWindowCounts(ctx, conn, p.phrases, best)
	if err != nil {
		return nil, false, 0, nil, false, err
	}
	if err := addBoostCounts(ctx, conn, p, best, wc); err != nil {
		return nil, false, 0, nil, false, err
	}
	s.scoreWindow(best, lens, p, st, wc)
	return best, more, len(ids), facets, true, nil
}

// afterDate reports whether sc comes after the cursor cur in the date
// order order: an earlier (newest first) or later (oldest first) sort key,
// or the same key and a lower (higher) ID.
func afterDate(sc scored, cur *query.Cursor, order diembao.Sort) bool {
	if cur == nil {
		return true
	}
	if order == diembao.SortOldest {
		return sc.Key > cur.Key || sc.Key == cur.Key && sc.ID > cur.ID
	}
	return sc.Key < cur.Key || sc.Key == cur.Key && sc.ID < cur.ID
}

// expected estimates the number of articles x matches from the document
// frequencies of its tokens in st, for choosing how to answer a search
// only: a one-token phrase matches the articles holding its token, an AND
// the fraction of the archive its parts match together as if they were
// independent, an OR at least as many as its most frequent part, a NOT as
// many as its first part, a prefix as many as its most frequent token.
// Phrases of several tokens count as matching nothing, so that the counts
// are tried first: the date index
// would test the match on the tsvector of every article holding their
// tokens.
func (x *expr) expected(st *rankStats) float64 {
	n := float64(max(st.rows, 1))
	switch x.op {
	case opPhrase:
		switch {
		case len(x.tokens) != 1:
			return 0
		case x.prefix:
			return float64(st.df[x.tokens[0]+"*"]) // its most frequent token's
		}
		return float64(st.df[x.tokens[0]])
	case opAnd:
		f := 1.0
		for _, k := range x.kids {
			f *= min(k.expected(st)/n, 1)
		}
		return f * n
	case opOr:
		most := 0.0
		for _, k := range x.kids {
			most = max(most, k.expected(st))
		}
		return most
	case opNot:
		return x.kids[0].expected(st)
	}
	return 0
}
