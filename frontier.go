package diembao

import (
	"context"
	"time"
)

// FrontierKind says what a frontier URL is expected to hold.
type FrontierKind string

// The kinds of frontier URL.
const (
	// FrontierPage is an article page.
	FrontierPage FrontierKind = "page"
	// FrontierSitemap is a sitemap or sitemap index found while crawling.
	FrontierSitemap FrontierKind = "sitemap"
)

// FrontierState is where a frontier item is in its life.
type FrontierState string

// The states of a frontier item.
const (
	// FrontierPending items wait for their NotBefore time.
	FrontierPending FrontierState = "pending"
	// FrontierLeased items are being fetched until LeasedUntil; a lease
	// that runs out (its holder died) makes the item due again.
	FrontierLeased FrontierState = "leased"
	// FrontierDone items were fetched and handed on.
	FrontierDone FrontierState = "done"
	// FrontierFailed items were abandoned after an error that retrying
	// would not cure, or after too many attempts.
	FrontierFailed FrontierState = "failed"
)

// Priorities of frontier items: higher is fetched first.
const (
	// PriorityFeedItem is a link found in a feed (new news).
	PriorityFeedItem = 100
	// PrioritySitemapNews is a link of a Google News sitemap.
	PrioritySitemapNews = 80
	// PrioritySitemap is a link of an ordinary sitemap.
	PrioritySitemap = 50
	// PrioritySeed is a URL added by hand.
	PrioritySeed = 10
)

// FrontierItem is one URL waiting to be fetched, being fetched or fetched.
type FrontierItem struct {
	ID       int64 `json:"id"`
	SourceID int64 `json:"source_id"`
	// URL is the canonical URL; it is unique in the frontier.
	URL      string        `json:"url"`
	Kind     FrontierKind  `json:"kind"`
	Priority int           `json:"priority"`
	State    FrontierState `json:"state"`
	// Attempts counts the leases handed out for the item, so a fetch cut
	// short by a crash counts as an attempt too.
	Attempts int `json:"attempts"`
	// NotBefore is the earliest time the item may be leased.
	NotBefore   time.Time `json:"not_before,omitzero"`
	LeasedUntil time.Time `json:"leased_until,omitzero"`
	LastError   string    `json:"last_error,omitempty"`
	// Title and Published are what the feed or sitemap said of the page;
	// zero when it said nothing.
	Title        string    `json:"title,omitempty"`
	Published    time.Time `json:"published,omitzero"`
	DiscoveredAt time.Time `json:"discovered_at"`
	DoneAt       time.Time `json:"done_at,omitzero"`
}

// LeaseRequest asks the frontier for due items.
type LeaseRequest struct {
	// SourceID restricts the lease to one source; 0 means any source.
	SourceID int64
	// Now is the time the lease is taken at.
	Now time.Time
	// Limit is the largest number of items handed out.
	Limit int
	// Duration is how long the items stay leased.
	Duration time.Duration
}

// FrontierStats counts the items of the frontier by state.
type FrontierStats struct {
	Pending int `json:"pending"`
	Leased  int `json:"leased"`
	Done    int `json:"done"`
	Failed  int `json:"failed"`
}

// SourceActivity is how many article pages a source made known recently.
type SourceActivity struct {
	// Discovered counts page items first seen since the window start.
	Discovered int
	// First and Last are when the oldest and newest of all page items of
	// the source were discovered; zero when there is none.
	First, Last time.Time
}

// FrontierService is the durable queue of URLs to crawl. Implementations
// must be safe for concurrent use, and leases must work across processes
// (several workers share one frontier in server mode).
type FrontierService interface {
	// Enqueue adds items whose canonical URL the frontier does not know;
	// known URLs are left as they are. It returns how many were added and
	// sets the ID of the added items.
	Enqueue(ctx context.Context, items []*FrontierItem) (int, error)
	// Lease hands out up to req.Limit due items (pending with NotBefore
	// passed, or leased with the lease run out), highest priority first,
	// then oldest first. Each is marked leased until req.Now+req.Duration
	// and its Attempts is incremented.
	Lease(ctx context.Context, req LeaseRequest) ([]*FrontierItem, error)
	// Complete marks a leased item done.
	Complete(ctx context.Context, id int64, at time.Time) error
	// Retry makes an item pending again, due at notBefore, with the error
	// that made the attempt fail.
	Retry(ctx context.Context, id int64, notBefore time.Time, errMsg string) error
	// Abandon marks an item failed for good.
	Abandon(ctx context.Context, id int64, errMsg string) error
	// FindFrontierItem returns the item with the canonical URL, or an
	// ENOTFOUND error.
	FindFrontierItem(ctx context.Context, url string) (*FrontierItem, error)
	// FrontierStats counts items by state; sourceID 0 counts all sources.
	FrontierStats(ctx context.Context, sourceID int64) (FrontierStats, error)
	// SourceActivity reports the page items of a source discovered since
	// the given time.
	SourceActivity(ctx context.Context, sourceID int64, since time.Time) (SourceActivity, error)
}

// FeedState is what the crawler remembers of a feed or sitemap between
// polls: the validators of conditional requests and the adaptive poll
// interval.
type FeedState struct {
	// URL is the feed's URL as the source lists it.
	URL          string `json:"url"`
	SourceID     int64  `json:"source_id"`
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	// Interval is the current time between two polls.
	Interval time.Duration `json:"interval"`
	LastPoll time.Time     `json:"last_poll,omitzero"`
	NextPoll time.Time     `json:"next_poll,omitzero"`
	// LastNew is when a poll last found an item the frontier did not know.
	LastNew time.Time `json:"last_new,omitzero"`
	// Failures counts consecutive failed polls.
	Failures  int    `json:"failures"`
	LastError string `json:"last_error,omitempty"`
}

// FeedStateService keeps feed states.
type FeedStateService interface {
	// FindFeedState returns the state of the feed, or an ENOTFOUND error.
	FindFeedState(ctx context.Context, url string) (*FeedState, error)
	// SaveFeedState creates or replaces the state of st.URL.
	SaveFeedState(ctx context.Context, st *FeedState) error
}
