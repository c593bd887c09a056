package http

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao"
)

// testArticles reads the project-written articles of testdata/articles.json.
func testArticles(t testing.TB) []*diembao.Article {
	t.Helper()
	data, err := os.ReadFile("testdata/articles.json")
	if err != nil {
		t.Fatal(err)
	}
	var list []*diembao.Article
	if err := json.Unmarshal(data, &list); err != nil {
		t.Fatal(err)
	}
	return list
}

// testSources returns two sources: one healthy, one failing.
func testSources() []*diembao.Source {
	return []*diembao.Source{
		{ID: 1, Name: "Báo Hà Nam", Homepage: "https://baohanam.example/", Kind: diembao.KindProvincial,
			Province: "Hà Nam", Feeds: []string{"https://baohanam.example/rss/chinh-tri.rss"}, Enabled: true,
			Health: diembao.SourceHealth{LastSuccess: time.Date(2020, 1, 13, 1, 5, 0, 0, time.UTC)}},
		{ID: 2, Name: "Tin Nhanh", Homepage: "https://tinnhanh.example/", Kind: diembao.KindNational, Enabled: true,
			Health: diembao.SourceHealth{ConsecutiveFailures: 3, LastError: "dial tcp: connection refused <b>"}},
	}
}

// testEnv is a server over fakes.
type testEnv struct {
	srv      *Server
	search   *fakeSearch
	articles *fakeArticles
	sources  *fakeSources
	logs     *strings.Builder
}

func newTestEnv(t testing.TB) *testEnv {
	t.Helper()
	env := &testEnv{
		search:   &fakeSearch{},
		articles: &fakeArticles{},
		sources:  &fakeSources{list: testSources()},
		logs:     &strings.Builder{},
	}
	for i, a := range testArticles(t) {
		a.ID = int64(i + 1)
		a.SourceID = int64(i + 1)
		if _, err := env.articles.PutArticle(t.Context(), a); err != nil {
			t.Fatal(err)
		}
	}
	logger := slog.New(slog.NewTextHandler(env.logs, nil))
	srv, err := NewServer(Config{Search: env.search, Articles: env.articles, Sources: env.sources, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	env.srv = srv
	return env
}

// get performs a GET request on the server.
func (env *testEnv) get(target string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	env.srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	return rec
}

// decodeError decodes a JSON error body.
func decodeError(t *testing.T, body string) apiError {
	t.Helper()
	var e apiError
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("error body is not JSON: %v\n%s", err, body)
	}
	return e
}

func TestNewServerRequiresServices(t *testing.T) {
	if _, err := NewServer(Config{Search: &fakeSearch{}}); err == nil {
		t.Fatal("NewServer without article and source services: want error")
	}
}

func TestAPISearchResult(t *testing.T) {
	env := newTestEnv(t)
	published := time.Date(2020, 1, 10, 15, 30, 0, 0, diembao.Vietnam)
	env.search.res = &diembao.SearchResult{
		Total: 1,
		Hits: []diembao.Hit{{ID: 1, URL: "https://baohanam.example/a.html", Title: "Ban Chỉ đạo 35 tỉnh",
			Source: "Báo Hà Nam", Published: published, Snippet: "Ban Chỉ đạo 35", Highlights: []diembao.Span{{Start: 0, End: 3}},
			Score: 2.5}},
		NextCursor: "abc",
		Facets:     map[string][]diembao.FacetCount{"source": {{Value: "1", Count: 1}}},
	}
	rec := env.get("/api/v1/search?q=ban+chi+dao+35&sort=newest&limit=5&facets=source,day&cursor=xyz")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d, body %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"total", "results", "next_cursor", "facets"} {
		if _, ok := got[key]; !ok {
			t.Errorf("response has no %q key: %s", key, rec.Body)
		}
	}
	var hits []map[string]any
	if err := json.Unmarshal(got["results"], &hits); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"id", "url", "title", "source", "published", "snippet", "score"} {
		if _, ok := hits[0][key]; !ok {
			t.Errorf("result has no %q key", key)
		}
	}
	req := env.search.lastRequest()
	if req.Query != "ban chi dao 35" || req.Sort != diembao.SortNewest || req.Limit != 5 || req.Cursor != "xyz" ||
		!slices.Equal(req.Facets, []string{"source", "day"}) {
		t.Errorf("request passed on as %+v", req)
	}
}

func TestAPISearchEmptyResultHasResultsArray(t *testing.T) {
	env := newTestEnv(t)
	rec := env.get("/api/v1/search?q=kh%C3%B4ng+c%C3%B3")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	if !strings.Contains(rec.Body.String(), `"results": []`) {
		t.Errorf("empty result should carry an empty results array: %s", rec.Body)
	}
}

func TestAPISearchRequest(t *testing.T) {
	day := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, diembao.Vietnam) }
	tests := []struct {
		name  string
		query string
		check func(t *testing.T, req diembao.SearchRequest)
	}{
		{"defaults", "q=ha+noi", func(t *testing.T, req diembao.SearchRequest) {
			if req.Sort != diembao.SortRelevance || req.Limit != 0 || req.Facets != nil || req.NoExpand {
				t.Errorf("got %+v", req)
			}
		}},
		{"limit clamped", "q=a&limit=5000", func(t *testing.T, req diembao.SearchRequest) {
			if req.Limit != maxLimit {
				t.Errorf("limit %d, want %d", req.Limit, maxLimit)
			}
		}},
		{"since and until are whole Vietnam days", "q=a&since=2020-01-01&until=2020-01-31", func(t *testing.T, req diembao.SearchRequest) {
			if !req.Since.Equal(day(2020, 1, 1)) {
				t.Errorf("since %v", req.Since)
			}
			if want := day(2020, 2, 1).Add(-time.Nanosecond); !req.Until.Equal(want) {
				t.Errorf("until %v, want %v", req.Until, want)
			}
		}},
		{"RFC 3339 since", "q=a&since=2020-01-01T10:00:00Z", func(t *testing.T, req diembao.SearchRequest) {
			if !req.Since.Equal(time.Date(2020, 1, 1, 10, 0, 0, 0, time.UTC)) {
				t.Errorf("since %v", req.Since)
			}
		}},
		{"day", "q=a&day=2020-01-10", func(t *testing.T, req diembao.SearchRequest) {
			if !req.Since.Equal(day(2020, 1, 10)) || !req.Until.Equal(day(2020, 1, 11).Add(-time.Nanosecond)) {
				t.Errorf("since %v until %v", req.Since, req.Until)
			}
		}},
		{"sources by ID, name and host", "q=a&source=2,1&source=b%C3%A1o+h%C3%A0+nam&source=tinnhanh.example", func(t *testing.T, req diembao.SearchRequest) {
			if !slices.Equal(req.SourceIDs, []int64{2, 1, 1, 2}) {
				t.Errorf("source IDs %v", req.SourceIDs)
			}
		}},
		{"section becomes a clause", "q=xe+bu%C3%BDt&section=X%C3%A3+h%E1%BB%99i", func(t *testing.T, req diembao.SearchRequest) {
			if req.Query != `(xe buýt) section:"Xã hội"` {
				t.Errorf("query %q", req.Query)
			}
		}},
		{"unconfigured source names become clauses", "q=a&source=Kh%C3%B4ng+C%C3%B3&source=B%C3%A1o+%22X%22,+b%E1%BA%A3n+in", func(t *testing.T, req diembao.SearchRequest) {
			if req.Query != `(a) (source:"Không Có" OR source:"Báo  X , bản in")` || req.SourceIDs != nil {
				t.Errorf("query %q, source IDs %v", req.Query, req.SourceIDs)
			}
		}},
		{"filters without a query", "source=Tin+Nhanh&section=A", func(t *testing.T, req diembao.SearchRequest) {
			if req.Query != `section:"A"` || !slices.Equal(req.SourceIDs, []int64{2}) {
				t.Errorf("query %q, source IDs %v", req.Query, req.SourceIDs)
			}
		}},
		{"expand off", "q=H%C4%90ND&expand=false", func(t *testing.T, req diembao.SearchRequest) {
			if !req.NoExpand {
				t.Error("NoExpand not set")
			}
		}},
		{"facets deduplicated", "q=a&facets=day,day,section", func(t *testing.T, req diembao.SearchRequest) {
			if !slices.Equal(req.Facets, []string{"day", "section"}) {
				t.Errorf("facets %v", req.Facets)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			rec := env.get("/api/v1/search?" + tt.query)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d, body %s", rec.Code, rec.Body)
			}
			tt.check(t, env.search.lastRequest())
		})
	}
}

func TestAPISearchErrors(t *testing.T) {
	syntax := &diembao.Error{Code: diembao.EINVALID, Message: "Unclosed quote.", Pos: 4}
	tests := []struct {
		name    string
		query   string
		svcErr  error
		status  int
		code    string
		pos     int // -1: no position
		message string
	}{
		{"empty query", "q=", nil, 400, diembao.EINVALID, -1, ""},
		{"bad sort", "q=a&sort=sideways", nil, 400, diembao.EINVALID, -1, "sort"},
		{"bad limit", "q=a&limit=-3", nil, 400, diembao.EINVALID, -1, "limit"},
		{"non-numeric limit", "q=a&limit=ten", nil, 400, diembao.EINVALID, -1, "limit"},
		{"unknown facet", "q=a&facets=author", nil, 400, diembao.EINVALID, -1, "facet"},
		{"bad since", "q=a&since=yesterday", nil, 400, diembao.EINVALID, -1, "since"},
		{"until before since", "q=a&since=2020-02-01&until=2020-01-01", nil, 400, diembao.EINVALID, -1, "until"},
		{"bad day", "q=a&day=2020-13-01", nil, 400, diembao.EINVALID, -1, "day"},
		{"bad expand", "q=a&expand=maybe", nil, 400, diembao.EINVALID, -1, "expand"},
		{"too long", "q=" + strings.Repeat("a", maxQueryBytes+1), nil, 400, diembao.EINVALID, -1, "long"},
		{"invalid UTF-8", "q=%FF%FE", nil, 400, diembao.EINVALID, -1, "UTF-8"},
		{"huge cursor", "q=a&cursor=" + strings.Repeat("x", maxCursorBytes+1), nil, 400, diembao.EINVALID, -1, "cursor"},
		{"syntax error with position", "q=ban+%22chi", syntax, 400, diembao.EINVALID, 4, "Unclosed quote."},
		{"syntax error position shifted back past the section clause", "q=ban+%22chi&section=A", syntax, 400, diembao.EINVALID, 3, "Unclosed quote."},
		{"wrapped syntax error", "q=a", fmt.Errorf("sqlite: search: %w", syntax), 400, diembao.EINVALID, 4, "Unclosed quote."},
		{"not found", "q=a", diembao.Errorf(diembao.ENOTFOUND, "No such cursor."), 404, diembao.ENOTFOUND, -1, "No such cursor."},
		{"unavailable", "q=a", diembao.Errorf(diembao.EUNAVAILABLE, "Index is rebuilding."), 503, diembao.EUNAVAILABLE, -1, "rebuilding"},
		{"internal error hides its cause", "q=a", errors.New("sqlite: disk I/O error at /secret/path"), 500, diembao.EINTERNAL, -1, "Internal error."},
		{"internal diembao error hides its message", "q=a", diembao.Errorf(diembao.EINTERNAL, "table fts missing"), 500, diembao.EINTERNAL, -1, "Internal error."},
		{"deadline", "q=a", fmt.Errorf("sqlite: search: %w", context.DeadlineExceeded), 503, diembao.EUNAVAILABLE, -1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			env.search.err = tt.svcErr
			rec := env.get("/api/v1/search?" + tt.query)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tt.status, rec.Body)
			}
			e := decodeError(t, rec.Body.String())
			if e.Error.Code != tt.code {
				t.Errorf("code %q, want %q", e.Error.Code, tt.code)
			}
			switch {
			case tt.pos < 0 && e.Error.Position != nil:
				t.Errorf("position %d, want none", *e.Error.Position)
			case tt.pos >= 0 && (e.Error.Position == nil || *e.Error.Position != tt.pos):
				t.Errorf("position %v, want %d", e.Error.Position, tt.pos)
			}
			if !strings.Contains(e.Error.Message, tt.message) {
				t.Errorf("message %q does not contain %q", e.Error.Message, tt.message)
			}
			if strings.Contains(rec.Body.String(), "/secret/path") || strings.Contains(rec.Body.String(), "fts missing") {
				t.Errorf("internal cause leaked: %s", rec.Body)
			}
			if tt.status == 500 && !strings.Contains(env.logs.String(), "request failed") {
				t.Errorf("internal error not logged: %q", env.logs)
			}
		})
	}
}

func TestAPIArticle(t *testing.T) {
	tests := []struct {
		name   string
		path   string
		status int
		want   string
	}{
		{"found", "/api/v1/articles/1", 200, `"title": "Ban Chỉ đạo 35 tỉnh triển khai nhiệm vụ công tác năm 2020"`},
		{"missing", "/api/v1/articles/99", 404, `"code": "not_found"`},
		{"not a number", "/api/v1/articles/abc", 400, `"code": "invalid"`},
		{"zero", "/api/v1/articles/0", 400, `"code": "invalid"`},
		{"unknown endpoint", "/api/v1/nothing", 404, `"code": "not_found"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t)
			rec := env.get(tt.path)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tt.status, rec.Body)
			}
			if !strings.Contains(rec.Body.String(), tt.want) {
				t.Errorf("body does not contain %s:\n%s", tt.want, rec.Body)
			}
		})
	}
}

func TestAPISources(t *testing.T) {
	env := newTestEnv(t)
	rec := env.get("/api/v1/sources")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	var got struct {
		Sources []struct {
			ID     int64  `json:"id"`
			Name   string `json:"name"`
			Status string `json:"status"`
			Health struct {
				ConsecutiveFailures int `json:"consecutive_failures"`
			} `json:"health"`
		} `json:"sources"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Sources) != 2 || got.Sources[0].Status != "ok" || got.Sources[1].Status != "failing" ||
		got.Sources[1].Health.ConsecutiveFailures != 3 || got.Sources[0].Name != "Báo Hà Nam" {
		t.Errorf("sources %+v", got.Sources)
	}

	rec = env.get("/api/v1/sources?status=failing")
	if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "Báo Hà Nam") || !strings.Contains(rec.Body.String(), "Tin Nhanh") {
		t.Errorf("status filter: %d %s", rec.Code, rec.Body)
	}
	if rec := env.get("/api/v1/sources?status=sideways"); rec.Code != http.StatusBadRequest {
		t.Errorf("unknown status: %d", rec.Code)
	}

	env.sources.err = errors.New("sqlite: database is locked")
	if rec := env.get("/api/v1/sources"); rec.Code != http.StatusInternalServerError {
		t.Errorf("failing store: status %d", rec.Code)
	}
}

func TestHealthz(t *testing.T) {
	env := newTestEnv(t)
	rec := env.get("/healthz")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"articles": 3`) {
		t.Errorf("healthy: status %d body %s", rec.Code, rec.Body)
	}
	env.articles.countErr = errors.New("sqlite: closed")
	rec = env.get("/healthz")
	if rec.Code != http.StatusServiceUnavailable || strings.Contains(rec.Body.String(), "closed") {
		t.Errorf("unhealthy: status %d body %s", rec.Code, rec.Body)
	}
}

func TestSecurityHeaders(t *testing.T) {
	env := newTestEnv(t)
	for _, path := range []string{"/", "/api/v1/sources", "/no/such/page", "/static/style.css"} {
		t.Run(path, func(t *testing.T) {
			h := env.get(path).Header()
			csp := h.Get("Content-Security-Policy")
			if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
				t.Errorf("Content-Security-Policy %q", csp)
			}
			if h.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("X-Content-Type-Options %q", h.Get("X-Content-Type-Options"))
			}
		})
	}
}

// FuzzSearchParams checks that any query string is either accepted or
// rejected with an EINVALID error, never a panic, and that accepted
// parameters respect the limits.
func FuzzSearchParams(f *testing.F) {
	f.Add("q=ban+chi+dao+35&sort=newest&limit=20&facets=source,day")
	f.Add("q=%FF&since=2020-01-01&until=2019-01-01")
	f.Add("q=a&day=2020-02-30&source=1,,x&section=%22")
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		p, err := parseSearchParams(v)
		if err != nil {
			if diembao.ErrorCode(err) != diembao.EINVALID {
				t.Fatalf("error %v is not EINVALID", err)
			}
			return
		}
		if p.Limit < 0 || p.Limit > maxLimit || len(p.Query) > maxQueryBytes {
			t.Fatalf("accepted out-of-limit parameters %+v", p)
		}
		q, off := composeQuery(p.Query, []string{fieldClause("section", p.Section)})
		if p.Query != "" && q[off:off+len(p.Query)] != p.Query {
			t.Fatalf("composed query %q lost the user's query %q", q, p.Query)
		}
	})
}

func TestServeShutsDownOnCancel(t *testing.T) {
	env := newTestEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() { errc <- env.srv.Serve(ctx, ln) }()

	resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("Serve after cancel: %v", err)
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/healthz"); err == nil {
		t.Error("server still answers after shutdown")
	}
}

func BenchmarkAPISearch(b *testing.B) {
	env := newTestEnv(b)
	env.search.res = benchResult()
	req := httptest.NewRequest(http.MethodGet, "/api/v1/search?q=ban+chi+dao+35&facets=source,section,day", nil)
	b.ReportAllocs()
	for b.Loop() {
		env.srv.ServeHTTP(httptest.NewRecorder(), req)
	}
}

func BenchmarkSearchPage(b *testing.B) {
	env := newTestEnv(b)
	env.search.res = benchResult()
	req := httptest.NewRequest(http.MethodGet, "/?q=ban+chi+dao+35", nil)
	b.ReportAllocs()
	for b.Loop() {
		env.srv.ServeHTTP(httptest.NewRecorder(), req)
	}
}

// benchResult is a page of twenty results with highlights and facets.
func benchResult() *diembao.SearchResult {
	res := &diembao.SearchResult{Total: 1000, NextCursor: "c", Facets: map[string][]diembao.FacetCount{}}
	snippet := "…Chiều 10/1, Ban Chỉ đạo bảo vệ nền tảng tư tưởng của Đảng tỉnh tổ chức hội nghị tổng kết công tác năm 2019…"
	for i := range 20 {
		res.Hits = append(res.Hits, diembao.Hit{
			ID: int64(i + 1), URL: fmt.Sprintf("https://baohanam.example/%d.html", i), Title: "Ban Chỉ đạo 35 tỉnh triển khai nhiệm vụ công tác năm 2020",
			Source: "Báo Hà Nam", Published: time.Date(2020, 1, 10, 8, 30, 0, 0, time.UTC), Snippet: snippet,
			Highlights: []diembao.Span{{Start: len("…Chiều 10/1, "), End: len("…Chiều 10/1, Ban")}}, Score: 3,
		})
	}
	for _, name := range facetNames {
		for i := range 10 {
			res.Facets[name] = append(res.Facets[name], diembao.FacetCount{Value: fmt.Sprintf("%s %d", name, i), Count: 100 - i})
		}
	}
	return res
}

func TestMethodNotAllowed(t *testing.T) {
	env := newTestEnv(t)
	tests := []struct {
		method, path string
		status       int
		json         bool
	}{
		{http.MethodPost, "/api/v1/search?q=a", http.StatusMethodNotAllowed, true},
		{http.MethodDelete, "/api/v1/articles/1", http.StatusMethodNotAllowed, true},
		{http.MethodPost, "/api/v1/nothing", http.StatusNotFound, true},
		{http.MethodPost, "/", http.StatusMethodNotAllowed, false},
		{http.MethodPut, "/sources", http.StatusMethodNotAllowed, false},
		{http.MethodPost, "/nothing", http.StatusNotFound, false},
		{http.MethodHead, "/api/v1/sources", http.StatusOK, true},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			env.srv.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d", rec.Code, tt.status)
			}
			if tt.status == http.StatusMethodNotAllowed && rec.Header().Get("Allow") != "GET, HEAD" {
				t.Errorf("Allow %q", rec.Header().Get("Allow"))
			}
			if ct := rec.Header().Get("Content-Type"); strings.HasPrefix(ct, "application/json") != tt.json {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}

func TestPanicIsRecovered(t *testing.T) {
	env := newTestEnv(t)
	env.search.panicWith = "index corrupted"
	for _, target := range []string{"/api/v1/search?q=a", "/?q=a"} {
		rec := env.get(target)
		if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "corrupted") {
			t.Errorf("%s: status %d, body %q", target, rec.Code, rec.Body)
		}
	}
	if !strings.Contains(env.logs.String(), "panic serving request") {
		t.Errorf("panic not logged: %q", env.logs)
	}
}
