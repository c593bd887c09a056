package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/query"
)

// Search limits, the same as the embedded store's.
const (
	defaultLimit = 20
	maxLimit     = 200
	snippetBytes = 260
)

// SearchService implements diembao.SearchService on PostgreSQL.
//
// A match made of whole words and one-word prefixes (AND, OR, NOT) is
// found from the sets of articles of each word (token_sets, see
// matchSet). Other matching runs in PostgreSQL: the prepared query tree is
// compiled to a tsquery over the column-prefixed lexemes of the index and
// answered from the GIN index, or decided from the counts and positions
// of its tokens. Ranking runs in Go, with the embedded store's formula,
// weights and statistics: for each article of the relevance window (see
// query.Limits) the server returns the counts of the query's tokens
// (token_freqs) when the match is made of single tokens, else only the
// positions of the lexemes the query looks for, which bm25 scores. The
// lengths, dates, sources and sections of the matches found in the counts
// come from an in-memory copy of article_index kept current by versions
// (see attrView), and their totals and facets are counted in Go; other
// totals are counted in PostgreSQL, other facets in Go from the IDs of the
// matches the GIN index finds.
type SearchService struct {
	db       *DB
	analyzer *query.Analyzer
	// Limits bounds the work of one search (see query.Limits); the same
	// limits give the same answers as the embedded store.
	Limits query.Limits
	// noCounts makes every window be scored from its tsvectors, and
	// noSets every match be found by the GIN index, for tests that
	// compare both ways.
	noCounts, noSets bool
	// attrs is the copy of article_index's narrow columns that searches
	// deciding their match from the counts read (see attrView).
	attrs attrCache
}

var _ diembao.SearchService = (*SearchService)(nil)

// NewSearchService returns a SearchService using db, the default analysis
// of package query and query.DefaultLimits.
func NewSearchService(db *DB) *SearchService {
	return &SearchService{db: db, analyzer: query.DefaultAnalyzer(), Limits: query.DefaultLimits()}
}

// querier runs statements: a pool, a connection or a transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// plan is a search request turned into SQL pieces: the WHERE conditions on
// articles a with their arguments (the tsquery of the match, when there is
// one, is $1) and the compiled match with its phrases.
type plan struct {
	tree    query.Node
	match   *expr
	phrases []*expr
	// boost is the expression of the boost terms, boostPhrases its
	// phrases.
	boost        *expr
	boostPhrases []*expr
	where        []string
	args         []any
	// exclude is what a query without a match excludes, excludePhrases
	// the phrases of its expressions.
	exclude        []*expr
	excludePhrases []*expr
	// filterWhere and filterArgs are the conditions of where that are not
	// the match (dates, sources), with arguments of their own.
	filterWhere []string
	filterArgs  []any
	// filters are the same conditions as the attribute copy tests them.
	filters attrFilter
}

// arg appends v to the plan's arguments and returns its placeholder.
func (p *plan) arg(v any) string {
	p.args = append(p.args, v)
	return "$" + strconv.Itoa(len(p.args))
}

// Search answers a query: one page of hits in the requested order, the
// total number of matching articles and the requested facets, within the
// service's Limits. A query that cannot be parsed gives an EINVALID
// *diembao.Error pointing at the mistake.
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
	order := req.Sort
	switch order {
	case "":
		order = diembao.SortRelevance
	case diembao.SortRelevance, diembao.SortNewest, diembao.SortOldest:
	default:
		return nil, diembao.Errorf(diembao.EINVALID, "unknown sort %q: use relevance, newest or oldest", order)
	}
	if p.match == nil && order == diembao.SortRelevance {
		order = diembao.SortNewest
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
		if cur, err = query.DecodeCursor(req.Cursor, order); err != nil {
			return nil, err
		}
	}
	// One read-only transaction gives every statement of the search the
	// same snapshot, so the statistics, the total, the facets and the hits
	// agree even while workers write.
	tx, err := s.db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("postgres: search: %w", err)
	}
	defer tx.Rollback(ctx) // read-only: nothing to keep
	conn := querier(tx)
	// Every statement of a search with a match reads the matches from the
	// GIN index's bitmap, which needs no tsvector to count a match of
	// lexemes: the sequential scan the planner picks for common words reads
	// every tsvector instead, many times slower. The plans' costs are then
	// far above the JIT thresholds, and compiling would only add time. A
	// search is short and many run at once: parallel workers cost more to
	// start than they save.
	if _, err := conn.Exec(ctx, `SET LOCAL enable_seqscan = off; SET LOCAL jit = off;
		SET LOCAL max_parallel_workers_per_gather = 0`); err != nil {
		return nil, fmt.Errorf("postgres: search: %w", err)
	}
	ranked := order == diembao.SortRelevance
	var st *rankStats
	if p.match != nil {
		if st, err = s.stats(ctx, conn, p); err != nil {
			return nil, err
		}
		// The boost's phrases are read for the window's articles only,
		// which their candidates narrow little (two words: 1–2 ms slower
		// with them at 100,000 articles).
		for _, ph := range p.phrases {
			if positional(ph) && !s.noCounts {
				ph.pairs = &phrasePairs{}
			}
		}
	}
	var (
		page    []scored
		more    bool
		res     = &diembao.SearchResult{Hits: []diembao.Hit{}}
		counted = false // res.Total is set
	)
	faceted := false // res.Facets is set
	if ranked {
		win, total, facets, err := s.window(ctx, conn, p, st, req.Facets)
		if err != nil {
			return nil, err
		}
		if total >= 0 {
			res.Total, counted = total, true
		}
		if facets != nil {
			res.Facets, faceted = facets, true
		}
		page, more = query.ScorePage(win, cur, limit)
	} else {
		var (
			total  int
			facets map[string][]diembao.FacetCount
			ok     bool
		)
		if page, more, total, facets, ok, err = s.byDateFromCounts(ctx, conn, p, st, order, cur, limit, req.Facets); err != nil {
			return nil, err
		}
		if ok {
			res.Total, counted = total, true
			if facets != nil {
				res.Facets, faceted = facets, true
			}
		} else if page, more, err = s.byDate(ctx, conn, p, st, order, cur, limit); err != nil {
			return nil, err
		}
	}
	switch {
	case faceted:
	case len(req.Facets) > 0:
		if err := s.facets(ctx, conn, p, req.Facets, res); err != nil {
			return nil, err
		}
	case !counted:
		if err := s.count(ctx, conn, p, res); err != nil {
			return nil, err
		}
	}
	res.Total, res.TotalLowerBound = s.Limits.Total(res.Total, len(req.Facets) > 0)
	if ranked {
		res.Ranked = s.Limits.Ranked(res.Total)
	}
	if err := s.hits(ctx, conn, p, page, res); err != nil {
		return nil, err
	}
	if more && len(page) > 0 {
		last := page[len(page)-1]
		res.NextCursor = last.Encode(order)
	}
	return res, nil
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
	p := &plan{tree: tree, match: c.match}
	if c.match != nil {
		p.phrases = c.match.phrases()
		if c.boost != nil {
			p.boost, p.boostPhrases = c.boost, c.boost.phrases()
		}
		// The exclusions join the match's tsquery, where the GIN index
		// answers them: as conditions of their own they would be tested on
		// each candidate's tsvector.
		q := c.match.tsquery()
		for _, x := range c.exclude {
			q = "(" + q + ") & !(" + x.tsquery() + ")"
		}
		p.where = append(p.where, "a.tsv @@ "+p.arg(q)+"::tsquery")
	} else {
		p.exclude = c.exclude
		for _, x := range c.exclude {
			p.where = append(p.where, "NOT (a.tsv @@ "+p.arg(x.tsquery())+"::tsquery)")
			p.excludePhrases = append(p.excludePhrases, x.phrases()...)
		}
	}
	// filter adds a condition that is not the match, whose one argument
	// is at %s, to where and to filterWhere.
	filter := func(cond string, v any) {
		p.where = append(p.where, fmt.Sprintf(cond, p.arg(v)))
		p.filterArgs = append(p.filterArgs, v)
		p.filterWhere = append(p.filterWhere, fmt.Sprintf(cond, "$"+strconv.Itoa(len(p.filterArgs))))
	}
	addRange := func(from, to time.Time) {
		r := attrRange{hasFrom: !from.IsZero(), hasTo: !to.IsZero()}
		if r.hasFrom {
			filter("a.published >= %s", from.UTC())
			r.from = from.UnixMicro()
		}
		if r.hasTo {
			filter("a.published < %s", to.UTC())
			r.to = to.UnixMicro()
		}
		if r.hasFrom || r.hasTo {
			p.filters.ranges = append(p.filters.ranges, r)
		}
	}
	for _, r := range ranges {
		addRange(r.From, r.To)
	}
	addRange(req.Since, req.Until)
	if len(req.SourceIDs) > 0 {
		filter("a.source_id = ANY(%s::bigint[])", req.SourceIDs)
		p.filters.sources = req.SourceIDs
	}
	return p, nil
}

func whereClause(where []string) string {
	if len(where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(where, " AND ")
}

// stats reads the collection statistics and the document frequency of
// each token of the query's phrases, from which it computes the inverse
// document frequency of each phrase (query.PhraseIDF).
//
// A token's document frequency counts the articles that hold it in any
// column: term_stats keeps it (summed over the writers' shards); the
// articles holding a token that a prefix begins are counted with the GIN
// index.
func (s *SearchService) stats(ctx context.Context, conn querier, p *plan) (*rankStats, error) {
	st := &rankStats{idf: make([]float64, len(p.phrases)), boostIDF: make([]float64, len(p.boostPhrases))}
	var tokens int64
	if err := conn.QueryRow(ctx, `SELECT coalesce(sum(docs), 0)::bigint, coalesce(sum(tokens), 0)::bigint FROM index_stats`).
		Scan(&st.rows, &tokens); err != nil {
		return nil, fmt.Errorf("postgres: search: statistics: %w", err)
	}
	if st.rows > 0 {
		st.avgdl = float64(tokens) / float64(st.rows)
	}
	phrases := make([]query.Phrase, 0, len(p.phrases)+len(p.boostPhrases))
	for _, ph := range p.allPhrases() {
		phrases = append(phrases, query.Phrase{Tokens: ph.tokens, Prefix: ph.prefix})
	}
	ts := query.NewTokenStats(phrases)
	if len(ts.Tokens) > 0 {
		rows, err := conn.Query(ctx, `SELECT token, sum(df)::bigint FROM term_stats WHERE token = ANY($1::text[]) GROUP BY token`, ts.Tokens)
		if err != nil {
			return nil, fmt.Errorf("postgres: search: document frequencies: %w", err)
		}
		for rows.Next() {
			var (
				tok string
				n   int64
			)
			if err := rows.Scan(&tok, &n); err != nil {
				rows.Close()
				return nil, fmt.Errorf("postgres: search: document frequencies: %w", err)
			}
			ts.DF[tok] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("postgres: search: document frequencies: %w", err)
		}
	}
	for _, t := range ts.Prefixes {
		// The tokens of the prefix, in byte order (the index of migration
		// 0004): ~>=~ and ~<~ compare bytes whatever the database's collation.
		lo, hi := query.PrefixBounds(t)
		stmt, args := `SELECT coalesce(max(df), 0)::bigint FROM (SELECT sum(df) AS df FROM term_stats
			WHERE token ~>=~ $1`, []any{lo}
		if hi != "" {
			stmt, args = stmt+` AND token ~<~ $2`, append(args, hi)
		}
		var n int64
		if err := conn.QueryRow(ctx, stmt+` GROUP BY token) t`, args...).Scan(&n); err != nil {
			return nil, fmt.Errorf("postgres: search: document frequencies: %w", err)
		}
		ts.SetPrefix(t, n)
	}
	st.df = ts.DF
	for i, dfs := range ts.PhraseDFs(phrases) {
		v := query.PhraseIDF(st.rows, dfs)
		if i < len(p.phrases) {
			st.idf[i] = v
		} else {
			st.boostIDF[i-len(p.phrases)] = v
		}
	}
	return st, nil
}

// allPhrases returns the phrases of the match followed by those of the
// boost: the order of the IDFs of rankStats.
func (p *plan) allPhrases() []*expr {
	return append(append([]*expr(nil), p.phrases...), p.boostPhrases...)
}

// positionsExpr returns the SQL expression of an article's index entry
// restricted to the lexemes the phrases look for, as tsvector text, adding
// its arguments to args.
func positionsExpr(p *plan, args *[]any) string {
	whole, prefixes := lexemes(append(append([]*expr(nil), p.phrases...), p.boostPhrases...))
	add := func(v any) string {
		*args = append(*args, v)
		return "$" + strconv.Itoa(len(*args))
	}
	lex := add(whole) + "::text[]"
	if len(prefixes) > 0 {
		patterns := make([]string, len(prefixes))
		for i, p := range prefixes {
			patterns[i] = likeEscape(p) + "%"
		}
		lex = "(" + lex + " || ARRAY(SELECT u.lexeme FROM unnest(a.tsv) u WHERE u.lexeme LIKE ANY (" + add(patterns) + "::text[])))"
	}
	return "ts_filter(setweight(a.tsv, 'A', " + lex + "), '{a}')::text"
}

func likeEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// scored is a matching article with its score (FTS5's sign: lower is
// better) and its date sort key: the position a cursor records.
type scored = query.Cursor

// Sort keys of articles without a published time, which sort last.
const (
	noDateNewest = -9223372036854775807
	noDateOldest = 9223372036854775807
)

// byDate returns the page of matching articles in date order after the
// cursor, scored when the query has a match.
func (s *SearchService) byDate(ctx context.Context, conn querier, p *plan, st *rankStats, order diembao.Sort, cur *query.Cursor, limit int) ([]scored, bool, error) {
	args := append([]any(nil), p.args...)
	where := append([]string(nil), p.where...)
	key := "coalesce(extract(epoch FROM a.published)::bigint, " + strconv.FormatInt(noDateNewest, 10) + ")"
	cmp, dir := "<", "DESC"
	if order == diembao.SortOldest {
		key = "coalesce(extract(epoch FROM a.published)::bigint, " + strconv.FormatInt(noDateOldest, 10) + ")"
		cmp, dir = ">", "ASC"
	}
	if cur != nil {
		args = append(args, cur.Key, cur.ID)
		k, id := "$"+strconv.Itoa(len(args)-1), "$"+strconv.Itoa(len(args))
		where = append(where, "("+key+" "+cmp+" "+k+"::bigint OR ("+key+" = "+k+"::bigint AND a.id "+cmp+" "+id+"::bigint))")
	}
	args = append(args, limit+1)
	q := `SELECT a.id, a.ntokens, ` + key + ` FROM article_index a` + whereClause(where) +
		` ORDER BY ` + key + ` ` + dir + `, a.id ` + dir + ` LIMIT $` + strconv.Itoa(len(args))
	rows, err := conn.Query(ctx, q, args...)
	if err != nil {
		return nil, false, fmt.Errorf("postgres: search: %w", err)
	}
	var (
		page    []scored
		ntokens = map[int64]int{}
	)
	for rows.Next() {
		var (
			sc scored
			n  int
		)
		if err := rows.Scan(&sc.ID, &n, &sc.Key); err != nil {
			rows.Close()
			return nil, false, fmt.Errorf("postgres: search: %w", err)
		}
		ntokens[sc.ID] = n
		page = append(page, sc)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("postgres: search: %w", err)
	}
	more := len(page) > limit
	if more {
		page = page[:limit]
	}
	if p.match != nil && len(page) > 0 {
		// Only the page is scored: its tsvectors are read after the sort.
		ids := make([]int64, len(page))
		for i, sc := range page {
			ids[i] = sc.ID
		}
		scores, err := positionScores(ctx, conn, p, st, ids, ntokens)
		if err != nil {
			return nil, false, err
		}
		for i := range page {
			page[i].Score = scores[page[i].ID]
		}
	}
	return page, more, nil
}

// positionScores returns the scores of the articles ids, whose token counts
// are ntokens, read from their tsvectors.
func positionScores(ctx context.Context, conn querier, p *plan, st *rankStats, ids []int64, ntokens map[int64]int) (map[int64]float64, error) {
	args := []any{ids}
	q := `SELECT a.id, ` + positionsExpr(p, &args) + ` FROM article_index a WHERE a.id = ANY($1::bigint[])`
	rows, err := conn.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: search: %w", err)
	}
	defer rows.Close()
	scores := make(map[int64]float64, len(ids))
	for rows.Next() {
		var (
			id  int64
			pos string
		)
		if err := rows.Scan(&id, &pos); err != nil {
			return nil, fmt.Errorf("postgres: search: %w", err)
		}
		scores[id] = p.score(parseTsvector(pos), ntokens[id], st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: search: %w", err)
	}
	return scores, nil
}

// hits loads the page's articles and makes their hits, with snippets
// highlighted by package query's highlighter.
func (s *SearchService) hits(ctx context.Context, conn querier, p *plan, page []scored, res *diembao.SearchResult) error {
	if len(page) == 0 {
		return nil
	}
	ids := make([]int64, len(page))
	for i, sc := range page {
		ids[i] = sc.ID
	}
	rows, err := conn.Query(ctx, `SELECT id, url, title, source_name, published, sapo, body::text
		FROM articles WHERE id = ANY($1::bigint[])`, ids)
	if err != nil {
		return fmt.Errorf("postgres: search: %w", err)
	}
	defer rows.Close()
	byID := map[int64]diembao.Hit{}
	hl := query.NewHighlighter(p.tree)
	for rows.Next() {
		var (
			h          diembao.Hit
			published  *time.Time
			sapo, body string
		)
		if err := rows.Scan(&h.ID, &h.URL, &h.Title, &h.Source, &published, &sapo, &body); err != nil {
			return fmt.Errorf("postgres: search: %w", err)
		}
		h.Published = fromDB(published, diembao.Vietnam)
		art := diembao.Article{Sapo: sapo}
		if err := json.Unmarshal([]byte(body), &art.Body); err != nil {
			return fmt.Errorf("postgres: search: article %d body: %w", h.ID, err)
		}
		h.Snippet, h.Highlights = hl.Snippet(art.Text(), snippetBytes)
		byID[h.ID] = h
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("postgres: search: %w", err)
	}
	for _, sc := range page {
		h, ok := byID[sc.ID]
		if !ok {
			continue // deleted since it matched
		}
		h.Score = -sc.Score
		res.Hits = append(res.Hits, h)
	}
	return nil
}

// count sets the total number of matching articles, counting no further
// than one past the Count of the limits when they have one.
func (s *SearchService) count(ctx context.Context, conn querier, p *plan, res *diembao.SearchResult) error {
	q := `SELECT count(*) FROM article_index a` + whereClause(p.where)
	args := p.args
	if s.Limits.Count > 0 {
		args = append(append([]any(nil), p.args...), s.Limits.Count+1)
		q = `SELECT count(*) FROM (SELECT FROM article_index a` + whereClause(p.where) + ` LIMIT $` + strconv.Itoa(len(args)) + `) m`
	}
	if err := conn.QueryRow(ctx, q, args...).Scan(&res.Total); err != nil {
		return fmt.Errorf("postgres: search: count: %w", err)
	}
	return nil
}

// facets counts every matching article, in total and by each of the named
// facets, and sets res.Total and res.Facets (ordered as query.TopFacet
// orders them): the GIN index finds the matches' IDs and the attribute
// copy gives their values. Counting them in SQL (grouping sets over the
// source, section and day of every match) took 180–200 ms for 87,000
// matches, sorting on disk; the IDs alone take about 20.
//
// A match of whole words is found from token_sets instead (see matchSet),
// and the filters tested on the attribute copy: the IDs of 76,000 matches
// took 24 ms from the GIN index.
func (s *SearchService) facets(ctx context.Context, conn querier, p *plan, names []string, res *diembao.SearchResult) error {
	v := s.attrs.view()
	if p.match != nil && !s.noSets {
		ids, facets, ok, err := s.setMatches(ctx, conn, v, p, names)
		if err != nil {
			return err
		}
		if ok {
			res.Total, res.Facets = len(ids), facets
			return nil
		}
	}
	var ids []int64
	if err := conn.QueryRow(ctx, `SELECT coalesce(array_agg(a.id), '{}') FROM article_index a`+whereClause(p.where), p.args...).Scan(&ids); err != nil {
		return fmt.Errorf("postgres: search: facets: %w", err)
	}
	if err := v.load(ctx, conn, ids); err != nil {
		return err
	}
	res.Total = len(ids)
	res.Facets = v.facets(ids, names)
	return nil
}
