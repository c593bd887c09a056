package postgres_test

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/internal/testutil"
	"github.com/diembao/diembao/postgres"
	"github.com/diembao/diembao/viet"
)

// vntcPath is the VNTC training corpus, beside the repository.
const vntcPath = "../../shared/data/vntc/vntc_10topics_train.jsonl.gz"

// readVNTC returns the texts and topics of the VNTC corpus, or skips the
// benchmark when the data is absent.
func readVNTC(b *testing.B) (texts, labels []string) {
	f, err := os.Open(vntcPath)
	if err != nil {
		b.Skipf("the VNTC corpus is absent (%v): the scale benchmark needs ../shared/data beside the repository", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		b.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var rec struct{ Label, Text string }
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			b.Fatal(err)
		}
		texts = append(texts, rec.Text)
		labels = append(labels, rec.Label)
	}
	if err := sc.Err(); err != nil {
		b.Fatal(err)
	}
	return texts, labels
}

// sentences splits a VNTC text (one line) into sentences.
func sentences(text string) []string {
	var out []string
	for _, s := range strings.SplitAfter(text, ". ") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// scaleArticle makes the i-th article of the scale corpus by recombining
// VNTC text under a new URL: the opening words of one document as the
// title, its sentences and some of another's as paragraphs.
func scaleArticle(i int, texts, labels []string, sources []*diembao.Source) *diembao.Article {
	rng := rand.New(rand.NewPCG(uint64(i), 7))
	d := rng.IntN(len(texts))
	sents := sentences(texts[d])
	other := sentences(texts[rng.IntN(len(texts))])
	words := strings.Fields(texts[d])
	title := strings.Join(words[:min(len(words), 8+rng.IntN(6))], " ")
	var body []diembao.Paragraph
	add := func(ss []string) {
		for j := 0; j < len(ss); j += 3 {
			body = append(body, diembao.Paragraph{Text: strings.Join(ss[j:min(len(ss), j+3)], " ")})
		}
	}
	add(sents)
	add(other[:min(len(other), 3)])
	src := sources[rng.IntN(len(sources))]
	return &diembao.Article{
		URL:   "https://scale.example.vn/" + strconv.Itoa(i),
		Title: title, Body: body, Section: labels[d], SourceID: src.ID, SourceName: src.Name,
		Published: time.Date(2006, 1, 1, 6, 0, 0, 0, diembao.Vietnam).Add(time.Duration(i) * 7 * time.Minute),
	}
}

// BenchmarkScale imports DIEMBAO_SCALE_ARTICLES articles recombined from
// VNTC into a fresh PostgreSQL schema, then times the six query shapes of
// the search issue (DIEMBAO_SCALE_QUERIES queries each, default 100). It
// reports import throughput, database size and the p50/p99 latency of each
// shape. Run it with -benchtime=1x:
//
//	DIEMBAO_SCALE_ARTICLES=100000 go test -run '^$' -bench Scale -benchtime=1x -timeout 2h ./postgres/
func BenchmarkScale(b *testing.B) {
	n, _ := strconv.Atoi(os.Getenv("DIEMBAO_SCALE_ARTICLES"))
	if n <= 0 {
		b.Skip("set DIEMBAO_SCALE_ARTICLES (e.g. 100000) to run the scale benchmark")
	}
	// DIEMBAO_SCALE_DSN keeps the imported articles in a database of its
	// own; a later run with as many articles there only times the queries.
	dsn := os.Getenv("DIEMBAO_SCALE_DSN")
	if dsn == "" {
		dsn = testutil.PostgresDSN(b)
	}
	texts, labels := readVNTC(b)
	ctx := context.Background()
	db, err := postgres.Open(ctx, dsn, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if have, err := postgres.NewArticleService(db).CountArticles(ctx); err != nil {
		b.Fatal(err)
	} else if have >= n {
		b.Logf("the database holds %d articles already: timing the queries only", have)
		benchShapes(b, db, texts)
		return
	}
	var sources []*diembao.Source
	for i := range 20 {
		s := &diembao.Source{Name: fmt.Sprintf("Báo thử %02d", i+1), Enabled: true}
		if err := postgres.NewSourceService(db).CreateSource(ctx, s); err != nil {
			b.Fatal(err)
		}
		sources = append(sources, s)
	}
	b.ReportAllocs()
	for b.Loop() {
		articles := postgres.NewArticleService(db)
		const batch = 200
		workers := runtime.GOMAXPROCS(0)
		next := make(chan int)
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		start := time.Now()
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for from := range next {
					list := make([]*diembao.Article, 0, batch)
					for i := from; i < min(n, from+batch); i++ {
						list = append(list, scaleArticle(i, texts, labels, sources))
					}
					if _, err := articles.PutArticles(ctx, list); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		for from := 0; from < n; from += batch {
			next <- from
		}
		close(next)
		wg.Wait()
		close(errs)
		for err := range errs {
			b.Fatal(err)
		}
		elapsed := time.Since(start)
		b.ReportMetric(float64(n)/elapsed.Seconds(), "articles/s")
		if _, err := db.Pool().Exec(ctx, `VACUUM ANALYZE articles, article_index`); err != nil {
			b.Fatal(err)
		}
		var size int64
		if err := db.Pool().QueryRow(ctx, `SELECT sum(pg_total_relation_size(c.oid))::bigint FROM pg_class c
			JOIN pg_namespace ns ON ns.oid = c.relnamespace
			WHERE ns.nspname = current_schema() AND c.relkind IN ('r', 'm')`).Scan(&size); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(size)/(1<<20), "MB")
		b.Logf("imported %d articles in %v (%.0f articles/s, %d workers); database %.0f MB",
			n, elapsed.Round(time.Second), float64(n)/elapsed.Seconds(), workers, float64(size)/(1<<20))
		benchShapes(b, db, texts)
	}
}

// benchShapes times the six query shapes, each over queries made from the
// words of VNTC texts, and reports their p50 and p99 latencies.
func benchShapes(b *testing.B, db *postgres.DB, texts []string) {
	ctx := context.Background()
	search := postgres.NewSearchService(db)
	b.Logf("limits: relevance window %d, totals counted up to %d", search.Limits.Window, search.Limits.Count)
	rng := rand.New(rand.NewPCG(42, 42))
	run := func(i int) []string {
		for {
			words := strings.Fields(strings.ToLower(texts[rng.IntN(len(texts))]))
			if len(words) < 20 {
				continue
			}
			j := rng.IntN(len(words) - i)
			run := words[j : j+i]
			ok := true
			for _, w := range run {
				if strings.ContainsAny(w, `.,;:()"'-?!/%`) || len(w) < 2 {
					ok = false
				}
			}
			if ok {
				return run
			}
		}
	}
	shapes := []struct {
		name string
		make func() diembao.SearchRequest
	}{
		{"one word", func() diembao.SearchRequest { return diembao.SearchRequest{Query: run(1)[0]} }},
		{"two words", func() diembao.SearchRequest { return diembao.SearchRequest{Query: strings.Join(run(2), " ")} }},
		{"phrase", func() diembao.SearchRequest {
			return diembao.SearchRequest{Query: `"` + strings.Join(run(3), " ") + `"`}
		}},
		{"folded phrase", func() diembao.SearchRequest {
			return diembao.SearchRequest{Query: `"` + viet.Fold(strings.Join(run(3), " ")) + `"`}
		}},
		{"boolean with date range", func() diembao.SearchRequest {
			r := run(3)
			return diembao.SearchRequest{Query: "(" + r[0] + " OR " + r[1] + ") -" + r[2] + " published:[2006-03-01 TO 2006-09-30]"}
		}},
		{"faceted", func() diembao.SearchRequest {
			return diembao.SearchRequest{Query: strings.Join(run(2), " "), Facets: []string{"source", "section", "day"}}
		}},
	}
	perShape := 100
	if v, err := strconv.Atoi(os.Getenv("DIEMBAO_SCALE_QUERIES")); err == nil && v > 0 {
		perShape = v
	}
	for _, sh := range shapes {
		var lat []time.Duration
		hits := 0
		for range perShape {
			req := sh.make()
			start := time.Now()
			res, err := search.Search(ctx, req)
			if err != nil {
				b.Fatalf("%s: %q: %v", sh.name, req.Query, err)
			}
			lat = append(lat, time.Since(start))
			hits += res.Total
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		p50, p99 := lat[len(lat)/2], lat[len(lat)*99/100]
		key := strings.ReplaceAll(sh.name, " ", "-")
		b.ReportMetric(float64(p50.Microseconds())/1000, key+"-p50-ms")
		b.ReportMetric(float64(p99.Microseconds())/1000, key+"-p99-ms")
		b.Logf("%-24s p50 %7.1f ms  p99 %7.1f ms  (mean hits %d)", sh.name,
			float64(p50.Microseconds())/1000, float64(p99.Microseconds())/1000, hits/perShape)
	}
}
