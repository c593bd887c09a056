package crawl

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseListing(t *testing.T) {
	base, _ := url.Parse("https://baomau.vn/rss/tin-moi.rss")
	ict := time.FixedZone("", 7*3600)
	tests := []struct {
		file     string
		kind     string
		links    []Link
		sitemaps []string
	}{
		{file: "rss.xml", kind: "rss", links: []Link{
			{URL: "https://baomau.vn/kinh-te/hoi-cho-nong-san-101.html", Title: "Khai mạc hội chợ nông sản", Published: time.Date(2026, 3, 2, 8, 30, 0, 0, ict)},
			{URL: "https://baomau.vn/thoi-su/mua-lon-102.html", Title: "Mưa lớn ở miền Trung", Published: time.Date(2026, 3, 2, 7, 0, 0, 0, ict)},
		}},
		{file: "atom.xml", kind: "atom", links: []Link{
			{URL: "https://chaugiang.example.vn/van-hoa/dua-ghe-7.html", Title: "Lễ hội đua ghe", Published: time.Date(2026, 3, 2, 9, 0, 0, 0, ict)},
		}},
		{file: "news-sitemap.xml", kind: "urlset", links: []Link{
			{URL: "https://baomau.vn/xa-hoi/tin-a-201.html", Title: "Tin A của báo mẫu", Published: time.Date(2026, 3, 2, 10, 15, 0, 0, ict), News: true},
			{URL: "https://baomau.vn/xa-hoi/tin-b-202.html", Published: time.Date(2026, 3, 1, 0, 0, 0, 0, ict)},
		}},
		{file: "news-sitemap.xml.gz", kind: "urlset", links: []Link{
			{URL: "https://baomau.vn/xa-hoi/tin-a-201.html", Title: "Tin A của báo mẫu", Published: time.Date(2026, 3, 2, 10, 15, 0, 0, ict), News: true},
			{URL: "https://baomau.vn/xa-hoi/tin-b-202.html", Published: time.Date(2026, 3, 1, 0, 0, 0, 0, ict)},
		}},
		{file: "sitemap-index.xml", kind: "sitemapindex", sitemaps: []string{
			"https://baomau.vn/sitemaps/2026-01.xml", "https://baomau.vn/sitemaps/2026-03.xml",
			"https://baomau.vn/sitemaps/tags.xml", "https://baomau.vn/sitemaps/2026-02.xml",
		}},
		{file: "legacy-charset.xml", kind: "rss", links: []Link{{URL: "http://baocu.vn/a.htm", Title: "Bài cơ"}}}, // 0xF5 is ơ in Windows-1258
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			ls, err := ParseListing(body, base)
			if err != nil {
				t.Fatal(err)
			}
			if ls.Kind != tt.kind {
				t.Errorf("kind = %q, want %q", ls.Kind, tt.kind)
			}
			if len(ls.Links) != len(tt.links) {
				t.Fatalf("links = %+v, want %+v", ls.Links, tt.links)
			}
			for i, l := range ls.Links {
				w := tt.links[i]
				if l.URL != w.URL || l.Title != w.Title || !l.Published.Equal(w.Published) || l.News != w.News {
					t.Errorf("link %d = %+v, want %+v", i, l, w)
				}
			}
			var sm []string
			for _, s := range ls.Sitemaps {
				sm = append(sm, s.URL)
			}
			if fmt.Sprint(sm) != fmt.Sprint(tt.sitemaps) {
				t.Errorf("sitemaps = %v, want %v", sm, tt.sitemaps)
			}
		})
	}
}

func TestParseListingErrors(t *testing.T) {
	tests := []struct{ name, body string }{
		{"empty", ""},
		{"html", "<html><body>Trang chủ</body></html>"},
		{"truncated rss", `<rss version="2.0"><channel><item><title>x`},
		{"broken sitemap", `<urlset><url><loc>`},
		{"gzip garbage", "\x1f\x8b\x08garbage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if ls, err := ParseListing([]byte(tt.body), nil); err == nil && len(ls.Links) > 0 {
				t.Fatalf("ParseListing(%q) = %+v, want an error or nothing", tt.body, ls)
			}
		})
	}
}

func TestNewestSitemaps(t *testing.T) {
	body, _ := os.ReadFile(filepath.Join("testdata", "sitemap-index.xml"))
	ls, err := ParseListing(body, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range newestSitemaps(ls.Sitemaps, 3) {
		got = append(got, s.URL[strings.LastIndex(s.URL, "/")+1:])
	}
	if want := "[2026-03.xml 2026-02.xml 2026-01.xml]"; fmt.Sprint(got) != want {
		t.Fatalf("newest sitemaps = %v, want %s", got, want)
	}
}

func TestParseW3CDate(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2026-03-02T10:15:00+07:00", time.Date(2026, 3, 2, 3, 15, 0, 0, time.UTC), true},
		{"2026-03-02T10:15:00.123Z", time.Date(2026, 3, 2, 10, 15, 0, 123e6, time.UTC), true},
		{"2026-03-02T10:15+07:00", time.Date(2026, 3, 2, 3, 15, 0, 0, time.UTC), true},
		{"2026-03-02", time.Date(2026, 3, 1, 17, 0, 0, 0, time.UTC), true},
		{"2026-03-02T10:15:00", time.Date(2026, 3, 2, 3, 15, 0, 0, time.UTC), true},
		{"02/03/2026", time.Time{}, false},
		{"", time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseW3CDate(tt.in)
			if ok != tt.ok || !got.Equal(tt.want) {
				t.Fatalf("parseW3CDate(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func FuzzParseListing(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.xml*"))
	for _, p := range files {
		b, _ := os.ReadFile(p)
		f.Add(b)
	}
	f.Add([]byte(`<sitemapindex><sitemap><loc>/a</loc></sitemap></sitemapindex>`))
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1.1","items":[{"url":"/x"}]}`))
	base, _ := url.Parse("https://baomau.vn/")
	f.Fuzz(func(t *testing.T, body []byte) {
		ls, err := ParseListing(body, base)
		if err != nil {
			return
		}
		if len(ls.Links)+len(ls.Sitemaps) > MaxLinks {
			t.Fatalf("%d entries, over MaxLinks", len(ls.Links)+len(ls.Sitemaps))
		}
		for _, l := range ls.Links {
			if _, err := url.Parse(l.URL); err != nil || !strings.HasPrefix(l.URL, "http") {
				t.Fatalf("link %q is not an absolute http URL", l.URL)
			}
			if len(l.Title) > maxTitle {
				t.Fatalf("title of %d bytes", len(l.Title))
			}
		}
	})
}

func benchFeed(n int) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Tin</title>`)
	for i := range n {
		fmt.Fprintf(&b, `<item><title>Bài số %d về kinh tế</title><link>https://baomau.vn/kinh-te/bai-%d.html</link><pubDate>Mon, 02 Mar 2026 08:00:00 +0700</pubDate></item>`, i, i)
	}
	b.WriteString(`</channel></rss>`)
	return []byte(b.String())
}

func BenchmarkParseFeed(b *testing.B) {
	body := benchFeed(100)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := ParseListing(body, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseSitemap(b *testing.B) {
	var s strings.Builder
	s.WriteString(`<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
	for i := range 1000 {
		fmt.Fprintf(&s, `<url><loc>https://baomau.vn/bai-%d.html</loc><lastmod>2026-03-02T08:00:00+07:00</lastmod></url>`, i)
	}
	s.WriteString(`</urlset>`)
	body := []byte(s.String())
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := ParseListing(body, nil); err != nil {
			b.Fatal(err)
		}
	}
}
