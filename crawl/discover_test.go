package crawl

import (
	"context"
	"fmt"
	"net/url"
	"testing"
)

func TestFeedLinks(t *testing.T) {
	base, _ := url.Parse("https://baomau.vn/")
	page := `<html><head>
		<link rel="alternate" type="application/rss+xml" title="Tin mới" href="/rss/tin-moi.rss">
		<link rel="alternate" type="application/atom+xml" href="https://baomau.vn/atom.xml">
		<link rel="alternate" hreflang="en" href="/en/">
		<link rel="stylesheet" href="/s.css">
		</head><body><a href="/rss/the-thao.rss">Thể thao</a><a href="/tin/1.html">Tin</a></body></html>`
	got := feedLinks([]byte(page), base)
	want := "[https://baomau.vn/rss/tin-moi.rss https://baomau.vn/atom.xml https://baomau.vn/rss/the-thao.rss]"
	if fmt.Sprint(got) != want {
		t.Fatalf("feedLinks = %v, want %s", got, want)
	}
}

func TestDiscover(t *testing.T) {
	tests := []struct {
		name         string
		home, robots string
		feeds        map[string]string
		wantFeeds    int
		wantSitemaps int
	}{
		{
			name:   "declared feed and robots sitemap",
			home:   `<html><head><link rel="alternate" type="application/rss+xml" href="/rss/home.rss"></head></html>`,
			robots: "User-agent: *\nDisallow: /admin/\nSitemap: {{base}}/sitemap-news.xml\n",
			feeds: map[string]string{
				"/rss/home.rss":     rss("{{base}}/tin/1.html"),
				"/sitemap-news.xml": `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{{base}}/tin/1.html</loc></url></urlset>`,
			},
			wantFeeds: 1, wantSitemaps: 1,
		},
		{
			name:      "common path",
			home:      `<html><body>Trang chủ</body></html>`,
			feeds:     map[string]string{"/feed": rss("{{base}}/tin/2.html")},
			wantFeeds: 1,
		},
		{
			name:  "declared feed that is not a feed",
			home:  `<html><head><link rel="alternate" type="application/rss+xml" href="/broken.rss"></head></html>`,
			feeds: map[string]string{"/broken.rss": "<html>not found</html>"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bodies := map[string]string{"/": tt.home}
			if tt.robots != "" {
				bodies["/robots.txt"] = tt.robots
			}
			for p, b := range tt.feeds {
				bodies[p] = b
			}
			srv := newMock(t, bodies, nil)
			f := NewFetcher(testConfig(), nil, nil)
			defer f.Close()
			d, err := Discover(context.Background(), f, srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Feeds) != tt.wantFeeds || len(d.Sitemaps) != tt.wantSitemaps {
				t.Fatalf("Discover = %+v, want %d feeds and %d sitemaps", d, tt.wantFeeds, tt.wantSitemaps)
			}
			for _, u := range append(d.Feeds, d.Sitemaps...) {
				if r := Check(context.Background(), f, u); r.Err != nil || r.Links != 1 {
					t.Errorf("Check(%s) = %+v", u, r)
				}
			}
		})
	}
}
