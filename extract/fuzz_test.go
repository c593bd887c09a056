package extract

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/diembao/diembao"
)

// FuzzArticle checks that the extractor never panics and returns valid
// UTF-8 whatever the bytes.
func FuzzArticle(f *testing.F) {
	pages, _ := filepath.Glob(filepath.Join("testdata", "pages", "*.html"))
	for _, p := range pages {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
			f.Add(b[:len(b)/2])
		}
	}
	f.Add([]byte("<svg><title/></svg><p>text"))
	f.Add([]byte("<div><div><div><p>a<p>b</div>"))
	f.Add([]byte{0xff, 0xfe, 0x3c, 0x00})
	base := time.Date(2024, 6, 1, 10, 0, 0, 0, diembao.Vietnam)
	f.Fuzz(func(t *testing.T, page []byte) {
		a, err := Article(page, "https://example.vn/a", base, nil)
		if a == nil {
			t.Fatalf("nil article (err %v)", err)
		}
		for _, s := range []string{a.Title, a.Sapo, a.Author, a.BodyText()} {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 in %q", s)
			}
		}
		if !a.Published.IsZero() && a.PublishedPrecision == diembao.PrecisionNone {
			t.Fatalf("published %v without precision", a.Published)
		}
	})
}

// FuzzParseDate checks that the date parser never panics, and that a date
// it returns is in Vietnam's zone with a precision.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{
		"Thứ Hai, 13/01/2020, 08:30 (GMT+7)", "Cập nhật: 14:05 ngày 10/01/2020",
		"10 tháng 1 năm 2020", "2020-01-13T08:30:00Z", "Chiều 10/1", "2 giờ trước",
		"hôm qua", "99/99/9999 99:99", "GMT+99",
	} {
		f.Add(s)
	}
	base := time.Date(2024, 6, 1, 10, 0, 0, 0, diembao.Vietnam)
	f.Fuzz(func(t *testing.T, s string) {
		tm, p, ok := ParseDate(s, base, time.Time{})
		if !ok {
			if p != diembao.PrecisionNone || !tm.IsZero() {
				t.Fatalf("no date but %v (%s)", tm, p)
			}
			return
		}
		if p == diembao.PrecisionNone || tm.Location() != diembao.Vietnam {
			t.Fatalf("ParseDate(%q) = %v (%q)", s, tm, p)
		}
	})
}

// FuzzDecode checks that decoding always yields valid UTF-8.
func FuzzDecode(f *testing.F) {
	f.Add([]byte("<meta charset=windows-1258>\xe0\xcc"))
	f.Add([]byte("\xef\xbb\xbfabc"))
	f.Add([]byte("\xff\xfea\x00"))
	f.Fuzz(func(t *testing.T, page []byte) {
		out, _ := Decode(page, nil)
		if !utf8.Valid(out) {
			t.Fatalf("invalid UTF-8 out of %q", page)
		}
	})
}

// FuzzLoadRules checks that reading site rules never panics and that a
// selector that parsed matches without panicking.
func FuzzLoadRules(f *testing.F) {
	f.Add("[[site]]\nhosts = [\"a.vn\"]\nbody = \"div.x#y\"\ndrop = [\".a.b\"]\n")
	f.Add("[[site]]\nhosts = [\"a.vn\"]\ntitle = \"..\"\n")
	f.Fuzz(func(t *testing.T, src string) {
		r, err := LoadRules(strings.NewReader(src))
		if err != nil {
			return
		}
		if rule := r.For("https://a.vn/x"); rule != nil {
			n := &node{name: "div", attrs: attrsOf("class", "x a b", "id", "y")}
			rule.drops(n)
			rule.sel.body.match(n)
		}
	})
}
