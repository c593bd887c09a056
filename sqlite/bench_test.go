package sqlite

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/diembao/diembao"
)

// benchArticles returns n articles of about 2,000 bytes built from the
// fixture articles under new URLs.
func benchArticles(b *testing.B, n int) []*diembao.Article {
	fx := fixtureArticles(b)
	list := make([]*diembao.Article, n)
	for i := range list {
		src := fx[i%len(fx)]
		a := *src
		a.URL = src.URL + "?n=" + strconv.Itoa(i)
		a.Body = append([]diembao.Paragraph(nil), src.Body...)
		a.Body = append(a.Body, diembao.Paragraph{Text: strings.Repeat(fx[(i+1)%len(fx)].Sapo+" ", 6) + strconv.Itoa(i)})
		list[i] = &a
	}
	return list
}

func BenchmarkPutArticles(b *testing.B) {
	db := openTest(b)
	svc := NewArticleService(db)
	const batch = 200
	list := benchArticles(b, batch)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		for _, a := range list {
			a.URL = a.URL[:strings.LastIndexByte(a.URL, '=')+1] + strconv.Itoa(i)
			a.ContentHash = ""
			i++
		}
		if _, err := svc.PutArticles(ctx, list); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "articles/s")
}

func BenchmarkSearch(b *testing.B) {
	db := openTest(b)
	if _, err := NewArticleService(db).PutArticles(context.Background(), benchArticles(b, 5000)); err != nil {
		b.Fatal(err)
	}
	svc := NewSearchService(db)
	for _, q := range []string{"hội nghị", "hoi nghi", `"nền tảng tư tưởng"`, "(bàn OR bán) -ghế published:[2019-12-01 TO 2020-01-31]", "chuyển*"} {
		b.Run(q, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := svc.Search(context.Background(), diembao.SearchRequest{Query: q}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
