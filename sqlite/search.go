package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/internal/idset"
	"github.com/diembao/diembao/internal/pairidx"
	"github.com/diembao/diembao/internal/tokfreq"
	"github.com/diembao/diembao/query"
)

// Search limits.
const (
	defaultLimit = 20
	maxLimit     = 200
	snippetBytes = 260
)

// SearchService implements diembao.SearchService on the embedded store.
//
// A query of single words, AND, OR and NOT is matched on the token sets
// (see tokensets.go); any other in FTS5. BM25 runs in diembao_rank, an
// FTS5 function of our own that takes document frequencies from
// term_stats (see rank.go). Filters on the publication time and the
// source, facets and date orders run in Go, over an in-memory copy of
// those attributes (see attrs): over the matching set, or called from
// SQLite for each row FTS5 matches (see scan). That avoids reading an
// article row per match, which made them slow on large archives.
type SearchService struct {
	db       *DB
	analyzer *query.Analyzer
	attrs    attrs
	// Limits bounds the work of one search (see query.Limits); the same
	// limits give the same answers as the PostgreSQL store.
	Limits query.Limits
	// noSets makes every search walk FTS5, for tests that compare both
	// ways (see tokensets.go); noFreqs makes FTS5 score what the sets
	// find (see tokenfreqs.go).
	noSets, noFreqs bool
}

var _ diembao.SearchService = (*SearchService)(nil)

// NewSearchService returns a SearchService using db, the default analysis
// of package query and query.DefaultLimits.
func NewSearchService(db *DB) *SearchService {
	return &SearchService{db: db, analyzer: query.DefaultAnalyzer(), Limits: query.DefaultLimits()}
}

// Warm reads the in-memory copy of the article attributes that filters,
// facets and date orders use, which the first such search would otherwise
// read (about two seconds per million articles), and the lengths of the
// articles' index entries, which ranking then takes from memory (under a
// second per million). A server calls it in the background at start-up.
func (s *SearchService) Warm(ctx context.Context) error {
	tx, err := s.db.beginRead(ctx)
	if err != nil {
		return queryError(ctx, err)
	}
	defer tx.Rollback()
	if err := s.attrs.warm(ctx, tx, s.db.Now().Unix()); err != nil {
		return err
	}
	log, err := s.db.seqs.acquire(ctx, tx)
	if err != nil {
		return err
	}
	defer s.db.seqs.release(log)
	size, err := log.Size()
	if err != nil {
		return err
	}
	return log.Touch(size - warmSequences)
}

// warmSequences is how many bytes of the newest token sequences Warm
// touches: those of about a million articles.
const warmSequences = 1 << 30

// plan is a search request turned into SQL pieces.
type plan struct {
	tree  query.Node
	match string
	// set finds the articles match finds, without scoring them (see
	// compiled.Set).
	set   string
	boost string
	// phrases and boostPhrases are the phrases of match and boost, for
	// diembao_rank.
	phrases, boostPhrases []query.Phrase
	// where holds conditions on articles a, with their arguments; ranges
	// and sources are the same filters for a scan.
	where   []string
	args    []any
	ranges  []timeRange
	sources []int64
	// excluding is set when the query excludes words (see compiled.Exclude).
	excluding bool
	// text is the text part of the tree; setToks are its tokens when it
	// can be evaluated on the token sets (see setTokens), nil when not.
	text    query.Node
	setToks []string
	// prefixes holds the folded tokens that each folded prefix of the
	// query begins, once expanded (see expandPrefixes); ex the expansion
	// of both halves of its prefix terms.
	prefixes map[string][]string
	ex       *expansion
	// exclude holds the MATCH expressions of what a query that only
	// excludes excludes (see compiled.Exclude).
	exclude []string
	// dict is the store's copy of token_ids, for the phrases the sets
	// answer; phraseCounts their instances in the articles read (see
	// phraseReader).
	dict         *tokenDict
	seqs         *sequenceFiles
	phraseCounts phraseCounts
	// optional is set on the plan of a query's boost alone, whose terms
	// an article need not hold (see scoreWindow).
	optional bool
}

// Search answers a query: one page of hits in the requested order, the
// total number of matching articles and the requested facets. A query that
// cannot be parsed gives an EINVALID *diembao.Error pointing at the mistake.
func (s *SearchService) Search(ctx context.Context, req diembao.SearchRequest) (*diembao.SearchResult, error) {
	p, err := s.plan(req)
	if err != nil {
		return nil, err
	}
	limit := req.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, maxLimit)
	sort := req.Sort
	switch sort {
	case "":
		sort = diembao.SortRelevance
	case diembao.SortRelevance, diembao.SortNewest, diembao.SortOldest:
	default:
		return nil, diembao.Errorf(diembao.EINVALID, "unknown sort %q: use relevance, newest or oldest", sort)
	}
	if p.match == "" && sort == diembao.SortRelevance {
		sort = diembao.SortNewest
	}
	for _, f := range req.Facets {
		switch f {
		case "source", "section", "day":
		default:
			return nil, diembao.Errorf(diembao.EINVALID, "unknown facet %q: use source, section or day", f)
		}
	}
	var cur *query.Cursor
	if req.Cursor != "" {
		c, err := query.DecodeCursor(req.Cursor, sort)
		if err != nil {
			return nil, err
		}
		cur = c
	}
	res := &diembao.SearchResult{Hits: []diembao.Hit{}}
	var keys []query.Cursor
	if p.match != "" {
		keys, err = s.searchText(ctx, p, req, sort, cur, limit+1, res)
	} else {
		keys, err = s.searchAll(ctx, p, req, sort, cur, limit+1, res)
	}
	if err != nil {
		return nil, err
	}
	if len(keys) > limit {
		keys = keys[:limit]
		res.NextCursor = keys[limit-1].Encode(sort)
	}
	if err := s.hits(ctx, p, keys, res); err != nil {
		return nil, err
	}
	return res, nil
}

// scored is an article with its relevance score (diembao_rank: lower is
// better), as a cursor records it.
type scored = query.Cursor

// searchText answers a query with a full-text match: the first n keys of
// the page in order, and the total and facets in res.
func (s *SearchService) searchText(ctx context.Context, p *plan, req diembao.SearchRequest, sort diembao.Sort,
	cur *query.Cursor, n int, res *diembao.SearchResult) ([]query.Cursor, error) {
	tx, err := s.db.beginRead(ctx)
	if err != nil {
		return nil, queryError(ctx, err)
	}
	defer tx.Rollback()
	facets := len(req.Facets) > 0
	rk, bk, err := p.rankers(ctx, tx)
	if err != nil {
		return nil, err
	}
	var sc *scan
	// newScan returns a scan with the request's filters, or nil when
	// nothing needs the attributes.
	newScan := func() *scan {
		if sc == nil {
			return nil
		}
		return &scan{a: &s.attrs, ranges: p.ranges, sources: p.sources, window: -1}
	}
	// The attributes are read when filters, facets or a date order need
	// them; once read, ranking takes the articles' lengths from them too.
	needScan := facets || len(p.ranges) > 0 || len(p.sources) > 0 || sort != diembao.SortRelevance
	if needScan || s.attrs.isLoaded() {
		if err := s.attrs.refresh(ctx, tx, s.db.Now().Unix()); err != nil {
			return nil, err
		}
		s.attrs.mu.RLock()
		defer s.attrs.mu.RUnlock()
		rk.lengths = s.attrs.loadedLengths()
		if bk != nil {
			bk.lengths = rk.lengths
		}
	}
	if needScan {
		sc = &scan{a: &s.attrs, ranges: p.ranges, sources: p.sources}
		sc.countFacets(req.Facets)
	}
	if p.setToks != nil && !s.noSets {
		ok, err := p.expand(ctx, tx, rk)
		if err != nil {
			return nil, err
		}
		if ok {
			return s.searchSets(ctx, tx, p, req, sort, cur, n, res, sc, rk, bk)
		}
	}
	// A date range bounds the IDs the statements read (see attrs.idSpan).
	var (
		bound     string
		boundArgs []any
	)
	if len(p.ranges) > 0 {
		span := s.span(p)
		bound, boundArgs = ` AND rowid BETWEEN ? AND ?`, []any{span.lo, span.hi}
	}
	// matching returns the WHERE clause of a statement on the match, and
	// its arguments after those of the columns (first); counting returns
	// the same for a statement that does not score (see compiled.Set).
	matching := func(first ...any) (string, []any) {
		return ` WHERE article_index MATCH ?` + bound, append(append(first, p.match), boundArgs...)
	}
	counting := func() (string, []any) {
		return ` WHERE article_index MATCH ?` + bound, append([]any{p.set}, boundArgs...)
	}
	// FTS5 reports no instances for part of a prefix's term in an
	// expression with NOT (see expand): such a query finds its window with
	// the set expression and scores it, as it scores a page in date order,
	// without what it excludes at its top (see scoreMatch).
	scoring := hasPrefix(p.text) && positive(p.text) != p.text
	if scoring {
		match, n, err := scoreMatch(p.text, nil)
		if err != nil {
			return nil, err
		}
		p.match, rk.dfs = match, rk.dfs[:n]
	}

	if sort != diembao.SortRelevance {
		// Filters, counts and the top of the date order, in Go, block by
		// block (see dateBlocks); a single pass when every block is read.
		sc.order, sc.cur, sc.limit = sort, cur, n
		every := s.readsEvery(facets)
		blocks := s.dateBlocks(s.span(p), sort, every)
		stmt, args, done := sc.keep(`SELECT count(*) FROM article_index WHERE article_index MATCH ? AND rowid BETWEEN ? AND ?`,
			[]any{p.set, 0, 0})
		defer done()
		err := sc.walk(blocks, s.Limits.Count, every, true, func(lo, hi int64) error {
			args[1], args[2] = lo, hi
			var none int // the scan keeps no row: it collects the page itself
			if err := tx.QueryRowContext(ctx, stmt, args...).Scan(&none); err != nil {
				return queryError(ctx, err)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		return s.datePage(ctx, tx, p, req, res, sc, rk, bk, false)
	}

	// Relevance: score the newest Window matches that pass the filters.
	window := s.Limits.Window
	if window <= 0 {
		window = -1
	}
	h, rdone := rk.register()
	defer rdone()
	where, args := matching(h)
	stmt := `SELECT rowid, ` + rankName + `(article_index, ?) FROM article_index` + where
	if scoring {
		where, args = counting()
		stmt = `SELECT rowid, 0 FROM article_index` + where
	}
	// The window: the newest matches that pass the filters. Facets are
	// counted in a pass of their own below, in FTS5's own order (oldest
	// first), which costs less per match than reading newest first.
	ws := newScan()
	if ws != nil {
		ws.window = window
	}
	stmt, args, done := ws.keep(stmt, args)
	defer done()
	stmt += ` ORDER BY rowid DESC`
	if window > 0 {
		stmt += ` LIMIT ?`
		args = append(args, window)
	}
	win, err := scoredRows(ctx, tx, stmt, args...)
	if err != nil {
		return nil, err
	}
	if scoring && len(win) > 0 {
		var in idset.Set
		for _, w := range win {
			in.Add(w.ID)
		}
		if win, err = scoreRange(ctx, tx, rk, p.match, win[len(win)-1].ID, win[0].ID, &scan{in: &in, window: -1}); err != nil {
			return nil, err
		}
	}
	switch {
	case facets:
		sc.window = 0 // counts every match, keeps none
		where, args := counting()
		stmt, args, done := sc.keep(`SELECT count(*) FROM article_index`+where, args)
		defer done()
		var none int
		if err := tx.QueryRowContext(ctx, stmt, args...).Scan(&none); err != nil {
			return nil, queryError(ctx, err)
		}
		res.Total, res.TotalLowerBound = s.Limits.Total(sc.total, true)
		res.Facets = sc.facets(req.Facets)
	case window < 0 || len(win) < window:
		res.Total = len(win)
	default:
		// More than the window match: count on, up to the limit.
		where, args := counting()
		stmt, args, done := newScan().keep(`SELECT 1 FROM article_index`+where, args)
		defer done()
		// Newest first, as the window was read: the first Window matches
		// come from pages the window statement has just read.
		stmt += ` ORDER BY rowid DESC`
		if s.Limits.Count > 0 {
			stmt += ` LIMIT ?`
			args = append(args, s.Limits.Count+1)
		}
		var total int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM (`+stmt+`)`, args...).Scan(&total); err != nil {
			return nil, queryError(ctx, err)
		}
		res.Total, res.TotalLowerBound = s.Limits.Total(total, false)
	}
	res.Ranked = s.Limits.Ranked(res.Total)
	if err := p.addBoost(ctx, tx, bk, win, newScan()); err != nil {
		return nil, err
	}
	keys, _ := query.ScorePage(win, cur, n)
	return keys, nil
}

// hasPrefix reports whether a tree holds a prefix.
func hasPrefix(n query.Node) bool {
	found := false
	query.Walk(n, func(n query.Node) bool {
		if t, ok := n.(*query.Term); ok && t.Prefix {
			found = true
		}
		return !found
	})
	return found
}

// expand prepares a plan whose setToks are set for searchSets: it finds
// the tokens the prefixes of the query begin (p.prefixes, p.ex), and
// replaces the match by the one that scores the articles the sets find
// (see scoreMatch), which spells the prefixes out for rk (see expansion).
// It reports false, changing nothing, when a prefix begins too many tokens
// (see maxPrefixTokens).
func (p *plan) expand(ctx context.Context, tx *sql.Tx, rk *ranker) (bool, error) {
	var ex *expansion
	if hasPrefix(p.text) {
		x, ok, err := expandPrefixes(ctx, tx, p.text)
		if err != nil || !ok {
			return false, err
		}
		p.prefixes, p.ex, ex = x.tokens[1], x, x
	}
	// The sets find the articles, exclusions included: FTS5 only scores
	// them, and what the query excludes at its top counts nothing there.
	// (FTS5 also reports no instances for some phrases of a prefix's term
	// in an expression with NOT: see docs/decisions/0009-token-sets.md.)
	if ex == nil && positive(p.text) == p.text {
		return true, nil
	}
	match, n, err := scoreMatch(p.text, ex)
	if err != nil {
		return false, err
	}
	p.match, rk.dfs = match, rk.dfs[:n]
	if ex != nil {
		rk.logical = ex.logical
	}
	return true, nil
}

// addBoost adds the boost's score to the articles of the window win (in
// descending ID order); the boost alone adds none. sc, when not nil,
// applies the search's filters to the rows the statement reads.
func (p *plan) addBoost(ctx context.Context, tx *sql.Tx, bk *ranker, win []scored, sc *scan) error {
	if p.boost == "" || len(win) == 0 {
		return nil
	}
	boosts, err := scoreRange(ctx, tx, bk, p.boost, win[len(win)-1].ID, win[0].ID, sc)
	if err != nil {
		return err
	}
	addBoosts(win, boosts)
	return nil
}

// scoreRange scores with rk the articles that match finds between IDs lo
// and hi and sc keeps (every one when sc is nil), newest first.
func scoreRange(ctx context.Context, tx *sql.Tx, rk *ranker, match string, lo, hi int64, sc *scan) ([]scored, error) {
	h, rdone := rk.register()
	defer rdone()
	stmt, args, done := sc.keep(`SELECT rowid, `+rankName+`(article_index, ?) FROM article_index
		WHERE article_index MATCH ? AND rowid BETWEEN ? AND ?`, []any{h, match, lo, hi})
	defer done()
	return scoredRows(ctx, tx, stmt+` ORDER BY rowid DESC`, args...)
}

// searchSets answers a query that the token sets can evaluate (see
// setTokens): the set of matching articles is read from them, and counted,
// filtered, faceted and ordered by date in Go; FTS5 scores the articles of
// the relevance window alone, or of the page for a date order. sc holds the
// request's filters and facets (nil when there are none and the order is
// relevance). The answers are those of searchText's FTS5 passes.
//
// The sets are read group by group (a block of IDs, see blockBits), within
// the IDs a date range allows. A relevance search without facets needs the
// newest matches only, up to the window and one past the count limit: it
// reads the groups from the newest and stops there. A date order reads them
// in the order of their publication times and stops once the page and the
// count are settled (see dateBlocks).
func (s *SearchService) searchSets(ctx context.Context, tx *sql.Tx, p *plan, req diembao.SearchRequest, sort diembao.Sort,
	cur *query.Cursor, n int, res *diembao.SearchResult, sc *scan, rk, bk *ranker) ([]query.Cursor, error) {
	r := newSetReader(ctx, tx, p.prefixes)
	r.dict, r.seqs, p.phraseCounts = p.dict, p.seqs, r.counts
	r.excluded = excludedPhrases(p.text)
	defer r.close()
	top, err := r.maxGroup()
	if err != nil {
		return nil, err
	}
	facets := len(req.Facets) > 0
	if sort != diembao.SortRelevance {
		// Group by group, in the order of their dates (see dateBlocks),
		// or the sets whole when every match of the archive counts.
		sc.order, sc.cur, sc.limit = sort, cur, n
		visit := func(id int64) bool {
			sc.visit(id)
			return true
		}
		every := s.readsEvery(facets)
		if every && len(p.ranges) == 0 {
			err = r.visitAll(p, top, visit)
		} else {
			err = sc.walk(s.dateBlocks(s.span(p), sort, false), s.Limits.Count, every, false, func(lo, hi int64) error {
				return r.visitGroup(p, lo, hi, visit)
			})
		}
		if err != nil {
			return nil, err
		}
		return s.datePage(ctx, tx, p, req, res, sc, rk, bk, true)
	}

	// The window: the newest matches that pass the filters (a scan
	// without attributes when there are none).
	window := s.Limits.Window
	if window <= 0 {
		window = -1
	}
	if sc == nil {
		sc = &scan{}
	}
	sc.window = window
	var (
		win    idset.Set
		lo, hi int64
		// chunks counts the chunks of token counts the window's
		// articles lie in (visited in descending ID order).
		chunks    int
		lastChunk int64 = -1
	)
	visit := func(id int64) bool {
		if sc.visit(id) {
			if sc.kept == 1 {
				hi = id
			}
			lo = id
			win.Add(id)
			if c, _ := tokfreq.ChunkOf(id); c != lastChunk {
				chunks, lastChunk = chunks+1, c
			}
		}
		return true
	}
	// Group by group from the newest, within the IDs a date range allows
	// (see attrs.idSpan); without facets, until the window is full and the
	// total past the count limit.
	first, last := top, int64(0)
	if len(p.ranges) > 0 {
		span := s.span(p)
		first, last = min(top, span.hi>>blockBits), max(span.lo, 0)>>blockBits
		if span.lo > span.hi {
			first = -1
		}
	}
	need := -1
	if !facets && window > 0 && s.Limits.Count > 0 {
		need = max(window, s.Limits.Count+1)
	}
	if need < 0 && len(p.ranges) == 0 {
		// Every match of the archive: the sets whole.
		if err := r.visitAll(p, top, visit); err != nil {
			return nil, err
		}
	} else {
		for g := first; g >= last && (need < 0 || sc.total < need); g-- {
			if err := r.visitGroup(p, g<<blockBits, (g+1)<<blockBits-1, visit); err != nil {
				return nil, err
			}
		}
	}
	res.Total, res.TotalLowerBound = s.Limits.Total(sc.total, facets)
	if facets {
		res.Facets = sc.facets(req.Facets)
	}
	res.Ranked = s.Limits.Ranked(res.Total)
	if sc.kept == 0 {
		return nil, nil
	}
	// Score the window from the token counts, or else FTS5 reads the
	// matches between its first and last article and diembao_rank scores
	// those of the window. A query with a boost (adjacent words) has FTS5
	// walk that range for the boost anyway; the counts are read on top of
	// that walk only when the window is dense in its chunks of counts (see
	// denseWindow).
	//
	// The boost's phrases are found in the window from the pairs and
	// checked in the sequences when their candidates there are few (see
	// boostFromPairs); FTS5 then walks nothing.
	boosts, boosted, err := s.boostFromPairs(ctx, tx, p, r, bk, &win, lo, hi)
	if err != nil {
		return nil, err
	}
	var (
		scoredWin []scored
		ok        bool
	)
	if p.boost == "" || boosted || sc.kept >= denseWindow*chunks {
		scoredWin, ok, err = s.scoreWindow(ctx, tx, p, rk, &win, lo, hi)
	}
	if err == nil && !ok {
		scoredWin, err = scoreRange(ctx, tx, rk, p.match, lo, hi, &scan{in: &win, window: -1})
	}
	if err != nil {
		return nil, err
	}
	if boosted {
		addBoosts(scoredWin, boosts)
	} else if err := p.addBoost(ctx, tx, bk, scoredWin, &scan{in: &win, window: -1}); err != nil {
		return nil, err
	}
	keys, _ := query.ScorePage(scoredWin, cur, n)
	return keys, nil
}

// maxBoostChecks is how many candidates in the relevance window the boost
// of a query may have for boostFromPairs to check them in their sequences
// (about 10 µs each at a million articles); past it, FTS5 walks the
// window's range (a few milliseconds). A variable for tests.
var maxBoostChecks = 256

// maxBoostChunks is how many chunks of pairs the window may span for
// boostFromPairs: a window spread over the archive (a rare word beside a
// common one) would read a row of every chunk for each pair.
const maxBoostChunks = 16

// boostFromPairs scores the boost of p in the window win (lo and hi its
// first and last articles) as addBoost's FTS5 walk scores it with bk,
// newest first: the articles of win holding a boost term, found from the
// pairs and checked in their sequences (see phraseReader.readIn) through
// r. It reports false, having scored nothing, when a boost term is not a
// phrase the pairs answer, the window spans too many chunks, its
// candidates are too many, or the counts cannot score it.
func (s *SearchService) boostFromPairs(ctx context.Context, tx *sql.Tx, p *plan, r *setReader, bk *ranker, win *idset.Set, lo, hi int64) ([]scored, bool, error) {
	if p.boost == "" || s.noFreqs || bk.lengths == nil || hi >= int64(len(bk.lengths)) || win.Len() == 0 ||
		hi>>pairidx.ChunkBits-lo>>pairidx.ChunkBits >= maxBoostChunks {
		// Nothing to boost, or the counts could not score it (see
		// scoreWindow), or the window is spread too thin.
		return nil, false, nil
	}
	terms := &query.Or{}
	var keys []string
	for _, b := range query.Boosts(p.text) {
		if !phraseTerm(b.Term, b.Columns()) {
			return nil, false, nil
		}
		terms.Children = append(terms.Children, b.Term)
		keys = append(keys, phraseKey(b.Term))
	}
	pr, err := r.phraseReader()
	if err != nil {
		return nil, false, err
	}
	if ok, err := pr.readIn(keys, win, lo, hi, maxBoostChecks); err != nil || !ok {
		return nil, false, err
	}
	boost := &plan{text: terms, phraseCounts: p.phraseCounts, optional: true}
	return s.scoreWindow(ctx, tx, boost, bk, win, lo, hi)
}

// addBoosts adds to the scores of the window win (in descending ID order)
// the boost's scores of its articles, boosts.
func addBoosts(win, boosts []scored) {
	at := make(map[int64]int, len(win))
	for i, w := range win {
		at[w.ID] = i
	}
	for _, b := range boosts {
		if i, ok := at[b.ID]; ok {
			win[i].Score += ranking.BoostFactor * b.Score
		}
	}
}

// span returns the IDs a search over the attributes reads: those its date
// range allows (see attrs.idSpan), every ID without one. The caller holds
// s.attrs.mu, with the attributes brought up to date.
func (s *SearchService) span(p *plan) idSpan {
	if len(p.ranges) > 0 {
		return s.attrs.idSpan(p.ranges)
	}
	return idSpan{lo: 1, hi: s.attrs.maxID}
}

// readsEvery reports whether a search in date order reads every match, not
// only the blocks that can change its page (see scan.walk): when facets
// count them all, or the count has no limit.
func (s *SearchService) readsEvery(facets bool) bool {
	return facets || s.Limits.Count <= 0
}

// dateBlocks returns the blocks of span a search in date order reads (see
// attrs.dateBlocks), or with one a single block of them all. The caller
// holds s.attrs.mu.
func (s *SearchService) dateBlocks(span idSpan, sort diembao.Sort, one bool) []dateBlock {
	if one {
		if span.lo > span.hi {
			return nil
		}
		return []dateBlock{{lo: span.lo, hi: span.hi}}
	}
	return s.attrs.dateBlocks(span, sort == diembao.SortNewest)
}

// datePage finishes a search in a date order whose scan has visited every
// match that could change its answer (see scan.walk): the total, the
// facets, and the page with its scores (from the token counts when viaSets,
// the sets having answered the search; see scoreWindow).
func (s *SearchService) datePage(ctx context.Context, tx *sql.Tx, p *plan, req diembao.SearchRequest,
	res *diembao.SearchResult, sc *scan, rk, bk *ranker, viaSets bool) ([]query.Cursor, error) {
	facets := len(req.Facets) > 0
	res.Total, res.TotalLowerBound = s.Limits.Total(sc.total, facets)
	if facets {
		res.Facets = sc.facets(req.Facets)
	}
	keys := sc.top.sorted()
	return keys, s.pageScores(ctx, tx, p, rk, bk, keys, viaSets)
}

// rankers returns the rankers of the match and of the boost (nil when the
// query has no boost), with the statistics of their phrases.
func (p *plan) rankers(ctx context.Context, tx *sql.Tx) (match, boost *ranker, err error) {
	dfs, err := phraseDFs(ctx, tx, append(append([]query.Phrase(nil), p.phrases...), p.boostPhrases...))
	if err != nil {
		return nil, nil, err
	}
	match = &ranker{weights: &ranking.Weights, dfs: dfs[:len(p.phrases)]}
	if p.boost != "" {
		boost = &ranker{weights: &ranking.BoostWeights, dfs: dfs[len(p.phrases):]}
	}
	return match, boost, nil
}

// pageScores sets the relevance scores of the keys of a page in date
// order: the scores of the articles themselves, not of a window.
func (s *SearchService) pageScores(ctx context.Context, tx *sql.Tx, p *plan, rk, bk *ranker, keys []query.Cursor, viaSets bool) error {
	if len(keys) == 0 {
		return nil
	}
	at := make(map[int64]int, len(keys))
	args := make([]any, 2, len(keys)+2) // the ranker's handle and the match first
	var (
		page   idset.Set
		lo, hi = keys[0].ID, keys[0].ID
	)
	for i, k := range keys {
		at[k.ID] = i
		args = append(args, k.ID)
		page.Add(k.ID)
		lo, hi = min(lo, k.ID), max(hi, k.ID)
	}
	in := ` AND rowid IN (` + strings.TrimSuffix(strings.Repeat("?,", len(keys)), ",") + `)`
	var (
		rows []scored
		ok   bool
		err  error
	)
	if viaSets {
		rows, ok, err = s.scoreWindow(ctx, tx, p, rk, &page, lo, hi)
	}
	// score scores the page's articles with r for match: FTS5 walks the
	// page's range of IDs when it is narrow (a page of the newest
	// articles of an archive stored in about date order), or else looks
	// each article up, at a few hundred microseconds each.
	score := func(r *ranker, match string) ([]scored, error) {
		if hi-lo < pageWalkIDs {
			return scoreRange(ctx, tx, r, match, lo, hi, &scan{in: &page, window: -1})
		}
		h, done := r.register()
		defer done()
		args[0], args[1] = h, match
		return scoredRows(ctx, tx, `SELECT rowid, `+rankName+`(article_index, ?) FROM article_index
		WHERE article_index MATCH ?`+in, args...)
	}
	if err == nil && !ok {
		rows, err = score(rk, p.match)
	}
	if err != nil {
		return err
	}
	for _, r := range rows {
		keys[at[r.ID]].Score = r.Score
	}
	if p.boost == "" {
		return nil
	}
	if rows, err = score(bk, p.boost); err != nil {
		return err
	}
	for _, r := range rows {
		keys[at[r.ID]].Score += ranking.BoostFactor * r.Score
	}
	return nil
}

// denseWindow is the number of articles of the relevance window per chunk
// of token counts (tokfreq.ChunkSize IDs) from which a query with a boost
// scores its window from the counts rather than in FTS5's walk. A row of
// counts is read whole whatever number of the window's articles it holds:
// a window spread thinly over the archive (a common word beside a rare
// one) reads rows of the common word's counts for one or two articles
// each, and took up to 300–350 ms from an empty page cache where FTS5,
// skipping through the rare word's postings, took 100–135; a dense one (two common
// words) is scored faster from the counts (two words at a million
// articles, warm: 13 against 19–26 ms p50). Of 8 and 32, tried on the
// scale benchmark's queries, 32 gave the better p99. A variable for tests.
var denseWindow = 32

// pageWalkIDs is the widest range of IDs whose matches FTS5 walks to score
// the page of a date order, rather than looking its articles up one by one
// (about 350 µs each at a million articles). Walking half a block of IDs
// costs less than that for the 21 articles of a page. A variable for tests.
var pageWalkIDs int64 = 16384

// scoredRows reads (rowid, score) rows.
func scoredRows(ctx context.Context, tx *sql.Tx, stmt string, args ...any) ([]scored, error) {
	rows, err := tx.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, queryError(ctx, err)
	}
	defer rows.Close()
	var out []scored
	for rows.Next() {
		var x scored
		if err := rows.Scan(&x.ID, &x.Score); err != nil {
			return nil, fmt.Errorf("sqlite: search: %w", err)
		}
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, queryError(ctx, err)
	}
	return out, nil
}

// searchAll answers a query without a full-text match (filters and
// exclusions only) from the in-memory attributes (see scanAll). With
// noSets, a query that excludes words is answered from the articles table
// instead, for the tests that compare both ways.
func (s *SearchService) searchAll(ctx context.Context, p *plan, req diembao.SearchRequest, sort diembao.Sort,
	cur *query.Cursor, n int, res *diembao.SearchResult) ([]query.Cursor, error) {
	if !p.excluding || !s.noSets {
		return s.scanAll(ctx, p, req, sort, cur, n, res)
	}
	where, args := p.where, p.args
	var key, order string
	switch sort {
	case diembao.SortNewest:
		key, order = "coalesce(a.published, -9223372036854775807)", "coalesce(a.published, -9223372036854775807) DESC, a.id DESC"
		if cur != nil {
			where = append(where, "("+key+" < ? OR ("+key+" = ? AND a.id < ?))")
			args = append(args, cur.Key, cur.Key, cur.ID)
		}
	case diembao.SortOldest:
		key, order = "coalesce(a.published, 9223372036854775807)", "coalesce(a.published, 9223372036854775807), a.id"
		if cur != nil {
			where = append(where, "("+key+" > ? OR ("+key+" = ? AND a.id > ?))")
			args = append(args, cur.Key, cur.Key, cur.ID)
		}
	}
	q := `SELECT a.id, ` + key + ` FROM articles a` + whereClause(where) + ` ORDER BY ` + order + ` LIMIT ?`
	rows, err := s.db.db.QueryContext(ctx, q, append(args, n)...)
	if err != nil {
		return nil, queryError(ctx, err)
	}
	var keys []query.Cursor
	for rows.Next() {
		var c query.Cursor
		if err := rows.Scan(&c.ID, &c.Key); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlite: search: %w", err)
		}
		keys = append(keys, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, queryError(ctx, err)
	}
	if err := s.count(ctx, p, res); err != nil {
		return nil, err
	}
	res.Total, res.TotalLowerBound = s.Limits.Total(res.Total, len(req.Facets) > 0)
	if len(req.Facets) > 0 {
		res.Facets = map[string][]diembao.FacetCount{}
		for _, f := range req.Facets {
			counts, err := s.facet(ctx, p, f)
			if err != nil {
				return nil, err
			}
			res.Facets[f] = counts
		}
	}
	return keys, nil
}

// scanAll answers a query of filters and exclusions from the in-memory
// attributes: a pass over the articles whose IDs a date range allows
// (every article without one), block by block in date order until the
// page and the count are settled (see scan.walk), skips the excluded ones
// (see excludedSet), counts the total and the facets and keeps the page of
// the date order, without reading an article row.
func (s *SearchService) scanAll(ctx context.Context, p *plan, req diembao.SearchRequest, sort diembao.Sort,
	cur *query.Cursor, n int, res *diembao.SearchResult) ([]query.Cursor, error) {
	tx, err := s.db.beginRead(ctx)
	if err != nil {
		return nil, queryError(ctx, err)
	}
	defer tx.Rollback()
	if err := s.attrs.refresh(ctx, tx, s.db.Now().Unix()); err != nil {
		return nil, err
	}
	a := &s.attrs
	a.mu.RLock()
	defer a.mu.RUnlock()
	sc := &scan{a: a, ranges: p.ranges, sources: p.sources, order: sort, cur: cur, limit: n}
	sc.countFacets(req.Facets)
	span := s.span(p)
	excluded, err := excludedSet(ctx, tx, p, span)
	if err != nil {
		return nil, err
	}
	facets := len(req.Facets) > 0
	every := s.readsEvery(facets)
	err = sc.walk(s.dateBlocks(span, sort, every), s.Limits.Count, every, false, func(lo, hi int64) error {
		for id := max(lo, 1); id <= hi && id < int64(len(a.present)); id++ {
			if a.present[id] && (excluded == nil || !excluded.Has(id)) {
				sc.visit(id)
			}
			if id&0xffff == 0 && ctx.Err() != nil {
				return queryError(ctx, ctx.Err())
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	res.Total, res.TotalLowerBound = s.Limits.Total(sc.total, facets)
	if facets {
		res.Facets = sc.facets(req.Facets)
	}
	return sc.top.sorted(), nil
}

// excludedSet returns the articles that a query that only excludes (see
// query.Negations) excludes among the IDs of span, or nil when it excludes
// nothing. What the token sets can evaluate (see setTokens) is read from
// them; the rest (phrases, prefixes, fields) is found by FTS5, in the
// folded columns (see compiled.Set) and within span.
func excludedSet(ctx context.Context, tx *sql.Tx, p *plan, span idSpan) (*idset.Set, error) {
	if !p.excluding {
		return nil, nil
	}
	negs, ok := query.Negations(p.text)
	if !ok || len(negs) != len(p.exclude) {
		return nil, fmt.Errorf("sqlite: search: %T is not a query that only excludes", p.text)
	}
	out := &idset.Set{}
	var (
		onSets []query.Node
		toks   []string
	)
	for i, n := range negs {
		if t := setTokens(n); t != nil && !hasPrefix(n) {
			onSets = append(onSets, n)
			toks = append(toks, t...)
			continue
		}
		rows, err := tx.QueryContext(ctx, `SELECT rowid FROM article_index WHERE article_index MATCH ? AND rowid BETWEEN ? AND ?`,
			p.exclude[i], span.lo, span.hi)
		if err != nil {
			return nil, queryError(ctx, err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, queryError(ctx, err)
			}
			out.Add(id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, queryError(ctx, err)
		}
	}
	if len(onSets) == 0 {
		return out, nil
	}
	slices.Sort(toks)
	r := newSetReader(ctx, tx, nil)
	r.dict, r.seqs = p.dict, p.seqs
	// What the span leaves out is not looked at.
	r.phraseChunks = &[2]int64{span.lo >> idset.ChunkBits, span.hi >> idset.ChunkBits}
	defer r.close()
	top, err := r.maxGroup()
	if err != nil {
		return nil, err
	}
	if err := r.readAll(slices.Compact(toks), top); err != nil {
		return nil, err
	}
	for _, n := range onSets {
		s, err := r.eval(n)
		if err != nil {
			return nil, err
		}
		out.Or(s)
	}
	return out, nil
}

// hits loads the articles of a page, in the page's order, with their
// snippets.
func (s *SearchService) hits(ctx context.Context, p *plan, keys []query.Cursor, res *diembao.SearchResult) error {
	if len(keys) == 0 {
		return nil
	}
	ids := make([]any, len(keys))
	for i, k := range keys {
		ids[i] = k.ID
	}
	marks := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
	rows, err := s.db.db.QueryContext(ctx, `SELECT id, url, title, source_name, published, sapo, body
		FROM articles WHERE id IN (`+marks+`)`, ids...)
	if err != nil {
		return queryError(ctx, err)
	}
	defer rows.Close()
	hl := query.NewHighlighter(p.tree)
	byID := map[int64]diembao.Hit{}
	for rows.Next() {
		var (
			h         diembao.Hit
			published sql.NullInt64
			body      string
			art       diembao.Article
		)
		if err := rows.Scan(&h.ID, &h.URL, &h.Title, &h.Source, &published, &art.Sapo, &body); err != nil {
			return fmt.Errorf("sqlite: search: %w", err)
		}
		if err := json.Unmarshal([]byte(body), &art.Body); err != nil {
			return fmt.Errorf("sqlite: search: article %d body: %w", h.ID, err)
		}
		h.Published = fromUnix(published, diembao.Vietnam)
		h.Snippet, h.Highlights = hl.Snippet(art.Text(), snippetBytes)
		byID[h.ID] = h
	}
	if err := rows.Err(); err != nil {
		return queryError(ctx, err)
	}
	for _, k := range keys {
		if h, ok := byID[k.ID]; ok {
			h.Score = -k.Score
			res.Hits = append(res.Hits, h)
		}
	}
	return nil
}

// plan parses and prepares the query and turns the request's filters into
// SQL conditions.
func (s *SearchService) plan(req diembao.SearchRequest) (*plan, error) {
	tree, err := query.Parse(req.Query, s.db.Now())
	if err != nil {
		return nil, err
	}
	tree, err = s.analyzer.Prepare(tree, query.Options{NoExpand: req.NoExpand})
	if err != nil {
		return nil, err
	}
	text, ranges, ok := query.Split(tree)
	if !ok {
		return nil, diembao.Errorf(diembao.EINVALID, "query: published: can only be combined with AND")
	}
	c, err := compile(text)
	if err != nil {
		return nil, err
	}
	p := &plan{tree: tree, match: c.Match, set: c.Set, boost: c.Boost, phrases: c.Phrases, boostPhrases: c.BoostPhrases,
		text: text, dict: &s.db.dict, seqs: &s.db.seqs}
	if c.Match != "" {
		p.setToks = setTokens(text)
	}
	p.exclude = c.Exclude
	for _, x := range c.Exclude {
		p.where = append(p.where, "a.id NOT IN (SELECT rowid FROM article_index WHERE article_index MATCH ?)")
		p.args = append(p.args, x)
		p.excluding = true
	}
	addRange := func(from, to time.Time) {
		if from.IsZero() && to.IsZero() {
			return
		}
		p.ranges = append(p.ranges, newTimeRange(from, to))
		if !from.IsZero() {
			p.where = append(p.where, "a.published >= ?")
			p.args = append(p.args, from.Unix())
		}
		if !to.IsZero() {
			p.where = append(p.where, "a.published < ?")
			p.args = append(p.args, to.Unix())
		}
	}
	for _, r := range ranges {
		addRange(r.From, r.To)
	}
	addRange(req.Since, req.Until)
	if len(req.SourceIDs) > 0 {
		marks := strings.TrimSuffix(strings.Repeat("?,", len(req.SourceIDs)), ",")
		p.where = append(p.where, "a.source_id IN ("+marks+")")
		for _, id := range req.SourceIDs {
			p.args = append(p.args, id)
		}
		p.sources = req.SourceIDs
	}
	return p, nil
}

func whereClause(where []string) string {
	if len(where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(where, " AND ")
}

// count sets the total number of articles that a search without a
// full-text match finds.
func (s *SearchService) count(ctx context.Context, p *plan, res *diembao.SearchResult) error {
	q := `SELECT count(*) FROM articles a` + whereClause(p.where)
	if err := s.db.db.QueryRowContext(ctx, q, p.args...).Scan(&res.Total); err != nil {
		return queryError(ctx, err)
	}
	return nil
}

// facet counts the articles that a search without a full-text match finds
// by source, section or day.
func (s *SearchService) facet(ctx context.Context, p *plan, name string) ([]diembao.FacetCount, error) {
	var expr string
	switch name {
	case "source":
		expr = "a.source_name"
	case "section":
		expr = "a.section"
	case "day":
		expr = "date(a.published, 'unixepoch', '+7 hours')"
	}
	q := `SELECT ` + expr + ` AS v, count(*) AS n FROM articles a` + whereClause(p.where) + ` GROUP BY v`
	rows, err := s.db.db.QueryContext(ctx, q, p.args...)
	if err != nil {
		return nil, queryError(ctx, err)
	}
	defer rows.Close()
	counts := map[string]int{}
	for rows.Next() {
		var (
			v sql.NullString
			n int
		)
		if err := rows.Scan(&v, &n); err != nil {
			return nil, fmt.Errorf("sqlite: facet %s: %w", name, err)
		}
		counts[v.String] += n
	}
	if err := rows.Err(); err != nil {
		return nil, queryError(ctx, err)
	}
	return query.TopFacet(name, counts), nil
}

// queryError wraps an error of a search statement.
func queryError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("sqlite: search: %w", ctx.Err())
	}
	return fmt.Errorf("sqlite: search: %w", err)
}
