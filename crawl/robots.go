package crawl

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/temoto/robotstxt"
)

// robotsCache keeps each host's robots.txt for a while: RobotsTTL when it
// was read (or is missing, which allows everything), RobotsFailTTL when the
// server failed to answer (which disallows everything until then).
type robotsCache struct {
	f     *Fetcher
	mu    sync.Mutex
	hosts map[string]*robotsEntry
}

type robotsEntry struct {
	mu      sync.Mutex // held while the file is fetched
	group   *robotstxt.Group
	failed  error
	expires time.Time
}

func newRobotsCache(f *Fetcher) *robotsCache {
	return &robotsCache{f: f, hosts: map[string]*robotsEntry{}}
}

// check returns the Crawl-delay of the host of u when robots.txt allows u,
// or an error: wrapping ErrRobots when it is disallowed, temporary when the
// robots.txt could not be read.
func (c *robotsCache) check(ctx context.Context, u *url.URL) (time.Duration, error) {
	if u.Path == "/robots.txt" {
		return 0, nil
	}
	key := u.Scheme + "://" + hostKey(u)
	c.mu.Lock()
	e := c.hosts[key]
	if e == nil {
		e = &robotsEntry{}
		c.hosts[key] = e
	}
	c.mu.Unlock()

	e.mu.Lock()
	defer e.mu.Unlock()
	now := time.Now()
	if now.After(e.expires) {
		c.load(ctx, e, u, now)
	}
	if e.failed != nil {
		return 0, &Error{URL: u.String(), Temporary: true, RetryAfter: time.Until(e.expires),
			Err: fmt.Errorf("robots.txt unavailable, host left alone until %s: %w", e.expires.UTC().Format(time.RFC3339), e.failed)}
	}
	if !e.group.Test(u.RequestURI()) {
		return 0, &Error{URL: u.String(), Err: ErrRobots}
	}
	return min(e.group.CrawlDelay, c.f.cfg.MaxCrawlDelay), nil
}

func (c *robotsCache) load(ctx context.Context, e *robotsEntry, u *url.URL, now time.Time) {
	ru := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/robots.txt"}
	resp, err := c.f.get(ctx, ru.String(), nil, false)
	status := 0
	var body []byte
	if resp != nil {
		status, body = resp.Status, resp.Body
	}
	e.failed, e.group = nil, nil
	switch {
	case err != nil && status == 0:
		if errors.Is(err, context.Canceled) {
			e.failed, e.expires = err, now
			return
		}
		e.failed = err
	case status >= 500:
		e.failed = fmt.Errorf("HTTP %d", status)
	}
	if e.failed != nil {
		e.expires = now.Add(c.f.cfg.RobotsFailTTL)
		return
	}
	// 2xx is parsed, other 4xx allow everything.
	data, perr := robotstxt.FromStatusAndBytes(status, body)
	if perr != nil {
		data, _ = robotstxt.FromStatusAndBytes(404, nil)
	}
	e.group = data.FindGroup(c.f.cfg.UserAgent)
	e.expires = now.Add(c.f.cfg.RobotsTTL)
}
