package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/internal/vntc"
	"github.com/diembao/diembao/sqlite"
	"github.com/diembao/diembao/viet"
)

// scaleShape is one query shape of the benchmark with its figures.
type scaleShape struct {
	Name      string  `json:"shape"`
	Example   string  `json:"example"`
	Queries   int     `json:"queries"`
	MeanTotal float64 `json:"mean_total"`
	// Capped counts the queries whose total is a lower bound (see
	// query.Limits): their totals enter MeanTotal at the limit.
	Capped int     `json:"capped"`
	P50MS  float64 `json:"p50_ms"`
	P99MS  float64 `json:"p99_ms"`
	Errors int     `json:"errors"`
}

// scaleReport holds the figures of a scale run.
type scaleReport struct {
	Articles      int     `json:"articles"`
	Imported      int     `json:"imported"`
	ImportSeconds float64 `json:"import_seconds"`
	ArticlesPerS  float64 `json:"articles_per_second"`
	DBBytes       int64   `json:"db_bytes"`
	// WarmSeconds is how long the store took to read what its searches
	// keep in memory (as diembao serve does at start-up), before the
	// queries; 0 for a store that keeps nothing.
	WarmSeconds  float64 `json:"warm_seconds"`
	PeakRSSBytes int64   `json:"peak_rss_bytes"`
	// PeakAnonBytes is the peak of the process's own memory (sampled,
	// see watchAnon): PeakRSSBytes also counts the pages of database
	// files mapped into memory, which are the OS's file cache, once per
	// connection that maps them.
	PeakAnonBytes int64 `json:"peak_anon_bytes"`
	// Sort is the order the queries asked for.
	Sort   diembao.Sort  `json:"sort"`
	Shapes []*scaleShape `json:"shapes"`
}

func init() {
	registerEval(func(app *App) *cobra.Command {
		var (
			corpus   string
			articles int
			perShape int
			seed     uint64
			asJSON   bool
			sort     string
			dates    string
		)
		cmd := &cobra.Command{
			Use:   "search-scale",
			Short: "Benchmark the embedded store: import throughput, size, memory and query latency",
			Long: `search-scale fills the data directory with --articles generated articles
(paragraphs of the VNTC corpus recombined under new URLs, with realistic lengths,
outlets, topics and dates) and measures import throughput (analysis and indexing,
articles/s), the size of the database, the peak memory of the process and the
latency (50th and 99th percentiles) of eight query shapes: one word, two words,
a phrase, a phrase without diacritics, a boolean query with a date range, two
words with the source, section and day facets, a query that only excludes (a
word and a phrase) within a month, with the source and day facets, and a prefix
(a word without its last letter, "chuyể*"). Before the queries, the store
reads what its searches keep in memory, as diembao serve does at start-up; the
time it takes is reported apart.

--sort newest (or oldest) asks for the same queries in date order instead of
relevance.

--dates random (the default) gives every article a random time in 2016–2025,
so that the order of the archive says nothing of its dates: the worst case for
a date order. --dates crawl dates the articles as a crawler stores them, 274 a
day from 2016-01-01 (a million span the same ten years), one in twenty found
up to 30 days late. Give the same --dates to every run on one archive.

Articles already in the data directory count: running it again with a larger
--articles continues the import where it stopped, and --articles 0 only runs
the queries.`,
			Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				order := diembao.Sort(sort)
				switch order {
				case diembao.SortRelevance, diembao.SortNewest, diembao.SortOldest:
				default:
					return diembao.Errorf(diembao.EINVALID, "unknown sort %q: use relevance, newest or oldest", sort)
				}
				perDay := 0
				switch dates {
				case "random":
				case "crawl":
					perDay = vntc.CrawlPerDay
				default:
					return diembao.Errorf(diembao.EINVALID, "unknown dates %q: use random or crawl", dates)
				}
				return runEvalSearchScale(cmd.Context(), app, corpus, articles, perShape, seed, order, perDay, asJSON)
			},
		}
		fl := cmd.Flags()
		fl.StringVar(&corpus, "vntc", filepath.Join("..", "shared", "data", "vntc", "vntc_10topics_train.jsonl.gz"), "VNTC JSONL file")
		fl.IntVar(&articles, "articles", 1000000, "number of articles the archive should hold")
		fl.IntVar(&perShape, "queries", 100, "queries per shape")
		fl.Uint64Var(&seed, "seed", 1, "seed of the generator")
		fl.BoolVar(&asJSON, "json", false, "print the figures as JSON")
		fl.StringVar(&sort, "sort", string(diembao.SortRelevance), "order of the queries: relevance, newest or oldest")
		fl.StringVar(&dates, "dates", "random", "publication times of generated articles: random or crawl")
		return cmd
	})
}

func runEvalSearchScale(ctx context.Context, app *App, corpus string, articles, perShape int, seed uint64, order diembao.Sort, perDay int, asJSON bool) error {
	recs, err := readVNTC(corpus)
	if err != nil {
		return err
	}
	c := vntc.NewGenerator(recs, "https://scale.example/a/")
	c.PerDay = perDay
	recs = nil
	stopWatch := watchAnon(100 * time.Millisecond)
	st, err := openStore(ctx, app)
	if err != nil {
		stopWatch()
		return err
	}
	defer st.Close()
	have, err := st.Articles.CountArticles(ctx)
	if err != nil {
		return err
	}
	rep := &scaleReport{}
	if have < articles {
		start := time.Now()
		n, err := importScale(ctx, app.Stderr, st, c, seed, have, articles)
		rep.Imported = n
		rep.ImportSeconds = time.Since(start).Seconds()
		rep.ArticlesPerS = float64(rep.Imported) / rep.ImportSeconds
		if err != nil {
			return err
		}
	}
	if rep.Articles, err = st.Articles.CountArticles(ctx); err != nil {
		return err
	}
	if rep.DBBytes, err = storeBytes(ctx, app, st); err != nil {
		return err
	}
	if w, ok := st.Search.(interface{ Warm(context.Context) error }); ok && perShape > 0 {
		start := time.Now()
		if err := w.Warm(ctx); err != nil {
			return err
		}
		rep.WarmSeconds = time.Since(start).Seconds()
	}
	rep.Sort = order
	rep.Shapes = runScaleQueries(ctx, st.Search, c, perShape, seed, order)
	rep.PeakRSSBytes, rep.PeakAnonBytes = peakRSS(), stopWatch()
	if asJSON {
		enc := json.NewEncoder(app.Stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(rep)
	}
	printScaleReport(app.Stdout, rep)
	return nil
}

// storeBytes returns the size of the store: the database file of the
// embedded store (after a checkpoint), or the tables and indexes of the
// current schema on PostgreSQL.
func storeBytes(ctx context.Context, app *App, st *store) (int64, error) {
	if st.pg != nil {
		var n int64
		err := st.pg.Pool().QueryRow(ctx, `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint
			FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
			WHERE s.nspname = current_schema() AND c.relkind IN ('r', 'm')`).Scan(&n)
		if err != nil {
			return 0, fmt.Errorf("eval search-scale: database size: %w", err)
		}
		return n, nil
	}
	if _, err := st.db.SQL().ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return 0, fmt.Errorf("eval search-scale: checkpoint: %w", err)
	}
	var n int64
	main := filepath.Join(app.DataDir, sqlite.FileName)
	for _, name := range []string{main, main + "-wal", main + "-shm", sqlite.SequencesPath(main), sqlite.SequencesPath(main) + "-wal", sqlite.SequencesPath(main) + "-shm", sqlite.SequencesDataPath(main)} {
		if fi, err := os.Stat(name); err == nil {
			n += fi.Size()
		}
	}
	return n, nil
}

// scaleBatch is the number of generated articles stored per transaction.
const scaleBatch = 1000

// preparedBatch is a batch of generated articles ready to be written.
type preparedBatch struct {
	n     int
	write func(context.Context) error
}

// importScale generates and stores articles from..to-1 in batches and
// returns how many it stored. A goroutine generates and analyses the next
// batches while the current one is written, so that analysis (on all
// processors) and writing (on one) overlap; batches are written in order,
// so an interrupted import resumes where it stopped. It reports progress
// to w every 30 seconds.
func importScale(ctx context.Context, w io.Writer, st *store, c *vntc.Generator, seed uint64, from, to int) (int, error) {
	prepare := func(list []*diembao.Article) (preparedBatch, error) {
		if sq, ok := st.Articles.(*sqlite.ArticleService); ok {
			b, err := sq.Prepare(list)
			if err != nil {
				return preparedBatch{}, err
			}
			return preparedBatch{len(list), func(ctx context.Context) error {
				_, err := sq.Write(ctx, b)
				return err
			}}, nil
		}
		return preparedBatch{len(list), func(ctx context.Context) error {
			_, err := st.Articles.PutArticles(ctx, list)
			return err
		}}, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan preparedBatch, 1)
	errc := make(chan error, 1)
	go func() {
		defer close(batches)
		for i := from; i < to; i += scaleBatch {
			list := make([]*diembao.Article, 0, scaleBatch)
			for j := i; j < min(i+scaleBatch, to); j++ {
				list = append(list, c.Article(seed, j))
			}
			b, err := prepare(list)
			if err != nil {
				errc <- err
				return
			}
			select {
			case batches <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	start := time.Now()
	lastReport := start
	imported := 0
	for b := range batches {
		if err := b.write(ctx); err != nil {
			return imported, err
		}
		imported += b.n
		if time.Since(lastReport) > 30*time.Second {
			lastReport = time.Now()
			fmt.Fprintf(w, "search-scale: %d articles, %.0f/s, load %s\n", from+imported, float64(imported)/time.Since(start).Seconds(), loadAverage())
		}
	}
	select {
	case err := <-errc:
		return imported, err
	default:
	}
	return imported, ctx.Err()
}

// loadAverage returns the one-minute load average of the machine, or "?"
// where /proc is not available.
func loadAverage() string {
	buf, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(buf)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}

// scaleWords returns n adjacent syllables of a random paragraph.
func scaleWords(c *vntc.Generator, rng *rand.Rand, n int) []string {
	for {
		toks := viet.Tokenize(c.Paragraphs[rng.IntN(len(c.Paragraphs))])
		for tries := 0; tries < 20 && len(toks) >= n; tries++ {
			i := rng.IntN(len(toks) - n + 1)
			var words []string
			for _, t := range toks[i : i+n] {
				if t.Kind != viet.Syllable || isOperatorWord(t.Text) || len(t.Text) < 2 {
					break
				}
				words = append(words, strings.ToLower(t.Text))
			}
			if len(words) == n {
				return words
			}
		}
	}
}

func runScaleQueries(ctx context.Context, search diembao.SearchService, c *vntc.Generator, perShape int, seed uint64, order diembao.Sort) []*scaleShape {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	shapes := []struct {
		name string
		make func() diembao.SearchRequest
	}{
		{"one word", func() diembao.SearchRequest {
			return diembao.SearchRequest{Query: scaleWords(c, rng, 1)[0]}
		}},
		{"two words", func() diembao.SearchRequest {
			return diembao.SearchRequest{Query: strings.Join(scaleWords(c, rng, 2), " ")}
		}},
		{"phrase", func() diembao.SearchRequest {
			return diembao.SearchRequest{Query: `"` + strings.Join(scaleWords(c, rng, 3), " ") + `"`}
		}},
		{"folded phrase", func() diembao.SearchRequest {
			return diembao.SearchRequest{Query: `"` + viet.Fold(strings.Join(scaleWords(c, rng, 3), " ")) + `"`}
		}},
		{"boolean + dates", func() diembao.SearchRequest {
			a, b, x := scaleWords(c, rng, 1)[0], scaleWords(c, rng, 1)[0], scaleWords(c, rng, 1)[0]
			y := 2016 + rng.IntN(10)
			return diembao.SearchRequest{Query: fmt.Sprintf("(%s OR %s) -%s published:[%d-01-01 TO %d-06-30]", a, b, x, y, y)}
		}},
		{"faceted", func() diembao.SearchRequest {
			return diembao.SearchRequest{Query: strings.Join(scaleWords(c, rng, 2), " "), Facets: []string{"source", "section", "day"}}
		}},
		{"exclusions + dates", func() diembao.SearchRequest {
			x, y := scaleWords(c, rng, 1)[0], strings.Join(scaleWords(c, rng, 2), " ")
			year, month := 2016+rng.IntN(10), 1+rng.IntN(12)
			return diembao.SearchRequest{Query: fmt.Sprintf(`-%s -"%s" published:[%d-%02d-01 TO %d-%02d-28]`, x, y, year, month, year, month),
				Facets: []string{"source", "day"}}
		}},
		{"prefix", func() diembao.SearchRequest {
			// A word of two letters or more without its last letter, when
			// it keeps two (the query language wants two before the *).
			w := []rune(scaleWords(c, rng, 1)[0])
			for len(w) < 2 {
				w = []rune(scaleWords(c, rng, 1)[0])
			}
			if len(w) > 2 {
				w = w[:len(w)-1]
			}
			return diembao.SearchRequest{Query: string(w) + "*"}
		}},
	}
	var out []*scaleShape
	for _, sh := range shapes {
		s := &scaleShape{Name: sh.name}
		var lat []time.Duration
		total := 0
		for range perShape {
			req := sh.make()
			req.Limit, req.Sort = 20, order
			if s.Example == "" {
				s.Example = req.Query
			}
			start := time.Now()
			res, err := search.Search(ctx, req)
			lat = append(lat, time.Since(start))
			s.Queries++
			if err != nil {
				s.Errors++
				continue
			}
			total += res.Total
			if res.TotalLowerBound {
				s.Capped++
			}
		}
		s.MeanTotal = float64(total) / float64(max(1, s.Queries-s.Errors))
		s.P50MS = percentileMS(lat, 0.5)
		s.P99MS = percentileMS(lat, 0.99)
		out = append(out, s)
	}
	return out
}

// peakRSS returns the peak resident memory of the process (VmHWM), or 0
// where /proc is not available.
func peakRSS() int64 { return procStatus("VmHWM") }

// procStatus returns the field name of /proc/self/status in bytes, or 0
// where /proc is not available.
func procStatus(name string) int64 {
	buf, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(buf), "\n") {
		if rest, ok := strings.CutPrefix(line, name+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err == nil {
				return kb * 1024
			}
		}
	}
	return 0
}

// watchAnon samples the process's anonymous resident memory (RssAnon:
// heaps, stacks, SQLite's page caches; not the pages of files mapped into
// memory, which VmHWM counts) every period until the returned function is
// called, which returns the largest sample.
func watchAnon(period time.Duration) func() int64 {
	stop, done := make(chan struct{}), make(chan int64)
	go func() {
		peak := procStatus("RssAnon")
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			select {
			case <-stop:
				done <- max(peak, procStatus("RssAnon"))
				return
			case <-t.C:
				peak = max(peak, procStatus("RssAnon"))
			}
		}
	}()
	return func() int64 {
		close(stop)
		return <-done
	}
}

func printScaleReport(w io.Writer, r *scaleReport) {
	fmt.Fprintf(w, "Archive: %d articles, database %.1f MB, peak memory %.0f MB (the process's own %.0f MB; the rest, pages of database files mapped into memory, counted once per connection that maps them)\n",
		r.Articles, float64(r.DBBytes)/1e6, float64(r.PeakRSSBytes)/1e6, float64(r.PeakAnonBytes)/1e6)
	if r.Imported > 0 {
		fmt.Fprintf(w, "Import: %d articles in %.0fs, %.0f articles/s\n", r.Imported, r.ImportSeconds, r.ArticlesPerS)
	}
	if r.WarmSeconds > 0 {
		fmt.Fprintf(w, "Search attributes read in %.1fs (as serve does at start-up), before the queries\n", r.WarmSeconds)
	}
	if r.Sort != "" && r.Sort != diembao.SortRelevance {
		fmt.Fprintf(w, "Queries sorted %s first\n", r.Sort)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "shape\tqueries\tmean hits\tcapped\tp50 ms\tp99 ms\terrors\texample")
	for _, s := range r.Shapes {
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%d\t%.1f\t%.1f\t%d\t%s\n", s.Name, s.Queries, s.MeanTotal, s.Capped, s.P50MS, s.P99MS, s.Errors, s.Example)
	}
	tw.Flush()
}
