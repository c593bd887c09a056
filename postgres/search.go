package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
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
	maxFacet     = 20
)

// SearchService implements diembao.SearchService on PostgreSQL.
//
// Matching runs in PostgreSQL: the prepared query tree is compiled to a
// tsquery over the column-prefixed lexemes of the index and answered from
// the GIN index. Ranking runs in Go: for each matching article the server
// returns only the positions of the lexemes the query looks for, and bm25
// scores them with the embedded store's formula, weights and statistics.
type SearchService struct {
	db       *DB
	analyzer *query.Analyzer
}

var _ diembao.SearchService = (*SearchService)(nil)

// NewSearchService returns a SearchService using db and the default
// analysis of package query.
func NewSearchService(db *DB) *SearchService {
	return &SearchService{db: db, analyzer: query.DefaultAnalyzer()}
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
	// implied marks, among phrases and boostPhrases, those whose every
	// occurrence makes an article match the query (see countsFromMatches).
	implied map[*expr]bool
	where   []string
	args    []any
}

// arg appends v to the plan's arguments and returns its placeholder.
func (p *plan) arg(v any) string {
	p.args = append(p.args, v)
	return "$" + strconv.Itoa(len(p.args))
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
	// onePass: every matching article is read once, for the scores (all of
	// them are needed to rank), the total and the facets.
	onePass := p.match != nil && (order == diembao.SortRelevance || len(req.Facets) > 0)
	var st *rankStats
	if p.match != nil {
		if st, err = s.stats(ctx, conn, p, onePass); err != nil {
			return nil, err
		}
	}
	var (
		page []scored
		more bool
		res  = &diembao.SearchResult{Hits: []diembao.Hit{}}
	)
	if onePass {
		all, err := s.candidates(ctx, conn, p, st)
		if err != nil {
			return nil, err
		}
		res.Total = len(all)
		if len(req.Facets) > 0 {
			res.Facets = map[string][]diembao.FacetCount{}
			for _, f := range req.Facets {
				res.Facets[f] = facetCounts(all, f)
			}
		}
		page, more = pageOf(all, order, cur, limit)
	} else {
		if page, more, err = s.byDate(ctx, conn, p, st, order, cur, limit); err != nil {
			return nil, err
		}
		if err := s.count(ctx, conn, p, res); err != nil {
			return nil, err
		}
		if len(req.Facets) > 0 {
			res.Facets = map[string][]diembao.FacetCount{}
			for _, f := range req.Facets {
				counts, err := s.facet(ctx, conn, p, f)
				if err != nil {
					return nil, err
				}
				res.Facets[f] = counts
			}
		}
	}
	if err := s.hits(ctx, conn, p, page, res); err != nil {
		return nil, err
	}
	if more && len(page) > 0 {
		last := page[len(page)-1]
		res.NextCursor = query.Cursor{Score: last.score, Key: last.key, ID: last.id}.Encode(order)
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
		p.implied = c.match.impliedPhrases()
		if c.boost != nil {
			p.boost, p.boostPhrases = c.boost, c.boost.phrases()
			for _, t := range c.boost.kids {
				if c.implied[t] {
					for ph := range t.impliedPhrases() {
						p.implied[ph] = true
					}
				}
			}
		}
		p.where = append(p.where, "a.tsv @@ "+p.arg(c.match.tsquery())+"::tsquery")
	}
	for _, x := range c.exclude {
		p.where = append(p.where, "NOT (a.tsv @@ "+p.arg(x.tsquery())+"::tsquery)")
	}
	addRange := func(from, to time.Time) {
		if !from.IsZero() {
			p.where = append(p.where, "a.published >= "+p.arg(from.UTC()))
		}
		if !to.IsZero() {
			p.where = append(p.where, "a.published < "+p.arg(to.UTC()))
		}
	}
	for _, r := range ranges {
		addRange(r.From, r.To)
	}
	addRange(req.Since, req.Until)
	if len(req.SourceIDs) > 0 {
		p.where = append(p.where, "a.source_id = ANY("+p.arg(req.SourceIDs)+"::bigint[])")
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
// each phrase of the query.
func (s *SearchService) stats(ctx context.Context, conn querier, p *plan, fromMatches bool) (*rankStats, error) {
	phrases := append(append([]*expr(nil), p.phrases...), p.boostPhrases...)
	st := &rankStats{idf: make([]float64, len(p.phrases)), boostIDF: make([]float64, len(p.boostPhrases))}
	var tokens int64
	if err := conn.QueryRow(ctx, `SELECT coalesce(sum(docs), 0)::bigint, coalesce(sum(tokens), 0)::bigint FROM index_stats`).
		Scan(&st.rows, &tokens); err != nil {
		return nil, fmt.Errorf("postgres: search: statistics: %w", err)
	}
	if st.rows > 0 {
		st.avgdl = float64(tokens) / float64(st.rows)
	}
	var (
		parts   []string
		args    []any
		counted []int
	)
	for i, ph := range phrases {
		if fromMatches && p.countsFromMatches(ph) {
			continue // counted by candidates
		}
		args = append(args, ph.tsquery())
		parts = append(parts, "(SELECT count(*) FROM articles WHERE tsv @@ $"+strconv.Itoa(len(args))+"::tsquery)")
		counted = append(counted, i)
	}
	if len(parts) == 0 {
		return st, nil
	}
	// Counting in the GIN index alone (a bitmap scan needs no tsvector for
	// a phrase of one token) is many times cheaper than the sequential scan
	// the planner picks for common words, which reads every tsvector.
	if _, err := conn.Exec(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
		return nil, fmt.Errorf("postgres: search: %w", err)
	}
	var hits []int64
	if err := conn.QueryRow(ctx, `SELECT ARRAY[`+strings.Join(parts, ", ")+`]::bigint[]`, args...).Scan(&hits); err != nil {
		return nil, fmt.Errorf("postgres: search: document frequencies: %w", err)
	}
	if _, err := conn.Exec(ctx, `SET LOCAL enable_seqscan = on`); err != nil {
		return nil, fmt.Errorf("postgres: search: %w", err)
	}
	for j, n := range hits {
		st.setIDF(p, counted[j], n)
	}
	return st, nil
}

// setIDF sets the IDF of phrase i of the match (or, past its phrases, of
// the boost) found in n articles.
func (st *rankStats) setIDF(p *plan, i int, n int64) {
	if i < len(p.phrases) {
		st.idf[i] = idf(st.rows, n)
	} else {
		st.boostIDF[i-len(p.phrases)] = idf(st.rows, n)
	}
}

// countsFromMatches reports whether the document frequency of the phrase
// can be counted among the matching articles instead of the whole index:
// when nothing but the match selects them and every article the phrase
// occurs in matches the query. This spares a pass over the index for the
// phrases of most queries (a word, a quoted phrase, the boost terms of a
// run of words), which for phrases of several tokens would read the
// tsvector of every article holding all their tokens.
func (p *plan) countsFromMatches(ph *expr) bool {
	return len(p.where) == 1 && p.implied[ph]
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
// better), its date sort key and the values of its facets.
type scored struct {
	id              int64
	score           float64
	key             int64
	published       *time.Time
	source, section string
}

// candidates returns every matching article with its score, sort key and
// facet values.
func (s *SearchService) candidates(ctx context.Context, conn querier, p *plan, st *rankStats) ([]scored, error) {
	args := append([]any(nil), p.args...)
	q := `SELECT a.id, a.ntokens, ` + positionsExpr(p, &args) + `, a.published, a.source_name, a.section
		FROM articles a` + whereClause(p.where)
	rows, err := conn.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: search: %w", err)
	}
	defer rows.Close()
	var (
		all  []scored
		docs []docPositions
		lens []int
	)
	for rows.Next() {
		var (
			sc      scored
			ntokens int
			pos     string
		)
		if err := rows.Scan(&sc.id, &ntokens, &pos, &sc.published, &sc.source, &sc.section); err != nil {
			return nil, fmt.Errorf("postgres: search: %w", err)
		}
		all = append(all, sc)
		docs = append(docs, parseTsvector(pos))
		lens = append(lens, ntokens)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: search: %w", err)
	}
	// The document frequencies stats left to be counted here.
	for i, ph := range append(append([]*expr(nil), p.phrases...), p.boostPhrases...) {
		if !p.countsFromMatches(ph) {
			continue
		}
		n := int64(0)
		for _, d := range docs {
			if d.occurs(ph) {
				n++
			}
		}
		st.setIDF(p, i, n)
	}
	for i := range all {
		all[i].score = p.score(docs[i], lens[i], st)
	}
	return all, nil
}

// pageOf sorts the candidates in the order (by score then ID, or by date
// then ID, undated last) and returns the page after the cursor, and
// whether more follow.
func pageOf(all []scored, order diembao.Sort, cur *query.Cursor, limit int) ([]scored, bool) {
	for i := range all {
		all[i].key = sortKey(all[i].published, order)
	}
	var after func(sc *scored) bool
	switch order {
	case diembao.SortRelevance:
		sort.Slice(all, func(i, j int) bool {
			if all[i].score != all[j].score {
				return all[i].score < all[j].score
			}
			return all[i].id < all[j].id
		})
		if cur != nil {
			after = func(sc *scored) bool {
				return sc.score > cur.Score || (sc.score == cur.Score && sc.id > cur.ID)
			}
		}
	case diembao.SortNewest:
		sort.Slice(all, func(i, j int) bool {
			if all[i].key != all[j].key {
				return all[i].key > all[j].key
			}
			return all[i].id > all[j].id
		})
		if cur != nil {
			after = func(sc *scored) bool { return sc.key < cur.Key || (sc.key == cur.Key && sc.id < cur.ID) }
		}
	default:
		sort.Slice(all, func(i, j int) bool {
			if all[i].key != all[j].key {
				return all[i].key < all[j].key
			}
			return all[i].id < all[j].id
		})
		if cur != nil {
			after = func(sc *scored) bool { return sc.key > cur.Key || (sc.key == cur.Key && sc.id > cur.ID) }
		}
	}
	start := 0
	if after != nil {
		start = sort.Search(len(all), func(i int) bool { return after(&all[i]) })
	}
	rest := all[start:]
	if len(rest) > limit {
		return rest[:limit], true
	}
	return rest, false
}

// sortKey returns the date sort key of a published time: Unix seconds, or
// a value that sorts undated articles last in the order.
func sortKey(published *time.Time, order diembao.Sort) int64 {
	switch {
	case published != nil:
		return published.Unix()
	case order == diembao.SortOldest:
		return noDateOldest
	}
	return noDateNewest
}

// facetCounts counts candidates by source, section or day (in Vietnam's
// time zone) as the facet query does: most frequent first, then by value
// (newest first for days), at most maxFacet values, empty values left out.
func facetCounts(all []scored, name string) []diembao.FacetCount {
	n := map[string]int{}
	for i := range all {
		var v string
		switch name {
		case "source":
			v = all[i].source
		case "section":
			v = all[i].section
		case "day":
			if all[i].published != nil {
				v = all[i].published.In(diembao.Vietnam).Format(time.DateOnly)
			}
		}
		if v != "" {
			n[v]++
		}
	}
	counts := make([]diembao.FacetCount, 0, len(n))
	for v, c := range n {
		counts = append(counts, diembao.FacetCount{Value: v, Count: c})
	}
	sort.Slice(counts, func(i, j int) bool {
		a, b := counts[i], counts[j]
		if name == "day" {
			return a.Value > b.Value
		}
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.Value < b.Value
	})
	return counts[:min(len(counts), maxFacet)]
}

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
	q := `SELECT a.id, a.ntokens, ` + key + ` FROM articles a` + whereClause(where) +
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
		if err := rows.Scan(&sc.id, &n, &sc.key); err != nil {
			rows.Close()
			return nil, false, fmt.Errorf("postgres: search: %w", err)
		}
		ntokens[sc.id] = n
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
			ids[i] = sc.id
		}
		pargs := []any{ids}
		q := `SELECT a.id, ` + positionsExpr(p, &pargs) + ` FROM articles a WHERE a.id = ANY($1::bigint[])`
		rows, err := conn.Query(ctx, q, pargs...)
		if err != nil {
			return nil, false, fmt.Errorf("postgres: search: %w", err)
		}
		scores := map[int64]float64{}
		for rows.Next() {
			var (
				id  int64
				pos string
			)
			if err := rows.Scan(&id, &pos); err != nil {
				rows.Close()
				return nil, false, fmt.Errorf("postgres: search: %w", err)
			}
			scores[id] = p.score(parseTsvector(pos), ntokens[id], st)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, false, fmt.Errorf("postgres: search: %w", err)
		}
		for i := range page {
			page[i].score = scores[page[i].id]
		}
	}
	return page, more, nil
}

// hits loads the page's articles and makes their hits, with snippets
// highlighted by package query's highlighter.
func (s *SearchService) hits(ctx context.Context, conn querier, p *plan, page []scored, res *diembao.SearchResult) error {
	if len(page) == 0 {
		return nil
	}
	ids := make([]int64, len(page))
	for i, sc := range page {
		ids[i] = sc.id
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
		h, ok := byID[sc.id]
		if !ok {
			continue // deleted since it matched
		}
		h.Score = -sc.score
		res.Hits = append(res.Hits, h)
	}
	return nil
}

// count sets the total number of matching articles.
func (s *SearchService) count(ctx context.Context, conn querier, p *plan, res *diembao.SearchResult) error {
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM articles a`+whereClause(p.where), p.args...).Scan(&res.Total); err != nil {
		return fmt.Errorf("postgres: search: count: %w", err)
	}
	return nil
}

// facet counts the matching articles by source, section or day (in
// Vietnam's time zone), most frequent first (newest first for days).
func (s *SearchService) facet(ctx context.Context, conn querier, p *plan, name string) ([]diembao.FacetCount, error) {
	var expr string
	switch name {
	case "source":
		expr = "a.source_name"
	case "section":
		expr = "a.section"
	case "day":
		expr = "to_char(a.published AT TIME ZONE 'UTC' + interval '7 hours', 'YYYY-MM-DD')"
	}
	order := `n DESC, ` + expr + ` COLLATE "C"`
	if name == "day" {
		order = expr + ` COLLATE "C" DESC`
	}
	args := append(append([]any(nil), p.args...), maxFacet)
	q := `SELECT ` + expr + ` AS v, count(*) AS n FROM articles a` + whereClause(p.where) +
		` GROUP BY v HAVING ` + expr + ` IS NOT NULL AND ` + expr + ` <> '' ORDER BY ` + order +
		` LIMIT $` + strconv.Itoa(len(args))
	rows, err := conn.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: search: facet %s: %w", name, err)
	}
	defer rows.Close()
	counts := []diembao.FacetCount{}
	for rows.Next() {
		var c diembao.FacetCount
		if err := rows.Scan(&c.Value, &c.Count); err != nil {
			return nil, fmt.Errorf("postgres: search: facet %s: %w", name, err)
		}
		counts = append(counts, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: search: facet %s: %w", name, err)
	}
	return counts, nil
}
