package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/extract"
)

// maxExtractFetch caps the page "diembao extract URL" downloads.
const maxExtractFetch = 32 << 20

func init() {
	register(40, func(app *App) *cobra.Command {
		var (
			asJSON         bool
			rules, pageURL string
		)
		cmd := &cobra.Command{
			Use:   "extract [--json] FILE|URL",
			Short: "Extract the article of one page and print it",
			Long: `extract turns one news page (a file, "-" for standard input, or an http(s) URL)
into a clean article: title, sapo, body, captions, author, attribution,
published time with its precision, page date, section, tags, canonical URL and
language. --rules names a TOML file of per-outlet site rules; --url gives the
address of a page read from a file (for its site rule and canonical URL).`,
			Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				opts := extract.Options{Logger: app.Logger}
				if rules != "" {
					f, err := os.Open(rules)
					if err != nil {
						return diembao.Errorf(diembao.EINVALID, "cannot open rules: %v", err)
					}
					r, err := extract.LoadRules(f)
					f.Close()
					if err != nil {
						return diembao.Errorf(diembao.EINVALID, "%v", err)
					}
					opts.Rules = r
				}
				page, fetchedURL, header, fetched, err := readExtractInput(cmd.Context(), app.Stdin, args[0])
				if err != nil {
					return err
				}
				if fetchedURL != "" {
					pageURL = fetchedURL
				}
				a, err := extract.New(opts).Extract(page, pageURL, fetched, header)
				if err != nil {
					return err
				}
				if asJSON {
					return printArticleJSON(app.Stdout, a)
				}
				return printArticle(app.Stdout, a)
			},
		}
		cmd.Flags().BoolVar(&asJSON, "json", false, "print the article as a JSON object")
		cmd.Flags().StringVar(&rules, "rules", "", "TOML file of per-outlet site rules")
		cmd.Flags().StringVar(&pageURL, "url", "", "address of a page read from a file or standard input")
		return cmd
	})

	register(41, func(app *App) *cobra.Command {
		var (
			asJSON         bool
			base, pageDate string
		)
		cmd := &cobra.Command{
			Use:   "date [--base RFC3339] [--page-date YYYY-MM-DD] [--json] TEXT",
			Short: "Parse a Vietnamese dateline and print the time it gives",
			Long: `date runs the dateline parser alone. --base is the fetch time (default now) and
--page-date a date printed in the site header; they resolve datelines without a
year ("Chiều 10/1") and relative ones ("hôm qua", "2 giờ trước"). Text that
holds no date gives null.`,
			Args: cobra.MinimumNArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				b := time.Now()
				if base != "" {
					t, err := time.Parse(time.RFC3339, base)
					if err != nil {
						return diembao.Errorf(diembao.EINVALID, "--base %q is not an RFC 3339 time", base)
					}
					b = t
				}
				var pd time.Time
				if pageDate != "" {
					t, err := time.ParseInLocation("2006-01-02", pageDate, diembao.Vietnam)
					if err != nil {
						return diembao.Errorf(diembao.EINVALID, "--page-date %q is not YYYY-MM-DD", pageDate)
					}
					pd = t
				}
				t, p, ok := extract.ParseDate(strings.Join(args, " "), b, pd)
				if asJSON {
					out := struct {
						Time      *string `json:"time"`
						Precision *string `json:"precision"`
					}{}
					if ok {
						ts, ps := t.Format(time.RFC3339), string(p)
						out.Time, out.Precision = &ts, &ps
					}
					return json.NewEncoder(app.Stdout).Encode(out)
				}
				if !ok {
					_, err := fmt.Fprintln(app.Stdout, "no date")
					return err
				}
				_, err := fmt.Fprintf(app.Stdout, "%s (%s)\n", t.Format(time.RFC3339), p)
				return err
			},
		}
		cmd.Flags().BoolVar(&asJSON, "json", false, `print {"time": …, "precision": …}`)
		cmd.Flags().StringVar(&base, "base", "", "fetch time, RFC 3339 (default now)")
		cmd.Flags().StringVar(&pageDate, "page-date", "", "date printed in the site header, YYYY-MM-DD")
		return cmd
	})
}

// readExtractInput reads a page from a file, standard input ("-") or an
// http(s) URL.
func readExtractInput(ctx context.Context, stdin io.Reader, arg string) (page []byte, pageURL string, header http.Header, fetched time.Time, err error) {
	fetched = time.Now()
	switch {
	case arg == "-":
		page, err = io.ReadAll(io.LimitReader(stdin, maxExtractFetch))
	case strings.HasPrefix(arg, "http://") || strings.HasPrefix(arg, "https://"):
		pageURL = arg
		req, rerr := http.NewRequestWithContext(ctx, http.MethodGet, arg, nil)
		if rerr != nil {
			return nil, "", nil, fetched, diembao.Errorf(diembao.EINVALID, "bad URL %q", arg)
		}
		req.Header.Set("User-Agent", "diembao/"+diembao.Version+" (+https://github.com/diembao/diembao)")
		client := &http.Client{Timeout: 30 * time.Second}
		resp, derr := client.Do(req)
		if derr != nil {
			return nil, "", nil, fetched, fmt.Errorf("extract: fetch %s: %w", arg, derr)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, "", nil, fetched, diembao.Errorf(diembao.EUNAVAILABLE, "%s answered %s", arg, resp.Status)
		}
		header = resp.Header
		page, err = io.ReadAll(io.LimitReader(resp.Body, maxExtractFetch))
	default:
		if fi, serr := os.Stat(arg); serr == nil && fi.Size() > maxExtractFetch {
			return nil, "", nil, fetched, diembao.Errorf(diembao.EINVALID, "%s is larger than %d MB", arg, maxExtractFetch>>20)
		}
		page, err = os.ReadFile(arg)
		if err != nil {
			return nil, "", nil, fetched, diembao.Errorf(diembao.EINVALID, "cannot read %s: %v", arg, err)
		}
		if fi, serr := os.Stat(arg); serr == nil {
			fetched = fi.ModTime()
		}
	}
	if err != nil {
		return nil, "", nil, fetched, fmt.Errorf("extract: read %s: %w", arg, err)
	}
	return page, pageURL, header, fetched, nil
}

// articleJSON is the JSON form of "diembao extract --json".
type articleJSON struct {
	Title              string      `json:"title"`
	Sapo               string      `json:"sapo"`
	Body               []string    `json:"body"`
	Headings           []int       `json:"headings,omitempty"`
	Captions           []string    `json:"captions"`
	Author             *string     `json:"author"`
	Attribution        *attribJSON `json:"attribution"`
	Published          *string     `json:"published"`
	PublishedPrecision *string     `json:"published_precision"`
	PublishedFrom      string      `json:"published_from,omitempty"`
	PageDate           *string     `json:"page_date"`
	Section            string      `json:"section"`
	Tags               []string    `json:"tags"`
	CanonicalURL       string      `json:"canonical_url"`
	Language           string      `json:"language"`
	Images             []imageJSON `json:"images,omitempty"`
}

type attribJSON struct {
	Kind   string `json:"kind"`
	Outlet string `json:"outlet"`
	Text   string `json:"text"`
}

type imageJSON struct {
	URL     string `json:"url"`
	Caption string `json:"caption,omitempty"`
}

func printArticleJSON(w io.Writer, a *diembao.Article) error {
	out := articleJSON{
		Title: a.Title, Sapo: a.Sapo, Body: []string{}, Captions: a.Captions,
		Section: a.Section, Tags: a.Tags, CanonicalURL: a.URL, Language: a.Language,
		PublishedFrom: a.PublishedFrom,
	}
	if out.Captions == nil {
		out.Captions = []string{}
	}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	for i, p := range a.Body {
		out.Body = append(out.Body, p.Text)
		if p.Heading {
			out.Headings = append(out.Headings, i)
		}
	}
	if a.Author != "" {
		out.Author = &a.Author
	}
	if a.Attribution != nil {
		out.Attribution = &attribJSON{Kind: a.Attribution.Kind, Outlet: a.Attribution.Outlet, Text: a.Attribution.String()}
	}
	if !a.Published.IsZero() {
		s, p := a.Published.Format(time.RFC3339), string(a.PublishedPrecision)
		out.Published, out.PublishedPrecision = &s, &p
	}
	if !a.PageDate.IsZero() {
		s := a.PageDate.Format("2006-01-02")
		out.PageDate = &s
	}
	for _, im := range a.Images {
		out.Images = append(out.Images, imageJSON(im))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

func printArticle(w io.Writer, a *diembao.Article) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", a.Title)
	meta := []string{}
	if !a.Published.IsZero() {
		layout := "2006-01-02 15:04 -07:00"
		if a.PublishedPrecision == diembao.PrecisionDay {
			layout = "2006-01-02"
		}
		meta = append(meta, a.Published.Format(layout)+" ("+a.PublishedFrom+")")
	}
	if a.Author != "" {
		meta = append(meta, a.Author)
	}
	if a.Attribution != nil {
		meta = append(meta, a.Attribution.String())
	}
	if a.Section != "" {
		meta = append(meta, a.Section)
	}
	if len(meta) > 0 {
		fmt.Fprintf(&b, "%s\n", strings.Join(meta, " · "))
	}
	if a.URL != "" {
		fmt.Fprintf(&b, "%s\n", a.URL)
	}
	b.WriteString("\n")
	if a.Sapo != "" {
		fmt.Fprintf(&b, "%s\n\n", a.Sapo)
	}
	for _, p := range a.Body {
		if p.Heading {
			fmt.Fprintf(&b, "## %s\n\n", p.Text)
			continue
		}
		fmt.Fprintf(&b, "%s\n\n", p.Text)
	}
	for _, c := range a.Captions {
		fmt.Fprintf(&b, "[Ảnh] %s\n", c)
	}
	if len(a.Tags) > 0 {
		fmt.Fprintf(&b, "Tags: %s\n", strings.Join(a.Tags, ", "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
