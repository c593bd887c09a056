package diembao_test

import (
	"testing"

	"github.com/diembao/diembao"
)

func TestSourceValidate(t *testing.T) {
	tests := []struct {
		name string
		src  diembao.Source
		ok   bool
	}{
		{"complete", diembao.Source{Name: "Báo Mẫu", Homepage: "https://baomau.vn", Feeds: []string{"https://baomau.vn/rss"}, Kind: diembao.KindProvincial}, true},
		{"kind defaults", diembao.Source{Name: "Báo Mẫu", Homepage: "http://baomau.vn"}, true},
		{"no name", diembao.Source{Name: "  ", Homepage: "https://baomau.vn"}, false},
		{"no homepage", diembao.Source{Name: "Báo Mẫu"}, false},
		{"ftp homepage", diembao.Source{Name: "Báo Mẫu", Homepage: "ftp://baomau.vn"}, false},
		{"bad feed", diembao.Source{Name: "Báo Mẫu", Homepage: "https://baomau.vn", Feeds: []string{"/rss"}}, false},
		{"bad sitemap", diembao.Source{Name: "Báo Mẫu", Homepage: "https://baomau.vn", Sitemaps: []string{"javascript:alert(1)"}}, false},
		{"bad kind", diembao.Source{Name: "Báo Mẫu", Homepage: "https://baomau.vn", Kind: "tabloid"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.src.Validate()
			if (err == nil) != tt.ok {
				t.Fatalf("Validate() = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && diembao.ErrorCode(err) != diembao.EINVALID {
				t.Fatalf("code %q, want invalid", diembao.ErrorCode(err))
			}
			if err == nil && tt.src.Kind == "" {
				t.Fatal("empty kind not defaulted")
			}
		})
	}
}

func TestSourceHost(t *testing.T) {
	for in, want := range map[string]string{
		"https://www.BaoMau.vn/tin":   "www.baomau.vn",
		"http://user@baomau.vn:8080/": "baomau.vn",
		"baomau.vn":                   "baomau.vn",
		"http://[::1]:8080/rss":       "[::1]",
	} {
		s := diembao.Source{Homepage: in}
		if got := s.Host(); got != want {
			t.Errorf("Host(%q) = %q, want %q", in, got, want)
		}
	}
}
