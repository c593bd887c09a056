package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/diembao/diembao"
)

// batchStore is an ArticleService that stores batches in one transaction
// and refuses every article whose URL ends in "/bad", as a store refuses
// what it cannot keep, and records how it was called.
type batchStore struct {
	diembao.ArticleService
	stored   map[string]bool
	batches  []int
	singles  int
	failures int
}

func (s *batchStore) PutArticles(_ context.Context, list []*diembao.Article) ([]diembao.PutResult, error) {
	s.batches = append(s.batches, len(list))
	for _, a := range list {
		if strings.HasSuffix(a.URL, "/bad") {
			s.failures++
			return nil, errors.New("refused") // nothing stored
		}
	}
	out := make([]diembao.PutResult, len(list))
	for i, a := range list {
		out[i] = diembao.PutResult{Created: !s.stored[a.URL]}
		s.stored[a.URL] = true
	}
	return out, nil
}

func (s *batchStore) PutArticle(ctx context.Context, a *diembao.Article) (diembao.PutResult, error) {
	s.singles++
	if strings.HasSuffix(a.URL, "/bad") {
		return diembao.PutResult{}, errors.New("refused")
	}
	res := diembao.PutResult{Created: !s.stored[a.URL]}
	s.stored[a.URL] = true
	return res, nil
}

// TestImportJSONLInBatches checks that a JSONL file is stored jsonlBatch
// articles at a time, and that a batch the store refuses is stored again
// one article at a time: the good lines are kept and the bad one is named.
func TestImportJSONLInBatches(t *testing.T) {
	var b strings.Builder
	n := 2*jsonlBatch + 7
	for i := range n {
		u := fmt.Sprintf("https://example.vn/%d", i)
		if i == jsonlBatch+3 {
			u = "https://example.vn/bad"
		}
		fmt.Fprintf(&b, `{"url":%q,"title":"Tin %d","text":"Nội dung %d."}`+"\n", u, i, i)
	}
	path := filepath.Join(t.TempDir(), "a.jsonl")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	store := &batchStore{stored: map[string]bool{}}
	var stats importStats
	err := importJSONL(context.Background(), &ingester{articles: store}, path, &stats)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("line %d:", jsonlBatch+4)) {
		t.Errorf("error %v, want one naming line %d", err, jsonlBatch+4)
	}
	if stats.created != n-1 || stats.failedRecords != 1 || len(store.stored) != n-1 {
		t.Errorf("created %d, failed %d, stored %d; want %d, 1, %d", stats.created, stats.failedRecords, len(store.stored), n-1, n-1)
	}
	if want := []int{jsonlBatch, jsonlBatch, 7}; fmt.Sprint(store.batches) != fmt.Sprint(want) || store.singles != jsonlBatch {
		t.Errorf("batches %v and %d single puts, want %v and %d", store.batches, store.singles, want, jsonlBatch)
	}
}
