// Package crawl is stage 3 of the pipeline: it collects what news outlets
// publish, politely and without losing work when it is killed.
//
// A Crawler polls each enabled source's RSS/Atom feeds and sitemaps with
// conditional requests at intervals that adapt to how often the source
// publishes, keeps the article links it finds in a durable frontier
// (diembao.FrontierService) under their canonical URLs, and fetches them
// with one connection and a minimum delay per host, within a global
// concurrency limit, obeying robots.txt. Every request and response is
// recorded in WARC files (package archive) before the page is handed to the
// caller's OnPage callback; a frontier item is completed only after the
// callback succeeds, so a crash at any moment loses nothing and costs at
// most one more fetch, which the frontier counts as an attempt.
//
// The fetcher connects only to public addresses unless told otherwise (see
// Guard), and bounds everything an outside server controls: body size,
// decompression ratio, redirects, connect, header and total time.
package crawl

import (
	"context"
	"time"

	"github.com/diembao/diembao"
)

// Defaults of Config.
const (
	DefaultHostDelay     = 2 * time.Second
	DefaultConcurrency   = 8
	DefaultMaxBody       = 10 << 20
	DefaultMaxRedirects  = 5
	DefaultConnectTime   = 10 * time.Second
	DefaultHeaderTime    = 20 * time.Second
	DefaultTotalTime     = 60 * time.Second
	DefaultMaxRatio      = 100
	DefaultMaxAttempts   = 5
	DefaultBackoff       = 30 * time.Second
	DefaultMaxBackoff    = 6 * time.Hour
	DefaultRobotsTTL     = 24 * time.Hour
	DefaultRobotsFailTTL = 30 * time.Minute
	DefaultMinPoll       = 5 * time.Minute
	DefaultMaxPoll       = 6 * time.Hour
	DefaultMaxCrawlDelay = 60 * time.Second
	DefaultLease         = 10 * time.Minute
)

// OnPageFunc receives each fetched article page after its exchange was
// recorded in the archive and its fetch stored. The frontier item is
// completed only when it returns nil; an error makes the item retried.
// ItemFromContext(ctx) gives the frontier item, with the title and
// publication time its feed or sitemap announced.
type OnPageFunc func(ctx context.Context, src *diembao.Source, f *diembao.Fetch, body []byte) error

type itemKey struct{}

// ItemFromContext returns the frontier item whose page an OnPageFunc was
// called with.
func ItemFromContext(ctx context.Context) (*diembao.FrontierItem, bool) {
	it, ok := ctx.Value(itemKey{}).(*diembao.FrontierItem)
	return it, ok
}

// Config holds the settings of the crawler. Zero values take the defaults.
type Config struct {
	// UserAgent names diembao and a contact URL.
	UserAgent string
	// HostDelay is the minimum time between two requests to one host;
	// robots.txt Crawl-delay raises it (up to MaxCrawlDelay).
	HostDelay     time.Duration
	MaxCrawlDelay time.Duration
	// Concurrency is the number of requests in flight at once, over all
	// hosts (each host has one connection at most).
	Concurrency int

	// MaxBody is the largest response body read, after decompression.
	MaxBody int64
	// MaxRatio is the largest decompressed/compressed size ratio accepted
	// for bodies over one megabyte.
	MaxRatio     int
	MaxRedirects int
	// ConnectTimeout, HeaderTimeout and TotalTimeout bound a request's
	// connection, its wait for the response header, and all of it.
	ConnectTimeout time.Duration
	HeaderTimeout  time.Duration
	TotalTimeout   time.Duration

	// MaxAttempts is the number of fetches of a page before it is given up.
	MaxAttempts int
	// Backoff is the delay before the first retry; each later retry
	// doubles it (with jitter) up to MaxBackoff.
	Backoff    time.Duration
	MaxBackoff time.Duration

	// RobotsTTL is how long a robots.txt is trusted; RobotsFailTTL how long
	// a host whose robots.txt failed (5xx, network error) is left alone.
	RobotsTTL     time.Duration
	RobotsFailTTL time.Duration

	// MinPoll and MaxPoll bound the adaptive poll interval of feeds.
	MinPoll time.Duration
	MaxPoll time.Duration
	// MaxAge skips sitemap entries dated before now-MaxAge (0 keeps all).
	MaxAge time.Duration
	// MaxSitemaps is the most sitemaps of an index read per poll, newest
	// first (default 10).
	MaxSitemaps int
	// Lease is how long a frontier item stays leased by one fetch.
	Lease time.Duration
	// OnceWait is how long RunOnce waits for frontier items of a source
	// that are not due yet (retries, leases of a process that died) before
	// it leaves them to the next run; 0 does not wait.
	OnceWait time.Duration
	// Tick is how often Run looks for sources to poll (default 30s).
	Tick time.Duration

	// Guard decides which addresses may be fetched; nil allows only
	// public ones.
	Guard *Guard
}

func (c Config) withDefaults() Config {
	set := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if c.UserAgent == "" {
		c.UserAgent = "diembao/" + diembao.Version + " (+https://github.com/diembao/diembao)"
	}
	set(&c.HostDelay, DefaultHostDelay)
	set(&c.MaxCrawlDelay, DefaultMaxCrawlDelay)
	if c.Concurrency <= 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.MaxBody <= 0 {
		c.MaxBody = DefaultMaxBody
	}
	if c.MaxRatio <= 0 {
		c.MaxRatio = DefaultMaxRatio
	}
	if c.MaxRedirects <= 0 {
		c.MaxRedirects = DefaultMaxRedirects
	}
	set(&c.ConnectTimeout, DefaultConnectTime)
	set(&c.HeaderTimeout, DefaultHeaderTime)
	set(&c.TotalTimeout, DefaultTotalTime)
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	set(&c.Backoff, DefaultBackoff)
	set(&c.MaxBackoff, DefaultMaxBackoff)
	set(&c.RobotsTTL, DefaultRobotsTTL)
	set(&c.RobotsFailTTL, DefaultRobotsFailTTL)
	set(&c.MinPoll, DefaultMinPoll)
	set(&c.MaxPoll, DefaultMaxPoll)
	set(&c.Lease, DefaultLease)
	set(&c.Tick, 30*time.Second)
	if c.MaxSitemaps <= 0 {
		c.MaxSitemaps = 10
	}
	if c.Guard == nil {
		c.Guard = &Guard{}
	}
	return c
}
