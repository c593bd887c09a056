package demosite

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"html"
	"image/gif"
	"io"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/diembao/diembao"
)

// startSite starts the demo site for one test and stops it afterwards.
func startSite(t testing.TB) *Site {
	t.Helper()
	s, err := Start(t.Context())
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// get fetches u and returns the response with its body read.
func get(t testing.TB, u string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read: %v", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", u, resp.StatusCode)
	}
	return resp, b
}

var (
	scriptRE = regexp.MustCompile(`(?is)<(script|style|head)\b.*?</(script|style|head)>`)
	blockRE  = regexp.MustCompile(`(?i)<(/p|/h[1-6]|/li|/td|/div|br ?/?|/figcaption|/span)>`)
	tagRE    = regexp.MustCompile(`<[^>]*>`)
	spaceRE  = regexp.MustCompile(`[ \t\r\f\v\xa0]+`)
)

// visibleText returns a page's text as a reader sees it, one block a line.
func visibleText(page string) string {
	page = scriptRE.ReplaceAllString(page, "")
	page = blockRE.ReplaceAllString(page, "\n")
	page = html.UnescapeString(tagRE.ReplaceAllString(page, ""))
	var lines []string
	for line := range strings.Lines(page) {
		if line = strings.TrimSpace(spaceRE.ReplaceAllString(line, " ")); line != "" {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, "\n")
}

func TestStart(t *testing.T) {
	s := startSite(t)
	arts := s.Articles()
	srcs := s.Sources()

	if len(srcs) < 3 {
		t.Fatalf("%d outlets, want at least 3", len(srcs))
	}
	hosts := map[string]bool{}
	for _, src := range srcs {
		if !src.Enabled || src.Name == "" || len(src.Feeds) == 0 || len(src.Sitemaps) == 0 {
			t.Errorf("source %+v: want a name, a feed, a sitemap and enabled", src)
		}
		if !slices.Contains(src.Collections, Collection) {
			t.Errorf("source %s: collections %v lack %q", src.Name, src.Collections, Collection)
		}
		hosts[src.Homepage] = true
	}
	if len(hosts) != len(srcs) {
		t.Errorf("%d outlets share %d homepages; want one host each", len(srcs), len(hosts))
	}

	originals := 0
	seen := map[string]bool{}
	for _, a := range arts {
		if seen[a.URL] {
			t.Errorf("URL %s listed twice", a.URL)
		}
		seen[a.URL] = true
		if a.Original == "" {
			originals++
		}
	}
	if originals < 30 {
		t.Errorf("%d original articles, want at least 30", originals)
	}
	perOutlet := map[string]int{}
	for _, a := range arts {
		perOutlet[a.SourceName]++
	}
	for _, src := range srcs {
		if perOutlet[src.Name] < 8 {
			t.Errorf("%s has %d articles, want at least 8", src.Name, perOutlet[src.Name])
		}
	}
}

func TestArticlePages(t *testing.T) {
	s := startSite(t)
	for _, a := range s.Articles() {
		t.Run(a.URL[strings.LastIndexByte(a.URL, '/')+1:], func(t *testing.T) {
			resp, body := get(t, a.URL)
			if a.Encoding != "" {
				// Checked by TestLegacyPage.
				return
			}
			if ct := resp.Header.Get("Content-Type"); !strings.Contains(ct, "utf-8") {
				t.Errorf("Content-Type %q, want UTF-8", ct)
			}
			if !utf8.Valid(body) {
				t.Fatal("page is not valid UTF-8")
			}
			text := visibleText(string(body))
			want := []string{a.Title, a.Sapo, a.Section}
			for _, p := range a.Body {
				want = append(want, p.Text)
			}
			want = append(want, a.Captions...)
			if a.Author != "" {
				want = append(want, a.Author)
			}
			if a.Attribution != nil {
				want = append(want, a.Attribution.String())
			}
			for _, w := range want {
				if !strings.Contains(text, w) {
					t.Errorf("visible text lacks %q", w)
				}
			}
			if a.Attribution != nil && strings.Index(text, a.Attribution.String()) < strings.Index(text, a.Body[len(a.Body)-1].Text) {
				t.Errorf("attribution %q is not printed after the body", a.Attribution)
			}
			if a.Language != "vi" || a.SourceName == "" || a.Published.IsZero() {
				t.Errorf("gold %q lacks language, source or date", a.Title)
			}
			for _, img := range a.Images {
				resp, body := get(t, img.URL)
				if ct := resp.Header.Get("Content-Type"); ct != "image/gif" {
					t.Errorf("image %s: Content-Type %q", img.URL, ct)
				}
				if _, err := gif.Decode(bytes.NewReader(body)); err != nil {
					t.Errorf("image %s: %v", img.URL, err)
				}
			}
		})
	}
}

// Feed documents, decoded loosely: RSS items or Atom entries.
type feedDoc struct {
	XMLName xml.Name
	Items   []struct {
		Link    string `xml:"link"`
		PubDate string `xml:"pubDate"`
	} `xml:"channel>item"`
	Entries []struct {
		Link struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Published string `xml:"published"`
	} `xml:"entry"`
}

type sitemapDoc struct {
	XMLName xml.Name
	Locs    []string `xml:"url>loc"`
	Maps    []string `xml:"sitemap>loc"`
}

func TestFeedsListEveryArticle(t *testing.T) {
	s := startSite(t)
	arts := s.Articles()
	kinds := map[string]bool{}
	for _, src := range s.Sources() {
		for _, f := range src.Feeds {
			t.Run(f[strings.LastIndexByte(f, '/')+1:], func(t *testing.T) {
				_, body := get(t, f)
				var doc feedDoc
				if err := xml.Unmarshal(body, &doc); err != nil {
					t.Fatalf("feed %s: %v", f, err)
				}
				kinds[doc.XMLName.Local] = true
				var links []string
				for _, it := range doc.Items {
					if it.PubDate == "" {
						t.Errorf("item %s has no pubDate", it.Link)
					}
					links = append(links, it.Link)
				}
				for _, e := range doc.Entries {
					if e.Published == "" {
						t.Errorf("entry %s has no published", e.Link.Href)
					}
					links = append(links, e.Link.Href)
				}
				checkCovers(t, "feed", src, arts, links)
			})
		}
	}
	if !kinds["rss"] || !kinds["feed"] {
		t.Errorf("feed kinds %v, want both RSS and Atom", kinds)
	}
}

func TestSitemaps(t *testing.T) {
	s := startSite(t)
	arts := s.Articles()
	index := false
	for _, src := range s.Sources() {
		t.Run(src.Name, func(t *testing.T) {
			var locs []string
			queue := slices.Clone(src.Sitemaps)
			for i := 0; i < len(queue) && i < 20; i++ {
				_, body := get(t, queue[i])
				var doc sitemapDoc
				if err := xml.Unmarshal(body, &doc); err != nil {
					t.Fatalf("sitemap %s: %v", queue[i], err)
				}
				switch doc.XMLName.Local {
				case "sitemapindex":
					index = true
					queue = append(queue, doc.Maps...)
				case "urlset":
					locs = append(locs, doc.Locs...)
				default:
					t.Fatalf("sitemap %s: root element %q", queue[i], doc.XMLName.Local)
				}
			}
			checkCovers(t, "sitemap", src, arts, locs)
		})
	}
	if !index {
		t.Error("no outlet has a sitemap index")
	}
}

// checkCovers reports articles of src missing from urls, and urls on src's
// host that are not pages of the site.
func checkCovers(t *testing.T, what string, src diembao.Source, arts []Article, urls []string) {
	t.Helper()
	for _, a := range arts {
		if a.SourceName == src.Name && !slices.Contains(urls, a.URL) {
			t.Errorf("%s lacks %s", what, a.URL)
		}
	}
	for _, u := range urls {
		if !strings.HasPrefix(u, src.Homepage) {
			t.Errorf("%s lists %s, not on %s", what, u, src.Homepage)
		}
	}
}

func TestRobots(t *testing.T) {
	s := startSite(t)
	for _, src := range s.Sources() {
		t.Run(src.Name, func(t *testing.T) {
			resp, body := get(t, src.Homepage+"robots.txt")
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
				t.Errorf("Content-Type %q", ct)
			}
			text := string(body)
			if !strings.HasPrefix(text, "User-agent: *\n") {
				t.Errorf("robots.txt does not open with a User-agent group:\n%s", text)
			}
			if !strings.Contains(text, "\nSitemap: "+src.Sitemaps[0]+"\n") {
				t.Errorf("robots.txt does not name the sitemap %s:\n%s", src.Sitemaps[0], text)
			}
			for _, a := range s.Articles() {
				if a.SourceName == src.Name && disallowed(text, a.URL[len(src.Homepage)-1:]) {
					t.Errorf("robots.txt disallows article %s", a.URL)
				}
			}
		})
	}
}

// disallowed reports whether a Disallow rule of robots matches path.
func disallowed(robots, path string) bool {
	for line := range strings.Lines(robots) {
		if rule, ok := strings.CutPrefix(strings.TrimSpace(line), "Disallow: "); ok && strings.HasPrefix(path, rule) {
			return true
		}
	}
	return false
}

func TestListingsLinkEveryArticle(t *testing.T) {
	s := startSite(t)
	for _, src := range s.Sources() {
		t.Run(src.Name, func(t *testing.T) {
			_, body := get(t, src.Homepage)
			page := html.UnescapeString(string(body))
			for _, a := range s.Articles() {
				if a.SourceName == src.Name && !strings.Contains(page, `href="`+a.URL+`"`) {
					t.Errorf("home page does not link %s", a.URL)
				}
			}
		})
	}
}

func TestSyndicatedCopies(t *testing.T) {
	s := startSite(t)
	arts := s.Articles()
	byURL := map[string]Article{}
	for _, a := range arts {
		byURL[a.URL] = a
	}
	kinds := map[string]int{}
	for _, a := range arts {
		if a.Attribution != nil {
			kinds[a.Attribution.Kind]++
		}
		if a.Original == "" {
			continue
		}
		orig, ok := byURL[a.Original]
		switch {
		case !ok:
			t.Errorf("%s republishes %s, which the site does not serve", a.URL, a.Original)
		case orig.SourceName == a.SourceName:
			t.Errorf("%s republishes an article of its own outlet", a.URL)
		case a.Attribution == nil:
			t.Errorf("copy %s has no attribution", a.URL)
		case a.BodyText() != orig.BodyText():
			t.Errorf("copy %s body differs from its original", a.URL)
		case a.Published.Before(truncateDay(orig.Published)):
			t.Errorf("copy %s is not published after its original", a.URL)
		}
	}
	for _, k := range []string{"Nguồn", "Theo", ""} {
		if kinds[k] == 0 {
			t.Errorf("no attribution of kind %q; have %v", k, kinds)
		}
	}
}

func TestPortalDates(t *testing.T) {
	s := startSite(t)
	n := 0
	for _, a := range s.Articles() {
		if a.PageDate.IsZero() {
			continue
		}
		n++
		if a.PublishedPrecision != diembao.PrecisionDay || a.PublishedFrom != "dateline" {
			t.Errorf("%s: portal date %s from %q, want a day from the dateline", a.URL, a.PublishedPrecision, a.PublishedFrom)
		}
		if a.PageDate.Before(a.Published) {
			t.Errorf("%s: header date %s before the article's %s", a.URL, a.PageDate, a.Published)
		}
		if !hasDateline(a.Sapo, a.Published) {
			t.Errorf("%s: lead %q lacks the dateline", a.URL, a.Sapo)
		}
		if a.Encoding != "" {
			continue
		}
		_, body := get(t, a.URL)
		if want := portalDate(a.PageDate); !strings.Contains(string(body), want) {
			t.Errorf("%s: header lacks %q", a.URL, want)
		}
		if strings.Contains(string(body), a.Published.Format("02/01/2006")+" ") {
			t.Errorf("%s: the page prints the article's date outside the lead", a.URL)
		}
	}
	if n == 0 {
		t.Fatal("no portal article has a header date")
	}
}

func TestHandlerErrors(t *testing.T) {
	s := startSite(t)
	home := s.Sources()[0].Homepage
	tests := []struct {
		name, method, path string
		want               int
	}{
		{"unknown path", http.MethodGet, "khong-co-trang-nay.html", http.StatusNotFound},
		{"unknown portal id", http.MethodGet, "Default.aspx?tabid=86&ID=1", http.StatusNotFound},
		{"post", http.MethodPost, "", http.StatusMethodNotAllowed},
		{"head", http.MethodHead, "", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), tt.method, home+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("%s %s: status %d, want %d", tt.method, tt.path, resp.StatusCode, tt.want)
			}
		})
	}
}

func TestStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	s, err := Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	home := s.Sources()[0].Homepage
	get(t, home)
	cancel()
	if err := s.Close(); err != nil {
		t.Fatalf("Close after cancel: %v", err)
	}
	if resp, err := http.Get(home); err == nil {
		resp.Body.Close()
		t.Errorf("GET %s after Close: status %d, want a refused connection", home, resp.StatusCode)
	}
}

func TestHasDateline(t *testing.T) {
	day := func(d, m int) string { return fmt.Sprintf("2020-%02d-%02d", m, d) }
	tests := []struct {
		lead, date string
		want       bool
	}{
		{"Chiều 10/1, Ban Chỉ đạo họp.", day(10, 1), true},
		{"Sáng 30/12, hàng nghìn người dân ra quân.", "2019-12-30", true},
		{"Ngày 9/1/2004, hội nghị tổng kết.", "2004-01-09", true},
		{"Chiều 10/1, Ban Chỉ đạo họp.", day(11, 1), false},
		{"Ban Chỉ đạo họp chiều 10/1.", day(10, 1), false},
		{"Không có ngày tháng nào ở đây, chỉ có chữ.", day(10, 1), false},
	}
	for _, tt := range tests {
		t.Run(tt.lead, func(t *testing.T) {
			d, err := parseDay(tt.date)
			if err != nil {
				t.Fatal(err)
			}
			if got := hasDateline(tt.lead, d); got != tt.want {
				t.Errorf("hasDateline(%q, %s) = %v, want %v", tt.lead, tt.date, got, tt.want)
			}
		})
	}
}

// parseDay parses a YYYY-MM-DD day in Vietnam's time zone.
func parseDay(s string) (time.Time, error) {
	return time.ParseInLocation("2006-01-02", s, diembao.Vietnam)
}

func TestParseAttribution(t *testing.T) {
	tests := []struct {
		line string
		want *diembao.Attribution
	}{
		{"Nguồn Báo Hà Nam", &diembao.Attribution{Kind: "Nguồn", Outlet: "Báo Hà Nam"}},
		{"Nguồn: Báo Hà Nam", &diembao.Attribution{Kind: "Nguồn", Outlet: "Báo Hà Nam"}},
		{"Theo Nhật báo Phương Nam Demo", &diembao.Attribution{Kind: "Theo", Outlet: "Nhật báo Phương Nam Demo"}},
		{"(BaoSongHongDemo.vn)", &diembao.Attribution{Outlet: "BaoSongHongDemo.vn"}},
		{"  ", nil},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			got := parseAttribution(tt.line)
			if (got == nil) != (tt.want == nil) || got != nil && *got != *tt.want {
				t.Errorf("parseAttribution(%q) = %+v, want %+v", tt.line, got, tt.want)
			}
		})
	}
}

func BenchmarkStart(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		s, err := Start(b.Context())
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

func BenchmarkServeArticle(b *testing.B) {
	s := startSite(b)
	u := s.Articles()[0].URL
	b.ReportAllocs()
	for b.Loop() {
		resp, err := http.Get(u)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

func TestStartOnGivenAddresses(t *testing.T) {
	first, err := Start(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var addrs []string
	for _, src := range first.Sources() {
		addrs = append(addrs, strings.TrimSuffix(strings.TrimPrefix(src.Homepage, "http://"), "/"))
	}
	urls := first.Articles()
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := Start(t.Context(), addrs...)
	if err != nil {
		t.Fatalf("Start on %v: %v", addrs, err)
	}
	defer again.Close()
	for i, a := range again.Articles() {
		if a.URL != urls[i].URL {
			t.Fatalf("article %d at %s, was %s", i, a.URL, urls[i].URL)
		}
	}
	get(t, again.Articles()[0].URL)
}

func TestStartAddressInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	s, err := Start(t.Context(), "", ln.Addr().String())
	if err == nil {
		s.Close()
		t.Fatalf("Start on the busy address %s succeeded", ln.Addr())
	}
	if !strings.HasPrefix(err.Error(), "demosite: listen for ") {
		t.Errorf("error %q does not say which outlet could not listen", err)
	}
}
