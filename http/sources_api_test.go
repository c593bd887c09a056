package http

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/sqlite"
)

// newSourcesServer is a Server over an empty SQLite store with discovery
// answered by discover.
func newSourcesServer(t *testing.T, discover DiscoverFunc) *Server {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "diembao.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	srv, err := NewServer(Config{Search: sqlite.NewSearchService(db), Articles: sqlite.NewArticleService(db), Sources: sqlite.NewSourceService(db), Discover: discover})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

func do(t *testing.T, h http.Handler, method, target, contentType, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestAPICreateSource(t *testing.T) {
	discover := func(ctx context.Context, home string) ([]string, []string, error) {
		switch home {
		case "https://coduong.vn":
			return []string{"https://coduong.vn/rss/tin-moi.rss"}, nil, nil
		case "https://trong.vn":
			return nil, nil, nil
		}
		return nil, nil, errors.New("connection refused")
	}
	tests := []struct {
		name        string
		contentType string
		body        string
		status      int
		wantFeed    string
		wantErr     string
	}{
		{"with feeds", "application/json", `{"name":"Báo Mẫu","homepage":"https://baomau.vn","feeds":["https://baomau.vn/rss"],"kind":"provincial","province":"Hà Nam"}`, 201, "https://baomau.vn/rss", ""},
		{"discovered", "application/json; charset=utf-8", `{"name":"Cổ Đường","homepage":"https://coduong.vn"}`, 201, "https://coduong.vn/rss/tin-moi.rss", ""},
		{"nothing to discover", "application/json", `{"name":"Trống","homepage":"https://trong.vn"}`, 400, "", "no feed"},
		{"discovery fails", "application/json", `{"name":"Lỗi","homepage":"https://loi.vn"}`, 400, "", "connection refused"},
		{"form post", "application/x-www-form-urlencoded", `name=x`, 400, "", "JSON"},
		{"no name", "application/json", `{"homepage":"https://baomau.vn","feeds":["https://baomau.vn/rss"]}`, 400, "", "name"},
		{"bad kind", "application/json", `{"name":"X","homepage":"https://x.vn","feeds":["https://x.vn/rss"],"kind":"tabloid"}`, 400, "", "kind"},
		{"bad feed", "application/json", `{"name":"X","homepage":"https://x.vn","feeds":["x.vn/rss"]}`, 400, "", "feed"},
		{"unknown field", "application/json", `{"name":"X","homepage":"https://x.vn","hostile":true}`, 400, "", "hostile"},
		{"not JSON", "application/json", `{"name":`, 400, "", "JSON"},
	}
	srv := newSourcesServer(t, discover)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, srv, "POST", "/api/v1/sources", tt.contentType, tt.body)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if tt.status != 201 {
				var e apiError
				if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
					t.Fatal(err)
				}
				if e.Error.Code != diembao.EINVALID || !strings.Contains(e.Error.Message, tt.wantErr) {
					t.Fatalf("error %+v, want it to mention %q", e.Error, tt.wantErr)
				}
				return
			}
			var got apiSource
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if got.ID == 0 || !got.Enabled || len(got.Feeds) != 1 || got.Feeds[0] != tt.wantFeed || got.Status != "new" {
				t.Fatalf("stored %+v", got)
			}
		})
	}
	rec := do(t, srv, "GET", "/api/v1/sources", "", "")
	var list struct {
		Sources []apiSource `json:"sources"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Sources) != 2 {
		t.Fatalf("%d sources listed, want the 2 created", len(list.Sources))
	}
}

func TestAPICreateSourceWithoutDiscovery(t *testing.T) {
	srv := newSourcesServer(t, nil)
	rec := do(t, srv, "POST", "/api/v1/sources", "application/json", `{"name":"X","homepage":"https://x.vn"}`)
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), "feeds") {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
}

func TestAPIDeleteSource(t *testing.T) {
	srv := newSourcesServer(t, nil)
	rec := do(t, srv, "POST", "/api/v1/sources", "application/json", `{"name":"X","homepage":"https://x.vn","feeds":["https://x.vn/rss"]}`)
	if rec.Code != 201 {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	var src apiSource
	if err := json.Unmarshal(rec.Body.Bytes(), &src); err != nil {
		t.Fatal(err)
	}
	target := "/api/v1/sources/" + strconv.FormatInt(src.ID, 10)
	for i, want := range []int{204, 404} {
		if rec := do(t, srv, "DELETE", target, "", ""); rec.Code != want {
			t.Fatalf("delete #%d: status %d, want %d: %s", i+1, rec.Code, want, rec.Body)
		}
	}
	if rec := do(t, srv, "DELETE", "/api/v1/sources/abc", "", ""); rec.Code != 400 {
		t.Fatalf("delete with a bad ID: status %d", rec.Code)
	}
}
