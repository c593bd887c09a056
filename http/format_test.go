package http

import (
	"html"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/diembao/diembao"
)

func TestHighlight(t *testing.T) {
	tests := []struct {
		name    string
		snippet string
		spans   []diembao.Span
		want    string
	}{
		{"none", "Hà Nội", nil, "Hà Nội"},
		{"one", "Hà Nội mùa thu", []diembao.Span{{Start: 0, End: len("Hà Nội")}}, "<mark>Hà Nội</mark> mùa thu"},
		{"two unsorted", "ban chỉ đạo", []diembao.Span{{Start: len("ban chỉ "), End: len("ban chỉ đạo")}, {Start: 0, End: 3}},
			"<mark>ban</mark> chỉ <mark>đạo</mark>"},
		{"overlapping merged", "abcdef", []diembao.Span{{Start: 1, End: 4}, {Start: 2, End: 5}}, "a<mark>bcde</mark>f"},
		{"touching merged", "abcdef", []diembao.Span{{Start: 1, End: 3}, {Start: 3, End: 5}}, "a<mark>bcde</mark>f"},
		{"out of range clipped", "abc", []diembao.Span{{Start: -4, End: 1}, {Start: 2, End: 99}}, "<mark>a</mark>b<mark>c</mark>"},
		{"empty and reversed dropped", "abc", []diembao.Span{{Start: 1, End: 1}, {Start: 2, End: 1}}, "abc"},
		{"offset inside a character moves to its start", "đạo", []diembao.Span{{Start: 1, End: 3}}, "<mark>đ</mark>ạo"},
		{"markup escaped", `<b>"x" & y</b>`, []diembao.Span{{Start: 3, End: 6}}, `&lt;b&gt;<mark>&#34;x&#34;</mark> &amp; y&lt;/b&gt;`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(highlight(tt.snippet, tt.spans)); got != tt.want {
				t.Errorf("highlight = %q, want %q", got, tt.want)
			}
		})
	}
}

// FuzzHighlight checks that any snippet and spans render without panicking,
// that the only tags in the output are <mark> and </mark>, and that
// removing them and unescaping gives back the snippet.
func FuzzHighlight(f *testing.F) {
	f.Add("Ban Chỉ đạo 35 <script>", 0, 3, 4, 8)
	f.Add("đạo", 1, 2, -1, 100)
	f.Add("a&b", 0, 0, 3, 1)
	f.Fuzz(func(t *testing.T, s string, a, b, c, d int) {
		if !utf8.ValidString(s) {
			s = strings.ToValidUTF8(s, "?")
		}
		s = strings.ReplaceAll(s, "\x00", "")
		out := string(highlight(s, []diembao.Span{{Start: a, End: b}, {Start: c, End: d}}))
		plain := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(out)
		if strings.ContainsAny(plain, "<>") {
			t.Fatalf("markup besides <mark> in %q", out)
		}
		if got := html.UnescapeString(plain); got != s {
			t.Fatalf("round trip: got %q, want %q", got, s)
		}
	})
}

func TestFormatTimes(t *testing.T) {
	utc := time.Date(2020, 1, 10, 17, 30, 0, 0, time.UTC) // 00:30 on the 11th in Vietnam
	midnight := time.Date(2020, 1, 12, 0, 0, 0, 0, diembao.Vietnam)
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"date crosses midnight in Vietnam", vnDate(utc), "Thứ Bảy, 11/01/2020"},
		{"time in Vietnam", vnTime(utc), "Thứ Bảy, 11/01/2020 00:30"},
		{"zero", vnTime(time.Time{}), ""},
		{"hit with a time", hitTime(utc), "Thứ Bảy, 11/01/2020 00:30"},
		{"hit at midnight shows the date", hitTime(midnight), "Chủ nhật, 12/01/2020"},
		{"day precision", publishedTime(&diembao.Article{Published: midnight, PublishedPrecision: diembao.PrecisionDay}), "Chủ nhật, 12/01/2020"},
		{"iso", isoTime(utc), "2020-01-11T00:30:00+07:00"},
		{"day facet", dayLabel("2020-01-10"), "10/01/2020"},
		{"odd day facet kept", dayLabel("tuần 2"), "tuần 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func TestFormatCount(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1.000", 1234567: "1.234.567", -45000: "-45.000"} {
		if got := formatCount(n); got != want {
			t.Errorf("formatCount(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestExternalURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://baohanam.example/a.html", "https://baohanam.example/a.html"},
		{"http://a.example/", "http://a.example/"},
		{"javascript:alert(1)", ""},
		{"JAVASCRIPT:alert(1)", ""},
		{"data:text/html,x", ""},
		{"/relative", ""},
		{"", ""},
		{"https://", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := externalURL(tt.in); got != tt.want {
				t.Errorf("externalURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestLabels(t *testing.T) {
	for _, st := range []string{"ok", "failing", "silent", "new"} {
		if statusLabel(st) == st {
			t.Errorf("status %q has no Vietnamese label", st)
		}
	}
	for _, k := range []diembao.SourceKind{diembao.KindNational, diembao.KindAgency, diembao.KindParty,
		diembao.KindSector, diembao.KindProvincial, diembao.KindOther} {
		if kindLabel(k) == string(k) {
			t.Errorf("kind %q has no Vietnamese label", k)
		}
	}
}

func BenchmarkHighlight(b *testing.B) {
	s := strings.Repeat("Ban Chỉ đạo bảo vệ nền tảng tư tưởng của Đảng ", 6)
	var spans []diembao.Span
	for i := 0; i+3 <= len(s); i += 47 {
		spans = append(spans, diembao.Span{Start: i, End: i + 3})
	}
	b.ReportAllocs()
	for b.Loop() {
		highlight(s, spans)
	}
}
