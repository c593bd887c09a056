package crawl

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/temoto/robotstxt"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/archive"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"120", 2 * time.Minute},
		{" 5 ", 5 * time.Second},
		{"-3", 0},
		{"999999999", 24 * time.Hour},
		{"Mon, 02 Mar 2026 08:10:00 GMT", 10 * time.Minute},
		{"Mon, 02 Mar 2026 07:00:00 GMT", 0},
		{"soon", 0},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := parseRetryAfter(tt.in, now); got != tt.want {
				t.Fatalf("parseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func TestDecodeBody(t *testing.T) {
	page := []byte(strings.Repeat("<p>Tin tức Việt Nam</p>", 100))
	zeros := make([]byte, 3<<20)
	tests := []struct {
		name    string
		enc     string
		raw     []byte
		max     int64
		want    []byte
		wantErr string
	}{
		{"identity", "", page, 1 << 20, page, ""},
		{"gzip", "gzip", gz(page), 1 << 20, page, ""},
		{"over the size limit", "gzip", gz(page), 100, nil, "decompression bomb"},
		{"over the ratio", "gzip", gz(zeros), 64 << 20, nil, "decompression bomb"},
		{"not gzip", "gzip", page, 1 << 20, nil, "gzip body"},
		{"unknown encoding", "br", page, 1 << 20, nil, "unsupported content encoding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeBody(tt.enc, tt.raw, tt.max, DefaultMaxRatio)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !bytes.Equal(got, tt.want) {
				t.Fatalf("decodeBody = %d bytes, %v", len(got), err)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	c := &Crawler{cfg: Config{Backoff: time.Second, MaxBackoff: 10 * time.Second}}
	tests := []struct {
		attempt int
		base    time.Duration
	}{
		{1, time.Second}, {2, 2 * time.Second}, {3, 4 * time.Second}, {4, 8 * time.Second}, {5, 10 * time.Second}, {40, 10 * time.Second},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.attempt), func(t *testing.T) {
			for range 50 {
				d := c.backoff(tt.attempt)
				if d < tt.base/2 || d > tt.base {
					t.Fatalf("backoff(%d) = %v, want within [%v, %v]", tt.attempt, d, tt.base/2, tt.base)
				}
			}
		})
	}
}

// TestPoliteness checks that a host never sees two requests at once, that
// requests to one host are spaced by the host delay (raised by robots.txt
// Crawl-delay), and that the user agent names diembao.
func TestPoliteness(t *testing.T) {
	var inFlight, maxInFlight atomic.Int32
	var mu sync.Mutex
	var starts []time.Time
	var agents []string
	var robotsHits atomic.Int32
	srv := site(t, map[string]http.HandlerFunc{
		"/robots.txt": func(w http.ResponseWriter, r *http.Request) {
			robotsHits.Add(1)
			fmt.Fprint(w, "User-agent: *\nCrawl-delay: 0.2\nDisallow: /private/\n")
		},
		"/p/": func(w http.ResponseWriter, r *http.Request) {
			n := inFlight.Add(1)
			defer inFlight.Add(-1)
			for {
				m := maxInFlight.Load()
				if n <= m || maxInFlight.CompareAndSwap(m, n) {
					break
				}
			}
			mu.Lock()
			starts = append(starts, time.Now())
			agents = append(agents, r.UserAgent())
			mu.Unlock()
			time.Sleep(20 * time.Millisecond)
			fmt.Fprint(w, okPage)
		},
	})
	cfg := testConfig()
	cfg.HostDelay = 50 * time.Millisecond
	cfg.UserAgent = "diembao/test (+https://example.vn/lien-he)"
	f := NewFetcher(cfg, nil, nil)
	defer f.Close()
	var wg sync.WaitGroup
	for i := range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := f.Get(context.Background(), fmt.Sprintf("%s/p/%d", srv.URL, i), nil); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if _, err := f.Get(context.Background(), srv.URL+"/private/x", nil); err == nil || !strings.Contains(err.Error(), "robots") {
		t.Errorf("disallowed path fetched: %v", err)
	}
	if robotsHits.Load() != 1 {
		t.Errorf("robots.txt fetched %d times for 6 requests, want once (cached)", robotsHits.Load())
	}
	if maxInFlight.Load() != 1 {
		t.Errorf("%d requests at once to one host, want 1", maxInFlight.Load())
	}
	for i := 1; i < len(starts); i++ {
		// Crawl-delay (200ms) applies after each response.
		if gap := starts[i].Sub(starts[i-1]); gap < 200*time.Millisecond {
			t.Errorf("requests %d and %d only %v apart, want Crawl-delay 200ms", i-1, i, gap)
		}
	}
	for _, a := range agents {
		if a != cfg.UserAgent {
			t.Errorf("user agent %q, want %q", a, cfg.UserAgent)
		}
	}
}

// TestArchived checks that each fetched page is in the WARC file where its
// fetch says, with its request.
func TestArchived(t *testing.T) {
	srv := site(t, map[string]http.HandlerFunc{"/page": func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, okPage)
	}})
	e := newEnv(t, testConfig(), srv.URL+"/", []string{srv.URL + "/feed.xml"}, nil)
	e.run()
	st := e.svc.Fetches.(*memStore)
	var found bool
	for _, f := range st.fetches {
		if f.URL != srv.URL+"/page" {
			continue
		}
		found = true
		rec, err := archive.ReadRecord(filepath.Join(e.dir, "warc", f.WARCFile), f.WARCOffset)
		if err != nil {
			t.Fatal(err)
		}
		if rec.TargetURI != f.URL || rec.StatusCode != 200 || string(rec.Payload) != okPage {
			t.Fatalf("archived record = %s %d %q", rec.TargetURI, rec.StatusCode, rec.Payload)
		}
	}
	if !found {
		t.Fatal("no fetch recorded for the page")
	}
	if body, ok := e.page(srv.URL + "/page"); !ok || string(body) != okPage {
		t.Fatalf("page handed on = %q, %v", body, ok)
	}
	// The feed's title and date travel with the page.
	if it := e.items[0]; it.Title != "Bài 0" || it.Published.IsZero() {
		t.Fatalf("frontier item handed on = %+v", it)
	}
}

// TestRun checks that the continuous scheduler polls a feed once within
// its interval and fetches each page once.
func TestRun(t *testing.T) {
	var feedHits, pageHits atomic.Int32
	srv := site(t, map[string]http.HandlerFunc{
		"/run.xml": func(w http.ResponseWriter, r *http.Request) {
			feedHits.Add(1)
			fmt.Fprint(w, rss("http://"+r.Host+"/page"))
		},
		"/page": func(w http.ResponseWriter, r *http.Request) {
			pageHits.Add(1)
			fmt.Fprint(w, okPage)
		},
	})
	cfg := testConfig()
	cfg.Tick = 10 * time.Millisecond
	e := newEnv(t, cfg, srv.URL+"/", []string{srv.URL + "/run.xml"}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- e.c.Run(ctx) }()
	deadline := time.After(10 * time.Second)
	for {
		if _, ok := e.page(srv.URL + "/page"); ok {
			break
		}
		select {
		case <-deadline:
			t.Fatal("page not fetched")
		case <-time.After(10 * time.Millisecond):
		}
	}
	time.Sleep(100 * time.Millisecond) // several more ticks
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if feedHits.Load() != 1 || pageHits.Load() != 1 {
		t.Fatalf("feed polled %d times, page fetched %d times; want 1 and 1", feedHits.Load(), pageHits.Load())
	}
	if src := e.source(); src.Health.LastSuccess.IsZero() || src.Health.ConsecutiveFailures != 0 {
		t.Fatalf("health = %+v", src.Health)
	}
}

func FuzzRobots(f *testing.F) {
	f.Add([]byte("User-agent: *\nDisallow: /private/\nCrawl-delay: 5\nSitemap: https://baomau.vn/sitemap.xml\n"))
	f.Add([]byte("User-agent: diembao\nAllow: /\n\nUser-agent: *\nDisallow: /\n"))
	f.Add([]byte("\xef\xbb\xbfUser-agent:*\r\nDisallow:/*?*\r\nCrawl-delay: 1e400\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		data, err := robotstxt.FromStatusAndBytes(200, body)
		if err != nil {
			return
		}
		g := data.FindGroup("diembao/1.0 (+https://github.com/diembao/diembao)")
		g.Test("/tin-tuc/a.html?x=1")
		if d := min(g.CrawlDelay, DefaultMaxCrawlDelay); d > DefaultMaxCrawlDelay {
			t.Fatalf("crawl delay %v over the cap", d)
		}
		for _, s := range data.Sitemaps {
			_, _ = Canonicalize(s, nil)
		}
	})
}

func TestSilent(t *testing.T) {
	now := time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	tests := []struct {
		name string
		a    diembao.SourceActivity
		want bool
	}{
		{"no history", diembao.SourceActivity{}, false},
		{"busy and fresh", diembao.SourceActivity{Discovered: 400, First: now.Add(-30 * day), Last: now.Add(-time.Hour)}, false},
		{"busy, quiet for three days", diembao.SourceActivity{Discovered: 300, First: now.Add(-30 * day), Last: now.Add(-3 * day)}, true},
		{"weekly, quiet for three days", diembao.SourceActivity{Discovered: 2, First: now.Add(-30 * day), Last: now.Add(-3 * day)}, false},
		{"weekly, quiet for four weeks", diembao.SourceActivity{Discovered: 0, First: now.Add(-60 * day), Last: now.Add(-28 * day)}, true},
		{"new source", diembao.SourceActivity{Discovered: 50, First: now.Add(-3 * time.Hour), Last: now.Add(-2 * time.Hour)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Silent(tt.a, now); got != tt.want {
				t.Fatalf("Silent(%+v) = %v, want %v", tt.a, got, tt.want)
			}
		})
	}
}
