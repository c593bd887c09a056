package query

import (
	"math"
	"reflect"
	"testing"
)

func TestIDF(t *testing.T) {
	tests := []struct {
		name      string
		rows      int64
		dfs       []int64
		want      float64
		tolerance float64
	}{
		{"rare token", 1000, []int64{1}, math.Log(999.5 / 1.5), 1e-12},
		{"token in most articles floors", 20, []int64{15}, 1e-6, 0},
		{"token in no article", 10, []int64{0}, math.Log(10.5 / 0.5), 1e-12},
		{"phrase sums its tokens", 1000, []int64{1, 9}, math.Log(999.5/1.5) + math.Log(991.5/9.5), 1e-12},
		{"phrase of common tokens", 20, []int64{15, 18}, 2e-6, 1e-18},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PhraseIDF(tt.rows, tt.dfs)
			if math.Abs(got-tt.want) > tt.tolerance {
				t.Errorf("PhraseIDF(%d, %v) = %v, want %v", tt.rows, tt.dfs, got, tt.want)
			}
		})
	}
}

func TestBM25(t *testing.T) {
	idf := []float64{2, 0.5}
	tests := []struct {
		name   string
		freq   []float64
		length float64
		want   float64
	}{
		{"no instance scores zero", []float64{0, 0}, 100, 0},
		{"average length", []float64{1, 0}, 100, -2 * 2.2 / (1 + 1.2)},
		{"longer article scores less", []float64{1, 0}, 300, -2 * 2.2 / (1 + 1.2*(0.25+0.75*3))},
		{"both phrases", []float64{4, 1}, 100, -(2*4*2.2/(4+1.2) + 0.5*2.2/(1+1.2))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := BM25(tt.freq, idf, tt.length, 100)
			if math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("BM25 = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTokenStats(t *testing.T) {
	phrases := []Phrase{
		{Tokens: []string{"hà", "nội"}},
		{Tokens: []string{"ha", "noi"}},
		{Tokens: []string{"hà"}},
		{Tokens: []string{"chuyển"}, Prefix: true},
		{Tokens: []string{"kế", "hoạch"}, Prefix: true},
	}
	s := NewTokenStats(phrases)
	wantTokens := []string{"hà", "nội", "ha", "noi", "kế"}
	wantPrefixes := []string{"chuyển", "hoạch"}
	if !reflect.DeepEqual(s.Tokens, wantTokens) || !reflect.DeepEqual(s.Prefixes, wantPrefixes) {
		t.Fatalf("tokens %q, prefixes %q; want %q, %q", s.Tokens, s.Prefixes, wantTokens, wantPrefixes)
	}
	for i, tok := range s.Tokens {
		s.DF[tok] = int64(10 * (i + 1))
	}
	s.SetPrefix("chuyển", 7)
	s.SetPrefix("hoạch", 3)
	got := s.PhraseDFs(phrases)
	want := [][]int64{{10, 20}, {30, 40}, {10}, {7}, {50, 3}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("PhraseDFs = %v, want %v", got, want)
	}
}

func TestPrefixBounds(t *testing.T) {
	tests := []struct{ prefix, lo, hi string }{
		{"ab", "ab", "ac"},
		{"t\u1ed5", "t\u1ed5", "t\u1ed6"},          // tổ
		{"chuy\u1ec3", "chuy\u1ec3", "chuy\u1ec4"}, // chuyể
		{"a\U0010FFFF", "a\U0010FFFF", ""},
		{"x\uD7FF", "x\uD7FF", "x\uE000"},
		{"x\uFFFD", "x\uFFFD", "x\uFFFE"},
	}
	for _, tt := range tests {
		lo, hi := PrefixBounds(tt.prefix)
		if lo != tt.lo || hi != tt.hi {
			t.Errorf("PrefixBounds(%q) = %q, %q; want %q, %q", tt.prefix, lo, hi, tt.lo, tt.hi)
		}
		for _, tok := range []string{tt.prefix, tt.prefix + "a", tt.prefix + "\U0010FFFF", tt.prefix + "ữ"} {
			if tok < lo || hi != "" && tok >= hi {
				t.Errorf("PrefixBounds(%q): %q falls outside [%q, %q)", tt.prefix, tok, lo, hi)
			}
		}
	}
}
