package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/spf13/cobra"
	"golang.org/x/text/unicode/norm"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/extract"
)

func init() {
	registerEval(func(app *App) *cobra.Command {
		var (
			pages, snippets string
			asJSON, base    bool
		)
		cmd := &cobra.Command{
			Use:   "extract --pages DIR | --snippets FILE",
			Short: "Measure article extraction against gold extractions",
			Long: `eval extract runs the extractor over a directory of pages with gold
extractions (DIR/pages/<id>.html or .html.gz, DIR/gold/<id>.json) and prints:
body F1 (the Scrapinghub article-extraction benchmark's metric: lowercase \w+
tokens of sapo + body, multisets of 4-token shingles, per-page counts
normalised to sum to 1, precision and recall averaged over pages, F1 of the two
averages); the accuracy of title, published (to the minute or the day, as the
gold's variation.published_precision says), author, attribution (the outlet)
and "sapo appears once"; and pages per second on one goroutine (parsing
included, file reading excluded). --baseline runs go-trafilatura (default
options) on the same pages in the same run; it is compiled only into binaries
built with -tags baseline, because its date library costs every command a
quarter of a second at start-up. --snippets FILE reads a snippet set
(trafilatura's evaldata.json: URL → file, with, without; pages beside it in
pages/) and prints the share of snippets handled right.`,
			Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				if pages == "" && snippets == "" {
					return diembao.Errorf(diembao.EINVALID, "eval extract: give --pages DIR or --snippets FILE")
				}
				if base && baselineExtract == nil {
					return diembao.Errorf(diembao.EINVALID, "eval extract: this binary has no baseline; run it as go run -tags baseline ./cmd/diembao eval extract … --baseline")
				}
				rep := &extractReport{}
				if pages != "" {
					if err := evalPages(pages, base, rep); err != nil {
						return err
					}
				}
				if snippets != "" {
					if err := evalSnippets(snippets, base, rep); err != nil {
						return err
					}
				}
				if asJSON {
					enc := json.NewEncoder(app.Stdout)
					enc.SetIndent("", "  ")
					return enc.Encode(rep)
				}
				rep.print(app.Stdout, base)
				return nil
			},
		}
		cmd.Flags().StringVar(&pages, "pages", "", "directory with pages/ and gold/")
		cmd.Flags().StringVar(&snippets, "snippets", "", "snippet gold file (evaldata.json) with its pages/ beside it")
		cmd.Flags().BoolVar(&asJSON, "json", false, "print the figures as JSON")
		cmd.Flags().BoolVar(&base, "baseline", false, "also run go-trafilatura (default options) and print its figures")
		return cmd
	})
}

// extractFigures are the figures of one extractor.
type extractFigures struct {
	Pages          int      `json:"pages"`
	BodyF1         float64  `json:"body_f1"`
	BodyPrecision  float64  `json:"body_precision"`
	BodyRecall     float64  `json:"body_recall"`
	Title          float64  `json:"title"`
	Published      float64  `json:"published"`
	Author         float64  `json:"author"`
	Attribution    float64  `json:"attribution"`
	SapoOnce       float64  `json:"sapo_once"`
	PagesPerSecond float64  `json:"pages_per_second"`
	Snippets       *float64 `json:"snippets,omitempty"`
	SnippetPages   int      `json:"snippet_pages,omitempty"`
	SnippetsPPS    float64  `json:"snippet_pages_per_second,omitempty"`
}

// extractReport is what eval extract prints.
type extractReport struct {
	extractFigures
	Baseline   *extractFigures `json:"baseline,omitempty"`
	SpeedRatio float64         `json:"speed_ratio,omitempty"`
}

// goldPage is one gold extraction.
type goldPage struct {
	URL         string   `json:"url"`
	Title       *string  `json:"title"`
	Sapo        *string  `json:"sapo"`
	Body        []string `json:"body"`
	Author      *string  `json:"author"`
	Attribution *string  `json:"attribution"`
	Published   *string  `json:"published"`
	PageDate    *string  `json:"page_date"`
	Variation   struct {
		PublishedPrecision string `json:"published_precision"`
	} `json:"variation"`
}

// prediction is what an extractor gave for one page, in the terms scored.
type prediction struct {
	title, sapo, author, outlet string
	body                        []string
	published                   time.Time
	dayOnly                     bool // the extractor keeps only a calendar day
}

// tally accumulates the per-page scores of one extractor.
type tally struct {
	pages                    int
	precSum, recSum          float64
	title, titleN            int
	pub, pubN                int
	author, authorN          int
	attr, attrN              int
	sapo, sapoN              int
	elapsed                  time.Duration
	snipRight, snipN, snipPg int
	snipElapsed              time.Duration
}

func evalPages(dir string, base bool, rep *extractReport) error {
	golds, err := filepath.Glob(filepath.Join(dir, "gold", "*.json"))
	if err != nil || len(golds) == 0 {
		return diembao.Errorf(diembao.EINVALID, "eval extract: no gold/*.json in %s", dir)
	}
	sort.Strings(golds)
	var ours, theirs tally
	for _, gp := range golds {
		id := strings.TrimSuffix(filepath.Base(gp), ".json")
		raw, err := os.ReadFile(gp)
		if err != nil {
			return fmt.Errorf("eval extract: %w", err)
		}
		var g goldPage
		if err := json.Unmarshal(raw, &g); err != nil {
			return fmt.Errorf("eval extract: %s: %w", gp, err)
		}
		page, err := readPage(filepath.Join(dir, "pages", id+".html"))
		if err != nil {
			return fmt.Errorf("eval extract: %w", err)
		}
		start := time.Now()
		a, _ := extract.Article(page, g.URL, time.Time{}, nil)
		ours.elapsed += time.Since(start)
		ours.score(&g, predictionOf(a))
		if base {
			start := time.Now()
			p := baselineExtract(page, g.URL)
			theirs.elapsed += time.Since(start)
			theirs.score(&g, p)
		}
	}
	ours.fill(&rep.extractFigures)
	if base {
		if rep.Baseline == nil {
			rep.Baseline = &extractFigures{}
		}
		theirs.fill(rep.Baseline)
		if rep.Baseline.PagesPerSecond > 0 {
			rep.SpeedRatio = rep.PagesPerSecond / rep.Baseline.PagesPerSecond
		}
	}
	return nil
}

// readPage reads path, or path.gz; a gzipped file is unpacked (several
// times when it was packed twice, as some files of the snippet set are).
func readPage(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		b, err = os.ReadFile(path + ".gz")
	}
	if err != nil {
		return nil, err
	}
	for i := 0; i < 3 && bytes.HasPrefix(b, []byte{0x1f, 0x8b}); i++ {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		b, err = io.ReadAll(zr)
		zr.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return b, nil
}

func predictionOf(a *diembao.Article) prediction {
	if a == nil {
		return prediction{}
	}
	p := prediction{title: a.Title, sapo: a.Sapo, author: a.Author, published: a.Published}
	for _, b := range a.Body {
		p.body = append(p.body, b.Text)
	}
	if a.Attribution != nil {
		p.outlet = a.Attribution.Outlet
	}
	return p
}

func (t *tally) score(g *goldPage, p prediction) {
	t.pages++
	gold := strings.Join(append([]string{deref(g.Sapo)}, g.Body...), "\n")
	pred := strings.Join(append([]string{p.sapo}, p.body...), "\n")
	prec, rec := shinglePR(gold, pred)
	t.precSum += prec
	t.recSum += rec
	if g.Title != nil {
		t.titleN++
		if normText(*g.Title) == normText(p.title) {
			t.title++
		}
	}
	t.authorN++
	if normCredit(deref(g.Author)) == normCredit(p.author) {
		t.author++
	}
	t.attrN++
	if normCredit(outletOf(deref(g.Attribution))) == normCredit(p.outlet) {
		t.attr++
	}
	if g.Sapo != nil && *g.Sapo != "" {
		t.sapoN++
		if sapoOnce(*g.Sapo, p.sapo, p.body) {
			t.sapo++
		}
	}
	if g.Published != nil && *g.Published != "" {
		gt, err := time.Parse(time.RFC3339, *g.Published)
		prec := g.Variation.PublishedPrecision
		if err == nil && prec != "none" {
			t.pubN++
			if publishedRight(gt, p, prec) {
				t.pub++
			}
		}
	}
}

// publishedRight scores a published time as the gold's precision says:
// "minute" needs the same minute, "date" and "relative_lead" the same day.
func publishedRight(gold time.Time, p prediction, precision string) bool {
	if p.published.IsZero() {
		return false
	}
	switch precision {
	case "minute":
		if p.dayOnly {
			return false
		}
		return gold.Truncate(time.Minute).Equal(p.published.Truncate(time.Minute))
	default:
		g := gold.In(diembao.Vietnam)
		q := p.published.In(diembao.Vietnam)
		if p.dayOnly {
			// A day-only extractor's calendar day, whatever zone it wrote.
			q = p.published
		}
		return g.Year() == q.Year() && g.YearDay() == q.YearDay()
	}
}

func (t *tally) fill(f *extractFigures) {
	div := func(a, b int) float64 {
		if b == 0 {
			return 0
		}
		return float64(a) / float64(b)
	}
	if t.pages > 0 {
		f.Pages = t.pages
		f.BodyPrecision = t.precSum / float64(t.pages)
		f.BodyRecall = t.recSum / float64(t.pages)
		if f.BodyPrecision+f.BodyRecall > 0 {
			f.BodyF1 = 2 * f.BodyPrecision * f.BodyRecall / (f.BodyPrecision + f.BodyRecall)
		}
		f.Title = div(t.title, t.titleN)
		f.Published = div(t.pub, t.pubN)
		f.Author = div(t.author, t.authorN)
		f.Attribution = div(t.attr, t.attrN)
		f.SapoOnce = div(t.sapo, t.sapoN)
		if t.elapsed > 0 {
			f.PagesPerSecond = float64(t.pages) / t.elapsed.Seconds()
		}
	}
	if t.snipN > 0 {
		s := div(t.snipRight, t.snipN)
		f.Snippets = &s
		f.SnippetPages = t.snipPg
		if t.snipElapsed > 0 {
			f.SnippetsPPS = float64(t.snipPg) / t.snipElapsed.Seconds()
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// tokens returns the lowercase \w+ tokens of s.
func tokens(s string) []string {
	return strings.FieldsFunc(strings.ToLower(norm.NFC.String(s)), func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '_')
	})
}

// shingles returns the multiset of n-token shingles of s (one shingle of
// all tokens when there are fewer than n).
func shingles(s string, n int) map[string]int {
	toks := tokens(s)
	m := map[string]int{}
	if len(toks) == 0 {
		return m
	}
	if len(toks) < n {
		m[strings.Join(toks, " ")]++
		return m
	}
	for i := 0; i+n <= len(toks); i++ {
		m[strings.Join(toks[i:i+n], " ")]++
	}
	return m
}

// shinglePR returns the precision and recall of pred against gold on
// 4-token shingles, with the page's counts normalised to sum to 1 (which
// leaves the ratios unchanged). Both empty is a perfect page; an empty
// prediction of a non-empty gold has precision 0.
func shinglePR(gold, pred string) (precision, recall float64) {
	g, p := shingles(gold, 4), shingles(pred, 4)
	tp, fp, fn := 0, 0, 0
	for k, c := range p {
		m := min(c, g[k])
		tp += m
		fp += c - m
	}
	for k, c := range g {
		fn += c - min(c, p[k])
	}
	total := float64(tp + fp + fn)
	if total == 0 {
		return 1, 1
	}
	ntp, nfp, nfn := float64(tp)/total, float64(fp)/total, float64(fn)/total
	if ntp+nfp > 0 {
		precision = ntp / (ntp + nfp)
	}
	if ntp+nfn > 0 {
		recall = ntp / (ntp + nfn)
	}
	return precision, recall
}

func normText(s string) string {
	return strings.Join(strings.Fields(norm.NFC.String(s)), " ")
}

// normCredit normalises an author or outlet: NFC, collapsed spaces, no
// enclosing parentheses, case folded.
func normCredit(s string) string {
	s = normText(s)
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(s, "("), ")"))
	return strings.ToLower(s)
}

// outletOf removes the "Nguồn"/"Theo" wording of a gold attribution.
func outletOf(s string) string {
	s = normText(s)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "("), ")")
	for _, p := range []string{"Nguồn tin", "Nguồn", "Theo", "nguồn", "theo"} {
		if strings.HasPrefix(s, p+" ") || strings.HasPrefix(s, p+":") {
			s = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(s, p), ":"))
			break
		}
	}
	return s
}

// sapoOnce reports whether the gold lead appears exactly once in the
// extracted lead and body.
func sapoOnce(gold, sapo string, body []string) bool {
	key := strings.Join(tokens(gold), " ")
	if key == "" {
		return false
	}
	n := 0
	for _, part := range append([]string{sapo}, body...) {
		n += strings.Count(" "+strings.Join(tokens(part), " ")+" ", " "+key+" ")
	}
	return n == 1
}

// snippetGold is one entry of trafilatura's evaldata.json.
type snippetGold struct {
	File    string   `json:"file"`
	With    []string `json:"with"`
	Without []string `json:"without"`
}

func evalSnippets(file string, base bool, rep *extractReport) error {
	raw, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("eval extract: %w", err)
	}
	var set map[string]snippetGold
	if err := json.Unmarshal(raw, &set); err != nil {
		return fmt.Errorf("eval extract: %s: %w", file, err)
	}
	urls := make([]string, 0, len(set))
	for u := range set {
		urls = append(urls, u)
	}
	sort.Strings(urls)
	dir := filepath.Join(filepath.Dir(file), "pages")
	var ours, theirs tally
	for _, u := range urls {
		g := set[u]
		page, err := readPage(filepath.Join(dir, g.File))
		if err != nil {
			return fmt.Errorf("eval extract: %w", err)
		}
		start := time.Now()
		a, _ := extract.Article(page, u, time.Time{}, nil)
		ours.snipElapsed += time.Since(start)
		text := ""
		if a != nil {
			text = a.Text()
		}
		ours.snippets(g, text)
		if base {
			start := time.Now()
			p := baselineExtract(page, u)
			theirs.snipElapsed += time.Since(start)
			theirs.snippets(g, strings.Join(p.body, "\n"))
		}
	}
	var f extractFigures
	ours.fill(&f)
	rep.Snippets, rep.SnippetPages, rep.SnippetsPPS = f.Snippets, f.SnippetPages, f.SnippetsPPS
	if base {
		if rep.Baseline == nil {
			rep.Baseline = &extractFigures{}
		}
		var b extractFigures
		theirs.fill(&b)
		rep.Baseline.Snippets, rep.Baseline.SnippetPages, rep.Baseline.SnippetsPPS = b.Snippets, b.SnippetPages, b.SnippetsPPS
	}
	return nil
}

// snippets scores one page of the snippet set: a "with" snippet must be in
// the text, a "without" snippet must not. Spaces are collapsed on both sides.
func (t *tally) snippets(g snippetGold, text string) {
	t.snipPg++
	text = normText(text)
	for _, s := range g.With {
		t.snipN++
		if strings.Contains(text, normText(s)) {
			t.snipRight++
		}
	}
	for _, s := range g.Without {
		t.snipN++
		if !strings.Contains(text, normText(s)) {
			t.snipRight++
		}
	}
}

func (r *extractReport) print(w io.Writer, base bool) {
	row := func(name string, ours float64, theirs func(*extractFigures) float64, format string) {
		fmt.Fprintf(w, "%-22s "+format, name, ours)
		if base && r.Baseline != nil {
			fmt.Fprintf(w, "   "+format, theirs(r.Baseline))
		}
		fmt.Fprintln(w)
	}
	header := fmt.Sprintf("%-22s %9s", "", "diembao")
	if base {
		header += fmt.Sprintf("   %9s", "trafilatura")
	}
	fmt.Fprintln(w, header)
	if r.Pages > 0 {
		fmt.Fprintf(w, "%-22s %9d\n", "pages", r.Pages)
		row("body F1", r.BodyF1, func(f *extractFigures) float64 { return f.BodyF1 }, "%9.3f")
		row("  body precision", r.BodyPrecision, func(f *extractFigures) float64 { return f.BodyPrecision }, "%9.3f")
		row("  body recall", r.BodyRecall, func(f *extractFigures) float64 { return f.BodyRecall }, "%9.3f")
		row("title", r.Title, func(f *extractFigures) float64 { return f.Title }, "%9.3f")
		row("published", r.Published, func(f *extractFigures) float64 { return f.Published }, "%9.3f")
		row("author", r.Author, func(f *extractFigures) float64 { return f.Author }, "%9.3f")
		row("attribution", r.Attribution, func(f *extractFigures) float64 { return f.Attribution }, "%9.3f")
		row("sapo once", r.SapoOnce, func(f *extractFigures) float64 { return f.SapoOnce }, "%9.3f")
		row("pages/s (1 goroutine)", r.PagesPerSecond, func(f *extractFigures) float64 { return f.PagesPerSecond }, "%9.1f")
		if base && r.SpeedRatio > 0 {
			fmt.Fprintf(w, "%-22s %9.2f\n", "speed ratio", r.SpeedRatio)
		}
	}
	if r.Snippets != nil {
		fmt.Fprintf(w, "%-22s %9d\n", "snippet pages", r.SnippetPages)
		row("snippets right", *r.Snippets, func(f *extractFigures) float64 {
			if f.Snippets == nil {
				return 0
			}
			return *f.Snippets
		}, "%9.3f")
		row("snippet pages/s", r.SnippetsPPS, func(f *extractFigures) float64 { return f.SnippetsPPS }, "%9.1f")
	}
}
