package query

import (
	"strings"
	"testing"

	"github.com/diembao/diembao"
)

// benchArticle is an article of about 2,000 bytes, the mean size of the
// VNTC corpus.
func benchArticle() *diembao.Article {
	p := "Chiều 10/1, Ban Chỉ đạo tỉnh tổ chức hội nghị tổng kết công tác năm 2019 và triển khai nhiệm vụ năm 2020. " +
		"Hội đồng nhân dân thành phố Hà Nội thông qua nghị quyết về phát triển kinh tế - xã hội, hạ tầng giao thông và giáo dục. "
	return &diembao.Article{
		Title:      "Ban Chỉ đạo 35 tỉnh triển khai nhiệm vụ công tác năm 2020",
		Sapo:       p,
		Body:       []diembao.Paragraph{{Text: strings.Repeat(p, 3)}, {Text: strings.Repeat(p, 3)}},
		Author:     "Trần Thu Hà",
		SourceName: "Báo Mẫu",
		Section:    "Chính trị",
	}
}

func BenchmarkDocument(b *testing.B) {
	a := DefaultAnalyzer()
	art := benchArticle()
	b.SetBytes(int64(len(art.Title) + len(art.Text())))
	b.ReportAllocs()
	for b.Loop() {
		a.Document(art)
	}
}

func BenchmarkParse(b *testing.B) {
	q := `(ban chỉ đạo OR "nền tảng tư tưởng") -HĐND title:hà source:"Báo Hà Nam" published:[2020-01-01 TO 2020-01-31] chuyển*`
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(q, testNow); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPrepare(b *testing.B) {
	a := DefaultAnalyzer()
	q := `ban chỉ đạo 35 Hội đồng nhân dân tỉnh HĐND "nền tảng tư tưởng"`
	b.ReportAllocs()
	for b.Loop() {
		n, err := Parse(q, testNow)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := a.Prepare(n, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSnippet(b *testing.B) {
	a := DefaultAnalyzer()
	n, _ := Parse("hội đồng nhân dân hà nội", testNow)
	p, err := a.Prepare(n, Options{})
	if err != nil {
		b.Fatal(err)
	}
	h := NewHighlighter(p)
	text := benchArticle().Text()
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		h.Snippet(text, 260)
	}
}
