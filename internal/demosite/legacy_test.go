package demosite

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/diembao/diembao/viet"
)

func TestLegacyPage(t *testing.T) {
	s := startSite(t)
	n := 0
	for _, a := range s.Articles() {
		if a.Encoding == "" {
			continue
		}
		n++
		t.Run(a.URL, func(t *testing.T) {
			resp, body := get(t, a.URL)
			ct := strings.ToLower(resp.Header.Get("Content-Type"))
			if !strings.Contains(ct, "charset=") || strings.Contains(ct, "tcvn") || strings.Contains(ct, "utf-8") {
				t.Errorf("Content-Type %q: want a charset that does not name the encoding", ct)
			}
			if utf8.Valid(body) {
				t.Error("legacy page is valid UTF-8; want TCVN3 bytes")
			}
			enc, err := viet.ParseEncoding(a.Encoding)
			if err != nil {
				t.Fatal(err)
			}
			text, err := viet.Decode(body, enc)
			if err != nil {
				t.Fatal(err)
			}
			text = visibleText(text)
			want := []string{a.Title, a.Sapo, a.Author}
			for _, p := range a.Body {
				want = append(want, p.Text)
			}
			for _, w := range want {
				if !strings.Contains(text, viet.Normalize(w)) {
					t.Errorf("decoded page lacks %q", w)
				}
			}
		})
	}
	if n == 0 {
		t.Fatal("no page is served in a legacy encoding")
	}
}
