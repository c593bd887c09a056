package extract

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func BenchmarkArticle(b *testing.B) {
	pages, _ := filepath.Glob(filepath.Join("testdata", "pages", "*.html"))
	var data [][]byte
	size := 0
	for _, p := range pages {
		d, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		data = append(data, d)
		size += len(d)
	}
	b.ReportAllocs()
	b.SetBytes(int64(size / len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Article(data[i%len(data)], "https://example.vn/a", time.Time{}, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseDate(b *testing.B) {
	texts := []string{"Thứ Hai, 13/01/2020, 08:30 (GMT+7)", "Cập nhật: 14:05 ngày 10/01/2020", "Chiều 10/1", "2020-01-13T08:30:00+07:00"}
	base := time.Date(2020, 1, 13, 10, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		ParseDate(texts[i%len(texts)], base, time.Time{})
	}
}
