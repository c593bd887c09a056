package http

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/diembao/diembao"
)

// Limits on search parameters.
const (
	// maxQueryBytes is the longest query accepted.
	maxQueryBytes = 2000
	// maxLimit is the largest page size; larger limits are lowered to it.
	maxLimit = 200
	// maxCursorBytes is the longest cursor accepted; the stores' cursors
	// are far shorter.
	maxCursorBytes = 1000
	// maxSourceFilters is the most sources one request may filter on.
	maxSourceFilters = 100
)

// facetNames are the facets a search may ask for, in display order.
var facetNames = []string{"source", "section", "day"}

// dayLayout is the layout of day parameters and day facet values.
const dayLayout = "2006-01-02"

// searchParams is a search as given in a URL's query string, after
// validation.
type searchParams struct {
	// Query is the query as the user typed it.
	Query  string
	Sort   diembao.Sort
	Cursor string
	Limit  int
	Facets []string
	// Since and Until are the raw since/until parameters; Day the raw day.
	Since, Until, Day string
	since, until      time.Time
	// Sources are the source filters as given: IDs, names or hosts.
	Sources []string
	// Section restricts the results to one section of the outlets.
	Section  string
	NoExpand bool
}

// invalid returns an EINVALID error about a parameter.
func invalid(format string, args ...any) *diembao.Error {
	return diembao.Errorf(diembao.EINVALID, format, args...)
}

// parseSearchParams reads and validates the search parameters of v:
// q, sort, cursor, limit, facets, since, until, day, source, section and
// expand.
func parseSearchParams(v url.Values) (searchParams, error) {
	p := searchParams{
		Query:   strings.TrimSpace(v.Get("q")),
		Cursor:  v.Get("cursor"),
		Since:   strings.TrimSpace(v.Get("since")),
		Until:   strings.TrimSpace(v.Get("until")),
		Day:     strings.TrimSpace(v.Get("day")),
		Section: strings.TrimSpace(v.Get("section")),
	}
	if !utf8.ValidString(p.Query) {
		return p, invalid("The query is not valid UTF-8 text.")
	}
	if len(p.Query) > maxQueryBytes {
		return p, invalid("The query is too long (at most %d bytes).", maxQueryBytes)
	}
	if len(p.Cursor) > maxCursorBytes {
		return p, invalid("The cursor is not valid: start again from the first page.")
	}
	if !utf8.ValidString(p.Section) || len(p.Section) > 200 {
		return p, invalid("The section is not valid.")
	}

	switch s := strings.ToLower(strings.TrimSpace(v.Get("sort"))); s {
	case "", string(diembao.SortRelevance):
		p.Sort = diembao.SortRelevance
	case string(diembao.SortNewest), string(diembao.SortOldest):
		p.Sort = diembao.Sort(s)
	default:
		return p, invalid("Unknown sort %q: use relevance, newest or oldest.", s)
	}

	if l := strings.TrimSpace(v.Get("limit")); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			return p, invalid("The limit must be a positive whole number.")
		}
		p.Limit = min(n, maxLimit)
	}

	for _, f := range splitList(v["facets"]) {
		f = strings.ToLower(f)
		if !slices.Contains(facetNames, f) {
			return p, invalid("Unknown facet %q: use source, section or day.", f)
		}
		if !slices.Contains(p.Facets, f) {
			p.Facets = append(p.Facets, f)
		}
	}

	var err error
	if p.since, err = parseTime(p.Since, false); err != nil {
		return p, invalid("since: %s", err)
	}
	if p.until, err = parseTime(p.Until, true); err != nil {
		return p, invalid("until: %s", err)
	}
	if p.Day != "" {
		d, err := time.ParseInLocation(dayLayout, p.Day, diembao.Vietnam)
		if err != nil {
			return p, invalid("day: %q is not a date (YYYY-MM-DD).", p.Day)
		}
		p.since, p.until = d, d.AddDate(0, 0, 1).Add(-time.Nanosecond)
	}
	if !p.since.IsZero() && !p.until.IsZero() && p.until.Before(p.since) {
		return p, invalid("until is before since.")
	}

	p.Sources = sourceList(v["source"])
	if len(p.Sources) > maxSourceFilters {
		return p, invalid("Too many sources (at most %d).", maxSourceFilters)
	}

	switch e := strings.ToLower(strings.TrimSpace(v.Get("expand"))); e {
	case "", "1", "true", "yes", "on":
	case "0", "false", "no", "off":
		p.NoExpand = true
	default:
		return p, invalid("expand must be true or false.")
	}
	return p, nil
}

// splitList splits comma-separated values and drops empty items.
func splitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for item := range strings.SplitSeq(v, ",") {
			if item = strings.TrimSpace(item); item != "" {
				out = append(out, item)
			}
		}
	}
	return out
}

// sourceList reads the source parameters: each is a source name or host,
// or a comma-separated list of IDs ("1,2,3"). Names are never split, since
// outlet names may hold commas.
func sourceList(vals []string) []string {
	var out []string
	for _, v := range vals {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		ids := splitList([]string{v})
		allIDs := len(ids) > 0
		for _, id := range ids {
			if n, err := strconv.ParseInt(id, 10, 64); err != nil || n <= 0 {
				allIDs = false
				break
			}
		}
		if allIDs {
			out = append(out, ids...)
		} else {
			out = append(out, v)
		}
	}
	return out
}

// parseTime parses a date (YYYY-MM-DD, a day in Vietnam's time zone) or an
// RFC 3339 time. A date stands for the start of the day, or its end when
// endOfDay is set. "" is the zero time.
func parseTime(s string, endOfDay bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseInLocation(dayLayout, s, diembao.Vietnam); err == nil {
		if endOfDay {
			d = d.AddDate(0, 0, 1).Add(-time.Nanosecond)
		}
		return d, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither a date (YYYY-MM-DD) nor an RFC 3339 time", s)
	}
	return t, nil
}

// fieldClause returns a clause of the query language restricting field to
// the phrase value.
func fieldClause(field, value string) string {
	return field + `:"` + strings.ReplaceAll(value, `"`, " ") + `"`
}

// composeQuery returns the query sent to the search service: the user's
// query followed by the filter clauses, and the byte offset of the user's
// query inside it.
func composeQuery(user string, clauses []string) (q string, offset int) {
	switch {
	case len(clauses) == 0:
		return user, 0
	case user == "":
		return strings.Join(clauses, " "), 0
	}
	return "(" + user + ") " + strings.Join(clauses, " "), 1
}

// request resolves the source filters of p against the stored sources and
// returns the search request with the offset of the user's query inside
// its Query. Sources given by ID, by name or by homepage host become
// SourceIDs; other names (articles may name outlets that are not configured
// sources) become source: clauses of the query, as the section filter
// becomes a section: clause.
func (s *Server) request(ctx context.Context, p searchParams) (diembao.SearchRequest, int, error) {
	req := diembao.SearchRequest{
		Sort:     p.Sort,
		Cursor:   p.Cursor,
		Limit:    p.Limit,
		Facets:   p.Facets,
		Since:    p.since,
		Until:    p.until,
		NoExpand: p.NoExpand,
	}
	var clauses, byName []string
	if p.Section != "" {
		clauses = append(clauses, fieldClause("section", p.Section))
	}
	var all []*diembao.Source
	for _, tok := range p.Sources {
		if id, err := strconv.ParseInt(tok, 10, 64); err == nil && id > 0 {
			req.SourceIDs = append(req.SourceIDs, id)
			continue
		}
		if !utf8.ValidString(tok) || len(tok) > 200 {
			return req, 0, invalid("A source filter is not valid.")
		}
		if all == nil {
			var err error
			if all, err = s.sources.FindSources(ctx); err != nil {
				return req, 0, fmt.Errorf("http: find sources: %w", err)
			}
		}
		if src := matchSource(all, tok); src != nil {
			req.SourceIDs = append(req.SourceIDs, src.ID)
		} else {
			byName = append(byName, fieldClause("source", tok))
		}
	}
	switch {
	case len(byName) == 1:
		clauses = append(clauses, byName[0])
	case len(byName) > 1:
		clauses = append(clauses, "("+strings.Join(byName, " OR ")+")")
	}
	var off int
	req.Query, off = composeQuery(p.Query, clauses)
	return req, off, nil
}

// matchSource returns the source whose name or homepage host is tok, case
// insensitively, or nil.
func matchSource(all []*diembao.Source, tok string) *diembao.Source {
	for _, src := range all {
		if strings.EqualFold(src.Name, tok) || strings.EqualFold(src.Host(), tok) {
			return src
		}
	}
	return nil
}
