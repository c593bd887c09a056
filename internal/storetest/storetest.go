// Package storetest is the conformance suite of diembao's stores: the same
// checks, the same corpus of articles written for the tests and the same
// queries run against every backend (the embedded SQLite store, the
// PostgreSQL server store, any later one), and a comparison that requires
// two backends to give the same answers.
//
// A backend's tests call Run with a function that opens a fresh, empty
// store; Compare opens one store of each of two backends, loads the corpus
// into both and requires, for every query, the same total, the same set of
// results, the same order except among results of equal score, the same
// facets and the same snippets.
package storetest

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/diembao/diembao"
)

// Backend is one open, empty store under test. Services a backend does not
// have are nil, and their checks are skipped.
type Backend struct {
	// Name names the backend in messages ("sqlite", "postgres").
	Name     string
	Sources  diembao.SourceService
	Fetches  diembao.FetchService
	Articles diembao.ArticleService
	Search   diembao.SearchService
	Frontier diembao.FrontierService
	Feeds    diembao.FeedStateService
	// SetNow replaces the store's clock; nil when it cannot be replaced.
	SetNow func(now func() time.Time)
}

// Opener opens a fresh, empty store for the test t; the store is closed by
// a t.Cleanup the opener registers.
type Opener func(t *testing.T) *Backend

// Now is the fixed time of the suite's clock: a few days after the newest
// article of the corpus, so relative dates ("published:>now-7d") find a
// known part of it.
var Now = time.Date(2020, 2, 28, 12, 0, 0, 0, diembao.Vietnam)

// Run runs every conformance check against stores opened by open. The
// checks run in parallel, each on a store of its own.
func Run(t *testing.T, open Opener) {
	checks := []struct {
		name string
		fn   func(*testing.T, *Backend)
	}{
		{"Sources", testSources},
		{"Fetches", testFetches},
		{"Articles", testArticles},
		{"Search", testSearch},
		{"Frontier", func(t *testing.T, b *Backend) {
			if b.Frontier == nil {
				t.Skipf("%s has no frontier", b.Name)
			}
			testFrontier(t, b)
		}},
		{"FeedStates", func(t *testing.T, b *Backend) {
			if b.Feeds == nil {
				t.Skipf("%s keeps no feed states", b.Name)
			}
			testFeedStates(t, b)
		}},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.fn(t, open(t))
		})
	}
}

//go:embed testdata/corpus.json
var corpusJSON []byte

// CorpusSource is a source of the corpus.
type CorpusSource struct {
	Name     string             `json:"name"`
	Homepage string             `json:"homepage"`
	Kind     diembao.SourceKind `json:"kind"`
	Province string             `json:"province"`
}

// CorpusArticle is an article of the corpus.
type CorpusArticle struct {
	URL       string   `json:"url"`
	Source    string   `json:"source"`
	Section   string   `json:"section"`
	Author    string   `json:"author"`
	Published string   `json:"published"`
	Title     string   `json:"title"`
	Sapo      string   `json:"sapo"`
	Body      []string `json:"body"`
}

// Corpus is the suite's set of articles, written for the tests.
type Corpus struct {
	Sources  []CorpusSource  `json:"sources"`
	Articles []CorpusArticle `json:"articles"`
}

// LoadCorpus returns the suite's corpus.
func LoadCorpus() (*Corpus, error) {
	var c Corpus
	if err := json.Unmarshal(corpusJSON, &c); err != nil {
		return nil, fmt.Errorf("storetest: corpus: %w", err)
	}
	return &c, nil
}

// Article returns the corpus article as a diembao.Article with its source
// ID taken from ids (source name → ID).
func (ca *CorpusArticle) Article(ids map[string]int64) (*diembao.Article, error) {
	a := &diembao.Article{
		URL:        ca.URL,
		SourceID:   ids[ca.Source],
		SourceName: ca.Source,
		Title:      ca.Title,
		Sapo:       ca.Sapo,
		Section:    ca.Section,
		Author:     ca.Author,
		Language:   "vi",
	}
	for _, p := range ca.Body {
		a.Body = append(a.Body, diembao.Paragraph{Text: p})
	}
	if ca.Published != "" {
		t, err := time.Parse(time.RFC3339, ca.Published)
		if err != nil {
			return nil, fmt.Errorf("storetest: article %s: %w", ca.URL, err)
		}
		a.Published = t.In(diembao.Vietnam)
		a.PublishedPrecision = diembao.PrecisionMinute
		a.PublishedFrom = "meta"
	}
	return a, nil
}

// Load stores the corpus in b, in corpus order, and returns the ID of each
// article by URL.
func Load(ctx context.Context, b *Backend, c *Corpus) (map[string]int64, error) {
	sources := map[string]int64{}
	for _, cs := range c.Sources {
		s := &diembao.Source{Name: cs.Name, Homepage: cs.Homepage, Kind: cs.Kind, Province: cs.Province, Enabled: true}
		if err := b.Sources.CreateSource(ctx, s); err != nil {
			return nil, fmt.Errorf("storetest: %s: source %s: %w", b.Name, cs.Name, err)
		}
		sources[cs.Name] = s.ID
	}
	ids := map[string]int64{}
	for i := range c.Articles {
		a, err := c.Articles[i].Article(sources)
		if err != nil {
			return nil, err
		}
		res, err := b.Articles.PutArticle(ctx, a)
		if err != nil {
			return nil, fmt.Errorf("storetest: %s: put %s: %w", b.Name, a.URL, err)
		}
		ids[a.URL] = res.ID
	}
	return ids, nil
}

// published parses an RFC 3339 time of the test data.
func (c *Corpus) published(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
