package vntc

import (
	"compress/gzip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao"
)

// corpus is written for these tests.
const corpus = `{"label":"Thoi_su","source":" TT ","text":"Sáng nay tỉnh tổ chức hội nghị tổng kết công tác phòng chống lụt bão năm qua.\nCác đại biểu thống nhất kế hoạch gia cố đê điều trước mùa mưa năm tới."}
{"label":"Kinh_te","text":"   "}
{"label":"Kinh_te","text":"Giá lúa tăng nhẹ trong tuần, nông dân phấn khởi chuẩn bị cho vụ đông xuân sắp tới."}
`

func write(t *testing.T, name, text string, zip bool) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if zip {
		zw := gzip.NewWriter(f)
		if _, err := zw.Write([]byte(text)); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		return path
	}
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRead(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		text    string
		zip     bool
		want    int
		wantErr string
	}{
		{name: "plain", file: "c.jsonl", text: corpus, want: 2},
		{name: "gzipped", file: "c.jsonl.gz", text: corpus, zip: true, want: 2},
		{name: "bad line", file: "c.jsonl", text: corpus + "{oops\n", wantErr: "c.jsonl:4"},
		{name: "not gzip", file: "c.jsonl.gz", text: corpus, wantErr: "gzip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := Read(write(t, tt.file, tt.text, tt.zip))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != tt.want || recs[0].Source != "TT" || recs[1].Label != "Kinh_te" {
				t.Errorf("records = %+v", recs)
			}
		})
	}
	if _, err := Read(filepath.Join(t.TempDir(), "missing.jsonl")); err == nil {
		t.Error("a missing file gives no error")
	}
}

func TestGenerator(t *testing.T) {
	recs, err := Read(write(t, "c.jsonl", corpus, false))
	if err != nil {
		t.Fatal(err)
	}
	g := NewGenerator(recs, "https://scale.example/a/")
	if len(g.Paragraphs) != 3 {
		t.Fatalf("%d paragraphs, want 3", len(g.Paragraphs))
	}
	a, b := g.Article(1, 7), g.Article(1, 7)
	if !reflect.DeepEqual(a, b) {
		t.Error("the same seed and number give different articles")
	}
	if a.URL != "https://scale.example/a/7" || a.Title == "" || len(a.Body) == 0 || a.Published.IsZero() || a.SourceName == "" {
		t.Errorf("article = %+v", a)
	}
	for _, p := range a.Body {
		found := false
		for _, q := range g.Paragraphs {
			found = found || p.Text == q
		}
		if !found {
			t.Errorf("paragraph %q is not from the corpus", p.Text)
		}
	}
	if c := g.Article(2, 7); reflect.DeepEqual(a, c) {
		t.Error("another seed gives the same article")
	}

	// In crawl order, article i is of day i/PerDay, or found late.
	g.PerDay = 10
	start := time.Date(2016, 1, 1, 0, 0, 0, 0, diembao.Vietnam)
	late := 0
	for i := range 2000 {
		day := start.AddDate(0, 0, i/g.PerDay)
		p := g.Article(1, i).Published
		switch {
		case !p.Before(day) && p.Before(day.AddDate(0, 0, 1)):
		case p.Before(day) && !p.Before(day.AddDate(0, 0, -30)):
			late++
		default:
			t.Fatalf("article %d published %v, want on %v or up to 30 days before", i, p, day)
		}
	}
	if late < 50 || late > 150 {
		t.Errorf("%d of 2000 articles found late, want about 100", late)
	}
}
