package http

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/sqlite"
)

// newStoreServer returns a server over a fresh embedded store seeded with
// the sources of testSources and the articles of testdata/articles.json.
func newStoreServer(t testing.TB) *Server {
	t.Helper()
	ctx := t.Context()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "diembao.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	sources := sqlite.NewSourceService(db)
	for _, src := range testSources() {
		health := src.Health
		src.ID, src.Health = 0, diembao.SourceHealth{}
		if err := sources.CreateSource(ctx, src); err != nil {
			t.Fatal(err)
		}
		// Replay the health of the test source as poll attempts.
		if !health.LastSuccess.IsZero() {
			if err := sources.RecordAttempt(ctx, src.ID, health.LastSuccess, nil); err != nil {
				t.Fatal(err)
			}
		}
		for i := range health.ConsecutiveFailures {
			at := time.Date(2020, 1, 13, 2, i, 0, 0, time.UTC)
			if err := sources.RecordAttempt(ctx, src.ID, at, errors.New(health.LastError)); err != nil {
				t.Fatal(err)
			}
		}
	}
	articles := sqlite.NewArticleService(db)
	for _, a := range testArticles(t) {
		if _, err := articles.PutArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := NewServer(Config{Search: sqlite.NewSearchService(db), Articles: articles, Sources: sources})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// TestStoreSearchAPI runs the search API over the embedded store: folded
// and accented queries find the accented article, and a query the parser
// rejects is a 400 that points at the mistake.
func TestStoreSearchAPI(t *testing.T) {
	env := &testEnv{srv: newStoreServer(t)}
	const title = "Ban Chỉ đạo 35 tỉnh triển khai nhiệm vụ công tác năm 2020"
	tests := []struct {
		name  string
		query string
		first string
	}{
		{"without diacritics", "q=ban+chi+dao+35", title},
		{"with diacritics", "q=Ban+Ch%E1%BB%89+%C4%91%E1%BA%A1o+35", title},
		{"phrase", "q=%22n%E1%BB%81n+t%E1%BA%A3ng+t%C6%B0+t%C6%B0%E1%BB%9Fng%22", title},
		{"folded place", "q=ha+noi+xe+buyt", "Hà Nội mở rộng mạng lưới xe buýt điện ra các huyện ngoại thành"},
		{"section filter", "q=ban+chi+dao&section=Ch%C3%ADnh+tr%E1%BB%8B&facets=section", title},
		{"source filter by name", "q=ban+chi+dao&source=B%C3%A1o+H%C3%A0+Nam", title},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := env.get("/api/v1/search?" + tt.query)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			var res diembao.SearchResult
			if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
				t.Fatal(err)
			}
			if res.Total < 1 || len(res.Hits) < 1 || res.Hits[0].Title != tt.first {
				t.Fatalf("first result %+v, want %q", res.Hits, tt.first)
			}
			if len(res.Hits[0].Highlights) == 0 {
				t.Errorf("first result has no highlights: %+v", res.Hits[0])
			}
		})
	}

	t.Run("source filter by an outlet that is not a configured source", func(t *testing.T) {
		rec := env.get("/api/v1/search?q=hop+tac+xa&source=Th%E1%BB%9Di+b%C3%A1o+Ven+S%C3%B4ng&facets=source")
		var res diembao.SearchResult
		if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
			t.Fatal(err)
		}
		if rec.Code != http.StatusOK || res.Total != 1 || res.Hits[0].Source != "Thời báo Ven Sông" {
			t.Errorf("status %d: %s", rec.Code, rec.Body)
		}
	})

	t.Run("source filter excludes other outlets", func(t *testing.T) {
		rec := env.get("/api/v1/search?q=ban+chi+dao&source=Tin+Nhanh")
		var res diembao.SearchResult
		if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
			t.Fatal(err)
		}
		if rec.Code != http.StatusOK || res.Total != 0 {
			t.Errorf("status %d, total %d", rec.Code, res.Total)
		}
	})

	bad := []struct {
		name  string
		query string
		pos   int
	}{
		{"unclosed group", "q=(ban+chi", 0},
		{"stray closing parenthesis", "q=ban)", 3},
		{"empty field", "q=title:+ban", 6},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			rec := env.get("/api/v1/search?" + tt.query)
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			e := decodeError(t, rec.Body.String())
			if e.Error.Code != diembao.EINVALID || e.Error.Position == nil || e.Error.Message == "" {
				t.Fatalf("error %+v", e.Error)
			}
			if *e.Error.Position != tt.pos {
				t.Errorf("position %d, want %d (%s)", *e.Error.Position, tt.pos, e.Error.Message)
			}
		})
	}

	t.Run("sources with health", func(t *testing.T) {
		rec := env.get("/api/v1/sources")
		for _, w := range []string{`"status": "ok"`, `"status": "failing"`, `"consecutive_failures": 3`, "connection refused"} {
			if !strings.Contains(rec.Body.String(), w) {
				t.Errorf("sources lack %s: %s", w, rec.Body)
			}
		}
	})

	t.Run("cursor pages cover every result once", func(t *testing.T) {
		for _, sort := range []string{"relevance", "newest", "oldest"} {
			seen := map[int64]bool{}
			cursor := ""
			for page := 0; page < 10; page++ {
				rec := env.get("/api/v1/search?q=h%E1%BB%99i+OR+xe+OR+rau&limit=1&sort=" + sort + "&cursor=" + url.QueryEscape(cursor))
				var res diembao.SearchResult
				if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil || rec.Code != http.StatusOK {
					t.Fatalf("%s page %d: status %d: %s", sort, page, rec.Code, rec.Body)
				}
				for _, h := range res.Hits {
					if seen[h.ID] {
						t.Errorf("%s: article %d on two pages", sort, h.ID)
					}
					seen[h.ID] = true
				}
				if cursor = res.NextCursor; cursor == "" {
					break
				}
			}
			if len(seen) != 3 {
				t.Errorf("%s: pages held %d articles, want 3", sort, len(seen))
			}
		}
	})

	t.Run("article by ID", func(t *testing.T) {
		rec := env.get("/api/v1/articles/1")
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), title) {
			t.Errorf("status %d: %s", rec.Code, rec.Body)
		}
		if rec := env.get("/api/v1/articles/999"); rec.Code != http.StatusNotFound {
			t.Errorf("missing article: status %d: %s", rec.Code, rec.Body)
		}
	})
}
