package crawl

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/diembao/diembao/archive"
)

// ErrRobots is wrapped by the errors of fetches that robots.txt forbids.
var ErrRobots = errors.New("disallowed by robots.txt")

// Error is the error of a failed fetch. Temporary errors (network errors,
// timeouts, 429, 5xx, robots.txt unavailable) are worth retrying, after
// RetryAfter when the server said so.
type Error struct {
	URL string
	// Status is the HTTP status, or 0 when no response came back.
	Status     int
	Temporary  bool
	RetryAfter time.Duration
	Err        error
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Status != 0 && e.Err == nil {
		return fmt.Sprintf("crawl: %s: HTTP %d", e.URL, e.Status)
	}
	// Causes built in this package carry the package prefix too; say it once.
	return fmt.Sprintf("crawl: %s: %s", e.URL, strings.ReplaceAll(e.Err.Error(), "crawl: ", ""))
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// isTemporary reports whether err is worth a retry.
func isTemporary(err error) bool {
	var fe *Error
	if errors.As(err, &fe) {
		return fe.Temporary
	}
	return !errors.Is(err, context.Canceled)
}

func retryAfterOf(err error) time.Duration {
	var fe *Error
	if errors.As(err, &fe) {
		return fe.RetryAfter
	}
	return 0
}

// Response is a fetched resource.
type Response struct {
	// URL is the URL asked for; FinalURL the one answered after redirects.
	URL      string
	FinalURL string
	Status   int
	Header   http.Header
	// Body is the body with its content encoding removed.
	Body      []byte
	FetchedAt time.Time
	// WARC locates the final response record in the archive (zero when no
	// archive is kept).
	WARC archive.Location
}

// Fetcher fetches URLs politely and within limits, recording every exchange
// in the archive. It is safe for concurrent use.
type Fetcher struct {
	cfg    Config
	client *http.Client
	warc   *archive.Writer
	hosts  *hostGate
	robots *robotsCache
	sem    chan struct{}
	logger *slog.Logger
}

// NewFetcher returns a Fetcher with the settings of cfg writing to warc
// (nil keeps no archive).
func NewFetcher(cfg Config, warc *archive.Writer, logger *slog.Logger) *Fetcher {
	cfg = cfg.withDefaults()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	dialer := &net.Dialer{Timeout: cfg.ConnectTimeout, KeepAlive: 30 * time.Second, Control: cfg.Guard.Control}
	tr := &http.Transport{
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		TLSHandshakeTimeout:    cfg.ConnectTimeout,
		ResponseHeaderTimeout:  cfg.HeaderTimeout,
		MaxConnsPerHost:        1,
		MaxIdleConnsPerHost:    1,
		IdleConnTimeout:        90 * time.Second,
		DisableCompression:     true,
		MaxResponseHeaderBytes: 256 << 10,
		ForceAttemptHTTP2:      true,
	}
	f := &Fetcher{
		cfg: cfg,
		client: &http.Client{
			Transport: tr,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		},
		warc:   warc,
		hosts:  newHostGate(),
		sem:    make(chan struct{}, cfg.Concurrency),
		logger: logger,
	}
	f.robots = newRobotsCache(f)
	return f
}

// Close releases idle connections.
func (f *Fetcher) Close() {
	f.client.CloseIdleConnections()
}

// Get fetches rawURL, following up to MaxRedirects redirects, each checked
// against the guard and robots.txt. header adds request fields (the
// validators of a conditional request). A response other than 2xx or 304
// is returned with an *Error.
func (f *Fetcher) Get(ctx context.Context, rawURL string, header http.Header) (*Response, error) {
	return f.get(ctx, rawURL, header, true)
}

func (f *Fetcher) get(ctx context.Context, rawURL string, header http.Header, obeyRobots bool) (*Response, error) {
	u, err := canonicalURL(rawURL, nil)
	if err != nil {
		return nil, &Error{URL: rawURL, Err: err}
	}
	seen := map[string]bool{}
	for hop := 0; ; hop++ {
		cur := u.String()
		if seen[cur] {
			return nil, &Error{URL: rawURL, Err: fmt.Errorf("redirect loop at %s", cur)}
		}
		seen[cur] = true
		if err := f.cfg.Guard.CheckURL(ctx, u); err != nil {
			// A refused address is final; a name that did not resolve
			// may resolve later.
			return nil, &Error{URL: cur, Temporary: !errors.Is(err, ErrForbiddenAddress), Err: err}
		}
		delay := f.cfg.HostDelay
		if obeyRobots {
			rd, err := f.robots.check(ctx, u)
			if err != nil {
				return nil, err
			}
			delay = max(delay, rd)
		}
		resp, err := f.exchange(ctx, u, header, delay)
		if err != nil {
			return nil, err
		}
		resp.URL = rawURL
		switch {
		case resp.Status >= 300 && resp.Status < 400 && resp.Status != http.StatusNotModified:
			loc := resp.Header.Get("Location")
			if loc == "" {
				return nil, &Error{URL: cur, Status: resp.Status, Err: errors.New("redirect without Location")}
			}
			if hop >= f.cfg.MaxRedirects {
				return nil, &Error{URL: rawURL, Err: fmt.Errorf("more than %d redirects", f.cfg.MaxRedirects)}
			}
			next, err := canonicalURL(loc, u)
			if err != nil {
				return nil, &Error{URL: cur, Err: fmt.Errorf("redirect: %w", err)}
			}
			u = next
			header = nil // validators belong to the first URL
			continue
		case resp.Status == http.StatusNotModified || (resp.Status >= 200 && resp.Status < 300):
			return resp, nil
		}
		fe := &Error{URL: cur, Status: resp.Status}
		switch {
		case resp.Status == http.StatusTooManyRequests || resp.Status == http.StatusRequestTimeout || resp.Status >= 500:
			fe.Temporary = true
			fe.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), resp.FetchedAt)
		}
		return resp, fe
	}
}

// parseRetryAfter reads a Retry-After value: seconds or an HTTP date. It
// caps the wait at a day.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0
		}
		d = time.Duration(min(n, 86400)) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), 24*time.Hour)
}

// exchange makes one request to u, waiting for the host's turn, and
// records it in the archive.
func (f *Fetcher) exchange(ctx context.Context, u *url.URL, header http.Header, delay time.Duration) (*Response, error) {
	host := hostKey(u)
	release, err := f.hosts.acquire(ctx, host, f.cfg.MaxCrawlDelay)
	if err != nil {
		var busy *hostBusyError
		if errors.As(err, &busy) {
			return nil, &Error{URL: u.String(), Temporary: true, RetryAfter: busy.wait, Err: err}
		}
		return nil, &Error{URL: u.String(), Err: err}
	}
	var wait time.Duration
	defer func() { release(max(delay, wait)) }()
	select {
	case f.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, &Error{URL: u.String(), Err: ctx.Err()}
	}
	defer func() { <-f.sem }()

	ctx, cancel := context.WithTimeout(ctx, f.cfg.TotalTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, &Error{URL: u.String(), Err: err}
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	req.Header.Set("User-Agent", f.cfg.UserAgent)
	req.Header.Set("Accept-Encoding", "gzip")
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	}
	start := time.Now()
	var remote string
	req = req.WithContext(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) { remote = info.Conn.RemoteAddr().String() },
	}))
	hresp, err := f.client.Do(req)
	if err != nil {
		return nil, &Error{URL: u.String(), Temporary: !errors.Is(err, ErrForbiddenAddress), Err: err}
	}
	defer hresp.Body.Close()
	resp := &Response{FinalURL: u.String(), Status: hresp.StatusCode, Header: hresp.Header, FetchedAt: start.UTC()}
	if hresp.StatusCode == http.StatusTooManyRequests || hresp.StatusCode == http.StatusServiceUnavailable {
		wait = parseRetryAfter(hresp.Header.Get("Retry-After"), start)
	}

	var fetchErr error
	truncated := ""
	if hresp.ContentLength > f.cfg.MaxBody {
		fetchErr = &Error{URL: u.String(), Status: hresp.StatusCode,
			Err: fmt.Errorf("body of %d bytes declared, over the limit of %d", hresp.ContentLength, f.cfg.MaxBody)}
		truncated = "length"
	}
	var raw []byte
	if fetchErr == nil {
		raw, err = io.ReadAll(io.LimitReader(hresp.Body, f.cfg.MaxBody+1))
		switch {
		case err != nil:
			truncated = "disconnect"
			if ctx.Err() != nil {
				truncated = "time"
			}
			fetchErr = &Error{URL: u.String(), Status: hresp.StatusCode, Temporary: true, Err: fmt.Errorf("read body: %w", err)}
		case int64(len(raw)) > f.cfg.MaxBody:
			raw = raw[:f.cfg.MaxBody]
			truncated = "length"
			fetchErr = &Error{URL: u.String(), Status: hresp.StatusCode, Err: fmt.Errorf("body over the limit of %d bytes", f.cfg.MaxBody)}
		}
	}
	if f.warc != nil {
		loc, err := f.warc.Write(&archive.Exchange{
			URL: u.String(), IP: hostOnly(remote), Date: start,
			Request: archive.RequestBytes(req), Response: archive.ResponseBytes(hresp, raw), Truncated: truncated,
		})
		if err != nil {
			return nil, fmt.Errorf("crawl: %w", err)
		}
		resp.WARC = loc
	}
	if fetchErr != nil {
		return nil, fetchErr
	}
	body, err := decodeBody(hresp.Header.Get("Content-Encoding"), raw, f.cfg.MaxBody, f.cfg.MaxRatio)
	if err != nil {
		return nil, &Error{URL: u.String(), Status: hresp.StatusCode, Err: err}
	}
	resp.Body = body
	return resp, nil
}

func hostOnly(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}

// decodeBody removes a gzip or deflate content encoding, refusing output
// over max bytes or more than ratio times the input (past one megabyte).
func decodeBody(enc string, raw []byte, max int64, ratio int) ([]byte, error) {
	var zr io.Reader
	switch strings.ToLower(strings.TrimSpace(enc)) {
	case "", "identity":
		return raw, nil
	case "gzip", "x-gzip":
		gz, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("gzip body: %w", err)
		}
		zr = gz
	case "deflate":
		zr = flate.NewReader(bytes.NewReader(raw))
	default:
		return nil, fmt.Errorf("unsupported content encoding %q", enc)
	}
	limit := max
	if r := int64(ratio) * int64(len(raw)); r > 1<<20 && r < limit {
		limit = r
	} else if r <= 1<<20 {
		limit = min(max, 1<<20)
	}
	out, err := io.ReadAll(io.LimitReader(zr, limit+1))
	if err != nil {
		return nil, fmt.Errorf("decompress body: %w", err)
	}
	if int64(len(out)) > limit {
		return nil, fmt.Errorf("decompressed body over %d bytes (%d compressed): refused as a decompression bomb", limit, len(raw))
	}
	return out, nil
}

// hostGate gives each host one request at a time and spaces requests by
// the host's delay.
type hostGate struct {
	mu    sync.Mutex
	hosts map[string]*hostSlot
}

type hostSlot struct {
	turn chan struct{}
	next time.Time
}

func newHostGate() *hostGate { return &hostGate{hosts: map[string]*hostSlot{}} }

func (g *hostGate) slot(host string) *hostSlot {
	g.mu.Lock()
	defer g.mu.Unlock()
	s := g.hosts[host]
	if s == nil {
		s = &hostSlot{turn: make(chan struct{}, 1)}
		g.hosts[host] = s
	}
	return s
}

// hostBusyError reports a host that asked to be left alone (Retry-After)
// for longer than a request may wait.
type hostBusyError struct {
	host string
	wait time.Duration
}

// Error implements the error interface.
func (e *hostBusyError) Error() string {
	return fmt.Sprintf("host %s asked to be left alone for %s", e.host, e.wait.Round(time.Second))
}

// acquire waits for the host's turn and returns the function that ends it,
// keeping the host quiet for delay afterwards. When the host's turn is more
// than maxWait away (a long Retry-After) it returns a *hostBusyError at
// once instead of waiting.
func (g *hostGate) acquire(ctx context.Context, host string, maxWait time.Duration) (func(delay time.Duration), error) {
	s := g.slot(host)
	select {
	case s.turn <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	g.mu.Lock()
	wait := time.Until(s.next)
	g.mu.Unlock()
	if wait > maxWait {
		<-s.turn
		return nil, &hostBusyError{host: host, wait: wait}
	}
	if wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			<-s.turn
			return nil, ctx.Err()
		}
	}
	return func(delay time.Duration) {
		g.mu.Lock()
		if n := time.Now().Add(delay); n.After(s.next) {
			s.next = n
		}
		g.mu.Unlock()
		<-s.turn
	}, nil
}
