package crawl

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/diembao/diembao"
)

const okPage = "<html><head><title>Tin</title></head><body><p>Hà Nội</p></body></html>"

// hijack takes over the connection to write raw bytes.
func hijack(w http.ResponseWriter, raw string, reset bool) {
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	buf.WriteString(raw)
	buf.Flush()
	if tc, ok := conn.(*net.TCPConn); ok && reset {
		tc.SetLinger(0)
	}
	conn.Close()
}

func gzipBomb(t *testing.T, size int) []byte {
	t.Helper()
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zeros := make([]byte, 1<<20)
	for i := 0; i < size; i += len(zeros) {
		zw.Write(zeros)
	}
	zw.Close()
	return b.Bytes()
}

// TestHostilePages serves each hostile answer as the article page of a
// source and checks that the crawler survives it, records a clear error on
// the frontier item and the source, and settles the item as the retry rules
// say.
func TestHostilePages(t *testing.T) {
	bomb := gzipBomb(t, 16<<20)
	// Memory stays bounded whatever the servers send: sample the heap while
	// the (parallel) subtests run.
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	t.Cleanup(func() {
		close(stop)
		<-sampled
		t.Logf("peak heap in use: %d MB", peak.Load()>>20)
		if peak.Load() > 256<<20 {
			t.Errorf("heap reached %d MB while the hostile servers ran", peak.Load()>>20)
		}
	})
	tests := []struct {
		name      string
		page      http.HandlerFunc
		robots    http.HandlerFunc
		cfg       func(*Config)
		wantState diembao.FrontierState
		wantErr   string
		wantPage  bool
		pageHits  int32 // -1: any
	}{
		{
			name: "drip one byte per second",
			page: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "1000")
				for range 1000 {
					if _, err := w.Write([]byte("x")); err != nil {
						return
					}
					w.(http.Flusher).Flush()
					select {
					case <-r.Context().Done():
						return
					case <-time.After(time.Second):
					}
				}
			},
			cfg:       func(c *Config) { c.TotalTimeout = 300 * time.Millisecond; c.MaxAttempts = 1 },
			wantState: diembao.FrontierFailed, wantErr: "deadline exceeded", pageHits: 1,
		},
		{
			name: "never-ending body",
			page: func(w http.ResponseWriter, r *http.Request) {
				chunk := bytes.Repeat([]byte("<p>vô tận</p>"), 1000)
				for r.Context().Err() == nil {
					if _, err := w.Write(chunk); err != nil {
						return
					}
				}
			},
			cfg:       func(c *Config) { c.MaxBody = 1 << 20 },
			wantState: diembao.FrontierFailed, wantErr: "over the limit", pageHits: 1,
		},
		{
			name: "10 GB Content-Length",
			page: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "10737418240")
				w.Write([]byte("<html>"))
			},
			wantState: diembao.FrontierFailed, wantErr: "10737418240 bytes declared", pageHits: 1,
		},
		{
			name: "gzip bomb",
			page: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Encoding", "gzip")
				w.Header().Set("Content-Type", "text/html")
				w.Write(bomb)
			},
			wantState: diembao.FrontierFailed, wantErr: "decompression bomb", pageHits: 1,
		},
		{
			name: "redirect loop",
			page: func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "/page?loop=1", http.StatusFound)
			},
			wantState: diembao.FrontierFailed, wantErr: "redirect", pageHits: -1,
		},
		{
			name: "redirect to a private address without the allowance",
			page: func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "http://10.20.30.40/admin", http.StatusFound)
			},
			cfg: func(c *Config) {
				c.Guard = &Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}
			},
			wantState: diembao.FrontierFailed, wantErr: "address is not public", pageHits: 1,
		},
		{
			name: "redirect to the metadata address",
			page: func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
			},
			cfg: func(c *Config) {
				c.Guard = &Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}
			},
			wantState: diembao.FrontierFailed, wantErr: "address is not public", pageHits: 1,
		},
		{
			name: "429 with Retry-After",
			page: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "120")
				w.WriteHeader(http.StatusTooManyRequests)
			},
			cfg:       func(c *Config) { c.MaxAttempts = 3 },
			wantState: diembao.FrontierPending, wantErr: "HTTP 429", pageHits: 1,
		},
		{
			name: "503 until the attempts run out",
			page: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusServiceUnavailable)
			},
			cfg:       func(c *Config) { c.MaxAttempts = 3; c.OnceWait = 5 * time.Second },
			wantState: diembao.FrontierFailed, wantErr: "HTTP 503", pageHits: 3,
		},
		{
			name: "connection reset mid-body",
			page: func(w http.ResponseWriter, r *http.Request) {
				hijack(w, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5000\r\n\r\n<html><body>", true)
			},
			cfg:       func(c *Config) { c.OnceWait = 5 * time.Second },
			wantState: diembao.FrontierFailed, wantErr: "read body", pageHits: 2,
		},
		{
			name: "broken chunked encoding",
			page: func(w http.ResponseWriter, r *http.Request) {
				hijack(w, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n<html\r\nzz\r\nbroken", false)
			},
			cfg:       func(c *Config) { c.OnceWait = 5 * time.Second },
			wantState: diembao.FrontierFailed, wantErr: "read body", pageHits: 2,
		},
		{
			name: "wrong declared charset",
			page: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=iso-8859-1")
				w.Write([]byte(okPage))
			},
			wantState: diembao.FrontierDone, wantPage: true, pageHits: 1,
		},
		{
			name: "invalid UTF-8",
			page: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				w.Write([]byte("<html><body><p>H\xe0 N\xff\xfei</p></body></html>"))
			},
			wantState: diembao.FrontierDone, wantPage: true, pageHits: 1,
		},
		{
			name: "robots.txt answering 500",
			robots: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusInternalServerError)
			},
			wantState: diembao.FrontierPending, wantErr: "robots.txt unavailable", pageHits: 0,
		},
		{
			name: "robots.txt answering 404",
			robots: func(w http.ResponseWriter, r *http.Request) {
				http.NotFound(w, r)
			},
			wantState: diembao.FrontierDone, wantPage: true, pageHits: 1,
		},
		{
			name: "robots.txt disallowing everything",
			robots: func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, "User-agent: *\nDisallow: /\n")
			},
			wantState: diembao.FrontierFailed, wantErr: "disallowed by robots.txt", pageHits: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var hits atomic.Int32
			page := tt.page
			if page == nil {
				page = func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(okPage)) }
			}
			handlers := map[string]http.HandlerFunc{"/page": func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				page(w, r)
			}}
			if tt.robots != nil {
				handlers["/robots.txt"] = tt.robots
			}
			srv := site(t, handlers)
			cfg := testConfig()
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			e := newEnv(t, cfg, srv.URL+"/", []string{srv.URL + "/feed.xml"}, nil)
			if tt.name == "robots.txt answering 500" || tt.name == "robots.txt disallowing everything" {
				// The feed must be readable although robots.txt is not:
				// poll it with a fetcher that has no robots rules.
				e.enqueue(srv.URL + "/page")
			}
			started := time.Now()
			e.run()
			it := e.item(srv.URL + "/page")
			if it.State != tt.wantState {
				t.Errorf("item state = %s (error %q), want %s", it.State, it.LastError, tt.wantState)
			}
			if !strings.Contains(it.LastError, tt.wantErr) {
				t.Errorf("item error = %q, want it to contain %q", it.LastError, tt.wantErr)
			}
			if _, ok := e.page(srv.URL + "/page"); ok != tt.wantPage {
				t.Errorf("page handed on = %v, want %v", ok, tt.wantPage)
			}
			if tt.pageHits >= 0 && hits.Load() != tt.pageHits {
				t.Errorf("page fetched %d times, want %d", hits.Load(), tt.pageHits)
			}
			if tt.wantErr != "" {
				if src := e.source(); !strings.Contains(src.Health.LastError, tt.wantErr) && tt.wantState == diembao.FrontierFailed {
					t.Errorf("source error = %q, want it to contain %q", src.Health.LastError, tt.wantErr)
				}
			}
			if tt.name == "429 with Retry-After" && it.NotBefore.Before(started.Add(119*time.Second)) {
				t.Errorf("429 retry due at %v, want Retry-After (120s) honoured", it.NotBefore)
			}
			if tt.name == "robots.txt answering 500" && it.NotBefore.Before(started.Add(59*time.Second)) {
				t.Errorf("host with failing robots.txt retried at %v, want it left alone for RobotsFailTTL", it.NotBefore)
			}
		})
	}
}

// enqueue adds a page to the frontier by hand.
func (e *env) enqueue(u string) {
	e.t.Helper()
	if _, err := e.svc.Frontier.Enqueue(context.Background(), []*diembao.FrontierItem{{SourceID: e.src.ID, URL: u, Priority: diembao.PrioritySeed}}); err != nil {
		e.t.Fatal(err)
	}
}

func TestHostileFeeds(t *testing.T) {
	t.Run("malformed feed XML", func(t *testing.T) {
		t.Parallel()
		srv := site(t, map[string]http.HandlerFunc{"/bad.xml": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `<?xml version="1.0"?><rss><channel><item><title>x</ti`)
		}})
		e := newEnv(t, testConfig(), srv.URL+"/", []string{srv.URL + "/bad.xml"}, nil)
		e.run()
		src := e.source()
		if src.Health.ConsecutiveFailures != 1 || !strings.Contains(src.Health.LastError, "bad.xml") {
			t.Fatalf("health = %+v, want the feed error recorded", src.Health)
		}
		st, err := e.svc.Feeds.FindFeedState(context.Background(), srv.URL+"/bad.xml")
		if err != nil || st.Failures != 1 || st.LastError == "" {
			t.Fatalf("feed state = %+v, %v", st, err)
		}
	})
	t.Run("feed with 10000 items", func(t *testing.T) {
		t.Parallel()
		links := make([]string, 10000)
		for i := range links {
			links[i] = fmt.Sprintf("{{base}}/bai-%d.html?utm_source=rss", i)
		}
		srv := newMock(t, map[string]string{"/big2.xml": rss(links...)}, nil)
		e := newEnv(t, testConfig(), srv.URL+"/", []string{srv.URL + "/big2.xml"}, nil)
		n, done, err := e.c.pollFeed(context.Background(), e.src, srv.URL+"/big2.xml", true)
		if err != nil || !done || n != 10000 {
			t.Fatalf("poll = %d, %v, %v; want 10000 new links", n, done, err)
		}
		st, _ := e.svc.Frontier.FrontierStats(context.Background(), e.src.ID)
		if st.Pending != 10000 {
			t.Fatalf("frontier holds %d items, want 10000", st.Pending)
		}
		it := e.item(srv.URL + "/bai-42.html")
		if it.Title != "Bài 42" || it.Published.IsZero() || it.Priority != diembao.PriorityFeedItem {
			t.Fatalf("item = %+v", it)
		}
	})
	t.Run("sitemap index including itself", func(t *testing.T) {
		t.Parallel()
		var hits atomic.Int32
		srv := newMock(t, map[string]string{
			"/sitemap.xml": `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
				<sitemap><loc>{{base}}/sitemap.xml</loc></sitemap>
				<sitemap><loc>{{base}}/sitemap.xml?again=1</loc></sitemap>
				<sitemap><loc>{{base}}/news.xml</loc></sitemap></sitemapindex>`,
			"/news.xml": `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
				<url><loc>{{base}}/tin-1.html</loc><news:news><news:publication_date>2026-03-02T08:00:00+07:00</news:publication_date><news:title>Tin một</news:title></news:news></url>
				<url><loc>{{base}}/sitemap.xml</loc></url></urlset>`,
		}, &hits)
		e := newEnv(t, testConfig(), srv.URL+"/", nil, []string{srv.URL + "/sitemap.xml"})
		e.c.cfg.MaxSitemaps = 100
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		n, _, err := e.c.pollFeed(ctx, e.src, srv.URL+"/sitemap.xml", true)
		if err != nil || ctx.Err() != nil {
			t.Fatalf("poll: %v (ctx %v)", err, ctx.Err())
		}
		if hits.Load() > 4 {
			t.Fatalf("%d sitemap requests for 3 distinct sitemaps", hits.Load())
		}
		it := e.item(srv.URL + "/tin-1.html")
		if n < 1 || it.Priority != diembao.PrioritySitemapNews || it.Title != "Tin một" {
			t.Fatalf("new = %d, item = %+v", n, it)
		}
	})
	t.Run("feed redirected to a private address", func(t *testing.T) {
		t.Parallel()
		srv := site(t, map[string]http.HandlerFunc{"/moved.xml": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://[::ffff:192.168.1.1]/feed.xml", http.StatusMovedPermanently)
		}})
		cfg := testConfig()
		cfg.Guard = &Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
		e := newEnv(t, cfg, srv.URL+"/", []string{srv.URL + "/moved.xml"}, nil)
		e.run()
		if src := e.source(); !strings.Contains(src.Health.LastError, "not public") {
			t.Fatalf("source error = %q, want the refused address", src.Health.LastError)
		}
	})
}

// TestRetryAfterPausesHost checks that a long Retry-After leaves the host
// alone without holding up the pass: the other pages of the host wait for
// their turn in the frontier, not in the crawler.
func TestRetryAfterPausesHost(t *testing.T) {
	var hits atomic.Int32
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/feed.xml":
			fmt.Fprint(w, rss(srv.URL+"/a", srv.URL+"/b"))
		case "/a":
			hits.Add(1)
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusTooManyRequests)
		case "/b":
			hits.Add(1)
			fmt.Fprint(w, okPage)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	cfg := testConfig()
	cfg.MaxAttempts = 3
	e := newEnv(t, cfg, srv.URL+"/", []string{srv.URL + "/feed.xml"}, nil)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := e.c.RunOnce(ctx); err != nil {
		t.Fatalf("RunOnce: %v", err)
	}
	if hits.Load() != 1 {
		t.Fatalf("%d page requests, want 1 (the host asked for an hour of quiet)", hits.Load())
	}
	for _, u := range []string{srv.URL + "/a", srv.URL + "/b"} {
		it := e.item(u)
		if it.State != diembao.FrontierPending || it.NotBefore.Before(start.Add(59*time.Minute)) {
			t.Errorf("%s: %s, due %v; want pending for about an hour", u, it.State, it.NotBefore)
		}
	}
}

// TestConditionalGet checks that feed polls send the validators of the
// previous answer and that a 304 lengthens the poll interval.
func TestConditionalGet(t *testing.T) {
	var conditional atomic.Int32
	srv := site(t, map[string]http.HandlerFunc{"/cond.xml": func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` && r.Header.Get("If-Modified-Since") == "Mon, 02 Mar 2026 01:00:00 GMT" {
			conditional.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Mon, 02 Mar 2026 01:00:00 GMT")
		fmt.Fprint(w, rss("http://"+r.Host+"/page"))
	}})
	e := newEnv(t, testConfig(), srv.URL+"/", []string{srv.URL + "/cond.xml"}, nil)
	ctx := context.Background()
	var intervals []time.Duration
	for range 3 {
		if _, _, err := e.c.pollFeed(ctx, e.src, srv.URL+"/cond.xml", true); err != nil {
			t.Fatal(err)
		}
		st, err := e.svc.Feeds.FindFeedState(ctx, srv.URL+"/cond.xml")
		if err != nil {
			t.Fatal(err)
		}
		intervals = append(intervals, st.Interval)
	}
	if conditional.Load() != 2 {
		t.Fatalf("%d conditional hits, want 2", conditional.Load())
	}
	if !(intervals[0] == time.Minute && intervals[1] > intervals[0] && intervals[2] > intervals[1]) {
		t.Fatalf("intervals = %v, want growing from the minimum while nothing is new", intervals)
	}
}

// mockServer serves fixed bodies in which {{base}} stands for its URL.
type mockServer struct{ URL string }

func newMock(t *testing.T, bodies map[string]string, hits *atomic.Int32) *mockServer {
	t.Helper()
	m := &mockServer{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := bodies[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if hits != nil {
			hits.Add(1)
		}
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprint(w, strings.ReplaceAll(b, "{{base}}", m.URL))
	}))
	t.Cleanup(srv.Close)
	m.URL = srv.URL
	return m
}
