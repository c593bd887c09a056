package viet

import (
	"testing"
	"unicode/utf8"
)

var fuzzSeeds = []string{
	"hòa thủy khỏe quý giá", "Vie\u0302\u0323t Nam", "a\u200b\u0301", "Hà\u00a0Nội",
	"\xff\xfe\xfd", "HOÀ ỦY", "ΩΜΈΓΑ 한국어 日本", "e\u0301\u0323\u0302", "Ðà Nẵng ǅ ﬁ",
}

func FuzzNormalize(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if again := Normalize(n); again != n {
			t.Fatalf("Normalize not idempotent: %q → %q → %q", s, n, again)
		}
		if utf8.ValidString(s) && !utf8.ValidString(n) {
			t.Fatalf("Normalize(%q) made invalid UTF-8", s)
		}
	})
}

func FuzzFold(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, b := Fold(Normalize(s)), Fold(s)
		if a != b {
			t.Fatalf("Fold(Normalize(%q)) = %q, Fold = %q", s, a, b)
		}
		if c := string(AppendFold(nil, s)); c != b {
			t.Fatalf("AppendFold(%q) = %q, Fold = %q", s, c, b)
		}
	})
}

func FuzzDetectBytes(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		enc := DetectBytes(b)
		if enc < UTF8 || enc > CP1258 {
			t.Fatalf("DetectBytes returned %d", enc)
		}
		if _, err := Decode(b, enc); err != nil {
			t.Fatalf("Decode with the detected %s: %v", enc, err)
		}
	})
}
