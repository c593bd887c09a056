package crawl

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/archive"
)

// testConfig is a configuration for loopback test servers: private
// addresses allowed, delays and timeouts short.
func testConfig() Config {
	return Config{
		Guard:          &Guard{AllowPrivate: true},
		HostDelay:      time.Millisecond,
		ConnectTimeout: time.Second,
		HeaderTimeout:  5 * time.Second,
		TotalTimeout:   10 * time.Second,
		Backoff:        10 * time.Millisecond,
		MaxBackoff:     40 * time.Millisecond,
		MaxAttempts:    2,
		MinPoll:        time.Minute,
		MaxPoll:        time.Hour,
		RobotsFailTTL:  time.Minute,
	}
}

// env is a crawler on a temporary store with one source.
type env struct {
	t     *testing.T
	svc   Services
	src   *diembao.Source
	dir   string
	c     *Crawler
	mu    sync.Mutex
	pages map[string][]byte
	items []*diembao.FrontierItem // handed to OnPage, in order
}

func newEnv(t *testing.T, cfg Config, homepage string, feeds, sitemaps []string) *env {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	e := &env{t: t, dir: dir, pages: map[string][]byte{}, svc: newMemStore().services()}
	e.src = &diembao.Source{Name: "Báo Thử", Homepage: homepage, Feeds: feeds, Sitemaps: sitemaps, Enabled: true}
	if err := e.svc.Sources.CreateSource(ctx, e.src); err != nil {
		t.Fatal(err)
	}
	w, err := archive.NewWriter(archive.WriterConfig{Dir: filepath.Join(dir, "warc")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	e.c, err = New(cfg, e.svc, w, func(ctx context.Context, src *diembao.Source, f *diembao.Fetch, body []byte) error {
		e.mu.Lock()
		defer e.mu.Unlock()
		if it, ok := ItemFromContext(ctx); !ok || it.URL == "" {
			t.Errorf("OnPage of %s without its frontier item", f.URL)
		} else {
			e.items = append(e.items, it)
		}
		e.pages[f.URL] = body
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.c.Close)
	return e
}

func (e *env) run() *Summary {
	e.t.Helper()
	sum, err := e.c.RunOnce(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return sum
}

func (e *env) source() *diembao.Source {
	e.t.Helper()
	s, err := e.svc.Sources.FindSourceByID(context.Background(), e.src.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

func (e *env) item(url string) *diembao.FrontierItem {
	e.t.Helper()
	it, err := e.svc.Frontier.FindFrontierItem(context.Background(), url)
	if err != nil {
		e.t.Fatal(err)
	}
	return it
}

func (e *env) page(url string) ([]byte, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	b, ok := e.pages[url]
	return b, ok
}

// rss renders an RSS feed linking to the given URLs.
func rss(links ...string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Tin mới</title>`)
	for i, l := range links {
		fmt.Fprintf(&b, `<item><title>Bài %d</title><link>%s</link><pubDate>Mon, 02 Mar 2026 08:0%d:00 +0700</pubDate></item>`, i, l, i%10)
	}
	b.WriteString(`</channel></rss>`)
	return b.String()
}

// site serves a feed at /feed.xml linking to /page and the given handlers.
func site(t *testing.T, handlers map[string]http.HandlerFunc) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	var srv *httptest.Server
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, rss(srv.URL+"/page"))
	})
	for p, h := range handlers {
		mux.HandleFunc(p, h)
	}
	srv = httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}
