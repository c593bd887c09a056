package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

func TestEvalSegment(t *testing.T) {
	conllu := filepath.Join("..", "..", "viet", "testdata", "sample.conllu")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"text", []string{"eval", "segment", "--conllu", conllu, "--rounds", "1"}, 0, "F1"},
		{"missing flag", []string{"eval", "segment"}, 1, "--conllu"},
		{"missing file", []string{"eval", "segment", "--conllu", filepath.Join(t.TempDir(), "none.conllu")}, 1, "eval segment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Main(context.Background(), append([]string{"--data", t.TempDir()}, tt.args...), strings.NewReader(""), &stdout, &stderr)
			if code != tt.code {
				t.Fatalf("exit code %d, want %d; stderr %s", code, tt.code, stderr.String())
			}
			if out := stdout.String() + stderr.String(); !strings.Contains(out, tt.want) {
				t.Errorf("output %q does not contain %q", out, tt.want)
			}
		})
	}
}

func TestEvalSegmentJSON(t *testing.T) {
	var stdout, stderr bytes.Buffer
	conllu := filepath.Join("..", "..", "viet", "testdata", "sample.conllu")
	code := Main(context.Background(), []string{"--data", t.TempDir(), "eval", "segment", "--conllu", conllu, "--json", "--rounds", "1"}, strings.NewReader(""), &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit code %d: %s", code, stderr.String())
	}
	var fig map[string]float64
	if err := json.Unmarshal(stdout.Bytes(), &fig); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, stdout.String())
	}
	for _, key := range []string{"precision", "recall", "f1", "syllables_per_second"} {
		if _, ok := fig[key]; !ok {
			t.Errorf("JSON has no %q: %s", key, stdout.String())
		}
	}
	if fig["syllables"] != 18 || fig["gold_words"] != 13 {
		t.Errorf("counted %v syllables and %v gold words, want 18 and 13", fig["syllables"], fig["gold_words"])
	}
	if fig["f1"] <= 0 || fig["f1"] > 1 {
		t.Errorf("f1 = %v", fig["f1"])
	}
}
