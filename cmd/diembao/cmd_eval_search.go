package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/diembao/diembao"
)

// searchQuery is one line of a known-item query file.
type searchQuery struct {
	Query    string   `json:"query"`
	Relevant []string `json:"relevant"`
	// Kind groups the queries in the report ("typed", "folded", …); empty
	// is reported as "all".
	Kind string `json:"kind,omitempty"`
}

// searchScore holds the figures of one group of queries.
type searchScore struct {
	Kind      string  `json:"kind"`
	Queries   int     `json:"queries"`
	MRR10     float64 `json:"mrr_at_10"`
	Recall10  float64 `json:"recall_at_10"`
	Found     int     `json:"found_at_1"`
	Errors    int     `json:"errors"`
	LatencyMS struct {
		P50 float64 `json:"p50"`
		P99 float64 `json:"p99"`
	} `json:"latency_ms"`
	latencies []time.Duration
}

func init() {
	registerEval(func(app *App) *cobra.Command {
		var (
			file     string
			asJSON   bool
			noExpand bool
		)
		cmd := &cobra.Command{
			Use:   "search --queries FILE",
			Short: "Measure search quality and speed on known-item queries",
			Long: `eval search runs every query of FILE against the archive of the data directory
and prints, per kind of query and overall, MRR@10 (the mean of 1/rank of the
first relevant article within the top ten, 0 when none is there), recall@10
(the share of relevant articles within the top ten) and the latency of the
search call (50th and 99th percentiles).

FILE is JSONL, one query per line:
  {"query": "...", "relevant": ["<url>", ...], "kind": "typed"}
"kind" is optional. "diembao eval search-data" builds such a file, and the
archive it refers to, from the VNTC corpus.`,
			Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				return runEvalSearch(cmd.Context(), app, file, asJSON, noExpand)
			},
		}
		cmd.Flags().StringVar(&file, "queries", "", "JSONL file of queries with their relevant URLs (required)")
		cmd.Flags().BoolVar(&asJSON, "json", false, "print the figures as JSON")
		cmd.Flags().BoolVar(&noExpand, "no-expand", false, "do not expand abbreviations")
		_ = cmd.MarkFlagRequired("queries")
		return cmd
	})
}

// readSearchQueries reads a JSONL query file.
func readSearchQueries(path string) ([]searchQuery, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, diembao.Errorf(diembao.EINVALID, "cannot read the queries: %v", err)
	}
	defer f.Close()
	var qs []searchQuery
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var q searchQuery
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			return nil, diembao.Errorf(diembao.EINVALID, "%s:%d: %v", path, line, err)
		}
		if q.Query == "" || len(q.Relevant) == 0 {
			return nil, diembao.Errorf(diembao.EINVALID, "%s:%d: a query needs \"query\" and \"relevant\"", path, line)
		}
		qs = append(qs, q)
	}
	if err := sc.Err(); err != nil {
		return nil, diembao.Errorf(diembao.EINVALID, "cannot read the queries: %v", err)
	}
	if len(qs) == 0 {
		return nil, diembao.Errorf(diembao.EINVALID, "%s holds no query", path)
	}
	return qs, nil
}

func runEvalSearch(ctx context.Context, app *App, file string, asJSON, noExpand bool) error {
	qs, err := readSearchQueries(file)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, app)
	if err != nil {
		return err
	}
	defer st.Close()
	n, err := st.Articles.CountArticles(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		return diembao.Errorf(diembao.EINVALID, "the archive in %s is empty: import the corpus first", app.DataDir)
	}
	scores := evalSearchQueries(ctx, st.Search, qs, noExpand, app)
	if asJSON {
		enc := json.NewEncoder(app.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"articles": n, "scores": scores})
	}
	printSearchScores(app.Stdout, n, scores)
	return nil
}

// evalSearchQueries runs the queries and scores them by kind, the overall
// score last.
func evalSearchQueries(ctx context.Context, search diembao.SearchService, qs []searchQuery, noExpand bool, app *App) []*searchScore {
	byKind := map[string]*searchScore{}
	var kinds []string
	all := &searchScore{Kind: "all"}
	for _, q := range qs {
		kind := q.Kind
		if kind == "" {
			kind = "all"
		}
		s := byKind[kind]
		if s == nil && kind != "all" {
			s = &searchScore{Kind: kind}
			byKind[kind] = s
			kinds = append(kinds, kind)
		}
		start := time.Now()
		res, err := search.Search(ctx, diembao.SearchRequest{Query: q.Query, Limit: 10, NoExpand: noExpand})
		elapsed := time.Since(start)
		rr, recall := 0.0, 0.0
		if err != nil {
			msg := diembao.ErrorMessage(err)
			if diembao.ErrorCode(err) == diembao.EINTERNAL {
				msg = err.Error()
			}
			fmt.Fprintf(app.Stderr, "eval search: %q: %s\n", q.Query, msg)
		} else {
			found := 0
			for i, h := range res.Hits {
				if slices.Contains(q.Relevant, h.URL) {
					if found == 0 {
						rr = 1 / float64(i+1)
					}
					found++
				}
			}
			recall = float64(found) / float64(len(q.Relevant))
		}
		for _, x := range []*searchScore{s, all} {
			if x == nil {
				continue
			}
			x.Queries++
			x.MRR10 += rr
			x.Recall10 += recall
			if rr == 1 {
				x.Found++
			}
			if err != nil {
				x.Errors++
			}
			x.latencies = append(x.latencies, elapsed)
		}
	}
	var out []*searchScore
	for _, k := range kinds {
		out = append(out, byKind[k])
	}
	out = append(out, all)
	for _, s := range out {
		if s.Queries > 0 {
			s.MRR10 /= float64(s.Queries)
			s.Recall10 /= float64(s.Queries)
		}
		s.LatencyMS.P50 = percentileMS(s.latencies, 0.50)
		s.LatencyMS.P99 = percentileMS(s.latencies, 0.99)
	}
	return out
}

// percentileMS returns the p-th percentile (nearest rank) of ds in
// milliseconds.
func percentileMS(ds []time.Duration, p float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	sorted := slices.Clone(ds)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	i := int(float64(len(sorted))*p+0.999999) - 1
	i = max(0, min(i, len(sorted)-1))
	return float64(sorted[i].Microseconds()) / 1000
}

func printSearchScores(w io.Writer, articles int, scores []*searchScore) {
	fmt.Fprintf(w, "Archive: %d articles\n\n", articles)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "kind\tqueries\tMRR@10\trecall@10\tfirst\terrors\tp50 ms\tp99 ms\t")
	for _, s := range scores {
		fmt.Fprintf(tw, "%s\t%d\t%.3f\t%.3f\t%d\t%d\t%.1f\t%.1f\t\n", s.Kind, s.Queries, s.MRR10, s.Recall10, s.Found, s.Errors, s.LatencyMS.P50, s.LatencyMS.P99)
	}
	tw.Flush()
}
