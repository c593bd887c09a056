package http

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao"
)

// hostileTitle is a title as a hostile or broken page might carry it.
const hostileTitle = `<script>alert("x")</script> Tin <b>nóng</b> & "mới"`

func TestSearchPageEscapesExtractedText(t *testing.T) {
	env := newTestEnv(t)
	env.search.res = &diembao.SearchResult{
		Total: 1,
		Hits: []diembao.Hit{{
			ID: 7, URL: "javascript:alert(1)", Title: hostileTitle, Source: `<img src=x onerror=alert(1)>`,
			Snippet: `a <script>b</script> c`, Highlights: []diembao.Span{{Start: 2, End: 10}},
		}},
	}
	rec := env.get("/?q=%3Cscript%3E")
	body := rec.Body.String()
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	for _, bad := range []string{"<script>alert", "<b>nóng</b>", "<img src=x", "<script>b</script>", "javascript:alert"} {
		if strings.Contains(body, bad) {
			t.Errorf("page contains unescaped %q", bad)
		}
	}
	for _, want := range []string{
		"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Tin &lt;b&gt;nóng&lt;/b&gt; &amp; &#34;mới&#34;",
		"a <mark>&lt;script&gt;</mark>b&lt;/script&gt; c",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page does not contain %q", want)
		}
	}
}

func TestArticlePageEscapesExtractedText(t *testing.T) {
	env := newTestEnv(t)
	env.articles.byID[5] = &diembao.Article{
		ID: 5, URL: "javascript:alert(1)", Title: hostileTitle, Sapo: "<iframe src=x>",
		Body:     []diembao.Paragraph{{Text: "<style>body{}</style>"}, {Text: "<h1>x</h1>", Heading: true}},
		Captions: []string{`<img src=x onerror="alert(1)">`}, Author: "<b>A</b>",
	}
	rec := env.get("/articles/5")
	body := rec.Body.String()
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	for _, bad := range []string{"<script>alert", "<iframe", "<style>body", "<h1>x</h1>", "<img src=x", "<b>A</b>", `href="javascript:`} {
		if strings.Contains(body, bad) {
			t.Errorf("page contains unescaped %q", bad)
		}
	}
	if !strings.Contains(body, "<title>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
		t.Error("the page title is not escaped text")
	}
	if strings.Contains(body, "Xem bài gốc") {
		t.Error("a javascript: URL is offered as the original")
	}
}

func TestSearchPage(t *testing.T) {
	published := time.Date(2020, 1, 10, 8, 30, 0, 0, time.UTC) // 15:30 in Vietnam
	result := &diembao.SearchResult{
		Total: 42,
		Hits: []diembao.Hit{{
			ID: 1, URL: "https://baohanam.example/a.html", Title: "Ban Chỉ đạo 35 tỉnh triển khai nhiệm vụ",
			Source: "Báo Hà Nam", Published: published,
			Snippet:    "Chiều 10/1, Ban Chỉ đạo bảo vệ nền tảng",
			Highlights: []diembao.Span{{Start: len("Chiều 10/1, "), End: len("Chiều 10/1, Ban")}, {Start: len("Chiều 10/1, Ban "), End: len("Chiều 10/1, Ban Chỉ")}},
		}},
		NextCursor: "c2",
		Facets: map[string][]diembao.FacetCount{
			"source":  {{Value: "1", Count: 30}, {Value: "Tin Nhanh", Count: 12}, {Value: "Báo Xa, bản in", Count: 1}},
			"section": {{Value: "Chính trị", Count: 40}},
			"day":     {{Value: "2020-01-10", Count: 42}},
		},
	}
	tests := []struct {
		name   string
		target string
		status int
		want   []string
		absent []string
	}{
		{"home", "/", 200,
			[]string{"Tìm trong kho báo chí", `name="q"`, "Bài mới nhất", "Kho lưu trữ đang có 3 bài", `href="/articles/1"`},
			[]string{"Tìm thấy"}},
		{"results", "/?q=ban+chi+dao+35", 200,
			[]string{
				"Tìm thấy 42 bài",
				`value="ban chi dao 35"`,
				`<a href="/articles/1">Ban Chỉ đạo 35 tỉnh triển khai nhiệm vụ</a>`,
				"Báo Hà Nam",
				"Thứ Sáu, 10/01/2020 15:30",
				`datetime="2020-01-10T15:30:00&#43;07:00"`,
				"Chiều 10/1, <mark>Ban</mark> <mark>Chỉ</mark> đạo",
				"Xem bài gốc",
				`rel="next"`, "Trang sau",
				"cursor=c2", "page=2",
				"Nguồn", "Chuyên mục", "Ngày đăng",
				"href=\"/?q=ban&#43;chi&#43;dao&#43;35&amp;source=1\"",
				"href=\"/?q=ban&#43;chi&#43;dao&#43;35&amp;source=2\"",
				"href=\"/?q=ban&#43;chi&#43;dao&#43;35&amp;source=B%C3%A1o&#43;Xa%2C&#43;b%E1%BA%A3n&#43;in\"",
				"10/01/2020",
				`<option value="relevance" selected>`,
			},
			[]string{"Trang đầu", "Bài mới nhất"}},
		{"second page with filters", "/?q=ban&source=1&sort=newest&cursor=c1&page=2", 200,
			[]string{"Trang 2", "Trang đầu", "Đang lọc:", "Nguồn: Báo Hà Nam", `name="source" value="1"`,
				`<option value="newest" selected>`, `class="active" aria-current="true"`},
			nil},
		{"date filters fill the date fields", "/?q=ban&since=2020-01-01&until=2020-01-31T00:00:00Z", 200,
			[]string{`id="since" name="since" type="date" value="2020-01-01"`, `id="until" name="until" type="date" value=""`,
				`type="hidden" name="until" value="2020-01-31T00:00:00Z"`, "Từ ngày: 01/01/2020"},
			[]string{`type="hidden" name="since"`}},
		{"bad parameter", "/?q=ban&sort=sideways", 400,
			[]string{"Truy vấn chưa hợp lệ", "sideways", `role="alert"`},
			[]string{"Tìm thấy"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			env.search.res = result
			rec := env.get(tt.target)
			body := rec.Body.String()
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d", rec.Code, tt.status)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("page does not contain %q", w)
				}
			}
			for _, a := range tt.absent {
				if strings.Contains(body, a) {
					t.Errorf("page contains %q", a)
				}
			}
		})
	}
}

func TestSearchPageLowerBound(t *testing.T) {
	env := newTestEnv(t)
	env.search.res = &diembao.SearchResult{Total: 100000, TotalLowerBound: true, Ranked: 5000,
		Hits: []diembao.Hit{{ID: 1, URL: "https://baohanam.example/a.html", Title: "Tin"}}}
	body := env.get("/?q=tin").Body.String()
	if !strings.Contains(body, "Tìm thấy hơn 100.000 bài") {
		t.Errorf("a lower bound is not shown as one: %s", body[strings.Index(body, "results-count"):][:120])
	}
	if !strings.Contains(body, "Xếp theo mức liên quan trong 5.000 bài mới nhất") {
		t.Error("the page does not say that relevance ranked the newest matches only")
	}
}

func TestSearchPageSyntaxError(t *testing.T) {
	env := newTestEnv(t)
	env.search.err = &diembao.Error{Code: diembao.EINVALID, Message: "Thiếu dấu ngoặc kép đóng.", Pos: len(`bản "`)}
	rec := env.get("/?q=b%E1%BA%A3n+%22ch%E1%BB%89")
	body := rec.Body.String()
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("status %d", rec.Code)
	}
	for _, w := range []string{"Truy vấn chưa hợp lệ", "Thiếu dấu ngoặc kép đóng.", "ký tự thứ 6",
		`<code>bản &#34;<mark class="err-at">c</mark>hỉ</code>`} {
		if !strings.Contains(body, w) {
			t.Errorf("page does not contain %q\n%s", w, body)
		}
	}
}

func TestSearchPageInternalError(t *testing.T) {
	env := newTestEnv(t)
	env.search.err = errors.New("sqlite: no such table: fts_secret")
	rec := env.get("/?q=a")
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("status %d", rec.Code)
	}
	if strings.Contains(rec.Body.String(), "fts_secret") || !strings.Contains(rec.Body.String(), "lỗi nội bộ") {
		t.Errorf("internal error page:\n%s", rec.Body)
	}
}

func TestArticlePage(t *testing.T) {
	tests := []struct {
		name   string
		path   string
		status int
		want   []string
	}{
		{"full article", "/articles/1", 200, []string{
			"<h1 id=\"tieu-de\">Ban Chỉ đạo 35 tỉnh triển khai nhiệm vụ công tác năm 2020</h1>",
			`<p class="sapo">Chiều 10/1, Ban Chỉ đạo bảo vệ nền tảng tư tưởng`,
			"<h2>Những việc đã làm</h2>",
			"<p>Trong năm qua, các cấp ủy",
			"Chú thích ảnh", "<li>Quang cảnh hội nghị",
			"Nguồn Báo Hà Nam", "Minh Anh",
			`href="https://baohanam.example/chinh-tri/ban-chi-dao-35-tinh-trien-khai-nhiem-vu-2020.html"`, "Xem bài gốc",
			"Thời gian đăng", "Thứ Sáu, 10/01/2020 15:30", "chính xác đến phút", "dòng ngày tháng trong bài",
			"Thời gian lấy về", "Thứ Hai, 13/01/2020 08:05",
			"Chính trị",
		}},
		{"day precision shows no time", "/articles/2", 200, []string{
			"Chủ nhật, 12/01/2020</time>", "chỉ biết ngày", "thẻ meta",
		}},
		{"missing", "/articles/404", 404, []string{"Không tìm thấy trang", "404"}},
		{"bad ID", "/articles/x1", 400, []string{"Yêu cầu chưa hợp lệ"}},
		{"unknown page", "/tin-tuc", 404, []string{"Không tìm thấy trang"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			rec := env.get(tt.path)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d", rec.Code, tt.status)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			body := rec.Body.String()
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("page does not contain %q", w)
				}
			}
		})
	}
}

func TestSourcesPage(t *testing.T) {
	env := newTestEnv(t)
	rec := env.get("/sources")
	body := rec.Body.String()
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	for _, w := range []string{
		"Báo Hà Nam", "baohanam.example", "Báo địa phương", "Hà Nam", "https://baohanam.example/rss/chinh-tri.rss",
		`<span class="status status-ok">Bình thường</span>`, "Thứ Hai, 13/01/2020 08:05",
		"Tin Nhanh", `<span class="status status-failing">Đang lỗi</span>`, "dial tcp: connection refused &lt;b&gt;",
		`<td class="num">3</td>`, `aria-current="page">Nguồn</a>`,
		`href="/sources" aria-current="page">Tất cả <span class="count">2</span>`,
		`href="/sources?status=failing">Đang lỗi <span class="count">1</span>`,
	} {
		if !strings.Contains(body, w) {
			t.Errorf("page does not contain %q", w)
		}
	}
}

func TestSourcesPageStatusFilter(t *testing.T) {
	tests := []struct {
		status string
		code   int
		want   []string
		absent []string
	}{
		{"failing", 200, []string{"Tin Nhanh", `href="/sources?status=failing" aria-current="page"`}, []string{"baohanam.example/rss"}},
		{"ok", 200, []string{"baohanam.example/rss"}, []string{"connection refused"}},
		{"silent", 200, []string{"Không có nguồn nào ở trạng thái này."}, []string{"<table"}},
		{"sideways", 400, []string{"Yêu cầu chưa hợp lệ"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.status, func(t *testing.T) {
			env := newTestEnv(t)
			rec := env.get("/sources?status=" + tt.status)
			if rec.Code != tt.code {
				t.Fatalf("status %d, want %d", rec.Code, tt.code)
			}
			for _, w := range tt.want {
				if !strings.Contains(rec.Body.String(), w) {
					t.Errorf("page does not contain %q", w)
				}
			}
			for _, a := range tt.absent {
				if strings.Contains(rec.Body.String(), a) {
					t.Errorf("page contains %q", a)
				}
			}
		})
	}
}

func TestStaticAssets(t *testing.T) {
	env := newTestEnv(t)
	tests := []struct {
		path   string
		status int
		ctype  string
	}{
		{"/static/style.css", 200, "text/css; charset=utf-8"},
		{"/static/app.js", 200, "text/javascript; charset=utf-8"},
		{"/static/favicon.svg", 200, "image/svg+xml"},
		{"/favicon.ico", 200, "image/svg+xml"},
		{"/static/missing.css", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			rec := env.get(tt.path)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d", rec.Code, tt.status)
			}
			if tt.ctype != "" && rec.Header().Get("Content-Type") != tt.ctype {
				t.Errorf("Content-Type %q, want %q", rec.Header().Get("Content-Type"), tt.ctype)
			}
		})
	}

	rec := env.get("/static/style.css")
	req := httptest.NewRequest(http.MethodGet, "/static/style.css", nil)
	req.Header.Set("If-None-Match", rec.Header().Get("ETag"))
	rec2 := httptest.NewRecorder()
	env.srv.ServeHTTP(rec2, req)
	if rec2.Code != http.StatusNotModified {
		t.Errorf("revalidation: status %d, want 304", rec2.Code)
	}
}

func TestPagesUseNoInlineScript(t *testing.T) {
	env := newTestEnv(t)
	for _, path := range []string{"/", "/?q=a", "/articles/1", "/sources", "/missing"} {
		body := env.get(path).Body.String()
		if strings.Contains(body, "<script>") || strings.Contains(body, " style=") || strings.Contains(body, "onclick") {
			t.Errorf("%s has inline script or style", path)
		}
		if strings.Contains(body, "http://") && !strings.Contains(path, "articles") {
			t.Errorf("%s refers to another site over http", path)
		}
	}
}
