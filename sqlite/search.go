package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/query"
)

// Search limits.
const (
	defaultLimit = 20
	maxLimit     = 200
	snippetBytes = 260
	maxFacet     = 20
)

// SearchService implements diembao.SearchService on the embedded store.
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

// plan is a search request turned into SQL pieces.
type plan struct {
	tree  query.Node
	match string
	boost string
	// where holds conditions on articles a, with their arguments.
	where []string
	args  []any
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

	from, where, args := p.from(), p.where, p.args
	var key, order string
	switch sort {
	case diembao.SortRelevance:
		key, order = "0", "f.score, a.id"
		if cur != nil {
			where = append(where, "(f.score > ? OR (f.score = ? AND a.id > ?))")
			args = append(args, cur.Score, cur.Score, cur.ID)
		}
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
	score := "0.0"
	if p.match != "" {
		score = "f.score"
	}
	// The page's IDs first, then their texts: sorting carries only keys.
	q := `SELECT a.id, ` + score + `, ` + key + ` FROM ` + from + whereClause(where) + ` ORDER BY ` + order + ` LIMIT ?`
	rows, err := s.db.db.QueryContext(ctx, q, append(p.matchArgs(args), limit+1)...)
	if err != nil {
		return nil, queryError(ctx, err)
	}
	res := &diembao.SearchResult{Hits: []diembao.Hit{}}
	var keys []query.Cursor
	for rows.Next() {
		var c query.Cursor
		if err := rows.Scan(&c.ID, &c.Score, &c.Key); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlite: search: %w", err)
		}
		keys = append(keys, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, queryError(ctx, err)
	}
	if len(keys) > limit {
		keys = keys[:limit]
		res.NextCursor = keys[limit-1].Encode(sort)
	}
	if err := s.hits(ctx, p, keys, res); err != nil {
		return nil, err
	}
	if err := s.count(ctx, p, res); err != nil {
		return nil, err
	}
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
	return res, nil
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
	p := &plan{tree: tree, match: c.Match, boost: c.Boost}
	for _, x := range c.Exclude {
		p.where = append(p.where, "a.id NOT IN (SELECT rowid FROM article_index WHERE article_index MATCH ?)")
		p.args = append(p.args, x)
	}
	addRange := func(from, to time.Time) {
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
	}
	return p, nil
}

// from returns the FROM clause: the matching index rows with their scores
// joined to the articles, or all articles.
func (p *plan) from() string {
	if p.match == "" {
		return "articles a"
	}
	m := `SELECT rowid AS id, bm25(article_index, ` + bm25Weights + `) AS score
		FROM article_index WHERE article_index MATCH ?`
	if p.boost == "" {
		return `(` + m + `) f JOIN articles a ON a.id = f.id`
	}
	// Add the boost's score to the match's, for the articles the match
	// finds (marked m = 1); the boost alone adds none.
	return `(SELECT id, sum(score) AS score FROM (SELECT rowid AS id, 1 AS m, bm25(article_index, ` + bm25Weights + `) AS score
		FROM article_index WHERE article_index MATCH ?
		UNION ALL SELECT rowid, 0, ` + strconv.FormatFloat(ranking.BoostFactor, 'f', -1, 64) + ` * bm25(article_index, ` + boostWeights + `)
		FROM article_index WHERE article_index MATCH ?) GROUP BY id HAVING max(m) = 1) f JOIN articles a ON a.id = f.id`
}

// matchArgs returns the arguments of the FROM clause followed by args.
func (p *plan) matchArgs(args []any) []any {
	switch {
	case p.match == "":
		return args
	case p.boost == "":
		return append([]any{p.match}, args...)
	}
	return append([]any{p.match, p.boost}, args...)
}

// countArgs returns the arguments of a statement that matches without
// scoring, followed by the filter arguments.
func (p *plan) countArgs() []any {
	if p.match == "" {
		return p.args
	}
	return append([]any{p.match}, p.args...)
}

func whereClause(where []string) string {
	if len(where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(where, " AND ")
}

// count sets the total number of matching articles.
func (s *SearchService) count(ctx context.Context, p *plan, res *diembao.SearchResult) error {
	var q string
	switch {
	case p.match != "" && len(p.where) == 0:
		q = `SELECT count(*) FROM article_index WHERE article_index MATCH ?`
	case p.match != "":
		q = `SELECT count(*) FROM article_index f JOIN articles a ON a.id = f.rowid
			WHERE article_index MATCH ? AND ` + strings.Join(p.where, " AND ")
	default:
		q = `SELECT count(*) FROM articles a` + whereClause(p.where)
	}
	if err := s.db.db.QueryRowContext(ctx, q, p.countArgs()...).Scan(&res.Total); err != nil {
		return queryError(ctx, err)
	}
	return nil
}

// facet counts the matching articles by source, section or day.
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
	from := "articles a"
	where := p.where
	if p.match != "" {
		from = "article_index f JOIN articles a ON a.id = f.rowid"
		where = append([]string{"article_index MATCH ?"}, where...)
	}
	order := "n DESC, v"
	if name == "day" {
		order = "v DESC"
	}
	q := `SELECT ` + expr + ` AS v, count(*) AS n FROM ` + from + whereClause(where) +
		` GROUP BY v HAVING v IS NOT NULL AND v <> '' ORDER BY ` + order + ` LIMIT ?`
	rows, err := s.db.db.QueryContext(ctx, q, append(p.countArgs(), maxFacet)...)
	if err != nil {
		return nil, queryError(ctx, err)
	}
	defer rows.Close()
	counts := []diembao.FacetCount{}
	for rows.Next() {
		var c diembao.FacetCount
		if err := rows.Scan(&c.Value, &c.Count); err != nil {
			return nil, fmt.Errorf("sqlite: facet %s: %w", name, err)
		}
		counts = append(counts, c)
	}
	if err := rows.Err(); err != nil {
		return nil, queryError(ctx, err)
	}
	return counts, nil
}

// queryError wraps an error of a search statement.
func queryError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("sqlite: search: %w", ctx.Err())
	}
	return fmt.Errorf("sqlite: search: %w", err)
}
