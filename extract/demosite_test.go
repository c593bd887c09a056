package extract_test

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/diembao/diembao/extract"
	"github.com/diembao/diembao/internal/demosite"
)

// TestDemoSite extracts every article page of the demo site (three layouts,
// written by the project) and compares each field with what the site knows
// it published.
func TestDemoSite(t *testing.T) {
	site, err := demosite.Start(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()
	fetched := time.Date(2020, 1, 20, 9, 0, 0, 0, time.UTC)
	bad := 0
	for _, want := range site.Articles() {
		t.Run(want.URL, func(t *testing.T) {
			resp, err := http.Get(want.URL)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			got, err := extract.Article(body, want.URL, fetched, resp.Header)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range want.Mismatches(got) {
				bad++
				t.Error(m)
			}
		})
	}
	t.Logf("%d pages, %d mismatched fields", len(site.Articles()), bad)
}
