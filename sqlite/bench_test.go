package sqlite

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/internal/pairidx"
	"github.com/diembao/diembao/internal/vntc"
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

// BenchmarkPutArticle stores articles one per transaction, as a crawler
// does, at the start of a chunk of article IDs and near its end, where
// the chunk's row of sequence offsets is largest (see seqdata.go).
func BenchmarkPutArticle(b *testing.B) {
	for _, bc := range []struct {
		name   string
		before int
	}{{"chunk start", 0}, {"chunk end", pairidx.ChunkSize - 600}} {
		b.Run(bc.name, func(b *testing.B) {
			db := openTest(b)
			svc := NewArticleService(db)
			ctx := context.Background()
			if bc.before > 0 {
				fill := benchArticles(b, bc.before)
				for i, a := range fill {
					a.URL += "-fill-" + strconv.Itoa(i)
				}
				if _, err := svc.PutArticles(ctx, fill); err != nil {
					b.Fatal(err)
				}
			}
			a := benchArticles(b, 1)[0]
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				a.URL = a.URL[:strings.LastIndexByte(a.URL, '=')+1] + strconv.Itoa(i)
				a.ContentHash = ""
				i++
				if _, err := svc.PutArticle(ctx, a); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "articles/s")
		})
	}
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

// vntcPath is the VNTC corpus, relative to this package.
var vntcPath = filepath.Join("..", "..", "shared", "data", "vntc", "vntc_10topics_train.jsonl.gz")

var (
	vntcOnce sync.Once
	vntcGen  *vntc.Generator
	vntcErr  error
)

// vntcArticles returns n articles recombined from VNTC paragraphs, as the
// scale benchmark of the command line generates them, numbered from first;
// it skips the benchmark when the corpus is absent.
func vntcArticles(b *testing.B, first, n int) []*diembao.Article {
	b.Helper()
	vntcOnce.Do(func() {
		var recs []vntc.Record
		if recs, vntcErr = vntc.Read(vntcPath); vntcErr == nil {
			vntcGen = vntc.NewGenerator(recs, "https://bench.example/a/")
		}
	})
	if vntcErr != nil {
		b.Skipf("VNTC corpus not available (%v); it is expected at %s", vntcErr, vntcPath)
	}
	list := make([]*diembao.Article, n)
	for k := range list {
		list[k] = vntcGen.Article(1, first+k)
	}
	return list
}

// BenchmarkImportVNTC imports 5,000 VNTC-derived articles in batches of
// 1,000 into an empty database per iteration, analysis and indexing
// included: with PutArticles one batch after the other, and pipelined, the
// next batch being prepared while the previous one is written.
func BenchmarkImportVNTC(b *testing.B) {
	const total, batch = 5000, 1000
	list := vntcArticles(b, 0, total)
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		run  func(b *testing.B, svc *ArticleService)
	}{
		{"PutArticles", func(b *testing.B, svc *ArticleService) {
			for i := 0; i < total; i += batch {
				if _, err := svc.PutArticles(ctx, list[i:i+batch]); err != nil {
					b.Fatal(err)
				}
			}
		}},
		{"pipelined", func(b *testing.B, svc *ArticleService) {
			batches := make(chan *Batch, 1)
			errc := make(chan error, 1)
			go func() {
				defer close(batches)
				for i := 0; i < total; i += batch {
					p, err := svc.Prepare(list[i : i+batch])
					if err != nil {
						errc <- err
						return
					}
					batches <- p
				}
			}()
			for p := range batches {
				if _, err := svc.Write(ctx, p); err != nil {
					b.Fatal(err)
				}
			}
			select {
			case err := <-errc:
				b.Fatal(err)
			default:
			}
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				db := openTest(b)
				svc := NewArticleService(db)
				for _, a := range list {
					a.ContentHash = ""
				}
				b.StartTimer()
				bc.run(b, svc)
				b.StopTimer()
				db.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(b.N*total)/b.Elapsed().Seconds(), "articles/s")
		})
	}
}
