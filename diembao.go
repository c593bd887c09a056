// Package diembao holds the domain of diembao, a press-monitoring engine for
// Vietnamese-language news: the types every pipeline stage shares (Source,
// Fetch, Article, Story, Topic), the service interfaces the stores implement,
// and the error codes users see.
//
// The package imports only the standard library. Each pipeline stage lives in
// its own subpackage (crawl, archive, extract, viet, dedup, sqlite, postgres,
// query, report, http) and the binary in cmd/diembao wires them together.
package diembao

import (
	"context"
	"net/http"
	"strings"
	"time"
)

// Version is the release of diembao; the build may override it with
// -ldflags "-X github.com/diembao/diembao.Version=…".
var Version = "0.1.0-dev"

// Vietnam is the time zone of Vietnamese datelines (UTC+07:00, no daylight
// saving time).
var Vietnam = time.FixedZone("ICT", 7*60*60)

// SourceKind says what kind of outlet a source is.
type SourceKind string

// The kinds of outlet diembao knows.
const (
	KindNational   SourceKind = "national"
	KindAgency     SourceKind = "agency"
	KindParty      SourceKind = "party"
	KindSector     SourceKind = "sector"
	KindProvincial SourceKind = "provincial"
	KindOther      SourceKind = "other"
)

// Source is a news outlet that diembao collects from.
type Source struct {
	ID          int64      `json:"id"`
	Name        string     `json:"name"`
	Homepage    string     `json:"homepage"`
	Feeds       []string   `json:"feeds"`
	Sitemaps    []string   `json:"sitemaps,omitempty"`
	Province    string     `json:"province,omitempty"`
	Kind        SourceKind `json:"kind"`
	Collections []string   `json:"collections,omitempty"`
	Enabled     bool       `json:"enabled"`
	CreatedAt   time.Time  `json:"created_at"`

	Health SourceHealth `json:"health"`
}

// Host returns the host name of the source's homepage, lower-cased, or "" when
// the homepage is not a URL.
func (s *Source) Host() string {
	h := s.Homepage
	if i := strings.Index(h, "://"); i >= 0 {
		h = h[i+3:]
	}
	if i := strings.IndexAny(h, "/?#"); i >= 0 {
		h = h[:i]
	}
	if i := strings.LastIndexByte(h, '@'); i >= 0 {
		h = h[i+1:]
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.Contains(h[i:], "]") {
		h = h[:i]
	}
	return strings.ToLower(h)
}

// SourceHealth is what diembao knows of how a source has been behaving.
type SourceHealth struct {
	LastAttempt         time.Time `json:"last_attempt,omitzero"`
	LastSuccess         time.Time `json:"last_success,omitzero"`
	ConsecutiveFailures int       `json:"consecutive_failures"`
	LastError           string    `json:"last_error,omitempty"`
	// ArticlesPerDay is the mean number of new articles per day over the
	// recent baseline window.
	ArticlesPerDay float64 `json:"articles_per_day"`
	// LastArticle is when the newest article of the source was stored.
	LastArticle time.Time `json:"last_article,omitzero"`
	// Silent is set when the source has published nothing for much longer
	// than its own baseline would predict.
	Silent bool `json:"silent"`
}

// Status summarises the health in one word for lists: "ok", "failing",
// "silent" or "new".
func (h SourceHealth) Status() string {
	switch {
	case h.ConsecutiveFailures > 0:
		return "failing"
	case h.Silent:
		return "silent"
	case h.LastSuccess.IsZero():
		return "new"
	default:
		return "ok"
	}
}

// Collection is a named group of sources ("national", "provincial", a
// user's own list).
type Collection struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// Fetch records one HTTP exchange kept in the archive.
type Fetch struct {
	ID         int64       `json:"id"`
	SourceID   int64       `json:"source_id,omitempty"`
	URL        string      `json:"url"`
	Status     int         `json:"status"`
	Header     http.Header `json:"header,omitempty"`
	FetchedAt  time.Time   `json:"fetched_at"`
	WARCFile   string      `json:"warc_file,omitempty"`
	WARCOffset int64       `json:"warc_offset"`
	// Err is the error of a failed exchange ("" when a response came back).
	Err string `json:"error,omitempty"`
}

// Precision says how precisely a published time is known.
type Precision string

// The precisions of a published time.
const (
	PrecisionNone   Precision = ""
	PrecisionDay    Precision = "day"
	PrecisionMinute Precision = "minute"
)

// Paragraph is one block of an article's body: a paragraph of text or a
// subheading.
type Paragraph struct {
	Text    string `json:"text"`
	Heading bool   `json:"heading,omitempty"`
}

// Image is a picture of an article with its caption.
type Image struct {
	URL     string `json:"url"`
	Caption string `json:"caption,omitempty"`
}

// Attribution names the outlet a republished article came from, as in
// "Nguồn Báo Hà Nam" or "Theo TTXVN".
type Attribution struct {
	// Kind is the wording that introduced it: "Nguồn", "Theo" or "" for a
	// bare "(Chinhphu.vn)".
	Kind string `json:"kind,omitempty"`
	// Outlet is the outlet's name as printed ("Báo Hà Nam").
	Outlet string `json:"outlet"`
}

// String returns the attribution as printed ("Nguồn Báo Hà Nam").
func (a *Attribution) String() string {
	if a == nil {
		return ""
	}
	if a.Kind == "" {
		return a.Outlet
	}
	return a.Kind + " " + a.Outlet
}

// Article is one clean news article.
type Article struct {
	ID int64 `json:"id"`
	// URL is the canonical URL of the article.
	URL        string `json:"url"`
	SourceID   int64  `json:"source_id,omitempty"`
	SourceName string `json:"source,omitempty"`
	FetchID    int64  `json:"fetch_id,omitempty"`

	Title       string       `json:"title"`
	Sapo        string       `json:"sapo,omitempty"`
	Body        []Paragraph  `json:"body"`
	Captions    []string     `json:"captions,omitempty"`
	Images      []Image      `json:"images,omitempty"`
	Author      string       `json:"author,omitempty"`
	Attribution *Attribution `json:"attribution,omitempty"`

	// Published is the publication time in Vietnam's time zone; zero when
	// unknown.
	Published          time.Time `json:"published,omitzero"`
	PublishedPrecision Precision `json:"published_precision,omitempty"`
	// PublishedFrom says where the time was found: "jsonld", "meta",
	// "dateline", "feed", "import" or "fetch".
	PublishedFrom string `json:"published_from,omitempty"`
	// PageDate is the date a site header printed when the page was rendered
	// (not the article's date); zero when the page printed none.
	PageDate time.Time `json:"page_date,omitzero"`

	Section  string   `json:"section,omitempty"`
	Tags     []string `json:"tags,omitempty"`
	Language string   `json:"language,omitempty"`

	// ContentHash is a hash of the normalized title and text; together with
	// URL it makes storing idempotent.
	ContentHash string    `json:"content_hash,omitempty"`
	FetchedAt   time.Time `json:"fetched_at,omitzero"`
	StoryID     int64     `json:"story_id,omitempty"`
}

// BodyText returns the body paragraphs joined by blank lines.
func (a *Article) BodyText() string {
	var b strings.Builder
	for i, p := range a.Body {
		if i > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(p.Text)
	}
	return b.String()
}

// Text returns the article's clean text: the sapo, then the body.
func (a *Article) Text() string {
	body := a.BodyText()
	switch {
	case a.Sapo == "":
		return body
	case body == "":
		return a.Sapo
	}
	return a.Sapo + "\n\n" + body
}

// Story groups syndicated and near-duplicate copies of one piece of news.
type Story struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
	// FirstArticleID is the copy published first; FirstSourceID its outlet.
	FirstArticleID int64     `json:"first_article_id"`
	FirstSourceID  int64     `json:"first_source_id,omitempty"`
	FirstPublished time.Time `json:"first_published,omitzero"`
	ArticleIDs     []int64   `json:"article_ids"`
}

// Topic is a saved query that the daily press review and alerts follow.
type Topic struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Query     string    `json:"query"`
	CreatedAt time.Time `json:"created_at"`
}

// ArticleFilter selects articles for listing.
type ArticleFilter struct {
	SourceID *int64
	Since    time.Time
	Limit    int
	Offset   int
}

// Sort orders search results.
type Sort string

// The orders of search results.
const (
	SortRelevance Sort = "relevance"
	SortNewest    Sort = "newest"
	SortOldest    Sort = "oldest"
)

// SearchRequest is a query with its paging and facets.
type SearchRequest struct {
	// Query is the user's query in diembao's query language.
	Query string
	Sort  Sort
	// Cursor continues a previous page; "" starts at the top.
	Cursor string
	// Limit is the page size (default 20, at most 200).
	Limit int
	// Facets names the facets wanted: "source", "section", "day".
	Facets []string
	// Since and Until restrict the published time (zero means open).
	Since, Until time.Time
	// SourceIDs restricts results to these sources (empty means all).
	SourceIDs []int64
	// NoExpand switches off abbreviation expansion (HĐND ≡ Hội đồng nhân dân).
	NoExpand bool
}

// Span is a byte range [Start, End) into a text.
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Hit is one search result.
type Hit struct {
	ID        int64     `json:"id"`
	URL       string    `json:"url"`
	Title     string    `json:"title"`
	Source    string    `json:"source"`
	Published time.Time `json:"published,omitzero"`
	// Snippet is an excerpt of the original text with the matches marked
	// by Highlights (byte offsets into Snippet).
	Snippet    string  `json:"snippet"`
	Highlights []Span  `json:"highlights,omitempty"`
	Score      float64 `json:"score"`
}

// FacetCount is one value of a facet with its number of hits.
type FacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// SearchResult is one page of results.
type SearchResult struct {
	Total int `json:"total"`
	// TotalLowerBound is set when more articles match than the store
	// counted: then at least Total articles match (see query.Limits).
	TotalLowerBound bool `json:"total_lower_bound,omitempty"`
	// Ranked is set when relevance order ranked only the Ranked newest
	// matching articles, because more matched (see query.Limits); date
	// orders list every match.
	Ranked     int                     `json:"ranked,omitempty"`
	Hits       []Hit                   `json:"results"`
	NextCursor string                  `json:"next_cursor"`
	Facets     map[string][]FacetCount `json:"facets,omitempty"`
}

// PutResult says what storing an article did.
type PutResult struct {
	ID int64
	// Created is false when the same URL and content were already stored.
	Created bool
	// Updated is true when the URL was stored with other content, which the
	// new content replaced.
	Updated bool
}

// SourceService manages outlets.
type SourceService interface {
	CreateSource(ctx context.Context, s *Source) error
	FindSourceByID(ctx context.Context, id int64) (*Source, error)
	FindSources(ctx context.Context) ([]*Source, error)
	UpdateSource(ctx context.Context, s *Source) error
	DeleteSource(ctx context.Context, id int64) error
	// RecordAttempt updates a source's health after a poll: err nil means
	// success.
	RecordAttempt(ctx context.Context, id int64, at time.Time, err error) error
}

// FetchService records fetched pages.
type FetchService interface {
	CreateFetch(ctx context.Context, f *Fetch) error
	FindFetches(ctx context.Context, after int64, limit int) ([]*Fetch, error)
}

// ArticleService stores articles and their index entries.
type ArticleService interface {
	// PutArticle stores the article and its index entry in one transaction;
	// storing the same canonical URL with the same content hash again is a
	// no-op.
	PutArticle(ctx context.Context, a *Article) (PutResult, error)
	FindArticleByID(ctx context.Context, id int64) (*Article, error)
	FindArticles(ctx context.Context, f ArticleFilter) ([]*Article, error)
	CountArticles(ctx context.Context) (int, error)
}

// SearchService answers queries.
type SearchService interface {
	Search(ctx context.Context, req SearchRequest) (*SearchResult, error)
}
