package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/query"
)

// searchFlags are the options of "diembao search".
type searchFlags struct {
	json     bool
	limit    int
	sort     string
	since    string
	source   string
	cursor   string
	facets   []string
	noExpand bool
}

func init() {
	register(60, func(app *App) *cobra.Command {
		var f searchFlags
		cmd := &cobra.Command{
			Use:   "search [flags] QUERY",
			Short: "Search the archive, with or without diacritics",
			Long: `search finds the stored articles that match QUERY and prints them, best
first, with an excerpt of the text around the words found.

Words match with or without diacritics ("ha noi" finds "Hà Nội"); when the query
has diacritics, articles with exactly those words rank first. The query language:

  ban chỉ đạo 35            all of the words
  "nền tảng tư tưởng"       the words next to each other, in order
  a OR b, a AND b, NOT a    either, both, without; -a also means without
  (a OR b) c                grouping
  title:bão author:… source:… section:…   a word in one field
  chuyển*                   words beginning with "chuyển"
  published:[2020-01-01 TO 2020-01-31]    published:>now-7d
  HĐND                      also finds "Hội đồng nhân dân" (--no-expand: only HĐND)

--json prints {"total", "results": [{"id", "url", "title", "source",
"published", "snippet", "score", …}], "next_cursor"}; pass next_cursor to
--cursor for the next page.`,
			Example: `  diembao search "ban chi dao 35"
  diembao search --sort newest --since 2020-01-01 '"nền tảng tư tưởng"'
  diembao search --json --limit 5 --source "Báo Hà Nam" HĐND`,
			Args: cobra.MinimumNArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				return runSearch(cmd.Context(), app, f, strings.Join(args, " "))
			},
		}
		fl := cmd.Flags()
		fl.BoolVar(&f.json, "json", false, "print the results as JSON")
		fl.IntVar(&f.limit, "limit", 10, "number of results per page (at most 200)")
		fl.StringVar(&f.sort, "sort", "relevance", "order of the results: relevance, newest or oldest")
		fl.StringVar(&f.since, "since", "", "only articles published since DATE (2020-01-31) or in the last period (7d, 24h, 2w)")
		fl.StringVar(&f.source, "source", "", "only articles of the source NAME")
		fl.StringVar(&f.cursor, "cursor", "", "continue after the page that returned this next_cursor")
		fl.StringSliceVar(&f.facets, "facets", nil, "count the results by source, section and/or day")
		fl.BoolVar(&f.noExpand, "no-expand", false, "do not expand abbreviations (HĐND ≡ Hội đồng nhân dân)")
		return cmd
	})
}

func runSearch(ctx context.Context, app *App, f searchFlags, q string) error {
	now := time.Now()
	// Parse first, so that a mistake points at the query as the user typed it.
	if _, err := query.Parse(q, now); err != nil {
		if c := query.Caret(q, err); c != "" {
			fmt.Fprintln(app.Stderr, c)
		}
		return err
	}
	req := diembao.SearchRequest{
		Query:    q,
		Sort:     diembao.Sort(f.sort),
		Cursor:   f.cursor,
		Limit:    f.limit,
		Facets:   f.facets,
		NoExpand: f.noExpand,
	}
	if f.since != "" {
		t, err := parseSince(f.since, now)
		if err != nil {
			return err
		}
		req.Since = t
	}
	st, err := openStore(ctx, app)
	if err != nil {
		return err
	}
	defer st.Close()
	if f.source != "" {
		src, err := st.Sources.FindSourceByName(ctx, f.source)
		switch {
		case err == nil:
			req.SourceIDs = []int64{src.ID}
		case diembao.ErrorCode(err) == diembao.ENOTFOUND:
			// Articles imported with only a source name: match the name.
			req.Query = "(" + q + ") source:" + strconv.Quote(strings.ReplaceAll(f.source, `"`, ""))
		default:
			return err
		}
	}
	res, err := st.Search.Search(ctx, req)
	if err != nil {
		var de *diembao.Error
		if errors.As(err, &de) && req.Query == q {
			if c := query.Caret(q, err); c != "" {
				fmt.Fprintln(app.Stderr, c)
			}
		}
		return err
	}
	if f.json {
		enc := json.NewEncoder(app.Stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(res)
	}
	return printResults(app.Stdout, res, isTerminal(app.Stdout))
}

// parseSince reads --since: a date (2020-01-31), a month (2020-01) or a
// period back from now (7d, 24h, 2w, 3m, 1y).
func parseSince(s string, now time.Time) (time.Time, error) {
	q := "published:>=" + s
	if !strings.ContainsAny(s[:1], "0123456789") || strings.HasPrefix(s, "now") || len(s) <= 4 && strings.ContainsAny(s[len(s)-1:], "hdwmy") {
		q = "published:>=now-" + strings.TrimPrefix(strings.TrimPrefix(s, "now"), "-")
	}
	n, err := query.Parse(q, now)
	if err != nil {
		return time.Time{}, diembao.Errorf(diembao.EINVALID, "--since %q: write a date (2020-01-31) or a period (7d, 24h, 2w)", s)
	}
	r, ok := n.(*query.Range)
	if !ok {
		return time.Time{}, diembao.Errorf(diembao.EINVALID, "--since %q: write a date (2020-01-31) or a period (7d, 24h, 2w)", s)
	}
	return r.From, nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// printResults prints a page of results for people: title, source and date,
// URL and the excerpt, with the words found in bold on a terminal.
func printResults(w io.Writer, res *diembao.SearchResult, bold bool) error {
	if res.Total == 0 {
		_, err := fmt.Fprintln(w, "No article matches.")
		return err
	}
	for i, h := range res.Hits {
		date := "undated"
		if !h.Published.IsZero() {
			date = h.Published.Format("2006-01-02 15:04")
		}
		fmt.Fprintf(w, "%d. %s\n   %s · %s · score %.2f\n   %s\n", i+1, h.Title, orDash(h.Source), date, h.Score, h.URL)
		if h.Snippet != "" {
			fmt.Fprintf(w, "   %s\n", mark(h.Snippet, h.Highlights, bold))
		}
		fmt.Fprintln(w)
	}
	more := ""
	if res.TotalLowerBound {
		more = "more than "
	}
	fmt.Fprintf(w, "%d of %s%d articles.", len(res.Hits), more, res.Total)
	if res.Ranked > 0 {
		fmt.Fprintf(w, " Ranked among the newest %d matches (narrow the query or the dates, or --sort newest, for older ones).", res.Ranked)
	}
	if res.NextCursor != "" {
		fmt.Fprintf(w, " Next page: --cursor %s", res.NextCursor)
	}
	fmt.Fprintln(w)
	for name, counts := range res.Facets {
		fmt.Fprintf(w, "\nBy %s:\n", name)
		for _, c := range counts {
			fmt.Fprintf(w, "  %6d  %s\n", c.Count, c.Value)
		}
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// mark returns text with the spans in bold (ANSI) when bold is set.
func mark(text string, spans []diembao.Span, bold bool) string {
	if !bold || len(spans) == 0 {
		return text
	}
	var b strings.Builder
	last := 0
	for _, s := range spans {
		if s.Start < last || s.End > len(text) || s.Start > s.End {
			continue
		}
		b.WriteString(text[last:s.Start])
		b.WriteString("\x1b[1m")
		b.WriteString(text[s.Start:s.End])
		b.WriteString("\x1b[0m")
		last = s.End
	}
	b.WriteString(text[last:])
	return b.String()
}
