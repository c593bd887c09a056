package demosite

import (
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden pages in testdata/")

// TestGoldenPages renders one page of each layout on fixed hosts, without
// listening, and compares it with testdata/. Run with -update after a
// deliberate change of a layout.
func TestGoldenPages(t *testing.T) {
	lib, err := load()
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range lib.outlets {
		o.base = "http://" + o.ID + ".demo.invalid"
	}
	tests := []struct{ golden, outlet, slug string }{
		{"modern.html", "songhong", "hdnd-thanh-pho-thong-qua-25-nghi-quyet"},
		{"portal-seed.html", "chaugiang", "ban-chi-dao-35-trien-khai-nhiem-vu-nam-2020"},
		{"meta-copy.html", "phuongnam", "ve-tau-tet-con-nhieu-cho-tren-tau-tang-cuong"},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			a := lib.byKey[tt.outlet+"/"+tt.slug]
			if a == nil {
				t.Fatalf("no article %s/%s", tt.outlet, tt.slug)
			}
			h, err := newHandler(a.Outlet)
			if err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, a.URL(), nil))
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d", rec.Code)
			}
			path := filepath.Join("testdata", tt.golden)
			if *update {
				if err := os.WriteFile(path, rec.Body.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got := rec.Body.String(); got != string(want) {
				t.Errorf("page differs from %s (run go test -update after a deliberate change)", path)
			}
		})
	}
}
