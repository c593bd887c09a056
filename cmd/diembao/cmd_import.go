package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/diembao/diembao"
)

func init() {
	register(30, func(app *App) *cobra.Command {
		return &cobra.Command{
			Use:   "import PATH...",
			Short: "Import HTML pages, WARC archives and JSONL article dumps into the archive",
			Long: `import reads each PATH and stores the articles it holds:

  *.html, *.htm          one article page; its URL is the page's canonical URL
                         (or a file:// URL when the page names none)
  *.warc, *.warc.gz      every HTML response in a WARC archive, from diembao or
                         any other tool (wget --warc-file, Heritrix, …)
  *.jsonl, *.jsonl.gz    one article per line:
                         {"url","title","text","published","source"}
  a directory            every file above inside it, recursively

Importing the same article twice stores it once. A file that cannot be read
gets a one-line error; the other files are still imported, and the command
exits with status 1 after a summary.`,
			Args: cobra.MinimumNArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				return runImport(cmd.Context(), app, args)
			},
		}
	})
}

// importStats counts what an import did.
type importStats struct {
	files, failedFiles     int
	created, updated, same int
	failedRecords, skipped int
	start                  time.Time
}

func (s *importStats) add(r diembao.PutResult) {
	switch {
	case r.Created:
		s.created++
	case r.Updated:
		s.updated++
	default:
		s.same++
	}
}

func runImport(ctx context.Context, app *App, args []string) error {
	st, err := openStore(ctx, app)
	if err != nil {
		return err
	}
	defer st.Close()
	in := newIngester(st.Articles, st.Sources)
	in.onWarn = func(msg string) { fmt.Fprintln(app.Stderr, "import:", msg) }

	stats := &importStats{start: time.Now()}
	var files []string
	for _, p := range args {
		fi, err := os.Stat(p)
		if err != nil {
			stats.files++
			stats.failedFiles++
			fmt.Fprintf(app.Stderr, "import %s: %v\n", p, errors.Unwrap(err))
			continue
		}
		if !fi.IsDir() {
			files = append(files, p)
			continue
		}
		_ = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				fmt.Fprintf(app.Stderr, "import %s: %v\n", path, err)
				return nil
			}
			if !d.IsDir() && importKind(path) != "" {
				files = append(files, path)
			}
			return nil
		})
	}

	var bar *progressbar.ProgressBar
	if f, ok := app.Stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		bar = progressbar.NewOptions(len(files),
			progressbar.OptionSetWriter(app.Stderr),
			progressbar.OptionSetDescription("import"),
			progressbar.OptionShowCount(),
			progressbar.OptionClearOnFinish())
	}
	for _, path := range files {
		if ctx.Err() != nil {
			break
		}
		stats.files++
		if err := importFile(ctx, in, path, stats); err != nil {
			stats.failedFiles++
			if bar != nil {
				_ = bar.Clear()
			}
			fmt.Fprintf(app.Stderr, "import %s: %v\n", path, err)
		}
		if bar != nil {
			_ = bar.Add(1)
		}
	}
	if bar != nil {
		_ = bar.Finish()
	}
	fmt.Fprintf(app.Stdout, "imported %d files in %s: %d new articles, %d updated, %d unchanged; %d records skipped, %d failed; %d files failed\n",
		stats.files, time.Since(stats.start).Round(time.Millisecond), stats.created, stats.updated, stats.same,
		stats.skipped, stats.failedRecords, stats.failedFiles)
	if stats.failedFiles > 0 || ctx.Err() != nil {
		return &exitError{code: 1}
	}
	return nil
}

// importKind classifies a path by its name: "html", "warc", "jsonl" or "".
func importKind(path string) string {
	name := strings.ToLower(filepath.Base(path))
	name = strings.TrimSuffix(name, ".gz")
	switch filepath.Ext(name) {
	case ".html", ".htm", ".xhtml":
		return "html"
	case ".warc":
		return "warc"
	case ".jsonl", ".ndjson":
		return "jsonl"
	}
	return ""
}

func importFile(ctx context.Context, in *ingester, path string, stats *importStats) error {
	fi, err := os.Stat(path)
	if err != nil {
		return errors.Unwrap(err)
	}
	if fi.Size() == 0 {
		return errors.New("empty file")
	}
	switch importKind(path) {
	case "html":
		return importHTML(ctx, in, path, fi, stats)
	case "warc":
		return importWARC(ctx, in, path, stats)
	case "jsonl":
		return importJSONL(ctx, in, path, stats)
	}
	return errors.New("unknown file type (want .html, .warc, .warc.gz, .jsonl or .jsonl.gz)")
}

func importHTML(ctx context.Context, in *ingester, path string, fi fs.FileInfo, stats *importStats) error {
	if fi.Size() > maxPageBytes {
		return errTooLarge
	}
	body, err := readMaybeGzip(path, maxPageBytes)
	if err != nil {
		return err
	}
	if looksBinary(body) {
		return errors.New("not an HTML page (binary content)")
	}
	abs, _ := filepath.Abs(path)
	f := &diembao.Fetch{URL: "file://" + filepath.ToSlash(abs), Status: 200, FetchedAt: fi.ModTime().In(diembao.Vietnam), Header: headerOf("text/html")}
	r, err := in.page(ctx, nil, f, body, nil)
	if err != nil {
		return err
	}
	stats.add(r)
	return nil
}

// readMaybeGzip reads a file, gunzipping it when its name ends in .gz, and
// refuses more than limit bytes.
func readMaybeGzip(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, errors.Unwrap(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(strings.ToLower(path), ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		r = zr
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, errTooLarge
	}
	return b, nil
}

// looksBinary reports whether b holds NUL bytes or mostly control bytes in
// its first kilobytes, as images and executables do and text never does.
func looksBinary(b []byte) bool {
	head := b[:min(len(b), 8192)]
	if bytes.IndexByte(head, 0) >= 0 {
		return true
	}
	ctl := 0
	for _, c := range head {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' {
			ctl++
		}
	}
	return ctl > len(head)/10
}

// jsonlRecord is one line of a JSONL import.
type jsonlRecord struct {
	URL       string `json:"url"`
	Title     string `json:"title"`
	Text      string `json:"text"`
	Published string `json:"published"`
	Source    string `json:"source"`
}

// jsonlBatch is the number of articles of a JSONL file stored in one
// transaction.
const jsonlBatch = 500

// batchPutter is a store that can store several articles in one
// transaction (both stores' ArticleService).
type batchPutter interface {
	PutArticles(ctx context.Context, list []*diembao.Article) ([]diembao.PutResult, error)
}

func importJSONL(ctx context.Context, in *ingester, path string, stats *importStats) error {
	f, err := os.Open(path)
	if err != nil {
		return errors.Unwrap(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(strings.ToLower(path), ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return fmt.Errorf("gzip: %w", err)
		}
		r = zr
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), maxPageBytes)
	line, bad := 0, 0
	var firstErr error
	fail := func(line int, err error) {
		bad++
		stats.failedRecords++
		if firstErr == nil {
			firstErr = fmt.Errorf("line %d: %w", line, err)
		}
	}
	// Articles are stored jsonlBatch at a time, in one transaction, when
	// the store can: an article per transaction costs a server-mode store
	// several times more (token counts, docs/postgres.md). A batch that
	// fails is stored again one article at a time, so that each bad line
	// is told apart and the others are kept.
	var (
		pending []*diembao.Article
		lines   []int
	)
	flush := func() error {
		defer func() { pending, lines = pending[:0], lines[:0] }()
		if len(pending) == 0 {
			return nil
		}
		if bp, ok := in.articles.(batchPutter); ok {
			if results, err := bp.PutArticles(ctx, pending); err == nil {
				for _, res := range results {
					stats.add(res)
				}
				return nil
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
		}
		for i, a := range pending {
			res, err := in.articles.PutArticle(ctx, a)
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				fail(lines[i], err)
				continue
			}
			stats.add(res)
		}
		return nil
	}
	for sc.Scan() {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		line++
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		a, err := jsonlArticle(raw)
		if err != nil {
			fail(line, err)
			continue
		}
		pending, lines = append(pending, a), append(lines, line)
		if len(pending) == jsonlBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("line %d: %w", line+1, err)
	}
	if line == 0 {
		return errors.New("empty file")
	}
	if bad > 0 {
		return fmt.Errorf("%d of %d lines not imported; first: %w", bad, line, firstErr)
	}
	return nil
}

// jsonlArticle turns one JSONL record into an article.
func jsonlArticle(raw []byte) (*diembao.Article, error) {
	if !utf8.Valid(raw) {
		return nil, errors.New("invalid UTF-8")
	}
	var rec jsonlRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, fmt.Errorf("not a JSON object: %v", err)
	}
	rec.URL = strings.TrimSpace(rec.URL)
	if rec.URL == "" {
		return nil, errors.New(`missing "url"`)
	}
	if strings.TrimSpace(rec.Title) == "" && strings.TrimSpace(rec.Text) == "" {
		return nil, errors.New(`missing "title" and "text"`)
	}
	a := &diembao.Article{URL: rec.URL, Title: strings.TrimSpace(rec.Title), SourceName: strings.TrimSpace(rec.Source)}
	for _, p := range splitParagraphs(rec.Text) {
		a.Body = append(a.Body, diembao.Paragraph{Text: p})
	}
	if rec.Published != "" {
		t, p, err := parseImportTime(rec.Published)
		if err != nil {
			return nil, fmt.Errorf(`"published": %v`, err)
		}
		a.Published, a.PublishedPrecision, a.PublishedFrom = t, p, "import"
	}
	if a.Title == "" {
		a.Title = firstWords(a.Body[0].Text, 12)
	}
	return a, nil
}

// splitParagraphs splits text on line breaks and drops empty paragraphs.
func splitParagraphs(text string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if p = strings.Join(strings.Fields(p), " "); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func firstWords(s string, n int) string {
	f := strings.Fields(s)
	if len(f) > n {
		return strings.Join(f[:n], " ") + "…"
	}
	return strings.Join(f, " ")
}

// parseImportTime reads the published time of an imported record: RFC 3339,
// or a date with an optional time, taken in Vietnam's time zone.
func parseImportTime(s string) (time.Time, diembao.Precision, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.In(diembao.Vietnam), diembao.PrecisionMinute, nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "02/01/2006 15:04"} {
		if t, err := time.ParseInLocation(layout, s, diembao.Vietnam); err == nil {
			return t, diembao.PrecisionMinute, nil
		}
	}
	for _, layout := range []string{"2006-01-02", "02/01/2006"} {
		if t, err := time.ParseInLocation(layout, s, diembao.Vietnam); err == nil {
			return t, diembao.PrecisionDay, nil
		}
	}
	return time.Time{}, "", fmt.Errorf("cannot read %q as a date (want RFC 3339 or YYYY-MM-DD)", s)
}
