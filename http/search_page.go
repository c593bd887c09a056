package http

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/diembao/diembao"
)

// recentOnHome is how many recently stored articles the home page lists.
const recentOnHome = 10

// searchPage is the data of search.html.
type searchPage struct {
	page
	Query string
	Sorts []sortOption
	// Hidden are the active filters, carried by the search form as hidden
	// fields so that a new query keeps them.
	Hidden []field
	// Since and Until fill the date fields of the form (YYYY-MM-DD).
	Since, Until string
	// Searched is set when a query was run (even when it failed).
	Searched bool
	Total    int
	// More is set when at least Total articles match.
	More bool
	// Ranked is set when relevance order ranked only the Ranked newest
	// matches.
	Ranked   int
	Hits     []hitView
	Facets   []facetView
	Filters  []filterView
	PageNo   int
	NextURL  string
	FirstURL string
	Err      *queryError

	// Count and Recent fill the home page, before any query.
	Count  int
	Recent []recentArticle
}

// sortOption is one entry of the sort selector.
type sortOption struct {
	Value    string
	Label    string
	Selected bool
}

// field is a hidden form field.
type field struct{ Name, Value string }

// hitView is one search result as shown.
type hitView struct {
	ID           int64
	Title        string
	Source       string
	Original     string
	Published    string
	PublishedISO string
	Snippet      template.HTML
}

// facetView is one facet with its values as filter links.
type facetView struct {
	Name   string
	Label  string
	Values []facetValue
}

// facetValue is one value of a facet: its label, hit count and the link
// that filters on it (or removes the filter when Active).
type facetValue struct {
	Label  string
	Count  int
	URL    string
	Active bool
}

// filterView is an active filter with the link that removes it.
type filterView struct {
	Label     string
	Value     string
	RemoveURL string
}

// queryError is an error about the query, shown above the results; when the
// error points at a position, the query is split around it.
type queryError struct {
	Heading string
	Message string
	HasPos  bool
	Column  int
	Before  string
	At      string
	After   string
}

// recentArticle is an article listed on the home page.
type recentArticle struct {
	ID           int64
	Title        string
	Source       string
	Published    string
	PublishedISO string
}

// handleSearchPage serves GET /: the search form, and the results when the
// query string holds a query.
func (s *Server) handleSearchPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := searchPage{page: page{Title: "Tìm kiếm", Nav: "search"}}
	p, perr := parseSearchParams(q)
	v.Query = p.Query
	v.Sorts = sortOptions(p.Sort)
	v.Hidden, v.Since, v.Until = formFilters(q)
	if perr == nil && p.Query == "" && p.Section == "" {
		s.fillHome(r, &v)
		s.render(w, r, http.StatusOK, "search", v)
		return
	}

	ctx, cancel := s.requestContext(r)
	defer cancel()
	v.Searched = true
	v.Title = "Kết quả tìm kiếm"
	if p.Query != "" {
		v.Title = p.Query + " – Tìm kiếm"
	}
	v.PageNo = pageNumber(q.Get("page"))
	names := s.sourceNames(ctx)
	v.Filters = activeFilters(q, p, names)

	err := perr
	var res *diembao.SearchResult
	var off int
	if err == nil {
		p.Facets = facetNames
		var req diembao.SearchRequest
		if req, off, err = s.request(ctx, p); err == nil {
			res, err = s.search.Search(ctx, req)
		}
	}
	if err != nil {
		err = shiftPos(err, p.Query, off)
		ue := s.classify(r, err)
		v.Err = queryErrorOf(ue, p.Query)
		s.render(w, r, ue.Status, "search", v)
		return
	}

	v.Total, v.More, v.Ranked = res.Total, res.TotalLowerBound, res.Ranked
	for _, h := range res.Hits {
		v.Hits = append(v.Hits, hitView{
			ID:           h.ID,
			Title:        h.Title,
			Source:       h.Source,
			Original:     externalURL(h.URL),
			Published:    hitTime(h.Published),
			PublishedISO: isoTime(h.Published),
			Snippet:      highlight(h.Snippet, h.Highlights),
		})
	}
	v.Facets = facetViews(q, res.Facets, names)
	if res.NextCursor != "" && len(res.Hits) > 0 {
		next := url.Values{}
		for k, vals := range q {
			next[k] = vals
		}
		next.Set("cursor", res.NextCursor)
		next.Set("page", strconv.Itoa(v.PageNo+1))
		v.NextURL = "/?" + next.Encode()
	}
	if q.Get("cursor") != "" {
		v.FirstURL = withParams(q)
	}
	s.render(w, r, http.StatusOK, "search", v)
}

// fillHome adds the article count and the recently stored articles to the
// home page. Failures are logged and leave the lists empty: the search form
// must show even when the store is unwell.
func (s *Server) fillHome(r *http.Request, v *searchPage) {
	ctx, cancel := s.requestContext(r)
	defer cancel()
	n, err := s.articles.CountArticles(ctx)
	if err != nil {
		s.logger.Warn("http: count articles", "err", err)
	}
	v.Count = n
	recent, err := s.articles.FindArticles(ctx, diembao.ArticleFilter{Limit: recentOnHome})
	if err != nil {
		s.logger.Warn("http: find recent articles", "err", err)
		return
	}
	for _, a := range recent {
		if a == nil {
			continue
		}
		v.Recent = append(v.Recent, recentArticle{
			ID:           a.ID,
			Title:        a.Title,
			Source:       a.SourceName,
			Published:    publishedTime(a),
			PublishedISO: isoTime(a.Published),
		})
	}
}

// pageNumber reads the page parameter (the number shown, not used for
// paging, which follows cursors).
func pageNumber(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 1_000_000 {
		return 1
	}
	return n
}

// sortOptions returns the sort selector's options with cur selected.
func sortOptions(cur diembao.Sort) []sortOption {
	out := make([]sortOption, 0, len(sortLabels))
	for _, s := range sortLabels {
		out = append(out, sortOption{Value: string(s.Sort), Label: s.Label, Selected: s.Sort == cur})
	}
	return out
}

// filterParams are the query-string parameters that filter results.
var filterParams = []string{"source", "section", "day", "since", "until"}

// formFilters returns the active filters as the search form carries them:
// since and until given as dates fill the form's date fields, every other
// filter becomes a hidden field.
func formFilters(q url.Values) (hidden []field, since, until string) {
	for _, k := range filterParams {
		for _, val := range q[k] {
			if val == "" {
				continue
			}
			if _, err := time.Parse(dayLayout, val); err == nil {
				switch {
				case k == "since" && since == "":
					since = val
					continue
				case k == "until" && until == "":
					until = val
					continue
				}
			}
			hidden = append(hidden, field{Name: k, Value: val})
		}
	}
	return hidden, since, until
}

// activeFilters describes the filters in effect with their removal links.
func activeFilters(q url.Values, p searchParams, names map[string]string) []filterView {
	var out []filterView
	for _, src := range p.Sources {
		label := src
		if n, ok := names[src]; ok {
			label = n
		}
		out = append(out, filterView{Label: "Nguồn", Value: label, RemoveURL: withParams(q, "source", "")})
	}
	if p.Section != "" {
		out = append(out, filterView{Label: "Chuyên mục", Value: p.Section, RemoveURL: withParams(q, "section", "")})
	}
	if p.Day != "" {
		out = append(out, filterView{Label: "Ngày đăng", Value: dayLabel(p.Day), RemoveURL: withParams(q, "day", "")})
	}
	if p.Since != "" {
		out = append(out, filterView{Label: "Từ ngày", Value: dayLabel(p.Since), RemoveURL: withParams(q, "since", "")})
	}
	if p.Until != "" {
		out = append(out, filterView{Label: "Đến ngày", Value: dayLabel(p.Until), RemoveURL: withParams(q, "until", "")})
	}
	return out
}

// facetViews turns the facets of a result into filter links, in the order
// of facetNames. Source values that are IDs are labelled with the source's
// name.
func facetViews(q url.Values, facets map[string][]diembao.FacetCount, names map[string]string) []facetView {
	ids := make(map[string]string, len(names))
	for id, n := range names {
		ids[n] = id
	}
	var out []facetView
	for _, name := range facetNames {
		counts := facets[name]
		if len(counts) == 0 {
			continue
		}
		fv := facetView{Name: name, Label: facetLabel(name)}
		for _, c := range counts {
			if c.Value == "" {
				continue
			}
			label, param := c.Value, c.Value
			switch name {
			case "source":
				// Source facets count by ID or by outlet name; a name of a
				// configured source filters by its ID.
				if n, ok := names[c.Value]; ok {
					label = n
				} else if id, ok := ids[c.Value]; ok {
					param = id
				}
			case "day":
				label = dayLabel(c.Value)
			}
			active := q.Get(name) == param
			link := withParams(q, name, param)
			if active {
				link = withParams(q, name, "")
			}
			fv.Values = append(fv.Values, facetValue{Label: label, Count: c.Count, URL: link, Active: active})
		}
		if len(fv.Values) > 0 {
			out = append(out, fv)
		}
	}
	return out
}

// queryErrorOf describes ue for the search page; a syntax error with a
// position splits the query around it.
func queryErrorOf(ue userError, query string) *queryError {
	qe := &queryError{Heading: headingOf(ue), Message: uiMessage(ue)}
	if ue.Code == diembao.EINVALID {
		qe.Heading = "Truy vấn chưa hợp lệ"
	}
	if ue.Pos >= 0 && ue.Pos <= len(query) {
		pos := runeStart(query, ue.Pos)
		qe.HasPos = true
		qe.Column = columnOf(query, pos)
		qe.Before = query[:pos]
		if pos < len(query) {
			end := pos + 1
			for end < len(query) && !isRuneStartByte(query[end]) {
				end++
			}
			qe.At, qe.After = query[pos:end], query[end:]
		}
	}
	return qe
}

// isRuneStartByte reports whether b begins a UTF-8 sequence.
func isRuneStartByte(b byte) bool { return b&0xC0 != 0x80 }
