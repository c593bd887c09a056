package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDateCommand(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"minute", []string{"date", "--json", "Thứ Hai, 13/01/2020, 08:30 (GMT+7)"}, `{"time":"2020-01-13T08:30:00+07:00","precision":"minute"}`},
		{"relative to base", []string{"date", "--json", "--base", "2020-01-13T10:00:00+07:00", "Chiều 10/1"}, `{"time":"2020-01-10T00:00:00+07:00","precision":"day"}`},
		{"page date", []string{"date", "--json", "--page-date", "2020-01-14", "hôm qua"}, `{"time":"2020-01-13T00:00:00+07:00","precision":"day"}`},
		{"no date", []string{"date", "--json", "không có ngày"}, `{"time":null,"precision":null}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			args := append([]string{"--data", t.TempDir()}, tt.args...)
			if code := Main(context.Background(), args, strings.NewReader(""), &out, &errb); code != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			if got := strings.TrimSpace(out.String()); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestExtractCommand(t *testing.T) {
	page := filepath.Join("..", "..", "extract", "testdata", "pages", "national-sapo-repeated.html")
	if _, err := os.Stat(page); err != nil {
		t.Skipf("test page missing: %v", err)
	}
	var out, errb bytes.Buffer
	args := []string{"--data", t.TempDir(), "extract", "--json", page}
	if code := Main(context.Background(), args, strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var got map[string]any
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	for _, k := range []string{"title", "sapo", "body", "captions", "author", "attribution", "published", "published_precision", "page_date", "section", "tags", "canonical_url", "language"} {
		if _, ok := got[k]; !ok {
			t.Errorf("key %q missing", k)
		}
	}
	if got["title"] != "Hợp tác xã ven biển thử nghiệm nuôi rong sụn" || got["published_precision"] != "minute" {
		t.Errorf("unexpected article: %s", out.String())
	}
}
